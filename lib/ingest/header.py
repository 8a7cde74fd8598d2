"""Where the header row is, what its headings mean, and the `RawTable` a reader returns.

Owns finding the header row below any title rows (the first of HEADER_SEARCH_ROWS rows
holding every required heading), mapping the headings a person wrote to the input columns
through `lib.core.labels.INPUT_HEADINGS` (any case, width, spacing, a trailing unit in
brackets: `value_units` reads that unit), refusing a heading given twice or a value column
that holds this quarter's figure only (本季度完成, 当季完成, 4-6月完成: figures are
cumulative; such a column beside a 完成值 column is ignored), and building a `RawTable` from
a reader's rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Literal

import pandas as pd

from lib.core.errors import Problem, ProgressFileError
from lib.core.labels import INPUT_HEADINGS
from lib.core.text import compact_text
from lib.ingest.limits import HEADER_SEARCH_ROWS, refuse, refuse_too_many_rows

REQUIRED_COLUMNS = ("indicator_id", "period", "value")
INPUT_COLUMNS = ("indicator_id", "period", "value", "note", "reporter")


@dataclass(frozen=True)
class RawTable:
    """The data rows of an upload as text, before any meaning is checked.

    `frame` has a `row` column (the row number Excel shows) and one text column per input
    column found (`indicator_id`, `period`, `value`, and `note`/`reporter` when present;
    absent optional columns are filled with ""). `headers` maps each of those to the heading
    as the user wrote it. `problems` holds warnings about the file itself. `formula_cells`
    lists input cells holding a formula whose result was never saved (they read as "").
    """

    frame: pd.DataFrame
    headers: dict[str, str]
    header_row: int
    file_type: Literal["csv", "xlsx"]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    problems: tuple[Problem, ...] = ()
    formula_cells: frozenset[tuple[int, str]] = frozenset()  # (row, column) without a result


def _header_key(text: str) -> str:
    """How headings are compared: NFKC, no spaces/underscores, no trailing '(单位)' or '*'."""
    key = compact_text(text).lower().replace("_", "").replace("-", "")
    return re.sub(r"(\([^()]*\)|\*)+$", "", key)


_HEADING_LOOKUP = {_header_key(h): col for col, hs in INPUT_HEADINGS.items() for h in hs}
# a value heading naming one quarter (本季度, 当季, 4-6月 but not 1-6月, which is cumulative)
_QUARTER_ONLY = re.compile(
    r"本季度|本季|当季|单季|thisquarter|quarteronly|(?<!\d)(?:[2-9]|1[0-2])月?[-~至到]\d{1,2}月"
)
_CUMULATIVE = re.compile(r"累计|截至|截止|至今|以来|cumulative")


def _quarter_only_value(text: str) -> bool:
    """True for a heading of a value column that holds one quarter's figure only."""
    compact = compact_text(text).lower()
    about_value = "完成" in compact or compact.startswith("value")
    return about_value and bool(_QUARTER_ONLY.search(compact)) and not _CUMULATIVE.search(compact)


def find_header(records: list[tuple[int, list[str]]]) -> tuple[int, dict[str, int]]:
    """(row number, {column: position}) of the first row holding every required heading;
    raise ProgressFileError (`missing_columns` naming the closest row, or
    `duplicate_header`) when there is none."""
    best: tuple[int, set[str]] = (0, set())
    for number, cells in records:
        if number > HEADER_SEARCH_ROWS:
            break
        found: dict[str, list[int]] = {}
        quarter_only: list[int] = []
        for position, cell in enumerate(cells):
            column = _HEADING_LOOKUP.get(_header_key(cell)) if cell else None
            if cell and _quarter_only_value(cell):
                quarter_only.append(position)
            elif column:
                found.setdefault(column, []).append(position)
        if quarter_only and "value" not in found and {"indicator_id", "period"} <= set(found):
            _refuse_quarter_only(number, cells[quarter_only[0]])
        if all(c in found for c in REQUIRED_COLUMNS):
            _refuse_duplicate_headings(number, cells, found)
            return number, {c: positions[0] for c, positions in found.items()}
        if len(set(found) & set(REQUIRED_COLUMNS)) > len(best[1]):
            best = (number, set(found) & set(REQUIRED_COLUMNS))
    missing = [c for c in REQUIRED_COLUMNS if c not in best[1]]
    zh = "、".join(f"{INPUT_HEADINGS[c][1]}({c})" for c in missing)
    where = f"（最接近的是第 {best[0]} 行）" if best[0] else ""
    where_en = f" (closest: row {best[0]})" if best[0] else ""
    refuse(
        "missing_columns",
        f"前 {HEADER_SEARCH_ROWS} 行中找不到表头：缺少必填列 {zh}{where}",
        f"no header row in the first {HEADER_SEARCH_ROWS} rows: missing required column(s) "
        f"{', '.join(missing)}{where_en}",
        row=best[0] or None,
        value=", ".join(missing),
    )


