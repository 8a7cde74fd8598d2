"""The progress-report template: one row per indicator, as XLSX (styled) or CSV.

Input columns (指标编号 pre-filled, 报告期 optionally pre-filled, 完成值, 进展情况, 填报单位)
sit beside read-only helper columns (indicator name, unit, target, deadline, task, lead
unit) that the reader ignores. The XLSX greys and locks the helper columns, freezes the
header, offers the plan's quarters in a drop-down and carries a bilingual instructions sheet
(说明) stating the accepted period forms and milestone words. Rows left without a value are
skipped on upload, so a partly filled template validates as it is.

A unit's form (`unit=`) holds only the indicators that unit reports (lib.plan.reporting),
with 填报单位 and the period filled in, and beside the input the unit's previous figure as a
grey reference column, never in 完成值 itself: a form sent back untouched stores nothing.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, Literal

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from lib.core.errors import Problem, UserInputError
from lib.core.labels import (
    FORM_HELPER_HEADINGS,
    FORM_ROLE_WORDS,
    INPUT_HEADINGS,
    MILESTONE_WORDS,
    TEMPLATE_HELPER_HEADINGS,
)
from lib.core.periods import parse_period, period_label, periods_between
from lib.output.tabular_export import csv_bytes, write_frame, xlsx_workbook
from lib.plan.model import Plan
from lib.plan.reporting import BREAKDOWN, HEADLINE, reported_indicators
from lib.plan.units import resolve_unit

TEMPLATE_ORDER = (
    "indicator_id", "name", "period", "value", "unit", "note", "reporter", "target", "deadline",
    "task", "lead_unit",
)  # fmt: skip
# a unit's form: its previous figure right beside the value it is to report
FORM_ORDER = (
    "indicator_id", "name", "period", "value", "previous_value", "previous_period", "unit",
    "note", "reporter", "role", "target", "deadline", "task", "lead_unit",
)  # fmt: skip


def _template_column(key: str) -> tuple[str, str, str, bool]:
    if key in INPUT_HEADINGS:
        english, chinese = INPUT_HEADINGS[key][:2]
        return key, chinese, english, True
    chinese, english = {**TEMPLATE_HELPER_HEADINGS, **FORM_HELPER_HEADINGS}[key]
    return key, chinese, english, False


Column = tuple[str, str, str, bool]
# (key, Chinese heading, English heading, is an input column)
TEMPLATE_COLUMNS: tuple[Column, ...] = tuple(_template_column(key) for key in TEMPLATE_ORDER)
FORM_COLUMNS: tuple[Column, ...] = tuple(_template_column(key) for key in FORM_ORDER)
DATA_SHEET = {"zh": "进度填报", "en": "progress"}
INSTRUCTIONS_SHEET = "说明"
HELPER_FILL = PatternFill("solid", fgColor="E7E6E6")
HELPER_FONT = Font(color="595959")
INPUT_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
COLUMN_WIDTHS = {"name": 40, "note": 36, "task": 40, "reporter": 18, "lead_unit": 18}


def progress_template_frame(
    plan: Plan,
    lang: str = "zh",
    period: str | None = None,
    unit: str | None = None,
    stored: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per indicator in plan order: input columns blank (报告期 = `period` if given).

    With `unit` (a registered name, full name or short form), the unit's form: only the
    indicators it reports, 填报单位 its registered name, and per row what its figure counts
    for and its latest figure before `period` in `stored` (a store's `current_values`)."""
    if unit is None:
        return _template_rows(plan, plan.indicators, period).rename(columns=_headings(lang))
    name = form_unit(plan, unit)
    reported = unit_indicators(plan, name)
    indicators = plan.indicators.set_index("indicator_id").loc[reported["indicator_id"]]
    frame = _template_rows(plan, indicators.reset_index(), period)
    frame["reporter"] = name
    words = {role: pair[1 if lang == "en" else 0] for role, pair in FORM_ROLE_WORDS.items()}
    frame["role"] = reported["role"].map(words).to_numpy()
    previous = previous_figures(stored, name, reported, _canonical_period(period))
    frame["previous_value"] = frame["indicator_id"].map(previous["value"]).astype("float64")
    periods = frame["indicator_id"].map(previous["period"]).astype(object)
    frame["previous_period"] = periods.where(periods.notna(), "")
    return frame[list(FORM_ORDER)].rename(columns=_headings(lang, FORM_COLUMNS))


def _template_rows(plan: Plan, indicators: pd.DataFrame, period: str | None) -> pd.DataFrame:
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
    return pd.DataFrame(values, index=indicators.index).reset_index(drop=True)


