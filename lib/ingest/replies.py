"""A unit's 督办回复表 read back: its replies (原因分析, 整改措施, 预计完成时间) per indicator of a
督办单, or every problem that keeps them from being stored.

The form is the one lib/output/notices.py writes (.xlsx), or a CSV saved from it (UTF-8
with or without BOM, or GBK/GB18030, decoded as every upload is: lib.ingest.sniff). Its
headings are REPLY_FORM_HEADINGS' (Chinese as written, the English keys, a few synonyms),
found in the first rows of the 回复 sheet or else the first visible sheet holding them. A
row with none of the three reply cells filled in is no reply and is skipped: a form sent
back half done replies for the rows done. The file is refused as an upload is (size, zip
bomb, DTD, encoding) before anything is parsed; that refusal comes back as a problem too,
so a caller has one way to read the result: any error and nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

import pandas as pd

from lib.core.errors import Problem, ProgressFileError
from lib.core.labels import REPLY_FORM_HEADINGS
from lib.core.text import clean_id, clean_text, compact_text
from lib.ingest.csv_text import csv_records, delimiter_order
from lib.ingest.limits import MAX_DATA_ROWS, MAX_FILE_BYTES, refuse, refuse_too_many_rows
from lib.ingest.sniff import XLSX_FAILURES, decoded_text, file_type

# the archive checks every workbook upload gets before openpyxl opens it (lib/ingest/xlsx.py)
from lib.ingest.xlsx import cell_text, checked_workbook, refuse_corrupt

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

REPLY_SHEET = "回复"
REQUIRED = ("notice_id", "indicator_id", "reason", "measures", "expected_by")
REPLY_CELLS = ("reason", "measures", "expected_by")
ROW_COLUMNS = ["row", "notice_id", "indicator_id", "reason", "measures", "expected_by"]
HEADER_ROWS = 20  # how far down the heading row is looked for (a title row or two above it)
MAX_TEXT = 2000  # characters of a reason or measures: a paragraph, not a pasted report

_SPACED_TIME = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")  # "2014/12/31 0:00"
_DAY = re.compile(
    r"^(?P<year>\d{4})(?:(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
    r"|年(?P<month_zh>\d{1,2})月(?P<day_zh>\d{1,2})[日号]?)$"
)
_WHOLE_NUMBER = re.compile(r"^\+?(\d+)(?:\.0+)?$")

Cell = object  # a cell as read: text from a CSV, any openpyxl value from a workbook
Records = list[tuple[int, list[Cell]]]


@dataclass(frozen=True)
class RepliesRead:
    """The replies of a form: `rows` one per indicator replied to (row, notice_id,
    indicator_id, reason, measures, expected_by: a date or None), in file order, rows with
    a problem left out; `problems` every problem found. Any error and nothing is to be
    stored (`storable` False)."""

    rows: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

    @property
    def storable(self) -> bool:
        """True when the replies may be stored: at least one, and no error."""
        return not self.rows.empty and not any(p.severity == "error" for p in self.problems)


def read_reply_form(content: bytes, file_name: str) -> RepliesRead:
    """The replies in a 督办回复表 (.xlsx or CSV, told apart by content; `file_name` only
    names the file in a problem, and a warning says when it claims another type)."""
    try:
        kind = file_type(content, MAX_FILE_BYTES)
        records = _records(content, kind, file_name)
        header, found = _header(records)
    except ProgressFileError as exc:
        return RepliesRead(_frame([]), list(exc.problems))
    notices = _name_notices(kind, file_name)
    if found is None:
        return RepliesRead(_frame([]), [*_missing_columns(header), *notices])
    read = _replies(found)
    return RepliesRead(read.rows, [*read.problems, *notices])


def _name_notices(kind: str, file_name: str) -> list[Problem]:
    """A warning when a CSV is named like a workbook (read as CSV all the same)."""
    if kind != "text" or not file_name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        return []
    return [
        Problem(
            "extension_mismatch",
            "文件扩展名是 Excel，但内容是 CSV 文本，已按 CSV 读取",
            "the file name says Excel but the content is CSV text; it was read as CSV",
            severity="warning",
            value=file_name,
        )
    ]


# --- the file's cells -----------------------------------------------------------------------


def _records(content: bytes, kind: str, file_name: str) -> list[Records]:
    """The candidate sheets' rows as (row number, cells), blank rows left out: a workbook's
    回复 sheet first, then its other visible sheets; a CSV's one table per delimiter."""
    if kind == "xlsx":
        return _workbook_records(content)
    if kind != "text":
        refuse(
            "reply_file_type",
            "督办回复表请上传 .xlsx 或 CSV 文件（.xls 或网页格式请在 Excel 中另存为 .xlsx）",
            "upload the reply form as .xlsx or CSV (save an .xls or web page as .xlsx in Excel)",
            value=file_name,
        )
    text, _ = decoded_text(content)
    return [_filled(csv_records(text, delimiter, None)) for delimiter in delimiter_order(text)]


