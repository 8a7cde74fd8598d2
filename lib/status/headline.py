"""Whose figure counts: the headline figure of every indicator and period, its breakdown by
reporting unit, and the whole-area figures that disagree.

The store keeps the latest figure of every (indicator, period, reporting unit). The plan
says whose figure stands for the whole plan area: the indicator's `reporter` (by default the
task's lead unit). A figure with no unit recorded (files and stores from before units were
recorded, scripts) keeps its old meaning, the lead's whole-area figure; so does one whose
unit the registry does not know. A county's or a zone's figure is a breakdown of its own
area and never the headline. Any other city-level unit's figure is kept as that unit's and
listed as a conflict when it disagrees with the headline. Where the plan says an indicator
adds up over its areas (`breakdown: sum`) and no whole-area figure was sent for a period,
the headline is the sum of the areas' figures, marked as such with the areas still missing.

Roles (lib/plan/reporting.py) are decided once per distinct (indicator, unit) pair, so a
province-scale store (a million figures, nearly all the reporters' own) costs a few vector
operations; when every figure is a headline one, the frame's rows are used as they came.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from lib.plan.model import Plan
from lib.plan.reporting import (
    BREAKDOWN,
    HEADLINE,
    OTHER,
    ROLES,
    breakdown_parts,
    figure_role_codes,
    role_codes,
    text_codes,
)

SUM_OF_PARTS = "sum_of_parts"
CONFLICT_COLUMNS = [
    "indicator_id", "period", "headline_reporter", "headline_value", "reporter", "value",
    "difference",
]  # fmt: skip


@dataclass(frozen=True, eq=False)
class HeadlineFigures:
    """The figures of one plan read from the latest figure of every reporting unit.

    `frame`: one row per (indicator, period) that has a headline figure, with the columns of
    the unit figures plus `basis` ("reported", or "sum_of_parts" with `parts_missing`
    naming the areas not yet in the sum; without sums the columns are left out and every
    figure is as reported). `by_unit`: every unit figure with its `role` (headline,
    breakdown, other; categorical). `same_rows_as_units`: `frame` holds the unit figures'
    rows in their order (every figure a headline one, no sums added)."""

    frame: pd.DataFrame
    by_unit: pd.DataFrame
    same_rows_as_units: bool = False

    def figures_of_period(
        self, period: str | None, columns: list[str] | None = None
    ) -> pd.DataFrame:
        """`by_unit`'s figures of one period (none for None), only `columns` (default all),
        found through the periods' codes, built once: a page asks this on every rerun of a
        million figures. Name the columns a page needs: the figures may be memory-mapped,
        and rows of one period lie all over the file, so each column taken reads it whole."""
        frame = self.by_unit if columns is None else self.by_unit[columns]
        codes, periods = self._period_codes
        where = periods.get_indexer([period])[0] if period is not None else -1
        if where < 0:
            return frame.iloc[:0]
        return frame.iloc[np.flatnonzero(codes == where)]

    @cached_property
    def _period_codes(self) -> tuple[np.ndarray, pd.Index]:
        codes, periods = text_codes(self.by_unit["period"])
        return codes, pd.Index(periods, dtype=object)

    @cached_property
    def conflicts(self) -> pd.DataFrame:
        """Whole-area figures of one (indicator, period) from different units that disagree:
        each other unit's figure beside the headline one (CONFLICT_COLUMNS)."""
        return whole_area_conflicts(self.by_unit)


def headline_figures(
    plan: Plan,
    unit_figures: pd.DataFrame,
    indicator_codes: tuple[np.ndarray, np.ndarray] | None = None,
) -> HeadlineFigures:
    """The HeadlineFigures of `plan` from the latest figure of every reporting unit
    (a store's `current_values`: indicator_id, period, value, note, reporter, upload_id,
    ...). A frame without a `reporter` column is taken as headline figures already.
    `indicator_codes`: each row's indicator as a code into the distinct ids, when the
    caller has them already (CurrentFigures' row keys)."""
    if "reporter" not in unit_figures.columns:
        roles = np.zeros(len(unit_figures), dtype=np.int8)
        return HeadlineFigures(
            unit_figures, unit_figures.assign(role=_role_column(roles, unit_figures.index)), True
        )
    if indicator_codes is None:
        roles = figure_role_codes(plan, unit_figures["indicator_id"], unit_figures["reporter"])
    else:
        unit_codes, units = text_codes(unit_figures["reporter"])
        roles = role_codes(plan, *indicator_codes, unit_codes, units)
    by_unit = unit_figures.assign(role=_role_column(roles, unit_figures.index))
    headline = roles == ROLES.tolist().index(HEADLINE)
    keys = ["indicator_id", "period"]
    # the usual store holds only headline figures: its frame is used as it is, never copied
    # (a copy of a million memory-mapped rows would read them all into memory)
    every_row = bool(headline.all())
    chosen = np.arange(len(unit_figures)) if every_row else np.flatnonzero(headline)
    candidates = unit_figures if every_row else unit_figures.iloc[chosen]
    if _may_repeat_keys(plan, candidates["reporter"]) and candidates.duplicated(keys).any():
        # a not-recorded and a named figure of one key: the newer one counts
        newest = candidates.assign(_at=chosen)
        order = ["upload_id", "_at"] if "upload_id" in newest.columns else ["_at"]
        newest = newest.sort_values(order, kind="stable").drop_duplicates(keys, keep="last")
        chosen = np.sort(newest["_at"].to_numpy())
        every_row = len(chosen) == len(unit_figures)
    frame = unit_figures if every_row else unit_figures.iloc[chosen].reset_index(drop=True)
    sums = _sums_of_parts(plan, by_unit, frame)
    if not sums.empty:  # (without sums every figure is as reported: no column needed)
        frame = pd.concat([_with_basis(frame), sums], ignore_index=True)
        frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    same = every_row and sums.empty
    return HeadlineFigures(frame, by_unit, same_rows_as_units=same)


