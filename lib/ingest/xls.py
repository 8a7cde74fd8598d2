"""What offices upload as ".xls" besides an .xlsx: a legacy workbook, or a web page.

A legacy (BIFF, Excel 97-2003) workbook is read by python-calamine (a Rust reader: no
macros run, nothing fetched), imported only here and only when such a file is read. The
sheet is chosen as for an .xlsx (the one named, else the first visible sheet whose header
matches; hidden sheets passed over are named in a warning), merged cells read as the value
they show, and the same row limits and refusals apply. Two things an .xlsx has are not
available from calamine for .xls: hidden rows (they are read like any row) and number
formats (a percent-formatted 0.812 reads "0.812", not "81.2%", so it meets the rule for a
fraction written for a percentage, and is refused with the percentage suggested, never
stored as 0.812%).

A web page saved as .xls (an HTML table, as OA systems export) is read with the standard
library's HTML parser: no network, no script, no entities beyond HTML's own, a cap on the
cells that column and row spans may produce, and the same row limits. Its first table whose
header matches is read (rows hidden with display:none left out), with a warning saying
what the file is.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from html.parser import HTMLParser
from typing import NoReturn

from lib.core.errors import Problem, ProgressFileError
from lib.core.text import compact_text
from lib.ingest.header import RawTable, table_from_rows
from lib.ingest.limits import HEADER_SEARCH_ROWS, refuse, refuse_too_many_rows
from lib.ingest.sniff import decoded_text
from lib.ingest.xlsx import (
    cell_text,
    chosen_sheet,
    fill_merged,
    hidden_rows_notice,
    hidden_sheets_notices,
    refuse_no_visible_sheet,
)

Records = list[tuple[int, list[str]]]

MAX_SPAN = 256  # a colspan or rowspan larger than any real table's is cut to this
CELLS_PER_ROW = 64  # cells an HTML table may produce, per data row allowed

_WHITESPACE = re.compile(r"\s+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none", re.IGNORECASE)


# --- legacy .xls ------------------------------------------------------------------------


def xls_table(content: bytes, sheet: str | None, max_rows: int) -> RawTable:
    """The table of a legacy workbook's chosen sheet (`sheet` by name, else the first visible
    one whose header matches); refuse a damaged or password-protected file."""
    import python_calamine as calamine  # only for .xls: nothing else needs it

    try:
        workbook = calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except calamine.PasswordError:
        _refuse_password()
    except BaseException as exc:  # (a panic of the Rust reader is no Exception)
        _refuse_if_reader_failure(exc, calamine.CalamineError)
    try:
        kinds = calamine.SheetTypeEnum, calamine.SheetVisibleEnum
        sheets = [m for m in workbook.sheets_metadata if m.typ == kinds[0].WorkSheet]
        visible = [m.name for m in sheets if m.visible == kinds[1].Visible]
        named = _named_sheet([m.name for m in workbook.sheets_metadata], sheet)
        if named is None and not visible:
            refuse_no_visible_sheet()
        heads = [(title, _sheet_rows(workbook, title, HEADER_SEARCH_ROWS)) for title in visible]
        matching, chosen = chosen_sheet(heads, named)
        rows = _sheet_rows(workbook, chosen, None, max_rows)
        table = table_from_rows(rows, "xls", max_rows, sheet=chosen)
        hidden = [m.name for m in sheets if m.visible != kinds[1].Visible]
        notices = [] if sheet is not None else hidden_sheets_notices(hidden, chosen)
    except BaseException as exc:  # (a panic of the Rust reader is no Exception)
        _refuse_if_reader_failure(exc, calamine.CalamineError)
    finally:
        workbook.close()
    return replace(table, problems=(*table.problems, *notices), sheets=matching)


def _named_sheet(titles: list[str], sheet: str | None) -> str | None:
    """The title of the sheet named `sheet` (compared as compact text), visible or not;
    None when no sheet is named."""
    if sheet is None:
        return None
    wanted = compact_text(sheet)
    for title in titles:
        if compact_text(title) == wanted:
            return title
    refuse(
        "sheet_not_found",
        f"找不到工作表“{sheet}”（现有：{'、'.join(titles)}）",
        f"no sheet named '{sheet}' (sheets: {', '.join(titles)})",
        value=sheet,
    )


def _sheet_rows(
    workbook: object, title: str, last_row: int | None, max_rows: int | None = None
) -> Records:
    """The rows of sheet `title` (up to row `last_row`, all when None) as text, blank rows
    left out, merged cells read as the value they show; refuse more than `max_rows` filled
    rows below the header's reach (when given)."""
    worksheet = workbook.get_sheet_by_name(title)  # type: ignore[attr-defined]
    # the grid from A1 (iter_rows would begin at the sheet's first filled column)
    grid = worksheet.to_python(skip_empty_area=False, nrows=last_row)
    every: dict[int, list[str]] = {}
    rows: Records = []
    for number, values in enumerate(grid, start=1):
        texts = [cell_text(value, None) for value in values]
        every[number] = texts
        if any(text.strip() for text in texts):
            rows.append((number, texts))
    if max_rows is not None and len(rows) > max_rows + HEADER_SEARCH_ROWS:
        refuse_too_many_rows(max_rows)
    merges = [
        (top[0] + 1, top[1], bottom[0] + 1, bottom[1])
        for top, bottom in (worksheet.merged_cell_ranges or [])
    ]
    if merges:
        fill_merged(rows, merges, every)
    return rows


