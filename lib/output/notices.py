"""The supervision office's documents: a 催报通知 (reminder) and a 督办单 as Word files, the
督办回复表 a unit fills in (.xlsx), a zip of several, and their file names.

The Word documents follow the page of a Chinese official document (GB/T 9704: A4, margins
37/35/28/26 mm, body in 仿宋 三号, title in 黑体 二号). Every run names its East Asian font in
`w:rFonts w:eastAsia` beside a Latin font for digits and letters: `font.name` alone sets only
the Latin face, and Word would then pick the Chinese face itself.

仿宋 rather than 仿宋_GB2312: GB/T 9704 names 仿宋_GB2312, but Windows has shipped it only up
to XP, while 仿宋 (FangSong, simfang.ttf) comes with every Windows since Vista and with
Office; Word silently replaces a missing East Asian font with 宋体, so naming 仿宋_GB2312
would print the body in 宋体 on a stock PC. WPS and LibreOffice map 仿宋 to their FangSong.

Only figures passed in are written: a document shows the plan's words, the status model's
numbers and "—" where there is no figure, never an estimate. A document built from the demo
store says so under its title (`sample`).
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from io import BytesIO
from typing import NoReturn

import pandas as pd
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from lib.core.errors import Problem, UserInputError
from lib.core.labels import NOTICE_TABLE_HEADINGS, REPLY_FORM_HEADINGS
from lib.core.periods import period_label
from lib.output.tabular_export import xlsx_workbook
from lib.output.template import style_instructions, unit_form_file_name
from lib.plan.model import Plan
from lib.status.submissions import OFFICE_TIME

# page of GB/T 9704-2012
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}
TEXT_WIDTH_MM = 210 - 28 - 26  # 156 mm between the margins: the tables' total width
TITLE_FONT = "黑体"
BODY_FONT = "仿宋"  # see the module docstring for why not 仿宋_GB2312
LATIN_FONT = "Times New Roman"  # digits and Latin letters, as official documents set them
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
LINE_PITCH = Pt(28)  # fixed line spacing: GB/T 9704's 22 lines on the page
REMINDER_TABLE_SIZE = Pt(14)  # 四号: four columns fit at this size
NOTICE_TABLE_SIZE = Pt(10.5)  # 五号: nine columns on an A4 portrait page
SAMPLE_LINE = "（示例数据，非真实统计）"
SAMPLE_COLOR = RGBColor(0xC0, 0x00, 0x00)
MISSING = "—"  # a cell with no figure
REPLY_WITHIN = "请于接到本通知后3个工作日内报送"

REMINDER_COLUMNS = ("seq", "indicator_id", "name", "task")
REMINDER_WIDTHS_MM = (14, 26, 62, 54)
NOTICE_COLUMNS = (
    "indicator_id", "name", "target", "value", "expected", "progress", "reason",
    "needed_per_quarter", "deadline",
)  # fmt: skip
NOTICE_WIDTHS_MM = (16, 30, 15, 15, 14, 14, 22, 15, 15)

REPLY_SHEET = "回复"
REPLY_INSTRUCTIONS_SHEET = "说明"
REPLY_ORDER = (
    "notice_id", "indicator_id", "name", "situation", "reason", "measures", "expected_by",
)  # fmt: skip
REPLY_INPUTS = ("reason", "measures", "expected_by")
REPLY_WIDTHS = {
    "notice_id": 12, "indicator_id": 12, "name": 36, "situation": 28, "reason": 48,
    "measures": 48, "expected_by": 16,
}  # fmt: skip
_HELPER_FILL = PatternFill("solid", fgColor="E7E6E6")
_HELPER_FONT = Font(color="595959")
_INPUT_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_FORBIDDEN_IN_FILE_NAMES = '/\\:*?"<>|'

# --- the two Word documents ---------------------------------------------------------------


def reminder_docx(
    plan: Plan,
    *,
    unit: str,
    period: str,
    missing: pd.DataFrame,
    due: datetime,
    office: str,
    issued_on: date,
    number: str,
) -> bytes:
    """A 催报通知 to `unit` for the figures of `period` it has not sent: `missing` has one row
    per indicator (indicator_id, name, task_id, task_title); `due` is the deadline as
    lib.status.submissions.due_at gives it. UserInputError (reminder_nothing_missing) when
    nothing is missing."""
    if missing.empty:
        _refuse_empty("reminder_nothing_missing", "催报通知", "reminder", unit, period)
    label = period_label(period, "zh")
    title = f"关于报送{label}重点工作进展数据的催报通知"
    document = _new_document(title, office, issued_on)
    _title(document, title)
    _centered(document, number)
    _blank(document)
    _body(document, f"{unit}：", indent=False)
    _body(
        document,
        f"按照《{plan.meta.title}》（{plan.meta.document_number}）进展数据的季度报送安排，"
        f"{label}数据应于{date_zh(due_day(due))}前报送。截至{date_zh(issued_on)}，你单位以下"
        f"{len(missing)}项指标的数据尚未收到：",
    )
    rows = [
        (str(seq), row.indicator_id, row.name, f"{row.task_id} {row.task_title}")
        for seq, row in enumerate(missing.itertuples(index=False), start=1)
    ]
    _table(document, REMINDER_COLUMNS, rows, REMINDER_WIDTHS_MM, REMINDER_TABLE_SIZE, (0, 1))
    _body(
        document,
        f"{REPLY_WITHIN}上述指标数据（可使用本单位填报表上传至督办看板）；如有特殊情况不能按时"
        "报送，请书面说明原因。",
    )
    _body(document, "特此通知。")
    _signature(document, office, issued_on)
    return _docx_bytes(document)


def supervision_notice_docx(
    plan: Plan,
    *,
    unit: str,
    period: str,
    indicators: pd.DataFrame,
    reply_by: date,
    office: str,
    issued_on: date,
    number: str,
    sample: bool,
) -> bytes:
    """A 督办单 to lead unit `unit`: one table row per row of `indicators` (at_risk_indicators
    of the period, that unit's, in the order given), then what to reply by `reply_by`.
    `sample` marks a document built from invented figures. UserInputError
    (supervision_nothing_listed) when `indicators` is empty."""
    if indicators.empty:
        _refuse_empty("supervision_nothing_listed", "督办单", "supervision notice", unit, period)
    label = period_label(period, "zh")
    document = _new_document(f"督办单 {unit} {label}", office, issued_on)
    _title(document, "督办单")
    if sample:
        _centered(document, SAMPLE_LINE, bold=True, color=SAMPLE_COLOR)
    _centered(document, number)
    _body(document, f"督办单位：{office}", indent=False)
    _body(document, f"承办单位（牵头）：{unit}", indent=False)
    _body(
        document,
        f"督办事项：《{plan.meta.title}》（{plan.meta.document_number}）{label}进度落后、"
        f"已逾期或未报送的指标（共{len(indicators)}项）",
        indent=False,
    )
    _table(
        document,
        NOTICE_COLUMNS,
        notice_rows(indicators),
        NOTICE_WIDTHS_MM,
        NOTICE_TABLE_SIZE,
        (0, 2, 3, 4, 5, 7, 8),
    )
    _note(
        document,
        "注：应达进度为截至本期末按时间进度应完成的比例；实际进度为已报送数据对应的完成比例；"
        f"“{MISSING}”表示尚无数据或不适用。",
    )
    _body(
        document,
        f"办理要求：请于{date_zh(reply_by)}前，对上述指标逐项分析原因，提出整改措施和预计完成"
        f"时间，填写所附《督办回复表》（原因分析、整改措施、预计完成时间）报送{office}。",
        indent=False,
    )
    _signature(document, office, issued_on)
    return _docx_bytes(document)


def notice_rows(indicators: pd.DataFrame) -> list[tuple[str, ...]]:
    """The 督办单 table's cells, one tuple per indicator in the order given (NOTICE_COLUMNS)."""
    return [
        (
            str(row.indicator_id),
            str(row.name),
            amount_text(row.target, row.unit),
            amount_text(row.value, row.unit),
            percent_text(row.expected),
            percent_text(row.progress),
            str(row.reason_zh),
            amount_text(row.needed_per_quarter, row.unit),
            day_text(row.deadline),
        )
        for row in indicators.itertuples(index=False)
    ]


def _refuse_empty(code: str, zh: str, en: str, unit: str, period: str) -> NoReturn:
    raise UserInputError(
        [
            Problem(
                code,
                f"{unit} 在 {period_label(period, 'zh')} 没有需要列入{zh}的指标",
                f"{unit} has no indicator to list in a {en} for {period}",
                value=unit,
            )
        ]
    )


# --- how figures and dates are written ----------------------------------------------------


def number_text(value: object) -> str:
    """A figure as written in a notice: at most two decimals, no trailing zeros, "—" for none."""
    if not _is_figure(value):
        return MISSING
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")  # type: ignore[arg-type]
    return "0" if text == "-0" else text


def amount_text(value: object, measure: object) -> str:
    """A figure with its unit of measure (56宗, 83%), "—" for none."""
    text = number_text(value)
    if text == MISSING or not isinstance(measure, str):
        return text
    return text + measure


def percent_text(ratio: object) -> str:
    """A share 0..1 as a percentage with at most one decimal (0.525 -> 52.5%), "—" for none."""
    if not _is_figure(ratio):
        return MISSING
    text = f"{float(ratio) * 100:.1f}".rstrip("0").rstrip(".")  # type: ignore[arg-type]
    return ("0" if text == "-0" else text) + "%"


def day_text(day: object) -> str:
    """A deadline as 2014-12-31 (narrow table column), "—" for none."""
    if day is None or day is pd.NaT or (isinstance(day, float) and math.isnan(day)):
        return MISSING
    return pd.Timestamp(day).strftime("%Y-%m-%d")  # type: ignore[arg-type]


def date_zh(day: date) -> str:
    """2014年10月10日, as GB/T 9704 writes a date (Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def due_day(due: datetime) -> date:
    """The last day on which figures are on time, in office time.

    lib.status.submissions.due_at gives the END of the due day, i.e. the next midnight; a
    notice naming that midnight's date would grant a day that was never given, so a time
    of exactly midnight names the day before. A naive time is taken as office time."""
    local = due.astimezone(OFFICE_TIME) if due.tzinfo is not None else due
    day = local.date()
    return day - timedelta(days=1) if local.time() == time() else day


def _is_figure(value: object) -> bool:
    if value is None or value is pd.NA or isinstance(value, str):
        return False
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


# --- Word building blocks -----------------------------------------------------------------


def _new_document(title: str, office: str, issued_on: date) -> DocxDocument:
    """An empty A4 document with the official margins, 仿宋 三号 as its default text and
    properties naming the office (the template's own say python-docx, 2013)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    _default_fonts(document)
    properties = document.core_properties
    properties.title, properties.author, properties.last_modified_by = title, office, office
    moment = datetime.combine(issued_on, time(9))
    properties.created = properties.modified = moment
    properties.revision = 1
    properties.language = "zh-CN"
    return document


def _default_fonts(document: DocxDocument) -> None:
    """仿宋 三号, Chinese, as the defaults. The template's defaults name theme fonts, and a
    theme attribute wins over a font name given beside it, so they are removed."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = run_defaults.find(qn("w:rFonts"))
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    _name_fonts(fonts, BODY_FONT)
    language = run_defaults.find(qn("w:lang"))
    if language is not None:
        language.set(qn("w:eastAsia"), "zh-CN")
    normal = document.styles["Normal"]
    normal.font.size = BODY_SIZE
    _name_fonts(normal.element.get_or_add_rPr().get_or_add_rFonts(), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)


def _name_fonts(fonts: BaseOxmlElement, east_asian: str) -> None:
    """Name the Latin and the East Asian face on a w:rFonts element; the hint makes shared
    characters (“”《》：) take the East Asian face, as Chinese text expects."""
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")


def _styled_run(
    paragraph: Paragraph,
    text: str,
    *,
    font: str = BODY_FONT,
    size: Pt = BODY_SIZE,
    bold: bool = False,
    color: RGBColor | None = None,
) -> Run:
    run = paragraph.add_run(text)
    run.font.size = size
    run.bold = bold
    if color is not None:
        run.font.color.rgb = color
    _name_fonts(run._element.get_or_add_rPr().get_or_add_rFonts(), font)
    return run


def _paragraph(
    document: DocxDocument,
    text: str,
    *,
    align: WD_ALIGN_PARAGRAPH | None = None,
    indent: bool = False,
    **run_style: object,
) -> Paragraph:
    paragraph = document.add_paragraph()
    layout = paragraph.paragraph_format
    layout.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    layout.line_spacing = LINE_PITCH
    layout.space_after = Pt(0)
    if align is not None:
        paragraph.alignment = align
    if indent:
        layout.first_line_indent = Pt(2 * BODY_SIZE.pt)  # two characters
    if text:
        _styled_run(paragraph, text, **run_style)  # type: ignore[arg-type]
    return paragraph


def _title(document: DocxDocument, text: str) -> None:
    paragraph = _paragraph(
        document, text, align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT, size=TITLE_SIZE
    )
    layout = paragraph.paragraph_format
    layout.line_spacing = Pt(TITLE_SIZE.pt * 1.5)  # 二号 does not fit the body's 28 pt lines
    layout.space_after = Pt(8)


def _centered(document: DocxDocument, text: str, **run_style: object) -> None:
    _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.CENTER, **run_style)


def _body(document: DocxDocument, text: str, *, indent: bool = True) -> None:
    _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=indent)


def _note(document: DocxDocument, text: str) -> None:
    _paragraph(document, text, size=Pt(12))


def _blank(document: DocxDocument) -> None:
    _paragraph(document, "")


def _signature(document: DocxDocument, office: str, issued_on: date) -> None:
    """Office and date at the right, below two blank lines, as a notice is signed; kept on
    the page of the last paragraph above, so no page holds the signature alone."""
    _blank(document)
    _blank(document)
    for text in (office, date_zh(issued_on)):
        _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.RIGHT)
    for paragraph in document.paragraphs[-5:-1]:  # the text above, the blanks, the office
        paragraph.paragraph_format.keep_with_next = True


def _table(
    document: DocxDocument,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths_mm: Sequence[float],
    size: Pt,
    centered: Sequence[int],
) -> Table:
    """A bordered table: bold heading row repeated on every page, fixed column widths that
    add up to the text width, rows never split across pages; columns `centered` centred."""
    table = document.add_table(rows=1 + len(rows), cols=len(columns), style="Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    headings = [NOTICE_TABLE_HEADINGS[key][0] for key in columns]
    for position, width in enumerate(widths_mm):
        table.columns[position].width = Mm(width)
    for number, (row, texts) in enumerate(zip(table.rows, [headings, *rows], strict=True)):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if number == 0:
            properties.append(OxmlElement("w:tblHeader"))  # repeat on each page
        for position, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
            cell.width = Mm(widths_mm[position])
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.space_after = Pt(0)
            if number == 0 or position in centered:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _styled_run(paragraph, text, size=size, bold=number == 0)
    return table


def _docx_bytes(document: DocxDocument) -> bytes:
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- the reply form -----------------------------------------------------------------------


def reply_form_frame(indicators: pd.DataFrame, notice_id: int) -> pd.DataFrame:
    """The 回复 sheet: one row per indicator of the 督办单, its id, name and situation filled
    in and the three reply cells empty, under the Chinese headings."""
    empty = [None] * len(indicators)
    frame = pd.DataFrame(
        {
            "notice_id": [int(notice_id)] * len(indicators),
            "indicator_id": indicators["indicator_id"].astype(str).to_list(),
            "name": indicators["name"].astype(str).to_list(),
            "situation": indicators["reason_zh"].astype(str).to_list(),
            "reason": empty,
            "measures": empty,
            "expected_by": empty,
        },
        columns=list(REPLY_ORDER),
    )
    return frame.rename(columns={key: REPLY_FORM_HEADINGS[key][0] for key in REPLY_ORDER})


def reply_form_bytes(
    plan: Plan, *, unit: str, period: str, indicators: pd.DataFrame, notice_id: int
) -> bytes:
    """The 督办回复表 sent with 督办单 `notice_id`: a 回复 sheet (grey, locked cells filled in;
    原因分析, 整改措施, 预计完成时间 open) and a 说明 sheet on how to fill it. Read back by
    lib.ingest.replies.read_reply_form."""
    if indicators.empty:
        _refuse_empty("supervision_nothing_listed", "督办单", "supervision notice", unit, period)
    frame = reply_form_frame(indicators, notice_id)
    instructions = reply_instructions(plan, unit, period, notice_id, len(frame))
    workbook = xlsx_workbook({REPLY_SHEET: frame, REPLY_INSTRUCTIONS_SHEET: instructions})
    _style_reply_sheet(workbook[REPLY_SHEET], len(frame))
    style_instructions(workbook[REPLY_INSTRUCTIONS_SHEET])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def reply_instructions(
    plan: Plan, unit: str, period: str, notice_id: int, count: int
) -> pd.DataFrame:
    """The 说明 sheet's rows, in Chinese and English."""
    label = period_label(period, "zh")
    heading = {key: REPLY_FORM_HEADINGS[key][0] for key in REPLY_ORDER}
    rows = [
        (
            "用途 Purpose",
            f"本表为督办单（编号 {notice_id}）的回复表：{unit}，《{plan.meta.title}》{label}"
            f"进度落后、已逾期或未报送的 {count} 项指标。",
            f"The reply to supervision notice {notice_id}: {unit}, {count} indicator(s) behind, "
            f"overdue or unreported in {period_label(period, 'en')}.",
        ),
        (
            "填写 What to fill",
            f"逐项填写“{heading['reason']}”“{heading['measures']}”（必填）和"
            f"“{heading['expected_by']}”。灰色列（{heading['notice_id']}、"
            f"{heading['indicator_id']}、{heading['name']}、{heading['situation']}）请勿修改。"
            "三项都未填写的行视为未回复，不导入。",
            "Fill in the reason and the measures (both required) and the expected completion "
            "date for each indicator. Leave the grey columns as they are. Rows with none of "
            "the three filled in are not replies and are not imported.",
        ),
        (
            "预计完成时间 Date",
            "填日期，格式 YYYY-MM-DD（如 2014-12-31）；也可写 2014/12/31 或 2014年12月31日，"
            "或使用 Excel 日期单元格。",
            "A date as YYYY-MM-DD (2014-12-31); 2014/12/31, 2014年12月31日 or an Excel date "
            "cell are accepted too.",
        ),
        (
            "文件格式 File format",
            "上传本表（.xlsx），或另存的 CSV（UTF-8 或 GBK 编码均可）。工作表已保护（无密码）。",
            "Upload this workbook (.xlsx) or a CSV saved from it (UTF-8 or GBK). The sheet is "
            "protected without a password.",
        ),
    ]
    return pd.DataFrame(rows, columns=["项目 Topic", "说明", "Notes"])


def _style_reply_sheet(sheet: Worksheet, row_count: int) -> None:
    """Grey, locked cells filled in; open reply cells that wrap; dates shown as dates."""
    last_row = row_count + 1
    for position, key in enumerate(REPLY_ORDER, start=1):
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = REPLY_WIDTHS[key]
        is_input = key in REPLY_INPUTS
        header = sheet.cell(row=1, column=position)
        header.fill = _INPUT_HEADER_FILL if is_input else _HELPER_FILL
        header.alignment = Alignment(horizontal="center")
        if is_input:
            sheet.column_dimensions[letter].protection = Protection(locked=False)
        for row in range(2, last_row + 1):
            cell = sheet.cell(row=row, column=position)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if is_input:
                cell.protection = Protection(locked=False)
            else:
                cell.fill, cell.font = _HELPER_FILL, _HELPER_FONT
            if key == "expected_by":
                cell.number_format = "yyyy-mm-dd"
    date_column = get_column_letter(REPLY_ORDER.index("expected_by") + 1)
    prompt = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="DATE(2000,1,1)",
        allow_blank=True,
        showErrorMessage=False,  # 2014年12月31日 typed as text is accepted too
        showInputMessage=True,
        promptTitle="预计完成时间",
        prompt="填日期，如 2014-12-31",
    )
    prompt.add(f"{date_column}2:{date_column}{max(last_row, 2)}")
    sheet.add_data_validation(prompt)
    protection = sheet.protection
    protection.sheet = True
    for allowed in ("formatCells", "formatColumns", "formatRows"):
        setattr(protection, allowed, False)  # False = not prevented


# --- several documents, and their names ---------------------------------------------------


def notices_zip(files: Mapping[str, bytes]) -> bytes:
    """A zip of the documents `files` (file name -> content); zipfile marks non-ASCII names
    as UTF-8, which Windows Explorer and 7-Zip read as Chinese."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(safe_file_name(name), content)
    return buffer.getvalue()


def safe_file_name(name: str) -> str:
    """`name` with the characters Windows refuses in a file name replaced by "_"."""
    for character in _FORBIDDEN_IN_FILE_NAMES:
        name = name.replace(character, "_")
    return name


def reminder_file_name(unit: str, period: str) -> str:
    """催报通知_<unit>_<period>.docx"""
    return unit_form_file_name(f"催报通知_{unit}", period, "docx")


def supervision_notice_file_name(unit: str, period: str) -> str:
    """督办单_<unit>_<period>.docx"""
    return unit_form_file_name(f"督办单_{unit}", period, "docx")


def reply_form_file_name(unit: str, period: str) -> str:
    """督办回复表_<unit>_<period>.xlsx"""
    return unit_form_file_name(f"督办回复表_{unit}", period, "xlsx")
