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