def _refuse_quarter_only(number: int, heading: str) -> None:
    refuse(
        "value_heading_quarter_only",
        f"“{heading}”列是本季度（单季）的完成数；完成值须为累计数："
        "请填写截至本季度末的累计数，列标题写“完成值”",
        f"the column '{heading}' holds this quarter's figure only; figures are cumulative: "
        "give the cumulative figure at the quarter's end, in a column headed 完成值",
        row=number,
        column=heading,
        value=heading,
    )


def _refuse_duplicate_headings(number: int, cells: list[str], found: dict[str, list[int]]) -> None:
    problems = []
    for positions in found.values():
        first = positions[0]
        for other in positions[1:]:
            a, b = _column_letter(first), _column_letter(other)
            problems.append(
                Problem(
                    "duplicate_header",
                    f"表头重复：{a} 列“{cells[first]}”与 {b} 列“{cells[other]}”是同一列",
                    f"duplicate header: column {a} '{cells[first]}' and column {b} "
                    f"'{cells[other]}' mean the same column",
                    row=number,
                    column=cells[other],
                    value=f"{a}:{cells[first]}, {b}:{cells[other]}",
                )
            )
    if problems:
        raise ProgressFileError(problems)


def headings(header_cells: list[str], positions: dict[str, int]) -> dict[str, str]:
    """Each input column's heading as the user wrote it; the template's for a column the
    file does not have."""
    headers = {c: header_cells[p] for c, p in positions.items()}
    for column in INPUT_COLUMNS:
        headers.setdefault(column, INPUT_HEADINGS[column][1])
    return headers


def _column_letter(position: int) -> str:
    letters, n = "", position + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def table_from_rows(
    records: list[tuple[int, list[str]]],
    file_type: Literal["csv", "xlsx"],
    max_rows: int,
    sheet: str | None = None,
    formulas: Iterable[tuple[int, int]] = (),
) -> RawTable:
    """The table of a file's records ((row number, cells) each): blank rows dropped, the
    header found, the input columns taken from the rows below it. `formulas` are the
    (row, 0-based column) of formula cells without a saved result."""
    # "".join(cells).strip() is any(c.strip() for c in cells) in one call per row
    records = [(n, cells) for n, cells in records if "".join(cells).strip()]
    if not records:
        refuse("empty_file", "文件为空（没有任何内容）", "the file has no content")
    header_row, positions = find_header(records)
    header_cells = next(cells for number, cells in records if number == header_row)
    data = [(n, cells) for n, cells in records if n > header_row]
    if len(data) > max_rows:
        refuse_too_many_rows(max_rows)
    numbers, rows = [n for n, _ in data], [cells for _, cells in data]
    shortest = min(map(len, rows), default=0)
    columns: dict[str, object] = {"row": pd.array(numbers, dtype="int64")}
    for column in INPUT_COLUMNS:
        position = positions.get(column)
        if position is None:
            texts = [""] * len(rows)
        elif position < shortest:  # every row has the cell: take it in C
            texts = list(map(itemgetter(position), rows))
        else:
            texts = [cells[position] if position < len(cells) else "" for cells in rows]
        columns[column] = pd.array(texts, dtype="str")  # typed at once, not inferred
    by_position = {p: c for c, p in positions.items()}
    formula_cells = frozenset(
        (row, by_position[col]) for row, col in formulas if row > header_row and col in by_position
    )
    return RawTable(
        frame=pd.DataFrame(columns),
        headers=headings(header_cells, positions),
        header_row=header_row,
        file_type=file_type,
        sheet=sheet,
        formula_cells=formula_cells,
    )
