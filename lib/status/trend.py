"""Overall completion and expected pace at every plan quarter up to the latest reported,
computed for all quarters at once on an indicator x quarter matrix."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from lib.core.periods import period_end, periods_between
from lib.plan.model import Plan
from lib.status.figures import CurrentFigures, RowKeys, frame_and_row_keys, quarter_key
from lib.status.frames import values_in
from lib.status.indicators import (
    capped_progress,
    day_number,
    day_numbers,
    expected_share,
    progress_ratio,
)

TREND_COLUMNS = ["period", "completion", "expected"]


def completion_trend(
    plan: Plan,
    progress: CurrentFigures | pd.DataFrame,
    task_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Overall completion and expected pace at every plan quarter up to the latest reported.

    Same definitions as `indicator_status` + `task_completion` + `overall_summary`, computed
    for all quarters at once on an indicator x quarter matrix. `task_ids` limits the tasks
    averaged, as the pages' filters do.
    """
    figures, row_keys = frame_and_row_keys(progress, plan)
    latest = row_keys.latest_period()
    if latest is None:
        return pd.DataFrame(
            {"period": pd.Series(dtype="str"), "completion": pd.Series(dtype=float)}
        ).assign(expected=pd.Series(dtype=float))
    periods = [
        p
        for p in periods_between(plan.meta.period_start, plan.meta.period_end)
        if quarter_key(p) <= quarter_key(latest)
    ]
    ind = plan.indicators
    if task_ids is not None:
        ind = ind[values_in(ind["task_id"], set(task_ids))]
    if not periods or ind.empty:
        return pd.DataFrame({"period": pd.Series(periods, dtype="str")}).reindex(
            columns=TREND_COLUMNS
        )
    values = _values_carried_forward(ind, figures, row_keys, [quarter_key(p) for p in periods])
    column = np.newaxis
    ratio = progress_ratio(
        values,
        ind["baseline"].to_numpy(dtype=float)[:, column],
        ind["target"].to_numpy(dtype=float)[:, column],
        (ind["kind"] == "milestone").to_numpy()[:, column],
    )
    elapsed = np.array([day_number(plan, period_end(p)) for p in periods], dtype=float)
    expected = expected_share(elapsed[column, :], day_numbers(plan, ind["deadline"])[:, column])
    task_codes = ind["task_id"].to_numpy()
    completion = pd.DataFrame(capped_progress(ratio)).groupby(task_codes).mean().mean(axis=0)
    expected_mean = pd.DataFrame(expected).groupby(task_codes).mean().mean(axis=0)
    return pd.DataFrame(
        {
            "period": pd.Series(periods, dtype="str"),
            "completion": completion.to_numpy(),
            "expected": expected_mean.to_numpy(),
        }
    )


def _values_carried_forward(
    indicators: pd.DataFrame, figures: pd.DataFrame, row_keys: RowKeys, period_keys: list[int]
) -> np.ndarray:
    """Indicator x period matrix of the latest figure at or before each period (NaN if none)."""
    reported = np.flatnonzero(row_keys.reported)
    position = pd.Index(indicators["indicator_id"].astype(object)).get_indexer(
        row_keys.indicators.astype(object)
    )
    row = position[row_keys.indicator[reported]]
    keys = row_keys.quarter[reported]
    first, last = min(int(keys.min(initial=period_keys[0])), period_keys[0]), period_keys[-1]
    keep = (row >= 0) & (keys <= last)
    grid = np.full((len(indicators), last - first + 1), np.nan)
    values = figures["value"].to_numpy(dtype=float)[reported]
    grid[row[keep], keys[keep] - first] = values[keep]
    filled = pd.DataFrame(grid).ffill(axis=1).to_numpy()
    return filled[:, [k - first for k in period_keys]]
