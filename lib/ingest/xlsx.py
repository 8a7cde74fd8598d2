"""Excel workbooks (.xlsx) to a `RawTable`, read by openpyxl after the archive is checked.

Owns refusing zip bombs (total expanded size and compression ratio) and XML declaring a
DTD or entities before openpyxl opens anything, choosing the sheet (the one named, or the
first visible; hidden sheets passed over are named in a warning), skipping hidden rows (a
sheet copied from last quarter's with its rows hidden must not bring them back; a warning
counts them), finding formula cells whose result was never saved, and each cell as the
text Excel shows for it (a percent-formatted 0.83 reads "83%"). openpyxl is imported only
here, only when a workbook is read.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from bisect import bisect_left, bisect_right
from dataclasses import replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING, NoReturn

from defusedxml.ElementTree import iterparse

from lib.core.errors import Problem, ProgressFileError
from lib.core.text import compact_text
from lib.ingest.header import RawTable, header_row, listed_rows, table_from_rows
from lib.ingest.limits import (
    HEADER_SEARCH_ROWS,
    MAX_XLSX_RATIO,
    MAX_XLSX_UNCOMPRESSED,
    refuse,
    refuse_too_many_rows,
)
from lib.ingest.sniff import XLSX_FAILURES

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

# a <row> element's attributes in a sheet's XML (any namespace prefix), its number, hidden
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb"""(?:^|\s)r\s*=\s*["'](\d+)["']""")
_HIDDEN = re.compile(rb"""(?:^|\s)hidden\s*=\s*["'](?:1|true)["']""")
# a <mergeCell> element's range (any namespace prefix)
_MERGE_REF = re.compile(
    rb"""<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref\s*=\s*["']([^"']+)["']"""
)


def xlsx_table(content: bytes, sheet: str | None, max_rows: int) -> RawTable:
    """The table of a workbook's chosen sheet (`sheet` by name, else the first visible one
    whose header matches), with warnings naming hidden sheets passed over and counting
    hidden rows skipped; `sheets` lists every visible sheet whose header matched."""
    archive, workbook = checked_workbook(content)
    try:
        visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        named = _named_sheet(workbook, sheet) if sheet is not None else None
        if named is None and not visible:
            refuse_no_visible_sheet()
        heads = [
            (ws.title, _sheet_rows(archive, ws, max_rows, last_row=HEADER_SEARCH_ROWS)[0])
            for ws in visible
        ]
        matching, chosen_title = chosen_sheet(heads, named.title if named else None)
        worksheet = (
            named if named is not None else next(ws for ws in visible if ws.title == chosen_title)
        )
        notices = [] if sheet is not None else _hidden_sheet_notices(workbook, worksheet)
        rows, formulas, skipped = _sheet_rows(archive, worksheet, max_rows)
        if skipped:
            notices.append(hidden_rows_notice(skipped))
        table = table_from_rows(rows, "xlsx", max_rows, sheet=worksheet.title, formulas=formulas)
    except XLSX_FAILURES as exc:
        refuse_corrupt(exc)
    finally:
        workbook.close()
        archive.close()
    return replace(table, problems=(*table.problems, *notices), sheets=matching)


def refuse_no_visible_sheet() -> NoReturn:
    refuse("no_visible_sheet", "工作簿中没有可见的工作表", "the workbook has no visible sheet")


def chosen_sheet(
    heads: list[tuple[str, list[tuple[int, list[str]]]]], named: str | None
) -> tuple[tuple[str, ...], str]:
    """(the sheets among `heads` ((title, first rows) of each visible sheet, in order) whose
    header matches, the sheet to read: `named` when given, else the first of them); raise
    ProgressFileError, naming each sheet tried, when none matches and none is named.

    When no sheet matches, the refusal of the one sheet with content is raised as it is; of
    several, a refusal other than "no header" (a heading given twice) of the first sheet
    refused so, else one `missing_columns` naming every sheet tried; `empty_file` when no
    sheet has any content.
    """
    matching: list[str] = []
    refusals: list[tuple[str, ProgressFileError]] = []
    for title, records in heads:
        filled = [(n, cells) for n, cells in records if "".join(cells).strip()]
        if not filled:
            continue
        try:
            header_row(filled)
        except ProgressFileError as exc:
            refusals.append((title, exc))
            continue
        matching.append(title)
    if named is not None:
        return tuple(matching), named
    if matching:
        return tuple(matching), matching[0]
    if not refusals:
        refuse("empty_file", "工作簿中没有任何内容", "the workbook has no content")
    if len(refusals) == 1:
        raise refusals[0][1]
    for _, exc in refusals:
        if exc.problems[0].code != "missing_columns":
            raise exc
    titles = [title for title, _ in refusals]
    refuse(
        "missing_columns",
        f"工作表{'、'.join(f'“{t}”' for t in titles)}的前 {HEADER_SEARCH_ROWS} 行中都找不到表头"
        "（须有 指标编号或指标名称、报告期、完成值 列）；请检查表头，或指定要读取的工作表",
        f"no header row in the first {HEADER_SEARCH_ROWS} rows of any sheet "
        f"({', '.join(titles)}): a header needs 指标编号 (or 指标名称), 报告期 and 完成值; "
        "check the header or name the sheet to read",
        value=", ".join(titles),
    )


def _sheet_rows(
    archive: zipfile.ZipFile,
    worksheet: ReadOnlyWorksheet,
    max_rows: int,
    last_row: int | None = None,
) -> tuple[list[tuple[int, list[str]]], set[tuple[int, int]], list[int]]:
    """Rows of a sheet as text (up to `last_row`, all when None), hidden rows left out and
    merged cells read as the value they show; the (row, column index) of formula cells
    without a saved result; the hidden rows skipped. After the bomb and DTD checks."""
    sheet_xml = archive.read(worksheet._worksheet_path.lstrip("/"))
    formulas = _uncached_formula_cells(sheet_xml) if last_row is None else set()
    hidden = _hidden_rows(sheet_xml)
    merges = merged_ranges(sheet_xml)
    tops = {top for top, _, _, _ in merges}
    worksheet.reset_dimensions()  # some writers store a wrong <dimension>
    rows: list[tuple[int, list[str]]] = []
    top_rows: dict[int, list[str]] = {}  # rows holding a merged range's value, hidden or not
    skipped: list[int] = []
    for number, cells in enumerate(worksheet.iter_rows(min_row=1, max_row=last_row), start=1):
        texts = [cell_text(c.value, getattr(c, "number_format", None)) for c in cells]
        if number in tops:
            top_rows[number] = texts
        if not any(t.strip() for t in texts):  # blank rows carry nothing; numbering is kept
            continue
        if number in hidden:
            skipped.append(number)
            continue
        rows.append((number, texts))
        if len(rows) > max_rows + HEADER_SEARCH_ROWS:
            refuse_too_many_rows(max_rows)
    if merges:
        fill_merged(rows, merges, top_rows)
    return rows, formulas, skipped


def merged_ranges(data: bytes) -> list[tuple[int, int, int, int]]:
    """(first row, first column, last row, last column) of each merged range in a sheet's
    XML, rows from 1 and columns from 0.

    openpyxl's read-only mode does not expose them, so the <mergeCell ref="B2:B5"/> tags are
    read from the XML (the DTD check has already run), only when it has any.
    """
    if b"mergeCell" not in data:
        return []
    from openpyxl.utils.cell import range_boundaries

    ranges = []
    for ref in _MERGE_REF.findall(data):
        try:
            first_column, first_row, last_column, last_row = range_boundaries(ref.decode())
        except (ValueError, TypeError):
            continue  # a range openpyxl itself could not read is not filled
        if None not in (first_column, first_row, last_column, last_row):
            ranges.append((first_row, first_column - 1, last_row, last_column - 1))
    return ranges


def fill_merged(
    rows: list[tuple[int, list[str]]],
    merges: list[tuple[int, int, int, int]],
    top_rows: dict[int, list[str]],
) -> None:
    """Give every cell of a merged range in `rows` the value its first cell shows (in place).

    `merges` are (first row, first column, last row, last column), rows from 1, columns
    from 0; `top_rows` holds the cells of each range's first row. Only rows that hold
    something of their own are filled (a merged cell over blank rows makes no data), and
    only as far right as the widest row, so a range over a whole sheet costs nothing.
    """
    width = max((len(cells) for _, cells in rows), default=0)
    numbers = [number for number, _ in rows]
    for first_row, first_column, last_row, last_column in merges:
        top = top_rows.get(first_row, [])
        value = top[first_column] if first_column < len(top) else ""
        if not value or first_column >= width:
            continue
        last_column = min(last_column, width - 1)
        start, stop = bisect_left(numbers, first_row), bisect_right(numbers, last_row)
        for _, cells in rows[start:stop]:
            if len(cells) <= last_column:
                cells.extend([""] * (last_column + 1 - len(cells)))
            for column in range(first_column, last_column + 1):
                if not cells[column]:
                    cells[column] = value


def _hidden_rows(data: bytes) -> set[int]:
    """The numbers of the rows a sheet's XML marks hidden.

    openpyxl's read-only mode does not expose row properties, so the <row> tags are read
    from the XML (the DTD check has already run), and only when it says "hidden" at all.
    A row without its number follows the one before it, as Excel numbers them.
    """
    if b"hidden" not in data:
        return set()
    hidden: set[int] = set()
    number = 0
    for tag in _ROW_TAG.finditer(data):
        attributes = tag[1]
        written = _ROW_NUMBER.search(attributes)
        number = int(written[1]) if written else number + 1
        if _HIDDEN.search(attributes):
            hidden.add(number)
    return hidden


def hidden_rows_notice(rows: list[int]) -> Problem:
    listed, listed_en = listed_rows(rows)
    return Problem(
        "hidden_rows_skipped",
        f"跳过了 {len(rows)} 个隐藏行（第 {listed} 行）：隐藏行不作为数据读取；"
        "如需导入，请取消隐藏后重新上传",
        f"{len(rows)} hidden row(s) skipped (rows {listed_en}): hidden rows are not read as "
        "data; unhide them and upload again to import them",
        severity="warning",
        value=listed_en,
    )


def _hidden_sheet_notices(workbook: Workbook, chosen: ReadOnlyWorksheet) -> list[Problem]:
    """A warning naming the hidden sheets passed over for `chosen` (none when there are none)."""
    hidden = [ws.title for ws in workbook.worksheets if ws.sheet_state != "visible"]
    return hidden_sheets_notices(hidden, chosen.title)


def hidden_sheets_notices(hidden: list[str], chosen: str) -> list[Problem]:
    """A warning naming the `hidden` sheets passed over for the sheet `chosen` (none when
    there are none)."""
    if not hidden:
        return []
    return [
        Problem(
            "hidden_sheet_skipped",
            f"未读取隐藏的工作表：{'、'.join(hidden)}（已读取“{chosen}”）；"
            "如需读取隐藏表，请取消隐藏或指定工作表",
            f"hidden sheet(s) not read: {', '.join(hidden)} (read '{chosen}'); "
            "unhide one or name it to read it",
            severity="warning",
            value=", ".join(hidden),
        )
    ]


def _uncached_formula_cells(data: bytes) -> set[tuple[int, int]]:
    """(row, 0-based column) of cells with a formula but no saved value, in a sheet's XML.

    openpyxl's data_only mode reads those as empty; a workbook written by a program and never
    opened in Excel has them. The sheet XML is scanned only if it contains a formula at all.
    """
    from openpyxl.utils.cell import coordinate_to_tuple

    if b"<f" not in data and b":f" not in data:
        return set()
    found = set()
    for _, element in iterparse(io.BytesIO(data)):
        if element.tag.rsplit("}", 1)[-1] != "c":
            continue
        children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
        value = children.get("v")
        if "f" in children and (value is None or not (value.text or "").strip()):
            row, column = coordinate_to_tuple(element.get("r", "A1"))
            found.add((row, column - 1))
        element.clear()
    return found


def checked_workbook(content: bytes) -> tuple[zipfile.ZipFile, Workbook]:
    """The archive of `content` (open: the caller closes it) and its workbook opened
    read-only (cached values, not formulas), once the archive has passed the zip-bomb and
    DTD checks; refused (ProgressFileError) otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except XLSX_FAILURES as exc:
        refuse_corrupt(exc)
    try:
        refuse_zip_bomb(archive, len(content))
        refuse_dtd(archive)
        from openpyxl import load_workbook  # only for workbooks: CSV is read without it

        return archive, load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except XLSX_FAILURES as exc:
        archive.close()
        refuse_corrupt(exc)
    except BaseException:
        archive.close()
        raise


def refuse_corrupt(exc: Exception) -> NoReturn:
    refuse(
        "xlsx_corrupt",
        f"Excel 文件已损坏或不完整，无法读取（{type(exc).__name__}），请重新保存后上传",
        f"the Excel file is damaged or truncated ({type(exc).__name__}); save it again and retry",
    )


def refuse_zip_bomb(archive: zipfile.ZipFile, packed_size: int) -> None:
    """Refuse archives that would expand to too much XML (zip bombs)."""
    infos = archive.infolist()
    total = sum(info.file_size for info in infos)
    ratio = total / max(packed_size, 1)
    if total > MAX_XLSX_UNCOMPRESSED or (ratio > MAX_XLSX_RATIO and total > 1024 * 1024):
        refuse(
            "xlsx_bomb",
            f"Excel 文件解压后过大（{total // 1024 // 1024} MB，压缩比 {ratio:.0f}），疑似压缩炸弹",
            f"the workbook expands to {total // 1024 // 1024} MB (ratio {ratio:.0f}); "
            "refused as a possible zip bomb",
        )


def refuse_dtd(archive: zipfile.ZipFile) -> None:
    """Refuse any XML part declaring a DTD or entities (billion laughs, external entities)."""
    for info in archive.infolist():
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            data = archive.read(info)
        except XLSX_FAILURES as exc:
            refuse_corrupt(exc)
        flat = data.replace(b"\x00", b"").lower()
        if b"<!doctype" in flat or b"<!entity" in flat:
            refuse(
                "xlsx_dtd",
                "Excel 文件包含 DTD/实体声明（正常的 Excel 文件不会有），已拒绝",
                "the workbook's XML declares a DTD or entities (real Excel files never do); "
                "refused",
                value=info.filename,
            )


def _named_sheet(workbook: Workbook, sheet: str) -> ReadOnlyWorksheet:
    """The sheet named `sheet` (compared as compact text), visible or not."""
    wanted = compact_text(sheet)
    for ws in workbook.worksheets:
        if compact_text(ws.title) == wanted:
            return ws
    names = [ws.title for ws in workbook.worksheets]
    refuse(
        "sheet_not_found",
        f"找不到工作表“{sheet}”（现有：{'、'.join(names)}）",
        f"no sheet named '{sheet}' (sheets: {', '.join(names)})",
        value=sheet,
    )


def cell_text(value: object, number_format: str | None) -> str:
    """A cell as the text Excel shows for it (percent-formatted 0.83 -> '83%')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        if number_format and "%" in number_format:
            return _number_text(value * 100) + "%"
        return _number_text(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _number_text(number: float) -> str:
    if isinstance(number, int):
        return str(number)
    rounded = round(number, 10)
    if rounded.is_integer() and abs(rounded) < 1e15:
        return str(int(rounded))
    return repr(rounded)
