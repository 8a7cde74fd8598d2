"""Where the header row is, what its headings mean, and the `RawTable` a reader returns.

Owns finding the header row below any title rows or instructions block (the first of
HEADER_SEARCH_ROWS rows holding every required heading, or two rows that do so together: a
group heading over its sub-headings, 完成情况 over 完成值 | 进展情况), mapping the headings a
person wrote to the input columns through `lib.core.labels.INPUT_HEADINGS` (the template's
heading or a synonym; any case, width, spacing, a trailing unit in brackets: `value_units`
reads that unit), the 指标名称 column standing in for a missing 指标编号 column, refusing a
heading given twice or a value column that holds this quarter's figure only (本季度完成,
当季完成, 4-6月完成: figures are cumulative; such a column beside a 完成值 column is
ignored), and building a `RawTable` from a reader's rows, without the 合计/小计 rows and the
signature lines below the table (填报人, 联系电话), which a warning names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Literal

import pandas as pd

from lib.core.errors import Problem, ProgressFileError
from lib.core.labels import INPUT_HEADINGS, TEMPLATE_HELPER_HEADINGS
from lib.core.text import compact_text
from lib.ingest.limits import HEADER_SEARCH_ROWS, refuse, refuse_too_many_rows

REQUIRED_COLUMNS = ("indicator_id", "period", "value")
INPUT_COLUMNS = ("indicator_id", "period", "value", "note", "reporter")
NAME_COLUMN = "indicator_name"  # identifies the indicator when there is no id column
FileType = Literal["csv", "xlsx", "xls", "html"]
_LISTED_ROWS = 10  # skipped rows named one by one up to this many


@dataclass(frozen=True)
class RawTable:
    """The data rows of an upload as text, before any meaning is checked.

    `frame` has a `row` column (the row number Excel shows) and one text column per input
    column found (`indicator_id`, `period`, `value`, and `note`/`reporter` when present;
    absent optional columns are filled with ""). When `indicator_by_name`, the file has no
    id column and `indicator_id` holds the 指标名称 cells (its heading is that column's).
    `headers` maps each input column to the heading as the user wrote it. `problems` holds
    warnings about the file itself; `skipped_rows` the rows below the header left out as
    no data (合计 rows, signature lines). `formula_cells` lists input cells holding a
    formula whose result was never saved (they read as ""). `sheet` is the workbook sheet
    read, `sheets` every visible sheet whose header matched, in workbook order.
    """

    frame: pd.DataFrame
    headers: dict[str, str]
    header_row: int
    file_type: FileType
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    problems: tuple[Problem, ...] = ()
    formula_cells: frozenset[tuple[int, str]] = frozenset()  # (row, column) without a result
    sheets: tuple[str, ...] = ()
    indicator_by_name: bool = False
    skipped_rows: tuple[int, ...] = ()
    value_quarter_only: bool = False  # the value column holds this quarter's figure only


@dataclass(frozen=True)
class HeaderRow:
    """The header found: its row number (the lower one of a two-row header), each input
    column's position, the headings as read (a two-row header's combined), whether the
    indicator column holds names, and whether the value column holds this quarter's figure
    only (本季度完成: lib/ingest/quarterly.py makes it cumulative or refuses it)."""

    row: int
    positions: dict[str, int]
    cells: list[str]
    by_name: bool = False
    value_quarter_only: bool = False


def _header_key(text: str) -> str:
    """How headings are compared: NFKC, no spaces/underscores, no trailing '(单位)' or '*'."""
    key = compact_text(text).lower().replace("_", "").replace("-", "")
    return re.sub(r"(\([^()]*\)|\*)+$", "", key)


def _heading_lookup() -> dict[str, tuple[str, int]]:
    """Heading key -> (column, rank): 0 for the template's heading, 1 for a synonym."""
    lookup: dict[str, tuple[str, int]] = {}
    for column, written in INPUT_HEADINGS.items():
        for index, heading in enumerate(written):
            lookup.setdefault(_header_key(heading), (column, 0 if index < 2 else 1))
    for heading in TEMPLATE_HELPER_HEADINGS["name"]:
        lookup.setdefault(_header_key(heading), (NAME_COLUMN, 0))
    return lookup


