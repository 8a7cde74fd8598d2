"""`validate_progress`: an upload checked against the plan, every problem listed at once.

Owns the pipeline read -> normalise -> cell rules -> trend warnings -> `ValidationReport`,
and `import_preview` (what an import would change). A problem is located by the row number
Excel shows and the column heading the user wrote. Nothing here touches the store or the
file system: the stored figures come in as a frame.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from lib.core.errors import Problem
from lib.core.text import clean_id, clean_text
from lib.ingest.cells import checked_rows, cleaned_note
from lib.ingest.coded import coded
from lib.ingest.header import INPUT_COLUMNS, nothing_reported, nothing_reported_notice
from lib.ingest.names import indicator_ids_by_name
from lib.ingest.quarterly import cumulative_values
from lib.ingest.read import read_table
from lib.ingest.reporters import (
    chosen_unit,
    import_preview_by_unit,
    reporter_problems,
    row_units,
    rows_by_unit,
    with_chosen_unit,
)
from lib.ingest.trend import trend_warnings
from lib.ingest.value_units import value_heading_unit
from lib.plan.model import Plan

PROBLEM_COLUMNS = ["row", "column", "value", "code", "severity", "message"]


@dataclass(frozen=True)
class ValidationReport:
    """Normalised rows of an upload and every problem found in it."""

    rows: pd.DataFrame
    problems: list[Problem]
    file_name: str = ""
    header_row: int | None = None
    sheet: str | None = None
    skipped_rows: tuple[int, ...] = field(default=())
    sheets: tuple[str, ...] = ()  # every sheet whose header matched, for a sheet picker

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def notices(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "notice"]

    @property
    def ok(self) -> bool:
        """True when nothing blocks the import (warnings allowed)."""
        return not self.errors

    def problems_frame(self, lang: str = "zh") -> pd.DataFrame:
        """Problems as a table: row, column, value, code, severity, message (in `lang`)."""
        frame = pd.DataFrame(
            {
                "row": pd.array([p.row for p in self.problems], dtype="Int64"),
                "column": [p.column or "" for p in self.problems],
                "value": [p.value or "" for p in self.problems],
                "code": [p.code for p in self.problems],
                "severity": [p.severity for p in self.problems],
                "message": [p.message_en if lang == "en" else p.message_zh for p in self.problems],
            },
            columns=PROBLEM_COLUMNS,
        )
        return frame.astype({c: "str" for c in PROBLEM_COLUMNS[1:]})


def validate_progress(
    content: bytes,
    file_name: str,
    plan: Plan,
    stored: pd.DataFrame | None = None,
    sheet: str | None = None,
    *,
    bulk: bool = False,
    unit: str | None = None,
) -> ValidationReport:
    """Read and check an upload against the plan (and stored figures); list every problem.

    Raises ProgressFileError only when the file cannot be read at all or its value heading
    cannot be (a unit it does not know, a "this quarter only" column); everything wrong in
    the cells is reported in the returned report. Rows without value, note and reporter
    (template rows not filled in, blank lines) are skipped and listed in `skipped_rows`.
    `bulk` reads under the command line's larger size and row limits (see `read_table`).
    `unit` is the reporting unit chosen at upload: the reporter of every row whose 填报单位
    is empty (an unregistered name raises ProgressFileError). `stored` is the latest figure
    of every unit (a store's `current_values`).
    """
    upload_unit = chosen_unit(plan, unit)
    table = read_table(content, file_name, sheet, bulk=bulk)
    plan_units = set(plan.indicators["unit"].dropna().tolist())
    value_unit = value_heading_unit(table.headers["value"], plan_units, table.header_row)
    # the columns are coded side by side: Arrow's hashing runs outside the GIL
    with ThreadPoolExecutor(max_workers=2) as pool:
        coded_columns = pool.map(coded, (table.frame[column] for column in INPUT_COLUMNS))
        raw = dict(zip(INPUT_COLUMNS, coded_columns, strict=True))
    cells = {
        "indicator_id": raw["indicator_id"].mapped(clean_id),
        "period": raw["period"].mapped(clean_text),
        "value": raw["value"].mapped(clean_text),
        "note": raw["note"].mapped(cleaned_note),
        "reporter": raw["reporter"].mapped(clean_text),
    }
    numbers = table.frame["row"].to_numpy(dtype=np.int64)
    # a row says something only through value, note or reporter: id and period may be
    # pre-filled by the template, and such a row left alone means "not reported"
    empty = {c: cells[c].where(lambda text: text == "") for c in ("value", "note", "reporter")}
    formula_rows = np.isin(numbers, [row for row, _ in table.formula_cells])
    blank = empty["value"] & empty["note"] & empty["reporter"] & ~formula_rows
    # a value of / — 无 (or none, and no note) says the unit has nothing to report: the row
    # is skipped with one warning, never an error per row
    nothing = cells["value"].where(nothing_reported) | (empty["value"] & empty["note"])
    nothing &= ~blank & ~formula_rows
    if nothing.any():
        noted = nothing & ~empty["note"]
        notice = nothing_reported_notice(numbers[nothing].tolist(), numbers[noted].tolist())
        table = replace(table, problems=(*table.problems, notice))
    skipped = tuple(sorted([*table.skipped_rows, *numbers[blank | nothing].tolist()]))
    if (blank | nothing).any():
        kept = np.flatnonzero(~(blank | nothing))
        raw = {column: texts.take(kept) for column, texts in raw.items()}
        cells = {column: texts.take(kept) for column, texts in cells.items()}
        numbers = numbers[kept]
    if table.indicator_by_name:  # the file names its indicators instead of giving ids
        named = indicator_ids_by_name(
            plan, raw["indicator_id"], numbers, table.headers["indicator_id"]
        )
        cells["indicator_id"] = named.ids
        table = replace(table, problems=(*table.problems, *named.problems))
        if named.unresolved.any():  # (its error said why; the row is not checked further)
            kept = np.flatnonzero(~named.unresolved)
            raw = {column: texts.take(kept) for column, texts in raw.items()}
            cells = {column: texts.take(kept) for column, texts in cells.items()}
            numbers = numbers[kept]
    cells["reporter"] = with_chosen_unit(cells["reporter"], upload_unit)
    checked = checked_rows(
        plan, table.headers, raw, cells, numbers, table.formula_cells, value_unit
    )
    problems = [*table.problems, *checked.problems]
    if checked.rows.empty:
        problems.append(
            Problem(
                "no_data_rows",
                "文件中没有填写任何数据行（完成值等均为空）",
                "the file has no filled-in data rows",
                row=table.header_row,
            )
        )
    units = row_units(plan, checked.keys, checked.reporters)
    if table.value_quarter_only:
        quarters = cumulative_values(plan, checked.rows, units, stored, table.headers["value"])
        problems.extend(quarters.problems)
        checked = replace(
            checked,
            rows=checked.rows.assign(value=quarters.values),
            error_rows=checked.error_rows | quarters.error_rows,
        )
    problems.extend(
        reporter_problems(
            plan, checked.rows, units, checked.error_rows, stored, table.headers, table.header_row
        )
    )
    for mask, stored_of_unit in rows_by_unit(plan, units, stored):
        rows, keys = checked.rows, checked.keys
        if not mask.all():
            rows, keys = rows[mask].reset_index(drop=True), keys.take(mask)
        problems.extend(
            trend_warnings(rows, keys, checked.error_rows, plan, stored_of_unit, table.headers)
        )
    return ValidationReport(
        rows=checked.rows,
        problems=_sorted_problems(problems, table.headers),
        file_name=file_name,
        header_row=table.header_row,
        sheet=table.sheet,
        skipped_rows=skipped,
        sheets=table.sheets,
    )


def _sorted_problems(problems: list[Problem], headers: dict[str, str]) -> list[Problem]:
    """By row (file-level problems first), then column in input order, then code."""
    order = {headers.get(c, c): i for i, c in enumerate(INPUT_COLUMNS)}
    return sorted(
        problems,
        key=lambda p: (p.row if p.row is not None else -1, order.get(p.column or "", -1), p.code),
    )


def import_preview(
    plan: Plan, report: ValidationReport, stored: pd.DataFrame | None
) -> pd.DataFrame:
    """Per row of the upload what an import would change, unit by unit (PREVIEW_COLUMNS:
    indicator_id, period, reporter, role, old_value, old_reporter, new_value, change; see
    `lib.ingest.reporters.import_preview_by_unit`)."""
    return import_preview_by_unit(plan, report.rows, stored)
