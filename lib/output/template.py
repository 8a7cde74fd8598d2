"""The progress-report template: one row per indicator, as XLSX (styled) or CSV.

Input columns (指标编号 pre-filled, 报告期 optionally pre-filled, 完成值, 进展情况, 填报单位)
sit beside read-only helper columns (indicator name, unit, target, deadline, task, lead
unit) that the reader ignores. The XLSX greys and locks the helper columns, freezes the
header, offers the plan's quarters in a drop-down and carries a bilingual instructions sheet
(说明) stating the accepted period forms and milestone words. Rows left without a value are
skipped on upload, so a partly filled template validates as it is.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import BinaryIO, Literal

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from lib.core.labels import INPUT_HEADINGS, MILESTONE_WORDS, TEMPLATE_HELPER_HEADINGS
from lib.core.periods import period_label, periods_between
from lib.output.tabular_export import csv_bytes, write_frame, xlsx_workbook
from lib.plan.model import Plan

TEMPLATE_ORDER = (
    "indicator_id", "name", "period", "value", "unit", "note", "reporter", "target", "deadline",
    "task", "lead_unit",
)  # fmt: skip


def _template_column(key: str) -> tuple[str, str, str, bool]:
    if key in INPUT_HEADINGS:
        english, chinese = INPUT_HEADINGS[key][:2]
        return key, chinese, english, True
    chinese, english = TEMPLATE_HELPER_HEADINGS[key]
    return key, chinese, english, False


# (key, Chinese heading, English heading, is an input column)
TEMPLATE_COLUMNS: tuple[tuple[str, str, str, bool], ...] = tuple(
    _template_column(key) for key in TEMPLATE_ORDER
)
DATA_SHEET = {"zh": "进度填报", "en": "progress"}
INSTRUCTIONS_SHEET = "说明"
HELPER_FILL = PatternFill("solid", fgColor="E7E6E6")
HELPER_FONT = Font(color="595959")
INPUT_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
COLUMN_WIDTHS = {"name": 40, "note": 36, "task": 40, "reporter": 18, "lead_unit": 18}


def progress_template_frame(
    plan: Plan, lang: str = "zh", period: str | None = None
) -> pd.DataFrame:
    """One row per indicator in plan order: input columns blank (报告期 = `period` if given)."""
    indicators = plan.indicators
    titles = plan.tasks.set_index("task_id")["title"]
    values = {
        "indicator_id": indicators["indicator_id"],
        "name": indicators["name"],
        "period": period or "",
        "value": "",
        "unit": indicators["unit"],
        "note": "",
        "reporter": "",
        "target": indicators["target"].astype("float64"),
        "deadline": pd.to_datetime(indicators["deadline"]).dt.strftime("%Y-%m-%d"),
        "task": indicators["task_id"] + " " + indicators["task_id"].map(titles),
        "lead_unit": indicators["lead_unit"],
    }
    frame = pd.DataFrame(values, index=indicators.index).reset_index(drop=True)
    return frame.rename(columns=_headings(lang))


def template_bytes(
    plan: Plan, fmt: Literal["xlsx", "csv"] = "xlsx", lang: str = "zh", period: str | None = None
) -> bytes:
    """The template file's bytes: a styled workbook, or CSV in UTF-8 with BOM."""
    frame = progress_template_frame(plan, lang, period)
    if fmt == "csv":
        return csv_bytes(frame)
    if fmt != "xlsx":
        raise ValueError(f"unknown template format {fmt!r} (use 'xlsx' or 'csv')")
    workbook = xlsx_workbook({DATA_SHEET.get(lang, DATA_SHEET["zh"]): frame})
    sheet = workbook.worksheets[0]
    _style_data_sheet(sheet, len(frame), periods_between(plan.period_start, plan.period_end))
    write_frame(workbook.create_sheet(INSTRUCTIONS_SHEET), instructions_frame(plan))
    _style_instructions(workbook[INSTRUCTIONS_SHEET])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_template(
    plan: Plan,
    path_or_buffer: str | Path | BinaryIO,
    fmt: Literal["xlsx", "csv"] = "xlsx",
    lang: str = "zh",
    period: str | None = None,
) -> None:
    """Write the template to a file path or a binary buffer."""
    content = template_bytes(plan, fmt, lang, period)
    if isinstance(path_or_buffer, str | Path):
        Path(path_or_buffer).write_bytes(content)
    else:
        path_or_buffer.write(content)


