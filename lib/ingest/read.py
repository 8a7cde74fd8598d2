"""`read_table`: an upload's bytes to its data rows as text, by the reader its content needs.

The file type comes from the content (`sniff`), never the extension: a workbook goes to
`xlsx`, a legacy .xls workbook or a web page saved as .xls to `xls`, text to `csv_text` (a
big UTF-8 file undecoded, anything else decoded whole first).
A CSV named like a workbook is read as CSV with a warning saying so.
"""

from __future__ import annotations

from dataclasses import replace

from lib.core.errors import Problem
from lib.ingest.csv_text import big_utf8_csv_table, csv_table
from lib.ingest.header import RawTable
from lib.ingest.limits import max_bytes_and_rows
from lib.ingest.sniff import decoded_text, file_type
from lib.ingest.xls import html_table, xls_table
from lib.ingest.xlsx import xlsx_table


def read_table(
    content: bytes, file_name: str, sheet: str | None = None, *, bulk: bool = False
) -> RawTable:
    """The upload's data rows as text; raise ProgressFileError if the file cannot be read.

    `sheet` names a workbook's sheet (default: the first visible one whose header matches).
    `bulk` raises the size and row limits to a bulk load's (see `limits.max_bytes_and_rows`).
    """
    max_bytes, max_rows = max_bytes_and_rows(bulk=bulk)
    kind = file_type(content, max_bytes)
    if kind == "xlsx":
        return xlsx_table(content, sheet, max_rows)
    if kind == "xls":
        return xls_table(content, sheet, max_rows)
    if kind == "html":
        return html_table(content, max_rows)
    table = big_utf8_csv_table(content, max_rows)
    if table is None:
        text, encoding = decoded_text(content)
        table = csv_table(text, encoding, max_rows, content)
    if file_name.lower().endswith((".xlsx", ".xlsm", ".xls")):
        notice = Problem(
            "extension_mismatch",
            "文件扩展名是 Excel，但内容是 CSV 文本，已按 CSV 读取",
            "the file name says Excel but the content is CSV text; it was read as CSV",
            severity="warning",
            value=file_name,
        )
        table = replace(table, problems=(*table.problems, notice))
    return table