_HEADING_LOOKUP = _heading_lookup()
# a value heading naming one quarter (本季度, 当季, 4-6月 but not 1-6月, which is cumulative)
_QUARTER_ONLY = re.compile(
    r"本季度|本季|当季|单季|thisquarter|quarteronly|(?<!\d)(?:[2-9]|1[0-2])月?[-~至到]\d{1,2}月"
)
_CUMULATIVE = re.compile(r"累计|截至|截止|至今|以来|cumulative")
_TRAILING_BRACKETS = re.compile(r"(?:[(（][^()（）]*[)）])+\s*$")
# rows below the header that are no figure: totals, and the signature lines under a table
_SUMMARY = re.compile(r"^(?:合计|小计|总计|共计|总合计)")
_FOOTER = re.compile(
    r"^(?:填报人|填表人|制表人|统计人|联系人|联系电话|电话|审核人|审核|复核人|单位负责人|负责人"
    r"|分管领导|主要领导|填表日期|填报日期|制表日期|报送日期|日期[:：]|签字|签名|盖章|单位盖章"
    r"|注[:：]|备注[:：]|说明[:：]|注\d)"
)

# a 完成值 saying there is nothing to report (after NFKC: full-width －／ read as -/)
_NOTHING_REPORTED = re.compile(r"[-/\\\u2010-\u2015\u2212]+|无|暂无|不适用")
# the first characters of those words (none is changed by NFKC), to pass over other texts
_SKIP_INITIALS = frozenset("合小总共填制统联电审复单负分主报日签盖注备说")


def _quarter_only_value(text: str) -> bool:
    """True for a heading of a value column that holds one quarter's figure only."""
    compact = compact_text(text).lower()
    about_value = "完成" in compact or compact.startswith("value")
    return about_value and bool(_QUARTER_ONLY.search(compact)) and not _CUMULATIVE.search(compact)


def _column_of(cell: str) -> str | None:
    found = _HEADING_LOOKUP.get(_header_key(cell)) if cell else None
    return found[0] if found else None


def find_header(records: list[tuple[int, list[str]]]) -> tuple[int, dict[str, int]]:
    """(row number, {column: position}) of the header (see `header_row`)."""
    found = header_row(records)
    return found.row, found.positions


def header_row(records: list[tuple[int, list[str]]]) -> HeaderRow:
    """The first row among the first HEADER_SEARCH_ROWS holding every required heading (the
    indicator's by 指标编号, or by 指标名称 when there is no id column), or the first two
    adjacent rows doing so together; raise ProgressFileError (`missing_columns` naming the
    closest row, `duplicate_header`, `value_heading_quarter_only`) when there is none."""
    best: tuple[int, set[str]] = (0, set())
    previous: tuple[int, list[str]] | None = None
    deferred: HeaderRow | None = None  # a this-quarter header the next row may complete
    for number, cells in records:
        if number > HEADER_SEARCH_ROWS:
            break
        candidates = [cells]
        if previous is not None and previous[0] == number - 1:
            candidates.append(_two_row_headings(previous[1], cells))
        for candidate in candidates:
            found = _matched_header(number, candidate)
            if isinstance(found, HeaderRow) and deferred is not None:
                # a this-quarter group heading over a row of sub-headings: the pair is the
                # header, read together (本季度完成情况 over 完成值 | 进展情况)
                return found if found.row == deferred.row + 1 else deferred
            if isinstance(found, HeaderRow) and found.value_quarter_only:
                deferred = found  # the row below may complete it; decided on the next row
                break
            if isinstance(found, HeaderRow):
                return found
            if len(found) > len(best[1]):
                best = (number, found)
        else:
            if deferred is not None and deferred.row < number:
                return deferred
        previous = (number, cells)
    if deferred is not None:
        return deferred
    missing = [c for c in REQUIRED_COLUMNS if c not in best[1]]
    zh = "、".join(
        f"{INPUT_HEADINGS[c][1]}({c})" + ("或指标名称" if c == "indicator_id" else "")
        for c in missing
    )
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