def form_unit(plan: Plan, name: str) -> str:
    """The registered name of the unit a form is for; UserInputError (code unknown_unit or
    unit_reports_nothing) when `name` is no registered unit, a group, or reports nothing."""
    unit = resolve_unit(plan, name)
    kinds = dict(zip(plan.units["unit"], plan.units["kind"], strict=True))
    if unit is None or kinds.get(unit) == "group":
        raise UserInputError(
            [
                Problem(
                    "unknown_unit",
                    f"“{name}”不是计划登记的填报单位（请写单位名称、全称或常用简称）",
                    f"{name!r} is not a reporting unit registered in the plan (write its "
                    "name, full name or a common short name)",
                    value=name,
                )
            ]
        )
    if unit not in set(reported_indicators(plan)["unit"]):
        raise UserInputError(
            [
                Problem(
                    "unit_reports_nothing",
                    f"{unit} 在本计划中没有需要报送的指标",
                    f"{unit} reports no indicator in this plan",
                    value=unit,
                )
            ]
        )
    return unit


def unit_indicators(plan: Plan, unit: str) -> pd.DataFrame:
    """The indicators `unit` reports, one row each in plan order (indicator_id, task_id,
    role): its whole-area figure where it is the named reporter, else its area's part."""
    reported = reported_indicators(plan)
    own = reported[reported["unit"] == unit].drop_duplicates("indicator_id")  # headline first
    return own[["indicator_id", "task_id", "role"]].reset_index(drop=True)


def reporting_units(plan: Plan) -> list[str]:
    """Every unit that reports some indicator, in registry order. A group (各县(市)政府)
    named as an indicator's reporter is no unit that can send a form: it is left out."""
    reporting = set(reported_indicators(plan)["unit"])
    units = plan.units[plan.units["kind"] != "group"]["unit"]
    return [unit for unit in units if unit in reporting]


def previous_figures(
    stored: pd.DataFrame | None, unit: str, reported: pd.DataFrame, before: str | None
) -> pd.DataFrame:
    """Per indicator of `reported` (unit_indicators) the unit's latest stored figure before
    period `before` (any period when None): value and period, indexed by indicator_id. A
    figure with no unit recorded stands for the whole-area one, so it counts as the named
    reporter's where the unit's own is missing for that period."""
    empty = pd.DataFrame({"value": [], "period": []}, index=pd.Index([], name="indicator_id"))
    if stored is None or stored.empty:
        return empty
    headline = set(reported.loc[reported["role"] == HEADLINE, "indicator_id"])
    wanted = stored["indicator_id"].isin(set(reported["indicator_id"]))
    reporters = stored["reporter"].fillna("")
    own = reporters == unit
    unrecorded = (reporters == "") & stored["indicator_id"].isin(headline)
    figures = stored[wanted & (own | unrecorded)].assign(_own=own[wanted & (own | unrecorded)])
    if before:
        figures = figures[figures["period"].astype(str) < before]
    if figures.empty:
        return empty
    latest = figures.sort_values(["indicator_id", "period", "_own"]).drop_duplicates(
        "indicator_id", keep="last"
    )
    return latest.set_index("indicator_id")[["value", "period"]]


def _canonical_period(period: str | None) -> str | None:
    return (parse_period(period) or period) if period else None


def template_bytes(
    plan: Plan,
    fmt: Literal["xlsx", "csv"] = "xlsx",
    lang: str = "zh",
    period: str | None = None,
    unit: str | None = None,
    stored: pd.DataFrame | None = None,
) -> bytes:
    """The template file's bytes: a styled workbook, or CSV in UTF-8 with BOM; with `unit`,
    that unit's form (see progress_template_frame)."""
    frame = progress_template_frame(plan, lang, period, unit, stored)
    if fmt == "csv":
        return csv_bytes(frame)
    if fmt != "xlsx":
        raise ValueError(f"unknown template format {fmt!r} (use 'xlsx' or 'csv')")
    workbook = xlsx_workbook({DATA_SHEET.get(lang, DATA_SHEET["zh"]): frame})
    sheet = workbook.worksheets[0]
    columns = TEMPLATE_COLUMNS if unit is None else FORM_COLUMNS
    plan_periods = periods_between(plan.period_start, plan.period_end)
    _style_data_sheet(sheet, len(frame), plan_periods, columns)
    instructions = instructions_frame(plan)
    if unit is not None:
        name = form_unit(plan, unit)
        instructions = pd.concat(
            [form_instructions(plan, name, period), instructions], ignore_index=True
        )
    write_frame(workbook.create_sheet(INSTRUCTIONS_SHEET), instructions)
    style_instructions(workbook[INSTRUCTIONS_SHEET])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_template(
    plan: Plan,
    path_or_buffer: str | Path | BinaryIO,
    fmt: Literal["xlsx", "csv"] = "xlsx",
    lang: str = "zh",
    period: str | None = None,
    unit: str | None = None,
    stored: pd.DataFrame | None = None,
) -> None:
    """Write the template (with `unit`, that unit's form) to a file path or a buffer."""
    content = template_bytes(plan, fmt, lang, period, unit, stored)
    if isinstance(path_or_buffer, str | Path):
        Path(path_or_buffer).write_bytes(content)
    else:
        path_or_buffer.write(content)