def instructions_frame(plan: Plan) -> pd.DataFrame:
    """The 说明 sheet: one row per topic, in Chinese and English."""
    periods = periods_between(plan.period_start, plan.period_end)
    first, last = (periods[0], periods[-1]) if periods else ("2014Q1", "2014Q4")
    done = "、".join(w for w, v in MILESTONE_WORDS.items() if v == 100)
    not_started = "、".join(w for w, v in MILESTONE_WORDS.items() if v == 0)
    synonyms = "；".join(
        f"{headings[1]}：{'、'.join(headings[2:])}"
        for headings in INPUT_HEADINGS.values()
        if len(headings) > 2
    )
    rows = [
        (
            "用途 Purpose",
            f"{plan.meta.document_number}《{plan.meta.title}》各指标的季度进度填报。",
            f"Quarterly progress figures for the indicators of {plan.meta.document_number}.",
        ),
        (
            "填写列 Columns to fill",
            "必填：指标编号、报告期、完成值；选填：进展情况、填报单位。灰色列（指标名称、单位、"
            "目标值、完成时限、所属任务、牵头单位）仅供参考，导入时忽略；没有指标编号列时，按"
            "指标名称（须与计划中的名称完全一致）识别指标。自制表格的列标题也可写：" + synonyms,
            "Required: 指标编号 (indicator_id), 报告期 (period), 完成值 (value); optional: "
            "进展情况 (note), 填报单位 (reporter). Grey columns are for reference and ignored; "
            "a file without 指标编号 is matched by the exact 指标名称. Other headings accepted: "
            + synonyms,
        ),
        (
            "报告期 Period",
            f"填 {first} 至 {last}；也可写 2014-Q2、2014年第二季度、2014年第2季度、2014年二季度。"
            f"计划期外的报告期会被拒绝。",
            f"Write {first} to {last}; 2014-Q2, 2014年第二季度, 2014年第2季度 and 2014年二季度 "
            "are accepted too. Periods outside the plan are rejected.",
        ),
        (
            "完成值 Value",
            "截至该季度末的累计完成值，单位见“单位”列；可写 1234、1,234、83%，全角数字亦可。"
            "不能为负数；单位为 % 的指标不能超过 100。",
            "Cumulative actual as of the end of the quarter, in the unit shown; 1234, 1,234 and "
            "83% are accepted, full-width digits too. No negatives; % indicators max 100.",
        ),
        (
            "节点类指标 Milestones",
            f"填完成百分比 0-100，或填文字：{done}（=100）、{not_started}（=0）。"
            "数量类指标只能填数字。",
            f"Enter percent done 0-100, or the words {done} (=100) or {not_started} (=0). "
            "Quantity indicators take numbers only.",
        ),
        (
            "多个季度 Several quarters",
            "同一文件中，同一指标同一报告期只能出现一次；要报多个季度，请复制该行并改报告期。"
            "未填完成值、进展情况和填报单位的行会被跳过。",
            "Each indicator and period may appear once per file; copy a row to report another "
            "quarter. Rows with no value, note or reporter are skipped.",
        ),
        (
            "填报单位 Reporter",
            "填本单位名称、全称或常用简称（如 市发改局、鼎湖区）。"
            "县区、园区填的是本地区的分项数据，不替换全市数据；"
            "不填且上传时不选单位时，按各指标牵头单位的全市数据处理。",
            "The unit's name, full name or a common short name (市发改局, 鼎湖区). A county's or "
            "zone's figures are its own area's breakdown and never replace the whole-area "
            "figure; left empty with no unit chosen at upload, each figure is the lead "
            "unit's whole-area figure.",
        ),
        (
            "文件格式 File format",
            "上传 .xlsx、.xls（取第一个表头相符的可见工作表）或 CSV（UTF-8 或 GBK 编码均可）。"
            "工作表已保护（无密码），可在“审阅→撤销工作表保护”中解除。",
            "Upload .xlsx or .xls (the first visible sheet whose header matches is read) or "
            "CSV (UTF-8 or GBK). The sheet is protected without a password; unprotect it "
            "under Review if needed.",
        ),
    ]
    return pd.DataFrame(rows, columns=["项目 Topic", "说明", "Notes"])


def _headings(lang: str) -> dict[str, str]:
    index = 2 if lang == "en" else 1
    return {column[0]: column[index] for column in TEMPLATE_COLUMNS}


def _style_data_sheet(sheet: Worksheet, row_count: int, periods: list[str]) -> None:
    """Grey, locked helper columns; unlocked input columns; period drop-down; protection."""
    last_row = max(row_count + 1, 2)
    for position, (key, _, _, is_input) in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(position)
        dimension = sheet.column_dimensions[letter]
        dimension.width = COLUMN_WIDTHS.get(key, 12)
        header = sheet.cell(row=1, column=position)
        header.alignment = Alignment(horizontal="center")
        if is_input:
            header.fill = INPUT_HEADER_FILL
            dimension.protection = Protection(locked=False)  # new rows stay editable
            for row in range(2, last_row + 1):
                sheet.cell(row=row, column=position).protection = Protection(locked=False)
        else:
            header.fill = HELPER_FILL
            for row in range(2, last_row + 1):
                cell = sheet.cell(row=row, column=position)
                cell.fill, cell.font = HELPER_FILL, HELPER_FONT
    sheet.freeze_panes = "C2"
    if periods:
        period_column = get_column_letter(_position("period"))
        choices = DataValidation(
            type="list",
            formula1='"' + ",".join(periods) + '"',
            allow_blank=True,
            showErrorMessage=False,  # other written forms (2014年第二季度) are accepted too
            promptTitle="报告期",
            prompt=" / ".join(period_label(p) for p in periods[:4]),
            showInputMessage=True,
        )
        choices.add(f"{period_column}2:{period_column}{max(last_row, 1000)}")
        sheet.add_data_validation(choices)
    protection = sheet.protection
    protection.sheet = True
    for allowed in ("formatCells", "formatColumns", "formatRows", "insertRows", "deleteRows"):
        setattr(protection, allowed, False)  # False = not prevented
    protection.sort = False
    protection.autoFilter = False


def _style_instructions(sheet: Worksheet) -> None:
    for letter, width in (("A", 22), ("B", 70), ("C", 70)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _position(key: str) -> int:
    return next(i for i, column in enumerate(TEMPLATE_COLUMNS, start=1) if column[0] == key)