def _matched_header(number: int, cells: list[str]) -> HeaderRow | set[str]:
    """The header in `cells` (row `number`), or the required columns it has when it is none.

    A column named by its template heading wins over a synonym of it; two cells naming one
    column with equal standing are refused as a duplicate.
    """
    ranked: dict[str, list[tuple[int, int]]] = {}  # column -> [(rank, position)]
    quarter_only: list[int] = []
    for position, cell in enumerate(cells):
        if not cell:
            continue
        if _quarter_only_value(cell):
            quarter_only.append(position)
        elif found := _HEADING_LOOKUP.get(_header_key(cell)):
            ranked.setdefault(found[0], []).append((found[1], position))
    found = {
        column: [position for rank, position in entries if rank == min(entries)[0]]
        for column, entries in ranked.items()
    }
    by_name = "indicator_id" not in found and NAME_COLUMN in found
    if by_name:
        found["indicator_id"] = found[NAME_COLUMN]
    found.pop(NAME_COLUMN, None)
    this_quarter = False
    if quarter_only and "value" not in found and {"indicator_id", "period"} <= set(found):
        if len(quarter_only) > 1:  # which of them would be the figure is anybody's guess
            _refuse_quarter_only(number, cells[quarter_only[0]])
        found["value"], this_quarter = [quarter_only[0]], True
    if not all(c in found for c in REQUIRED_COLUMNS):
        return set(found) & set(REQUIRED_COLUMNS)
    _refuse_duplicate_headings(number, cells, found)
    positions = {column: places[0] for column, places in found.items()}
    return HeaderRow(number, positions, list(cells), by_name, this_quarter)


def _two_row_headings(upper: list[str], lower: list[str]) -> list[str]:
    """The headings of a header split over two rows, one per column: the lower heading (with
    the upper's words where they matter: 指标 over 名称 is 指标名称, 本季度完成情况 over 完成值
    is this quarter's value, a unit in brackets above applies below), or the upper one where
    the lower cell is empty, unless the upper is a group heading over several columns."""
    width = max(len(upper), len(lower))
    upper = [*upper, *[""] * (width - len(upper))]
    lower = [*lower, *[""] * (width - len(lower))]
    combined = []
    for position, (up, low) in enumerate(zip(upper, lower, strict=True)):
        up_text, low_text = up.strip(), low.strip()
        if not low_text:
            group = up_text and any(
                0 <= other < width and upper[other].strip() == up_text
                for other in (position - 1, position + 1)
            )
            combined.append("" if group else up)
        elif not up_text:
            combined.append(low)
        elif (column := _column_of(low)) is None:
            joined = up_text + low_text
            combined.append(joined if _column_of(joined) else low)
        elif column == "value" and _quarter_only_value(up_text + low_text):
            combined.append(up_text + low_text)
        elif (unit := _TRAILING_BRACKETS.search(up_text)) and not _TRAILING_BRACKETS.search(
            low_text
        ):
            combined.append(low_text + unit[0].strip())
        else:
            combined.append(low)
    return combined


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


def skip_kind(text: str) -> int:
    """What a row whose first filled cell reads `text` is: 0 data, 1 a total (合计, 小计,
    总计), 2 a line below the table (填报人, 联系电话, 审核人, 注：...)."""
    if text.lstrip()[:1] not in _SKIP_INITIALS:  # most texts: no normalising needed
        return 0
    compact = compact_text(text)
    if _SUMMARY.match(compact):
        return 1
    return 2 if _FOOTER.match(compact) else 0


def skipped_rows_notices(kinds: Sequence[int], numbers: Sequence[int]) -> list[Problem]:
    """One warning for the total rows and one for the lines below the table, among rows
    `numbers` of kinds `kinds` (see `skip_kind`), naming the rows."""
    notices = []
    for kind, code, zh_what, en_what in (
        (1, "summary_rows_skipped", "合计/小计行", "total (合计/小计) row(s)"),
        (2, "footer_rows_skipped", "签名、日期或说明行", "signature, date or note line(s)"),
    ):
        rows = [n for k, n in zip(kinds, numbers, strict=True) if k == kind]
        if not rows:
            continue
        listed_zh, listed_en = listed_rows(rows)
        notices.append(
            Problem(
                code,
                f"跳过了 {len(rows)} 个{zh_what}（第 {listed_zh} 行）：不作为数据读取",
                f"{len(rows)} {en_what} skipped (rows {listed_en}): not read as data",
                severity="warning",
                row=rows[0],
                value=listed_en,
            )
        )
    return notices