def _refuse_if_reader_failure(exc: BaseException, reader_error: type[Exception]) -> NoReturn:
    """Refuse the file as damaged when `exc` is the reader failing on it: calamine's errors,
    what Python raises on bad data, or a panic of the Rust reader (pyo3's PanicException,
    a BaseException); re-raise anything else (a refusal, an interrupt)."""
    data_errors = (reader_error, ValueError, OSError, EOFError, IndexError, TypeError)
    if isinstance(exc, data_errors) or type(exc).__name__ == "PanicException":
        _refuse_corrupt(exc)
    raise exc


def _refuse_password() -> NoReturn:
    refuse(
        "file_encrypted",
        "文件设有打开密码，无法读取：请在 Excel 中取消密码后另存上传",
        "the workbook has an opening password and cannot be read: remove it in Excel and "
        "save the file again",
    )


def _refuse_corrupt(exc: BaseException) -> NoReturn:
    refuse(
        "xls_corrupt",
        f".xls 文件已损坏或不完整，无法读取（{type(exc).__name__}）；"
        "请在 Excel 中打开并另存为 .xlsx 后上传",
        f"the .xls file is damaged or truncated ({type(exc).__name__}); open it in Excel and "
        "save it as .xlsx",
    )


# --- a web page saved as .xls -----------------------------------------------------------


def html_table(content: bytes, max_rows: int) -> RawTable:
    """The table of a web page's first table whose header matches, with a warning saying
    the file is a web page; refuse a page without such a table, saying what it is."""
    text, _ = decoded_text(content)
    max_cells = (max_rows + HEADER_SEARCH_ROWS) * CELLS_PER_ROW
    parser = _TableParser(max_rows + HEADER_SEARCH_ROWS, max_cells)
    try:
        parser.feed(text)
        parser.close()
    except _TooLarge:
        refuse_too_many_rows(max_rows)
    grids = [(f"表格{i}", *_grid(table)) for i, table in enumerate(parser.tables, start=1)]
    grids = [grid for grid in grids if grid[1]]
    if not grids:
        _refuse_web_page("", "")
    try:
        _, chosen = chosen_sheet([(title, records) for title, records, _ in grids], None)
    except ProgressFileError as exc:
        problem = exc.problems[0]
        if problem.code == "missing_columns":
            _refuse_web_page(f"：{problem.message_zh}", f": {problem.message_en}")
        raise
    _, records, hidden = next(grid for grid in grids if grid[0] == chosen)
    table = table_from_rows(records, "html", max_rows)
    notices = [_web_page_notice()]
    if hidden:
        notices.append(hidden_rows_notice(hidden))
    return replace(table, problems=(*table.problems, *notices))


class _TooLarge(Exception):
    """More rows or cells than an upload may have."""


class _Cell:
    __slots__ = ("colspan", "parts", "rowspan")

    def __init__(self, colspan: int, rowspan: int) -> None:
        self.colspan, self.rowspan = colspan, rowspan
        self.parts: list[str] = []