def unit_forms_zip(
    plan: Plan, period: str | None = None, stored: pd.DataFrame | None = None, lang: str = "zh"
) -> bytes:
    """A zip of one .xlsx form per unit that reports anything, named `<unit>_<period>.xlsx`
    (`<unit>.xlsx` without a period), in registry order."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for unit in reporting_units(plan):
            content = template_bytes(plan, "xlsx", lang, period, unit, stored)
            archive.writestr(unit_form_file_name(unit, period), content)
    return buffer.getvalue()


def unit_form_file_name(unit: str, period: str | None, suffix: str = "xlsx") -> str:
    """`<unit>_<period>.xlsx`, with characters no file name may hold replaced."""
    stem = f"{unit}_{period}" if period else unit
    for character in '/\\:*?"<>|':
        stem = stem.replace(character, "_")
    return f"{stem}.{suffix}"


def form_instructions(plan: Plan, unit: str, period: str | None) -> pd.DataFrame:
    """The 说明 rows a unit's form begins with: whose form it is, what its figures count
    for, and that the grey previous figures are not re-imported."""
    roles = set(unit_indicators(plan, unit)["role"])
    zh_counts, en_counts = [], []
    if HEADLINE in roles:
        zh_counts.append(
            "标为“全市数据”的指标，本单位填报的是全市（全计划区域）的数据，用于看板状态"
        )
        en_counts.append(
            "for indicators marked 全市数据 (whole area) your figure is the whole area's, "
            "the one the dashboard's statuses use"
        )
    if BREAKDOWN in roles:
        zh_counts.append("标为“本地区分项”的指标，填报的是本地区的分项数据，不替换全市数据")
        en_counts.append(
            "for indicators marked 本地区分项 your figure is your own area's breakdown and "
            "never replaces the whole-area figure"
        )
    when_zh = f"，报告期 {period}" if period else ""
    when_en = f", period {period}" if period else ""
    rows = [
        (
            "填报单位 Unit",
            f"本表为 {unit} 的填报表{when_zh}，只列本单位应报送的指标。"
            + "；".join(zh_counts)
            + "。",
            f"This is the form of {unit}{when_en}: only the indicators it reports. "
            + "; ".join(en_counts)
            + ".",
        ),
        (
            "上期完成值 Previous",
            "灰色的“上期完成值”“上期报告期”是本单位此前最近一次报送的数据，仅供参考，导入时"
            "忽略；请在“完成值”列填写本期数据。未填完成值和进展情况的行不导入。",
            "The grey previous value and period are the unit's latest figure sent before, for "
            "reference only and ignored on upload; write this period's figure under 完成值. "
            "Rows without a value or note are not imported.",
        ),
    ]
    return pd.DataFrame(rows, columns=["项目 Topic", "说明", "Notes"])


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


def _headings(lang: str, columns: tuple[Column, ...] = TEMPLATE_COLUMNS) -> dict[str, str]:
    index = 2 if lang == "en" else 1
    return {column[0]: column[index] for column in columns}


def _style_data_sheet(
    sheet: Worksheet, row_count: int, periods: list[str], columns: tuple[Column, ...]
) -> None:
    """Grey, locked helper columns; unlocked input columns; period drop-down; protection."""
    last_row = max(row_count + 1, 2)
    for position, (key, _, _, is_input) in enumerate(columns, start=1):
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
        period_column = get_column_letter(_position("period", columns))
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


def style_instructions(sheet: Worksheet) -> None:
    """An instructions sheet readable: wide wrapped columns, text from the top."""
    for letter, width in (("A", 22), ("B", 70), ("C", 70)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _position(key: str, columns: tuple[Column, ...]) -> int:
    return next(i for i, column in enumerate(columns, start=1) if column[0] == key)
