"""`validate_progress`: an upload checked against the plan, every problem listed at once.

Owns the pipeline read -> normalise -> cell rules -> trend warnings -> `ValidationReport`,
and `import_preview` (what an import would change). A problem is located by the row number
Excel shows and the column heading the user wrote. Nothing here touches the store or the
file system: the stored figures come in as a frame.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lib.core.errors import Problem
from lib.core.text import clean_id, clean_text
from lib.ingest.cells import checked_rows, cleaned_note
from lib.ingest.coded import coded
from lib.ingest.header import INPUT_COLUMNS
from lib.ingest.read import read_table
from lib.ingest.trend import trend_warnings
from lib.ingest.value_units import value_heading_unit
from lib.plan.model import Plan

PROBLEM_COLUMNS = ["row", "column", "value", "code", "severity", "message"]
PREVIEW_COLUMNS = ["indicator_id", "period", "old_value", "new_value", "change"]


@dataclass(frozen=True)
class ValidationReport:
    """Normalised rows of an upload and every problem found in it."""

    rows: pd.DataFrame
    problems: list[Problem]
    file_name: str = ""
    header_row: int | None = None
    sheet: str | None = None
    skipped_rows: tuple[int, ...] = field(default=())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

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
) -> ValidationReport:
    """Read and check an upload against the plan (and stored figures); list every problem.

    Raises ProgressFileError only when the file cannot be read at all or its value heading
    cannot be (a unit it does not know, a "this quarter only" column); everything wrong in
    the cells is reported in the returned report. Rows without value, note and reporter
    (template rows not filled in, blank lines) are skipped and listed in `skipped_rows`.
    `bulk` reads under the command line's larger size and row limits (see `read_table`).
    """
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
    blank = np.ones(len(numbers), dtype=bool)
    for column in ("value", "note", "reporter"):
        blank &= cells[column].where(lambda text: text == "")
    blank &= ~np.isin(numbers, [row for row, _ in table.formula_cells])
    skipped = tuple(numbers[blank].tolist())
    if skipped:
        kept = np.flatnonzero(~blank)
        raw = {column: texts.take(kept) for column, texts in raw.items()}
        cells = {column: texts.take(kept) for column, texts in cells.items()}
        numbers = numbers[kept]
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
    problems.extend(
        trend_warnings(checked.rows, checked.keys, checked.error_rows, plan, stored, table.headers)
    )
    return ValidationReport(
        rows=checked.rows,
        problems=_sorted_problems(problems, table.headers),
        file_name=file_name,
        header_row=table.header_row,
        sheet=table.sheet,
        skipped_rows=skipped,
    )


def _sorted_problems(problems: list[Problem], headers: dict[str, str]) -> list[Problem]:
    """By row (file-level problems first), then column in input order, then code."""
    order = {headers.get(c, c): i for i, c in enumerate(INPUT_COLUMNS)}
    return sorted(
        problems,
        key=lambda p: (p.row if p.row is not None else -1, order.get(p.column or "", -1), p.code),
    )


def import_preview(report: ValidationReport, stored: pd.DataFrame | None) -> pd.DataFrame:
    """Per row of the upload: indicator_id, period, old_value, new_value, change."""
    new = report.rows[["indicator_id", "period", "value"]].rename(columns={"value": "new_value"})
    if stored is None or stored.empty or not {"indicator_id", "period", "value"} <= set(stored):
        old = pd.DataFrame({"indicator_id": [], "period": [], "old_value": []}).astype(
            {"indicator_id": "str", "period": "str", "old_value": "float64"}
        )
    else:
        old = stored[["indicator_id", "period", "value"]].rename(columns={"value": "old_value"})
        old = old.astype({"indicator_id": "str", "period": "str", "old_value": "float64"})
    merged = new.merge(old, on=["indicator_id", "period"], how="left")
    same = (merged["old_value"] - merged["new_value"]).abs() <= 1e-9 * merged["new_value"].abs()
    merged["change"] = "changed"
    merged.loc[merged["old_value"].isna(), "change"] = "new"
    merged.loc[merged["old_value"].notna() & same, "change"] = "unchanged"
    return merged[PREVIEW_COLUMNS].reset_index(drop=True)
