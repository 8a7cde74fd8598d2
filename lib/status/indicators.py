"""The status of every indicator at an as-of quarter, and what is read off it.

`indicator_status` is the one place that turns the plan and the current figures into
progress `p`, expected pace `e`, a status (met, overdue, no_report, behind, watch,
on_track; first rule that applies), a reason in words, the run-rate still needed and a
linear forecast. `at_risk_indicators`, `status_changes` and `latest_reported_period` read
its output or the figures. Functions are vectorised (no per-row Python), take the as-of
period as an argument and never change their inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from lib.core.periods import period_end, period_label, previous_period
from lib.plan.model import MILESTONE_TARGET, Plan
from lib.status.codes import RISK_STATUSES, STATUS_RANK
from lib.status.figures import (
    CurrentFigures,
    RowKeys,
    any_row_keys,
    frame_and_row_keys,
    quarter_key,
    quarter_keys,
)

# Ratios are rounded before threshold tests so that e.g. 1.0 - 0.9 counts as exactly 0.1.
_DIGITS = 9

STATUS_COLUMNS = [
    "indicator_id",
    "task_id",
    "section_id",
    "name",
    "kind",
    "unit",
    "target",
    "baseline",
    "direction",
    "deadline",
    "lead_unit",
    "source",
    "value",
    "value_period",
    "upload_id",
    "progress",
    "progress_capped",
    "expected",
    "gap",
    "status",
    "stale",
    "reason_zh",
    "reason_en",
    "needed_per_quarter",
    "forecast",
    # what the pages show beside them
    "task_title",
    "seq",
    "note",
    "remaining_quarters",
    # whose figure it is: the unit the plan names for the whole area (`reporter`), the unit
    # that sent the figure shown (`reported_by`, "" not recorded) and its basis ("reported",
    # or "sum_of_parts" of the areas with `parts_missing` named; "" without a figure)
    "reporter",
    "reported_by",
    "basis",
    "parts_missing",
]

CHANGE_COLUMNS = ["indicator_id", "name", "previous_status", "status", "task_id"]


# --- days and the per-indicator formulas (shared by the status table and the trend) ---------


def day_number(plan: Plan, day: date | pd.Timestamp) -> int:
    """Days from the plan start to the END of `day`, both ends counted (Jan 1 -> 1)."""
    return (pd.Timestamp(day) - pd.Timestamp(plan.meta.period_start)).days + 1


def day_numbers(plan: Plan, days: pd.Series) -> np.ndarray:
    """`day_number` of each date in a datetime column, as floats."""
    return ((days - pd.Timestamp(plan.meta.period_start)).dt.days + 1).to_numpy(dtype=float)


def progress_ratio(
    value: np.ndarray, baseline: np.ndarray, target: np.ndarray, milestone: np.ndarray
) -> np.ndarray:
    """p: share of the way from baseline to target; milestones report percent done."""
    # For 'decrease' the mirror (baseline - value) / (baseline - target) is algebraically
    # the same ratio, so one formula serves both directions.
    with np.errstate(divide="ignore", invalid="ignore"):
        quantity = (value - baseline) / (target - baseline)
    return np.where(milestone, value / MILESTONE_TARGET, quantity)


def expected_share(elapsed_days: np.ndarray | int, total_days: np.ndarray) -> np.ndarray:
    """e: share of the days from plan start to deadline that have passed, in [0, 1]."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.clip(np.asarray(elapsed_days, dtype=float) / total_days, 0.0, 1.0)


def capped_progress(progress: np.ndarray) -> np.ndarray:
    """Progress as averaged: within [0, 1], no report counting as 0."""
    return np.nan_to_num(np.clip(progress, 0.0, 1.0), nan=0.0)


# --- indicator status ------------------------------------------------------------------------


def indicator_status(
    plan: Plan, progress: CurrentFigures | pd.DataFrame, as_of: str
) -> pd.DataFrame:
    """One row per plan indicator (plan order) with p, e, status and reason at `as_of`."""
    figures, keys = frame_and_row_keys(progress, plan)
    return _indicator_status(plan, figures, keys, as_of)