def _workbook_records(content: bytes) -> list[Records]:
    archive, workbook = checked_workbook(content)
    archive.close()  # the checks are done; openpyxl reads its own copy
    try:
        visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        ordered = sorted(visible, key=lambda ws: ws.title != REPLY_SHEET)  # 回复 first
        return [_sheet_records(ws) for ws in ordered]
    except XLSX_FAILURES as exc:
        refuse_corrupt(exc)
    finally:
        workbook.close()


def _sheet_records(worksheet: ReadOnlyWorksheet) -> Records:
    worksheet.reset_dimensions()  # some writers store a wrong <dimension>
    rows = worksheet.iter_rows(values_only=True)
    return _filled(enumerate((list(cells) for cells in rows), start=1))


def _filled(rows: Iterable[tuple[int, list[Cell]]]) -> Records:
    """The rows holding anything, numbered as the spreadsheet shows them; refuse a form
    longer than any upload may be."""
    records: Records = []
    for number, cells in rows:
        if any(_text(cell) for cell in cells):
            records.append((number, cells))
            if len(records) > MAX_DATA_ROWS + HEADER_ROWS:
                refuse_too_many_rows(MAX_DATA_ROWS)
    return records


# --- the heading row ------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """Where the headings are: their row, each column's position and heading as written."""

    records: Records
    row: int | None
    positions: dict[str, int]
    written: dict[str, str]


def _heading_key(text: str) -> str:
    """How headings compare: NFKC, no spaces or underscores, any case, no trailing (必填) or *."""
    key = compact_text(text).lower().replace("_", "")
    return re.sub(r"(\([^()]*\)|\*)+$", "", key)


_HEADING_LOOKUP = {
    _heading_key(heading): column
    for column, headings in REPLY_FORM_HEADINGS.items()
    for heading in headings
}


def _header(tables: list[Records]) -> tuple[Header, Header | None]:
    """(the closest heading row, the first holding every required column or None), over
    every candidate table's first HEADER_ROWS rows."""
    best = Header([], None, {}, {})
    for records in tables:
        for number, cells in records[:HEADER_ROWS]:
            header = _heading_row(records, number, cells)
            if set(REQUIRED) <= set(header.positions):
                return header, header
            if len(header.positions) > len(best.positions):
                best = header
    return best, None


def _heading_row(records: Records, number: int, cells: list[Cell]) -> Header:
    positions: dict[str, int] = {}
    written: dict[str, str] = {}
    for position, cell in enumerate(cells):
        column = _HEADING_LOOKUP.get(_heading_key(_text(cell)))
        if column is not None and column not in positions:  # the first of a repeated one
            positions[column], written[column] = position, _text(cell)
    return Header(records, number, positions, written)


def _missing_columns(header: Header) -> list[Problem]:
    problems = []
    for column in REQUIRED:
        if column in header.positions:
            continue
        heading = REPLY_FORM_HEADINGS[column][0]
        problems.append(
            Problem(
                "reply_missing_columns",
                f"找不到“{heading}”列：请使用下发的督办回复表，不要修改表头",
                f"no column headed {heading} ({REPLY_FORM_HEADINGS[column][1]}): use the reply "
                "form as sent, headings unchanged",
                row=header.row,
                column=heading,
            )
        )
    return problems


# --- the replies ----------------------------------------------------------------------------


def _replies(header: Header) -> RepliesRead:
    """Every filled row below the heading row checked; the rows without a problem kept."""
    rows: list[dict[str, object]] = []
    problems: list[Problem] = []
    seen: dict[tuple[int, str], int] = {}  # (notice, indicator) -> the row replying first
    filled = 0
    for number, cells in header.records:
        if header.row is None or number <= header.row:
            continue
        values = {
            column: _cell(cells, header.positions.get(column)) for column in REPLY_FORM_HEADINGS
        }
        if not any(_text(values[column]) for column in REPLY_CELLS):
            continue  # no reply written in this row
        filled += 1
        at = _Place(number, header.written)
        notice_id, indicator_id = _reply_keys(values, at, problems)
        reply = _reply_cells(values, at, problems)
        if notice_id is None or not indicator_id or reply is None:
            continue
        first = seen.setdefault((notice_id, indicator_id), number)
        if first != number:
            problems.append(_duplicate(at, notice_id, indicator_id, first))
            continue
        rows.append({"row": number, "notice_id": notice_id, "indicator_id": indicator_id, **reply})
    if filled == 0:
        problems.append(
            Problem(
                "reply_empty",
                "回复表中没有填写任何回复（原因分析、整改措施、预计完成时间均为空）",
                "the form holds no reply: reason, measures and expected date are empty in "
                "every row",
            )
        )
    return RepliesRead(_frame(rows), problems)


@dataclass(frozen=True)
class _Place:
    """A row of the form, and the headings as written there: where a problem is."""

    row: int
    written: dict[str, str]

    def problem(self, code: str, zh: str, en: str, column: str, value: str = "") -> Problem:
        heading = self.written.get(column, REPLY_FORM_HEADINGS[column][0])
        return Problem(code, zh, en, row=self.row, column=heading, value=value or None)


