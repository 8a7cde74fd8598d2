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
from dataclasses import replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING, NoReturn

from defusedxml.ElementTree import iterparse

from lib.core.errors import Problem
from lib.core.text import compact_text
from lib.ingest.header import RawTable, table_from_rows
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
_LISTED_ROWS = 10  # hidden rows named one by one up to this many


def xlsx_table(content: bytes, sheet: str | None, max_rows: int) -> RawTable:
    """The table of a workbook's chosen sheet (`sheet` by name, else the first visible),
    with warnings naming hidden sheets passed over and counting hidden rows skipped."""
    rows, used_sheet, formulas, notices = _xlsx_rows(content, sheet, max_rows)
    table = table_from_rows(rows, "xlsx", max_rows, sheet=used_sheet, formulas=formulas)
    return replace(table, problems=(*table.problems, *notices)) if notices else table


def _xlsx_rows(
    content: bytes, sheet: str | None, max_rows: int
) -> tuple[list[tuple[int, list[str]]], str, set[tuple[int, int]], list[Problem]]:
    """Rows of the chosen sheet as text (hidden rows left out), its title, the (row, column
    index) of formula cells without a saved result, and warnings about what was passed
    over; after bomb and DTD checks."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except XLSX_FAILURES as exc:
        _refuse_corrupt(exc)
    _refuse_zip_bomb(archive, len(content))
    _refuse_dtd(archive)
    try:
        from openpyxl import load_workbook  # only for workbooks: CSV is read without it

        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except XLSX_FAILURES as exc:
        _refuse_corrupt(exc)
    try:
        worksheet = _chosen_sheet(workbook, sheet)
        notices = [] if sheet is not None else _hidden_sheet_notices(workbook, worksheet)
        sheet_xml = archive.read(worksheet._worksheet_path.lstrip("/"))
        formulas = _uncached_formula_cells(sheet_xml)
        hidden = _hidden_rows(sheet_xml)
        worksheet.reset_dimensions()  # some writers store a wrong <dimension>
        rows: list[tuple[int, list[str]]] = []
        skipped: list[int] = []
        for number, cells in enumerate(worksheet.iter_rows(min_row=1), start=1):
            texts = [_cell_text(c.value, getattr(c, "number_format", None)) for c in cells]
            if not any(t.strip() for t in texts):  # blank rows carry nothing; numbering is kept
                continue
            if number in hidden:
                skipped.append(number)
                continue
            rows.append((number, texts))
            if len(rows) > max_rows + HEADER_SEARCH_ROWS:
                refuse_too_many_rows(max_rows)
        if skipped:
            notices.append(_hidden_rows_notice(skipped))
        return rows, worksheet.title, formulas, notices
    except XLSX_FAILURES as exc:
        _refuse_corrupt(exc)
    finally:
        workbook.close()
        archive.close()


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


def _hidden_rows_notice(rows: list[int]) -> Problem:
    listed = "、".join(map(str, rows[:_LISTED_ROWS])) + ("…" if len(rows) > _LISTED_ROWS else "")
    listed_en = ", ".join(map(str, rows[:_LISTED_ROWS])) + (
        ", ..." if len(rows) > _LISTED_ROWS else ""
    )
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
    if not hidden:
        return []
    return [
        Problem(
            "hidden_sheet_skipped",
            f"未读取隐藏的工作表：{'、'.join(hidden)}（已读取“{chosen.title}”）；"
            "如需读取隐藏表，请取消隐藏或指定工作表",
            f"hidden sheet(s) not read: {', '.join(hidden)} (read '{chosen.title}'); "
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


def _refuse_corrupt(exc: Exception) -> NoReturn:
    refuse(
        "xlsx_corrupt",
        f"Excel 文件已损坏或不完整，无法读取（{type(exc).__name__}），请重新保存后上传",
        f"the Excel file is damaged or truncated ({type(exc).__name__}); save it again and retry",
    )


def _refuse_zip_bomb(archive: zipfile.ZipFile, packed_size: int) -> None:
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


def _refuse_dtd(archive: zipfile.ZipFile) -> None:
    """Refuse any XML part declaring a DTD or entities (billion laughs, external entities)."""
    for info in archive.infolist():
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        try:
            data = archive.read(info)
        except XLSX_FAILURES as exc:
            _refuse_corrupt(exc)
        flat = data.replace(b"\x00", b"").lower()
        if b"<!doctype" in flat or b"<!entity" in flat:
            refuse(
                "xlsx_dtd",
                "Excel 文件包含 DTD/实体声明（正常的 Excel 文件不会有），已拒绝",
                "the workbook's XML declares a DTD or entities (real Excel files never do); "
                "refused",
                value=info.filename,
            )


def _chosen_sheet(workbook: Workbook, sheet: str | None) -> ReadOnlyWorksheet:
    names = [ws.title for ws in workbook.worksheets]
    if sheet is not None:
        wanted = compact_text(sheet)
        for ws in workbook.worksheets:
            if compact_text(ws.title) == wanted:
                return ws
        refuse(
            "sheet_not_found",
            f"找不到工作表“{sheet}”（现有：{'、'.join(names)}）",
            f"no sheet named '{sheet}' (sheets: {', '.join(names)})",
            value=sheet,
        )
    for ws in workbook.worksheets:
        if ws.sheet_state == "visible":
            return ws
    refuse("no_visible_sheet", "工作簿中没有可见的工作表", "the workbook has no visible sheet")


def _cell_text(value: object, number_format: str | None) -> str:
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