def _indicator_status(plan: Plan, figures: pd.DataFrame, keys: RowKeys, as_of: str) -> pd.DataFrame:
    as_of_key = quarter_key(as_of)
    as_of_day = pd.Timestamp(period_end(as_of))
    thresholds = plan.thresholds
    ind = plan.indicators
    latest = _latest_values(figures, keys, as_of_key)
    frame = ind.merge(latest, on="indicator_id", how="left")
    frame["task_title"] = frame["task_id"].map(plan.tasks.set_index("task_id")["title"])

    value = frame["value"].to_numpy(dtype=float)
    baseline = frame["baseline"].to_numpy(dtype=float)
    target = frame["target"].to_numpy(dtype=float)
    milestone = (frame["kind"] == "milestone").to_numpy()
    has_value = ~np.isnan(value)
    total_days = day_numbers(plan, frame["deadline"])

    progress = progress_ratio(value, baseline, target, milestone)
    expected = expected_share(day_number(plan, as_of_day), total_days)
    gap = np.round(expected - progress, _DIGITS)
    met = np.round(progress, _DIGITS) >= 1
    overdue = (frame["deadline"] < as_of_day).to_numpy() & ~met
    status = np.select(
        [met, overdue, ~has_value, gap > thresholds.red_gap, gap > thresholds.amber_gap],
        ["met", "overdue", "no_report", "behind", "watch"],
        default="on_track",
    )
    value_keys = quarter_keys(frame["value_period"].fillna(as_of))
    stale = has_value & (value_keys < as_of_key)
    deadline = frame["deadline"].dt
    remaining = (deadline.year * 4 + deadline.quarter - 1).to_numpy(dtype=np.int64) - as_of_key

    frame["progress"] = progress
    frame["progress_capped"] = capped_progress(progress)
    frame["expected"] = expected
    frame["gap"] = np.where(has_value, gap, np.nan)
    frame["status"] = pd.Series(status, index=frame.index, dtype="str")
    frame["stale"] = stale
    frame["remaining_quarters"] = np.maximum(remaining, 0)
    frame["needed_per_quarter"] = _needed_per_quarter(frame, met, remaining)
    frame["forecast"] = _forecast(plan, frame, total_days)
    frame["reason_zh"], frame["reason_en"] = _reasons(frame)
    frame["upload_id"] = frame["upload_id"].astype("Int64")
    for column in ("reported_by", "basis", "parts_missing"):
        frame[column] = frame[column].fillna("").astype("str")
    return frame[STATUS_COLUMNS]


def _latest_values(figures: pd.DataFrame, keys: RowKeys, as_of_key: int) -> pd.DataFrame:
    """Per indicator, the figure of the latest period at or before the as-of period."""
    # Pick row positions with integer arithmetic and copy only the chosen rows: sorting and
    # copying a million text rows per as-of period is what made a period change slow.
    # The rows and their order are those of a stable sort by period + keep the last row.
    rows = np.flatnonzero(keys.reported & (keys.quarter <= as_of_key))
    order = keys.quarter[rows] * max(len(figures), 1) + rows  # period first, then position
    best = np.full(len(keys.indicators), -1, dtype=np.int64)
    np.maximum.at(best, keys.indicator[rows], order)
    chosen = np.sort(best[best >= 0]) % max(len(figures), 1)
    columns = ["indicator_id", "period", "value", "upload_id", "note", "reporter"]
    # columns first: the figures may be memory-mapped, and taking from columns not needed
    # here (who uploaded when) would read their pages in too
    latest = figures.reindex(columns=columns).take(chosen)
    latest = latest.rename(columns={"period": "value_period", "reporter": "reported_by"})
    latest[["note", "reported_by"]] = latest[["note", "reported_by"]].fillna("")
    if "basis" in figures.columns:  # (headline figures carry it only beside a sum of areas)
        latest[["basis", "parts_missing"]] = figures[["basis", "parts_missing"]].take(chosen)
    else:
        latest = latest.assign(basis="reported", parts_missing="")
    texts = ["note", "reported_by", "basis", "parts_missing"]
    return latest.astype({"value": float, "value_period": "str", **dict.fromkeys(texts, "str")})


def _needed_per_quarter(frame: pd.DataFrame, met: np.ndarray, remaining: np.ndarray) -> np.ndarray:
    """Amount still to gain (or shed, for 'decrease') per remaining quarter to the deadline.

    Without any report the baseline stands in for the current value.
    """
    current = frame["value"].fillna(frame["baseline"]).to_numpy(dtype=float)
    target = frame["target"].to_numpy(dtype=float)
    decrease = (frame["direction"] == "decrease").to_numpy()
    shortfall = np.where(decrease, current - target, target - current)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_quarter = np.where(remaining > 0, shortfall / np.maximum(remaining, 1), np.nan)
    return np.where(met, 0.0, per_quarter)