def _reply_keys(
    values: dict[str, Cell], at: _Place, problems: list[Problem]
) -> tuple[int | None, str]:
    """The notice number and indicator id a filled row replies to; problems appended."""
    notice_id = _notice_id(values["notice_id"])
    if notice_id is None:
        problems.append(
            at.problem(
                "reply_bad_notice_id",
                "督办单编号须为正整数（请勿修改下发表格中的编号）",
                "the notice number must be a whole number (leave it as sent)",
                "notice_id",
                _text(values["notice_id"]),
            )
        )
    indicator_id = clean_id(_text(values["indicator_id"]))
    if not indicator_id:
        problems.append(
            at.problem(
                "reply_no_indicator",
                "指标编号为空：不知道这条回复对应哪个指标",
                "the indicator id is empty: the reply belongs to no indicator",
                "indicator_id",
            )
        )
    return notice_id, indicator_id


def _reply_cells(
    values: dict[str, Cell], at: _Place, problems: list[Problem]
) -> dict[str, object] | None:
    """reason, measures and expected_by of a filled row, or None when any is wrong (its
    problems appended)."""
    count = len(problems)
    reply: dict[str, object] = {}
    for column in ("reason", "measures"):
        reply[column] = clean_text(_text(values[column]), nfkc=False)
        problems.extend(_text_problems(str(reply[column]), column, at))
    reply["expected_by"], is_date = _reply_date(values["expected_by"])
    if not is_date:
        problems.append(
            at.problem(
                "reply_bad_date",
                "预计完成时间不是日期：请填写如 2014-12-31、2014/12/31 或 2014年12月31日",
                "the expected completion date is not a date: write it as 2014-12-31, "
                "2014/12/31 or 2014年12月31日",
                "expected_by",
                _text(values["expected_by"]),
            )
        )
    return reply if len(problems) == count else None


def _text_problems(text: str, column: str, at: _Place) -> Iterator[Problem]:
    heading = REPLY_FORM_HEADINGS[column][0]
    if not text:
        yield at.problem(
            "reply_incomplete",
            f"已填写回复的行，“{heading}”不能为空",
            f"a row with a reply needs its {REPLY_FORM_HEADINGS[column][1]} ({heading})",
            column,
        )
    elif len(text) > MAX_TEXT:
        yield at.problem(
            "reply_too_long",
            f"“{heading}”过长（{len(text)} 字，上限 {MAX_TEXT} 字），请精简后填写",
            f"{heading} is too long ({len(text)} characters; the limit is {MAX_TEXT})",
            column,
        )


def _duplicate(at: _Place, notice_id: int, indicator_id: str, first: int) -> Problem:
    return at.problem(
        "reply_duplicate",
        f"督办单 {notice_id} 的指标 {indicator_id} 已在第 {first} 行回复，同一指标只能回复一次",
        f"indicator {indicator_id} of notice {notice_id} is already replied to in row {first}; "
        "reply once per indicator",
        "indicator_id",
        indicator_id,
    )


def _notice_id(value: Cell) -> int | None:
    """A positive whole number (12, 12.0, "12", "１２"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        whole = float(value).is_integer() and value > 0
        return int(value) if whole else None
    match = _WHOLE_NUMBER.match(compact_text(_text(value)))
    number = int(match[1]) if match else 0
    return number if number > 0 else None


def _reply_date(value: Cell) -> tuple[date | None, bool]:
    """(the date, True) for a date cell or a day written 2014-12-31, 2014/12/31, 2014.12.31 or
    2014年12月31日 (a time of day after it ignored); (None, True) for an empty cell;
    (None, False) for anything else, a number included: Excel stores a date typed into a
    cell as a date, and a bare number would be a guess."""
    if isinstance(value, datetime):
        return value.date(), True
    if isinstance(value, date):
        return value, True
    text = _SPACED_TIME.sub("", clean_text(_text(value)))
    if not text:
        return None, True
    match = _DAY.match(compact_text(text)) if isinstance(value, str) else None
    if match is None:
        return None, False
    month, day = match["month"] or match["month_zh"], match["day"] or match["day_zh"]
    try:
        return date(int(match["year"]), int(month), int(day)), True
    except ValueError:  # 2014-02-30
        return None, False


# --- small helpers --------------------------------------------------------------------------


def _cell(cells: list[Cell], position: int | None) -> Cell:
    if position is None or position >= len(cells):
        return None
    return cells[position]


def _text(value: Cell) -> str:
    """A cell as text ("" for none); numbers and dates as Excel shows them."""
    if isinstance(value, str):
        return value.strip()
    return cell_text(value, None)


def _frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=ROW_COLUMNS)
    return frame.astype(
        {"row": "int64", "notice_id": "int64", "indicator_id": "str", "reason": "str",
         "measures": "str", "expected_by": "object"}
    )  # fmt: skip