class _Table:
    """A table's rows as parsed: per row, whether it is hidden and its cells."""

    def __init__(self) -> None:
        self.rows: list[tuple[bool, list[_Cell]]] = []
        self.cell: _Cell | None = None


class _TableParser(HTMLParser):
    """Collects every table's rows and cells (a table inside a cell is a table of its own);
    text in <script> and <style> is passed over."""

    def __init__(self, max_rows: int, max_cells: int) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[_Table] = []
        self.open: list[_Table] = []
        self.quiet = 0  # inside <script> or <style>
        self.max_rows, self.cells_left = max_rows, max_cells

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.quiet += 1
        elif tag == "table":
            self.open.append(_Table())
            self.tables.append(self.open[-1])
        if not self.open:
            return
        table = self.open[-1]
        if tag == "tr":
            hidden = any(k == "style" and v and _HIDDEN_STYLE.search(v) for k, v in attrs)
            table.rows.append((hidden, []))
            table.cell = None
            if len(table.rows) > self.max_rows:
                raise _TooLarge
        elif tag in ("td", "th"):
            if not table.rows:
                table.rows.append((False, []))
            found = dict(attrs)
            table.cell = _Cell(_span(found.get("colspan")), _span(found.get("rowspan")))
            table.rows[-1][1].append(table.cell)
            self.cells_left -= table.cell.colspan
            if self.cells_left < 0:
                raise _TooLarge
        elif tag == "br" and table.cell is not None:
            table.cell.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.quiet = max(self.quiet - 1, 0)
        elif tag == "table" and self.open:
            self.open.pop()
        elif tag in ("td", "th") and self.open:
            self.open[-1].cell = None

    def handle_data(self, data: str) -> None:
        if self.quiet or not self.open or self.open[-1].cell is None:
            return
        self.open[-1].cell.parts.append(data)


def _span(text: str | None) -> int:
    try:
        return min(max(int(text or "1"), 1), MAX_SPAN)
    except ValueError:
        return 1


def _grid(table: _Table) -> tuple[Records, list[int]]:
    """A table's rows as text (row numbers from 1, blank rows left out), each spanned cell's
    text in every row and column it spans; and the hidden rows left out."""
    records: Records = []
    hidden_rows: list[int] = []
    carried: dict[int, tuple[str, int]] = {}  # column -> (text, rows still to fill)
    for number, (hidden, cells) in enumerate(table.rows, start=1):
        texts: list[str] = []
        for cell in cells:
            while len(texts) in carried:
                texts.append(_carry(carried, len(texts)))
            text = _WHITESPACE.sub(" ", "".join(cell.parts)).strip()
            for _ in range(cell.colspan):
                if cell.rowspan > 1:
                    carried[len(texts)] = (text, cell.rowspan - 1)
                texts.append(text)
        while carried and len(texts) <= max(carried):
            texts.append(_carry(carried, len(texts)) if len(texts) in carried else "")
        if hidden:
            hidden_rows.append(number)
        elif any(texts):
            records.append((number, texts))
    return records, hidden_rows


def _carry(carried: dict[int, tuple[str, int]], column: int) -> str:
    """The text a cell spanning rows from above gives `column` in this row."""
    text, left = carried[column]
    if left > 1:
        carried[column] = (text, left - 1)
    else:
        del carried[column]
    return text


def _web_page_notice() -> Problem:
    return Problem(
        "html_table_read",
        "文件是网页格式（HTML 表格，常由 OA 系统导出为 .xls），已读取其中的表格；"
        "如读取有误，请在 Excel 中打开并另存为 .xlsx",
        "the file is a web page (an HTML table, as OA systems export as .xls); its table was "
        "read. If anything was misread, open it in Excel and save it as .xlsx",
        severity="warning",
    )


def _refuse_web_page(why_zh: str, why_en: str) -> NoReturn:
    refuse(
        "html_no_table",
        "文件是网页（HTML，另存为 .xls 的网页），不是 Excel 工作簿，其中没有可读取的进度表格"
        f"{why_zh}；请在 Excel 中打开并另存为 .xlsx 后上传",
        "the file is a web page (HTML saved as .xls), not an Excel workbook, and holds no "
        f"progress table to read{why_en}; open it in Excel and save it as .xlsx",
    )