def nothing_reported(value: str) -> bool:
    """True for a 完成值 (as `lib.core.text.clean_text` leaves it) saying the unit has
    nothing to report: /, -, —, 无, 暂无, 不适用."""
    return _NOTHING_REPORTED.fullmatch(value) is not None


def nothing_reported_notice(rows: Sequence[int], noted: Sequence[int]) -> Problem:
    """The warning for rows skipped as "nothing reported", `noted` those with a note that
    was therefore not stored."""
    listed_zh, listed_en = listed_rows(rows)
    zh = (
        f"跳过了 {len(rows)} 个未报数的行（完成值为“/”“—”“无”或为空，第 {listed_zh} 行）："
        "这些行不导入"
    )
    en = (
        f"{len(rows)} row(s) with nothing reported skipped (value /, —, 无 or empty; rows "
        f"{listed_en}): they are not imported"
    )
    if noted:
        noted_zh, noted_en = listed_rows(noted)
        zh += f"；其中第 {noted_zh} 行填写的进展情况也未保存，如需报数请填写完成值"
        en += f"; the note given on rows {noted_en} was not stored either"
    return Problem(
        "nothing_reported_skipped", zh, en, severity="warning", row=rows[0], value=listed_en
    )


def listed_rows(rows: Sequence[int]) -> tuple[str, str]:
    """Row numbers for a message, in Chinese and English, the first few of many."""
    more = len(rows) > _LISTED_ROWS
    shown = [str(n) for n in rows[:_LISTED_ROWS]]
    return "、".join(shown) + ("…" if more else ""), ", ".join(shown) + (", ..." if more else "")


def table_from_rows(
    records: list[tuple[int, list[str]]],
    file_type: FileType,
    max_rows: int,
    sheet: str | None = None,
    formulas: Iterable[tuple[int, int]] = (),
) -> RawTable:
    """The table of a file's records ((row number, cells) each): blank rows dropped, the
    header found, the input columns taken from the rows below it, total rows and the lines
    below the table left out with a warning. `formulas` are the (row, 0-based column) of
    formula cells without a saved result."""
    # "".join(cells).strip() is any(c.strip() for c in cells) in one call per row
    records = [(n, cells) for n, cells in records if "".join(cells).strip()]
    if not records:
        refuse("empty_file", "文件为空（没有任何内容）", "the file has no content")
    header = header_row(records)
    data = [(n, cells) for n, cells in records if n > header.row]
    kinds = [skip_kind(next(c for c in cells if c.strip())) for _, cells in data]
    skipped = [n for (n, _), kind in zip(data, kinds, strict=True) if kind]
    notices = skipped_rows_notices(kinds, [n for n, _ in data]) if skipped else []
    if skipped:
        data = [record for record, kind in zip(data, kinds, strict=True) if not kind]
    if len(data) > max_rows:
        refuse_too_many_rows(max_rows)
    numbers, rows = [n for n, _ in data], [cells for _, cells in data]
    shortest = min(map(len, rows), default=0)
    columns: dict[str, object] = {"row": pd.array(numbers, dtype="int64")}
    positions = header.positions
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
        (row, by_position[col]) for row, col in formulas if row > header.row and col in by_position
    )
    return RawTable(
        frame=pd.DataFrame(columns),
        headers=headings(header.cells, positions),
        header_row=header.row,
        file_type=file_type,
        sheet=sheet,
        problems=tuple(notices),
        formula_cells=formula_cells,
        indicator_by_name=header.by_name,
        skipped_rows=tuple(skipped),
        value_quarter_only=header.value_quarter_only,
    )
