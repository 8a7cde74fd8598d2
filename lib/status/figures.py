"""The current figures the statuses are computed from, and the keys of their rows.

For each as-of period the status functions look up the latest figure of every indicator;
at province scale (a million rows) that needs each row's period as a quarter number and
its indicator as a code, and factorising a million ids and periods is most of the work.
`CurrentFigures` holds a frame of figures with a key naming its content (the store and its
data version) and builds those row keys once, the first time they are needed: the
dashboard builds one per store version and asks for statuses at many periods. A plain frame
is accepted wherever a CurrentFigures is: its row keys are then built for that call (the
same answers, more slowly).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from lib.core.periods import parse_period
from lib.plan.model import Plan
from lib.status.headline import HeadlineFigures, headline_figures

FIGURE_COLUMNS = ("indicator_id", "period", "value")  # what every status function reads


# --- periods as integers ---------------------------------------------------------------------


def quarter_key(period: str) -> int:
    """Consecutive integer per quarter (2014Q1 -> 8056) so periods compare and subtract."""
    if parse_period(period) != period:
        raise ValueError(f"not a canonical period like 2014Q2: {period!r}")
    return int(period[:4]) * 4 + int(period[5]) - 1


def period_of_quarter_key(key: int) -> str:
    """The period of a `quarter_key` (8056 -> 2014Q1)."""
    return f"{key // 4}Q{key % 4 + 1}"


def quarter_keys(periods: pd.Series) -> np.ndarray:
    """`quarter_key` of each period, parsed once per distinct period."""
    codes, uniques = pd.factorize(periods)
    keys = np.array([quarter_key(p) for p in uniques], dtype=np.int64)
    return keys[codes] if len(keys) else np.zeros(len(codes), dtype=np.int64)


# --- rows as integers ------------------------------------------------------------------------


@dataclass(frozen=True)
class RowKeys:
    """Per row of a frame of figures: its period as a quarter key (0 where there is no
    figure), its indicator as a code into `indicators`, and whether it holds a figure."""

    quarter: np.ndarray
    indicator: np.ndarray
    indicators: pd.Index
    reported: np.ndarray

    def latest_period(self) -> str | None:
        """The latest period with any figure, or None when there is none."""
        if not self.reported.any():
            return None
        return period_of_quarter_key(int(self.quarter[self.reported].max()))


def row_keys_of(figures: pd.DataFrame) -> RowKeys:
    """The RowKeys of a frame of figures; ValueError if it lacks a FIGURE_COLUMNS column."""
    missing = set(FIGURE_COLUMNS) - set(figures.columns)
    if missing:
        raise ValueError(f"progress frame lacks columns: {sorted(missing)}")
    reported = (figures["value"].notna() & figures["period"].notna()).to_numpy()
    period_codes, periods = pd.factorize(figures["period"])
    used = np.unique(period_codes[reported])
    period_keys = np.zeros(len(periods), dtype=np.int64)
    period_keys[used] = quarter_keys(pd.Series(periods[used], dtype=object))
    indicator_codes, indicators = pd.factorize(figures["indicator_id"], use_na_sentinel=False)
    return RowKeys(period_keys[period_codes], indicator_codes, indicators, reported)


@dataclass(frozen=True, eq=False)
class CurrentFigures:
    """A frame of current figures (a store's `current_values`: the latest figure of every
    reporting unit) and the key naming its content, e.g. the store and its data version:
    two objects with one key hold the same figures, so a cache may key on `key`. The frame
    must not be changed once wrapped (what is derived from it is built once)."""

    frame: pd.DataFrame
    key: str
    _headlines: dict[str, tuple[HeadlineFigures, RowKeys | None]] = field(
        default_factory=dict, repr=False
    )

    @cached_property
    def row_keys(self) -> RowKeys:
        """The RowKeys of every unit's figures, built on first use."""
        return row_keys_of(self.frame)

    def headline(self, plan: Plan) -> HeadlineFigures:
        """The headline figures of `plan` (lib/status/headline.py), built once per plan."""
        return self._headline_and_keys(plan)[0]

    def headline_row_keys(self, plan: Plan) -> RowKeys:
        """The RowKeys of the headline figures of `plan`, built once per plan (those of the
        unit figures when every figure is a headline one)."""
        return self._headline_and_keys(plan)[1]

    def _headline_and_keys(self, plan: Plan) -> tuple[HeadlineFigures, RowKeys]:
        found = self._headlines.get(plan.key)
        if found is None:
            keys = self.row_keys  # its indicator codes spare coding the ids again
            codes = (keys.indicator, np.asarray(keys.indicators, dtype=object))
            headline = headline_figures(plan, self.frame, codes)
            keys = keys if headline.same_rows_as_units else row_keys_of(headline.frame)
            found = self._headlines[plan.key] = (headline, keys)
        return found


def frame_and_row_keys(
    figures: CurrentFigures | pd.DataFrame, plan: Plan
) -> tuple[pd.DataFrame, RowKeys]:
    """The headline figures of `plan` and their row keys (kept by a CurrentFigures, built
    for a frame)."""
    if isinstance(figures, CurrentFigures):
        return figures.headline(plan).frame, figures.headline_row_keys(plan)
    headline = headline_figures(plan, figures).frame
    return headline, row_keys_of(headline)


def any_row_keys(figures: CurrentFigures | pd.DataFrame) -> RowKeys:
    """The row keys of every unit's figures (whatever their role)."""
    return figures.row_keys if isinstance(figures, CurrentFigures) else row_keys_of(figures)
