"""Upload files made in the tests, as offices make them: CSV text and workbooks."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

HEADER = ["指标编号", "报告期", "完成值", "进展情况", "填报单位"]


def csv_content(
    rows: list[list[str]],
    encoding: str = "utf-8",
    delimiter: str = ",",
    header: list[str] | None = None,
    above: Sequence[str] = (),
) -> bytes:
    """CSV text of a header and rows (cells joined naively; quote cells in the test)."""
    lines = [*above, delimiter.join(header or HEADER)]
    lines += [delimiter.join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_content(
    rows: list[list[object]],
    header: list[str] | None = None,
    above: Sequence[list[object]] = (),
    *,
    hidden_first: list[list[object]] | None = None,
    hidden_title: str = "旧数据",
    percent_cells: tuple[str, ...] = (),
    hidden_rows: tuple[int, ...] = (),
) -> bytes:
    """A workbook whose data sheet "本季度" holds `above` (title rows), the header and `rows`;
    optionally a hidden first sheet `hidden_title` holding `hidden_first`, `percent_cells`
    formatted 0% and `hidden_rows` (spreadsheet row numbers) hidden."""
    workbook = Workbook()
    sheet = workbook.active
    if hidden_first is not None:
        sheet.title = hidden_title
        for row in hidden_first:
            sheet.append(row)
        sheet.sheet_state = "hidden"
        sheet = workbook.create_sheet("本季度")
    else:
        sheet.title = "本季度"
    for row in [*above, header or HEADER, *rows]:
        sheet.append(row)
    for cell in percent_cells:
        sheet[cell].number_format = "0%"
    for number in hidden_rows:
        sheet.row_dimensions[number].hidden = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_content(
    sheets: Sequence[tuple[str, Sequence[Sequence[object]]]],
    *,
    hidden: Sequence[str] = (),
    merged: Sequence[tuple[str, str]] = (),
) -> bytes:
    """An .xlsx with `sheets` ((title, rows) each, in order), the sheets titled in `hidden`
    hidden, and the ranges `merged` ((sheet title, "B2:B4") each) merged as Excel merges
    them: the first cell keeps its value, the others are emptied."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
        if title in hidden:
            sheet.sheet_state = "hidden"
    for title, cells in merged:
        workbook[title].merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xls_content(
    sheets: Sequence[tuple[str, Sequence[Sequence[object]]]],
    *,
    hidden: Sequence[str] = (),
    merged: Sequence[tuple[str, int, int, int, int]] = (),
    percent_cells: Sequence[tuple[str, int, int]] = (),
) -> bytes:
    """A legacy .xls workbook (BIFF8, written by xlwt) with `sheets` ((title, rows) each),
    the sheets titled in `hidden` hidden, the ranges `merged` ((title, first row, last row,
    first column, last column), from 0) merged with the first cell's value, and the cells
    `percent_cells` ((title, row, column)) formatted 0.0%. Dates are written as date cells."""
    import datetime

    import xlwt

    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    percent_style = xlwt.easyxf(num_format_str="0.0%")
    workbook = xlwt.Workbook(encoding="utf-8")
    spans = {(t, r1, c1): (r2, c2) for t, r1, r2, c1, c2 in merged}
    covered = {
        (t, r, c)
        for t, r1, r2, c1, c2 in merged
        for r in range(r1, r2 + 1)
        for c in range(c1, c2 + 1)
    }
    for title, rows in sheets:
        sheet = workbook.add_sheet(title)
        if title in hidden:
            sheet.visibility = 1
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if (title, r, c) in spans:
                    last_row, last_column = spans[title, r, c]
                    sheet.write_merge(r, last_row, c, last_column, value)
                elif (title, r, c) in covered or value in (None, ""):
                    continue
                elif isinstance(value, datetime.date):
                    sheet.write(r, c, value, date_style)
                elif (title, r, c) in percent_cells:
                    sheet.write(r, c, value, percent_style)
                else:
                    sheet.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def html_content(body: str, encoding: str = "utf-8") -> bytes:
    """A web page as OA systems export it and save as .xls: `body` (tables) in a page."""
    page = (
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel">\r\n<head>'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        "<style>td {mso-number-format:General}</style></head>\r\n"
        f"<body>{body}</body></html>\r\n"
    )
    return page.encode(encoding)
