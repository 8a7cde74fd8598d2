"""Safe CSV and XLSX writers for every table the app lets people download.

Spreadsheet programs run a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return as a formula (CSV/formula injection), and uploaded notes and names end up in our
exports. So every text cell and heading that starts with one of those is written with a
leading single quote; numbers stay numbers (-12.5 as a float is still -12.5). CSV is UTF-8
with a BOM so Excel shows Chinese; XLSX is written with openpyxl, one sheet per frame.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from io import BytesIO

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MAX_COLUMN_WIDTH = 60


def escape_formula(text: str) -> str:
    """The text with a leading single quote if a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def escaped_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of the frame whose text cells and headings are formula-escaped; numbers untouched."""
    result = frame.copy()
    result.columns = [escape_formula(str(c)) for c in result.columns]
    for position in range(result.shape[1]):
        column = result.iloc[:, position]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            result.isetitem(position, column.map(_escaped_cell, na_action="ignore"))
    return result


def _escaped_cell(value: object) -> object:
    return escape_formula(value) if isinstance(value, str) else value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV (UTF-8 with BOM, CRLF line ends, no index), formula-escaped."""
    text = escaped_frame(frame).to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def xlsx_workbook(sheets: Mapping[str, pd.DataFrame]) -> Workbook:
    """An openpyxl workbook with one formula-escaped sheet per frame, header bold and frozen."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for name, frame in sheets.items():
        sheet = workbook.create_sheet(_sheet_title(name, used))
        write_frame(sheet, frame)
    if not workbook.worksheets:
        workbook.create_sheet("Sheet1")
    return workbook


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """The frames as an .xlsx file, one sheet per frame (see `xlsx_workbook`)."""
    buffer = BytesIO()
    xlsx_workbook(sheets).save(buffer)
    return buffer.getvalue()


def write_frame(sheet: Worksheet, frame: pd.DataFrame) -> None:
    """Write headings and rows into an empty sheet, escaping text, sizing columns."""
    sheet.append([xlsx_cell_value(str(c)) for c in frame.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False, name=None):
        sheet.append([xlsx_cell_value(v) for v in row])
    sheet.freeze_panes = "A2"
    for position, column in enumerate(frame.columns, start=1):
        texts = [str(column), *(str(v) for v in frame.iloc[:200, position - 1])]
        width = max(_display_width(t) for t in texts) + 2
        sheet.column_dimensions[get_column_letter(position)].width = min(width, MAX_COLUMN_WIDTH)


def xlsx_cell_value(value: object) -> object:
    """What to put in an openpyxl cell: escaped text, plain numbers, naive dates, or None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, datetime):  # pd.Timestamp included
        plain = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
        return plain.replace(tzinfo=None)
    if isinstance(value, date | bool):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, int | float):
        if math.isnan(value):
            return None
        return value if math.isfinite(value) else escape_formula(str(value))
    if isinstance(value, tuple | list | set | frozenset):
        value = "、".join(str(v) for v in value)
    return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _sheet_title(name: str, used: set[str]) -> str:
    base = _SHEET_NAME_FORBIDDEN.sub("_", str(name)).strip("'")[:31] or "Sheet"
    title, n = base, 1
    while title.lower() in used:
        n += 1
        title = f"{base[: 31 - len(str(n)) - 1]}_{n}"
    used.add(title.lower())
    return title


def _display_width(text: str) -> int:
    """Approximate column width: CJK and other wide characters count double."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text[:80])