def _forecast(plan: Plan, frame: pd.DataFrame, total_days: np.ndarray) -> np.ndarray:
    """Straight line from (plan start, baseline) through the latest figure, read at the deadline.

    Uses the same day counts as expected pace, so the forecast reaches the target exactly
    when progress kept up with expected pace at the figure's date.
    """
    periods = frame["value_period"].dropna().unique()
    days_by_period = {p: day_number(plan, period_end(p)) for p in periods}
    value_days = frame["value_period"].map(days_by_period).to_numpy(dtype=float)
    value = frame["value"].to_numpy(dtype=float)
    baseline = frame["baseline"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        line = baseline + (value - baseline) * total_days / value_days
    forecast = np.where(value_days >= total_days, value, line)
    return np.where(value_days > 0, forecast, np.nan)


def _reasons(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The status in words, Chinese and English, with the figure's period when stale.

    Words are formatted only for the rows whose status needs a number or a date in them;
    every other row shares one constant string.
    """
    status = frame["status"].to_numpy(dtype=object)
    zh = np.full(len(frame), "进度正常", dtype=object)
    en = np.full(len(frame), "on track", dtype=object)
    for code, words_zh, words_en in [
        ("met", "已完成", "target met"),
        ("no_report", "本期未报送", "no report this period"),
    ]:
        zh[status == code], en[status == code] = words_zh, words_en
    overdue = np.flatnonzero(status == "overdue")
    due = frame["deadline"].take(overdue).dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    unreported = frame["value"].take(overdue).isna().to_numpy()
    zh[overdue] = [
        f"已逾期（时限 {d}）" + ("，未报送数据" if u else "")
        for d, u in zip(due, unreported, strict=True)
    ]
    en[overdue] = [
        f"overdue (due {d})" + (", no figure reported" if u else "")
        for d, u in zip(due, unreported, strict=True)
    ]
    lagging = np.flatnonzero((status == "behind") | (status == "watch"))
    gap = frame["gap"].to_numpy(dtype=float)[lagging]
    points = np.floor(np.nan_to_num(gap) * 100 + 0.5).astype(int).tolist()
    zh[lagging] = [f"落后预期 {p} 个百分点" for p in points]
    en[lagging] = [f"{p} points behind expected pace" for p in points]
    stale = np.flatnonzero(frame["stale"].to_numpy(dtype=bool))
    periods = frame["value_period"].to_numpy(dtype=object)[stale]
    suffix = {p: (period_label(p, "zh"), period_label(p, "en")) for p in set(periods.tolist())}
    zh[stale] = [f"{z}（数据为 {suffix[p][0]}）" for z, p in zip(zh[stale], periods, strict=True)]
    en[stale] = [
        f"{e} (figure from {suffix[p][1]})" for e, p in zip(en[stale], periods, strict=True)
    ]
    return (
        pd.Series(zh, index=frame.index, dtype="str"),
        pd.Series(en, index=frame.index, dtype="str"),
    )


# --- read off the statuses and the figures ------------------------------------------------------


def at_risk_indicators(status: pd.DataFrame) -> pd.DataFrame:
    """Indicators on watch, behind, overdue or unreported: worst status first, then widest gap."""
    risky = status[status["status"].isin(RISK_STATUSES)]
    ordered = risky.assign(_rank=risky["status"].map(STATUS_RANK)).sort_values(
        ["_rank", "gap"], ascending=[True, False], na_position="last", kind="stable"
    )
    return ordered.drop(columns="_rank").reset_index(drop=True)


def status_changes(
    plan: Plan,
    progress: CurrentFigures | pd.DataFrame,
    as_of: str,
    status_at: Callable[[str], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Indicators whose status at `as_of` differs from the previous quarter's.

    Empty when the previous quarter ends before the plan starts (nothing to compare with).
    `status_at` gives `indicator_status` of a period, for a caller that already holds them
    (the dashboard's cache); by default they are computed here (the row keys of the figures
    once for both periods).
    """
    previous = previous_period(as_of)
    if period_end(previous) < plan.meta.period_start:
        quarter_key(as_of)
        return pd.DataFrame({c: pd.Series(dtype="str") for c in CHANGE_COLUMNS})
    if status_at is None:
        figures, keys = frame_and_row_keys(progress, plan)

        def status_at(period: str) -> pd.DataFrame:
            return _indicator_status(plan, figures, keys, period)

    compared = status_at(as_of).assign(previous_status=status_at(previous)["status"].to_numpy())
    changed = compared[compared["status"] != compared["previous_status"]]
    return changed[CHANGE_COLUMNS].reset_index(drop=True)


def latest_reported_period(progress: CurrentFigures | pd.DataFrame) -> str | None:
    """The latest period with any reported value, or None when nothing is reported."""
    return any_row_keys(progress).latest_period()