def _may_repeat_keys(plan: Plan, reporters: pd.Series) -> bool:
    """Whether headline figures (one per key and unit, as the store gives them) may hold a
    key twice: only when more than one kind of reporter stands for the whole area, a named
    reporter beside a not-recorded (or unregistered) one, or two unregistered ones."""
    distinct = text_codes(reporters)[1]
    registered = set(plan.units["unit"])
    unrecorded = [unit for unit in distinct if unit not in registered]
    return len(unrecorded) > 1 or (len(unrecorded) == 1 and len(distinct) > 1)


def _with_basis(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(basis="reported", parts_missing="")


def _role_column(roles: np.ndarray, index: pd.Index) -> pd.Series:
    """The role codes as a categorical column: a byte a figure, not a string."""
    return pd.Series(pd.Categorical.from_codes(roles, categories=list(ROLES)), index=index)


def _sums_of_parts(plan: Plan, by_unit: pd.DataFrame, headline: pd.DataFrame) -> pd.DataFrame:
    """A row per (indicator, period) of an additive indicator with breakdown figures but no
    whole-area figure: the sum of its areas' figures, with the areas missing named. A sum
    with areas missing is only a floor, so it never stands in for a period after a
    whole-area figure was sent: the whole-area figure of the earlier period counts then."""
    parts = breakdown_parts(plan)
    if not parts:
        return pd.DataFrame()
    rows = by_unit[(by_unit["role"] == BREAKDOWN) & by_unit["indicator_id"].isin(parts)]
    rows = rows[rows["value"].notna()]
    if rows.empty:
        return pd.DataFrame()
    covered = pd.MultiIndex.from_frame(headline[["indicator_id", "period"]])
    keys = pd.MultiIndex.from_frame(rows[["indicator_id", "period"]])
    rows = rows[~keys.isin(covered)]
    first_whole = headline.groupby("indicator_id")["period"].min().to_dict()
    out = []
    for (indicator, period), group in rows.groupby(["indicator_id", "period"], sort=True):
        missing = [unit for unit in parts[indicator] if unit not in set(group["reporter"])]
        if missing and indicator in first_whole and first_whole[indicator] < period:
            continue
        newest = group.loc[group["upload_id"].idxmax()] if "upload_id" in group else group.iloc[-1]
        row = newest.to_dict()
        row.update(
            indicator_id=indicator,
            period=period,
            value=float(group["value"].sum()),
            reporter="",
            note="",
            basis=SUM_OF_PARTS,
            parts_missing="、".join(missing),
        )
        row.pop("role", None)
        out.append(row)
    if not out:
        return pd.DataFrame()
    sums = pd.DataFrame(out)
    return sums.astype({c: headline[c].dtype for c in headline.columns if c in sums.columns})


def whole_area_conflicts(by_unit: pd.DataFrame) -> pd.DataFrame:
    """Figures of city-level units (role OTHER) beside the headline figure of the same
    (indicator, period) where the two differ (CONFLICT_COLUMNS)."""
    others = by_unit[by_unit["role"] == OTHER]
    if others.empty:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in CONFLICT_COLUMNS})
    headline = by_unit[by_unit["role"] == HEADLINE]
    if "upload_id" in headline.columns:
        headline = headline.sort_values("upload_id", kind="stable")
    headline = headline.drop_duplicates(["indicator_id", "period"], keep="last")
    paired = others.merge(
        headline[["indicator_id", "period", "reporter", "value"]].rename(
            columns={"reporter": "headline_reporter", "value": "headline_value"}
        ),
        on=["indicator_id", "period"],
        how="inner",
    )
    differs = ~np.isclose(paired["value"], paired["headline_value"], rtol=1e-9, atol=0.0)
    paired = paired[differs].assign(difference=lambda f: f["value"] - f["headline_value"])
    return paired[CONFLICT_COLUMNS].reset_index(drop=True)
