"""The status model: progress, expected pace and status of every indicator, and their roll-ups.

`indicator_status` is the one place that turns the plan and the stored cumulative figures
into progress `p`, expected pace `e`, a status (met, overdue, no_report, behind, watch,
on_track; first rule that applies), a reason in words, the run-rate still needed and a
linear forecast. Everything else here aggregates its output: tasks, sections, the overall
summary, unit workload, the unit x section responsibility matrix, the at-risk list, status
changes, the completion trend, and the task ids a filter selects. Functions are pure and
vectorised (no per-row Python), take the as-of period as an argument and never change
their inputs; aggregates work on any subset of rows the pages pass in.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.core.labels import STATUS_ORDER
from lib.core.periods import (
    parse_period,
    period_end,
    period_label,
    periods_between,
    previous_period,
)
from lib.plan.catalog import MILESTONE_TARGET, Plan, resolve_unit

STATUS_RANK: dict[str, int] = {status: rank for rank, status in enumerate(STATUS_ORDER)}
RISK_STATUSES = ("overdue", "behind", "no_report", "watch")
COUNT_COLUMNS = [f"n_{status}" for status in STATUS_ORDER]
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
    # additions beyond the list
    "task_title",
    "seq",
    "note",
    "remaining_quarters",
]
TASK_COLUMNS = [
    "task_id",
    "task_no",
    "section_id",
    "title",
    "lead_unit",
    "indicator_count",
    "completion",
    "expected",
    "status",
    *COUNT_COLUMNS,
]
SECTION_COLUMNS = [
    "section_id",
    "section_no",
    "title",
    "task_count",
    "completion",
    "expected",
    "status",
    *COUNT_COLUMNS,
]
WORKLOAD_COLUMNS = [
    "unit",
    "kind",
    "tasks_led",
    "tasks_partner",
    "indicators_led",
    "weighted_load",
    "tasks_behind_or_overdue",
    "worst_status",
    "full_name",
]
MATRIX_COLUMNS = [
    "unit",
    "section_id",
    "lead_count",
    "partner_count",
    "load",
    "worst_status",
    "task_ids",
    "lead_task_ids",
    "partner_task_ids",
    "unit_load",
]
CHANGE_COLUMNS = ["indicator_id", "name", "previous_status", "status", "task_id"]
TREND_COLUMNS = ["period", "completion", "expected"]


# --- periods as integers ---------------------------------------------------------------------


def _quarter_key(period: str) -> int:
    """Consecutive integer per quarter (2014Q1 -> 8056) so periods compare and subtract."""
    if parse_period(period) != period:
        raise ValueError(f"not a canonical period like 2014Q2: {period!r}")
    return int(period[:4]) * 4 + int(period[5]) - 1


def _period_from_key(key: int) -> str:
    return f"{key // 4}Q{key % 4 + 1}"


def _isin(values: pd.Series, allowed: Iterable[object]) -> pd.Series:
    """`values.isin(allowed)` without pandas 3's cost of one pyarrow scalar per allowed value.

    For text columns `Series.isin` converts every allowed value on its own (about 6 ms per
    1,000), which dominates a rerun when 10,000 task ids are in view; hashing plain Python
    strings gives the same answer in a fraction of the time.
    """
    if not isinstance(allowed, set | frozenset):
        allowed = pd.unique(np.asarray(list(allowed), dtype=object))
    return values.astype(object).isin(allowed)


def _quarter_keys(periods: pd.Series) -> np.ndarray:
    """`_quarter_key` of each period, parsed once per distinct period."""
    codes, uniques = pd.factorize(periods)
    keys = np.array([_quarter_key(p) for p in uniques], dtype=np.int64)
    return keys[codes] if len(keys) else np.zeros(len(codes), dtype=np.int64)


def _day_number(plan: Plan, day: date | pd.Timestamp) -> int:
    """Days from the plan start to the END of `day`, both ends counted (Jan 1 -> 1)."""
    return (pd.Timestamp(day) - pd.Timestamp(plan.meta.period_start)).days + 1


def _day_numbers(plan: Plan, days: pd.Series) -> np.ndarray:
    """`_day_number` of each date in a datetime column, as floats."""
    return ((days - pd.Timestamp(plan.meta.period_start)).dt.days + 1).to_numpy(dtype=float)


# --- the per-indicator formulas (shared by the status table and the trend) --------------------


def _progress_ratio(
    value: np.ndarray, baseline: np.ndarray, target: np.ndarray, milestone: np.ndarray
) -> np.ndarray:
    """p: share of the way from baseline to target; milestones report percent done."""
    # For 'decrease' the mirror (baseline - value) / (baseline - target) is algebraically
    # the same ratio, so one formula serves both directions.
    with np.errstate(divide="ignore", invalid="ignore"):
        quantity = (value - baseline) / (target - baseline)
    return np.where(milestone, value / MILESTONE_TARGET, quantity)


def _expected_share(elapsed_days: np.ndarray | int, total_days: np.ndarray) -> np.ndarray:
    """e: share of the days from plan start to deadline that have passed, in [0, 1]."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.clip(np.asarray(elapsed_days, dtype=float) / total_days, 0.0, 1.0)


def _capped(progress: np.ndarray) -> np.ndarray:
    """Progress as averaged: within [0, 1], no report counting as 0."""
    return np.nan_to_num(np.clip(progress, 0.0, 1.0), nan=0.0)


# --- indicator status ------------------------------------------------------------------------


def indicator_status(plan: Plan, progress: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """One row per plan indicator (plan order) with p, e, status and reason at `as_of`."""
    as_of_key = _quarter_key(as_of)
    as_of_day = pd.Timestamp(period_end(as_of))
    thresholds = plan.thresholds
    ind = plan.indicators
    frame = ind.merge(_latest_values(progress, as_of_key), on="indicator_id", how="left")
    frame["task_title"] = frame["task_id"].map(plan.tasks.set_index("task_id")["title"])

    value = frame["value"].to_numpy(dtype=float)
    baseline = frame["baseline"].to_numpy(dtype=float)
    target = frame["target"].to_numpy(dtype=float)
    milestone = (frame["kind"] == "milestone").to_numpy()
    has_value = ~np.isnan(value)
    total_days = _day_numbers(plan, frame["deadline"])

    progress_ratio = _progress_ratio(value, baseline, target, milestone)
    expected = _expected_share(_day_number(plan, as_of_day), total_days)
    gap = np.round(expected - progress_ratio, _DIGITS)
    met = np.round(progress_ratio, _DIGITS) >= 1
    overdue = (frame["deadline"] < as_of_day).to_numpy() & ~met
    status = np.select(
        [met, overdue, ~has_value, gap > thresholds.red_gap, gap > thresholds.amber_gap],
        ["met", "overdue", "no_report", "behind", "watch"],
        default="on_track",
    )
    value_keys = _quarter_keys(frame["value_period"].fillna(as_of))
    stale = has_value & (value_keys < as_of_key)
    deadline = frame["deadline"].dt
    remaining = (deadline.year * 4 + deadline.quarter - 1).to_numpy(dtype=np.int64) - as_of_key

    frame["progress"] = progress_ratio
    frame["progress_capped"] = _capped(progress_ratio)
    frame["expected"] = expected
    frame["gap"] = np.where(has_value, gap, np.nan)
    frame["status"] = pd.Series(status, index=frame.index, dtype="str")
    frame["stale"] = stale
    frame["remaining_quarters"] = np.maximum(remaining, 0)
    frame["needed_per_quarter"] = _needed_per_quarter(frame, met, remaining)
    frame["forecast"] = _forecast(plan, frame, total_days)
    frame["reason_zh"], frame["reason_en"] = _reasons(frame)
    frame["upload_id"] = frame["upload_id"].astype("Int64")
    return frame[STATUS_COLUMNS]


@dataclass(frozen=True)
class _RowKeys:
    """Per row of a progress frame: its period as a quarter key (0 where there is no
    figure), its indicator as a code into `indicators`, and whether it holds a figure."""

    quarter: np.ndarray
    indicator: np.ndarray
    indicators: pd.Index
    reported: np.ndarray


# Row keys of the progress frames seen lately, by id() while the frame lives. The dashboard
# holds one frame of current figures per store version (read only) and asks for statuses at
# many as-of periods: factorising a million ids and periods again each time took half of it.
_ROW_KEYS: dict[int, _RowKeys] = {}
_ROW_KEYS_MIN_ROWS = 10_000  # smaller frames are factorised in no time


def _row_keys(progress: pd.DataFrame) -> _RowKeys:
    key = id(progress)
    keys = _ROW_KEYS.get(key)
    if keys is not None and len(keys.quarter) == len(progress):
        return keys
    reported = (progress["value"].notna() & progress["period"].notna()).to_numpy()
    period_codes, periods = pd.factorize(progress["period"])
    used = np.unique(period_codes[reported])
    period_keys = np.zeros(len(periods), dtype=np.int64)
    period_keys[used] = _quarter_keys(pd.Series(periods[used], dtype=object))
    indicator_codes, indicators = pd.factorize(progress["indicator_id"], use_na_sentinel=False)
    keys = _RowKeys(period_keys[period_codes], indicator_codes, indicators, reported)
    if len(progress) >= _ROW_KEYS_MIN_ROWS:
        _ROW_KEYS[key] = keys
        weakref.finalize(progress, _ROW_KEYS.pop, key, None)
    return keys


def _latest_values(progress: pd.DataFrame, as_of_key: int) -> pd.DataFrame:
    """Per indicator, the figure of the latest period at or before the as-of period."""
    missing = {"indicator_id", "period", "value"} - set(progress.columns)
    if missing:
        raise ValueError(f"progress frame lacks columns: {sorted(missing)}")
    # Pick row positions with integer arithmetic and copy only the chosen rows: sorting and
    # copying a million text rows per as-of period is what made a period change slow.
    # The rows and their order are those of a stable sort by period + keep the last row.
    keys = _row_keys(progress)
    rows = np.flatnonzero(keys.reported & (keys.quarter <= as_of_key))
    order = keys.quarter[rows] * max(len(progress), 1) + rows  # period first, then position
    best = np.full(len(keys.indicators), -1, dtype=np.int64)
    np.maximum.at(best, keys.indicator[rows], order)
    chosen = np.sort(best[best >= 0]) % max(len(progress), 1)
    columns = ["indicator_id", "period", "value", "upload_id", "note"]
    # columns first: the figures may be memory-mapped, and taking from columns not needed
    # here (who uploaded when) would read their pages in too
    latest = progress.reindex(columns=columns).take(chosen)
    latest = latest.rename(columns={"period": "value_period"})
    return latest.astype({"value": float, "value_period": "str", "note": "str"})


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
    days_by_period = {p: _day_number(plan, period_end(p)) for p in periods}
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


# --- roll-ups --------------------------------------------------------------------------------


def _worst(ranks: pd.Series) -> pd.Series:
    """Status code of the smallest rank (the worst) per group already reduced to ranks."""
    return ranks.map(dict(enumerate(STATUS_ORDER))).astype("str")


def _rollup(frame: pd.DataFrame, key: str, completion: str, count_name: str) -> pd.DataFrame:
    """Per key: row count, mean completion, mean expected, worst status and n_<status>."""
    ranked = frame.assign(_rank=frame["status"].map(STATUS_RANK))
    summary = ranked.groupby(key, sort=False).agg(
        **{count_name: ("status", "size")},
        completion=(completion, "mean"),
        expected=("expected", "mean"),
        _rank=("_rank", "min"),
    )
    summary["status"] = _worst(summary.pop("_rank"))
    counts = (
        frame.groupby([key, "status"], sort=False).size().unstack(fill_value=0)
        if len(frame)
        else pd.DataFrame()
    )
    counts = counts.reindex(index=summary.index, columns=list(STATUS_ORDER), fill_value=0)
    counts.columns = COUNT_COLUMNS
    return summary.join(counts.astype("int64")).reset_index()


def task_completion(plan: Plan, status: pd.DataFrame) -> pd.DataFrame:
    """Per task with indicators in `status` (plan order): mean capped progress, worst status."""
    rolled = _rollup(status, "task_id", "progress_capped", "indicator_count")
    columns = ["task_id", "task_no", "section_id", "title", "lead_unit"]
    tasks = plan.tasks.loc[_isin(plan.tasks["task_id"], rolled["task_id"]), columns]
    return tasks.merge(rolled, on="task_id", how="left")[TASK_COLUMNS].reset_index(drop=True)


def section_completion(plan: Plan, tasks: pd.DataFrame) -> pd.DataFrame:
    """Per section with tasks in `tasks` (plan order): mean task completion, worst status."""
    rolled = _rollup(tasks, "section_id", "completion", "task_count")
    columns = ["section_id", "section_no", "title"]
    sections = plan.sections.loc[plan.sections["section_id"].isin(rolled["section_id"]), columns]
    return sections.merge(rolled, on="section_id", how="left")[SECTION_COLUMNS].reset_index(
        drop=True
    )


def overall_summary(status: pd.DataFrame, tasks: pd.DataFrame) -> dict[str, object]:
    """KPIs: task/indicator counts, mean task completion and expected, indicators per status.

    `task_counts` (tasks per status) is an addition; completion and expected are NaN when
    no task is in view.
    """
    counts = status["status"].value_counts()
    task_counts = tasks["status"].value_counts()
    return {
        "task_count": len(tasks),
        "indicator_count": len(status),
        "completion": float(tasks["completion"].mean()) if len(tasks) else float("nan"),
        "expected": float(tasks["expected"].mean()) if len(tasks) else float("nan"),
        "counts": {s: int(counts.get(s, 0)) for s in STATUS_ORDER},
        "task_counts": {s: int(task_counts.get(s, 0)) for s in STATUS_ORDER},
    }


# --- units -----------------------------------------------------------------------------------


def _responsibilities(plan: Plan, tasks: pd.DataFrame, expand_groups: bool) -> pd.DataFrame:
    """Unit-task pairs for the tasks in view with each task's status and indicator count,
    in task order (plan order within a task).

    With `expand_groups`, a group with members is replaced by its members; a member named
    on the same task in its own right keeps one row with the stronger role (lead).
    Each pair finds its task by one index lookup (`get_indexer`), not one `map` per column:
    a province has 35,000 pairs.
    """
    columns = ["task_id", "section_id", "unit", "role"]
    resp = plan.responsibilities[columns]
    if expand_groups and len(plan.group_members):
        members = resp.merge(plan.group_members, left_on="unit", right_on="group")
        members = members.assign(unit=members["member"])[columns]
        direct = resp[~_isin(resp["unit"], plan.group_members["group"])]
        resp = pd.concat([direct, members], ignore_index=True)
        lead_first = resp.assign(_order=(resp["role"] != "lead").astype(int))
        resp = lead_first.sort_values("_order", kind="stable").drop_duplicates(["task_id", "unit"])
        resp = resp.drop(columns="_order")
    at = pd.Index(tasks["task_id"].astype(object)).get_indexer(resp["task_id"].astype(object))
    in_view = at >= 0
    resp, at = resp[in_view], at[in_view]
    order = np.argsort(tasks["task_no"].to_numpy()[at], kind="stable")
    resp, at = resp.take(order).reset_index(drop=True), at[order]
    task_rank = pd.Index(STATUS_ORDER).get_indexer(tasks["status"].astype(object))
    picked = tasks[["status", "indicator_count", "task_no"]].take(at).reset_index(drop=True)
    return resp.assign(
        is_lead=(resp["role"] == "lead").to_numpy(),
        status=picked["status"],
        indicator_count=picked["indicator_count"],
        _rank=task_rank[at],
        _task_no=picked["task_no"],
    )


def _registry_order(plan: Plan, units: pd.Series) -> np.ndarray:
    """Position of each unit in the plan's unit registry (unknown names last)."""
    position = pd.Index(plan.units["unit"].astype(object)).get_indexer(units.astype(object))
    return np.where(position < 0, len(plan.units), position)


def unit_workload(plan: Plan, tasks: pd.DataFrame, expand_groups: bool = False) -> pd.DataFrame:
    """Per unit with a task in view: tasks led / as partner, weighted load, lagging tasks."""
    resp = _responsibilities(plan, tasks, expand_groups)
    weights = plan.thresholds
    lagging = resp["status"].isin(["behind", "overdue"])
    grouped = resp.assign(
        _led_indicators=resp["indicator_count"].where(resp["is_lead"], 0),
        _lagging=lagging,
    ).groupby("unit", sort=False)
    load = grouped.agg(
        tasks_led=("is_lead", "sum"),
        _tasks=("task_id", "size"),
        indicators_led=("_led_indicators", "sum"),
        tasks_behind_or_overdue=("_lagging", "sum"),
        _rank=("_rank", "min"),
    ).reset_index()
    load["tasks_partner"] = load.pop("_tasks") - load["tasks_led"]
    load["weighted_load"] = (
        weights.lead_weight * load["tasks_led"] + weights.partner_weight * load["tasks_partner"]
    ).astype(float)
    load["worst_status"] = _worst(load.pop("_rank"))
    registry = plan.units.set_index("unit")
    load["kind"] = load["unit"].map(registry["kind"])
    load["full_name"] = load["unit"].map(registry["full_name"])
    load = load.astype(
        {c: "int64" for c in ("tasks_led", "tasks_partner", "indicators_led")}
        | {"tasks_behind_or_overdue": "int64"}
    )
    load["_order"] = _registry_order(plan, load["unit"])
    load = load.sort_values(
        ["weighted_load", "tasks_led", "_order"], ascending=[False, False, True], kind="stable"
    )
    return load[WORKLOAD_COLUMNS].reset_index(drop=True)


def responsibility_matrix(
    plan: Plan, tasks: pd.DataFrame, expand_groups: bool = False
) -> pd.DataFrame:
    """Long unit x section table: lead/partner task counts, load, worst status, task ids.

    Rows come ordered by the unit's total load (descending, then registry order) and then
    by section; `unit_load` is that total.
    """
    resp = _responsibilities(plan, tasks, expand_groups)
    weights = plan.thresholds
    grouped = resp.groupby(["unit", "section_id"], sort=False)
    matrix = grouped.agg(
        lead_count=("is_lead", "sum"),
        _tasks=("task_id", "size"),
        _rank=("_rank", "min"),
    ).reset_index()
    cell = grouped.ngroup().to_numpy()
    task_ids = pa.array(resp["task_id"])
    is_lead = resp["is_lead"].to_numpy(dtype=bool)
    lead_ids, partner_ids = task_ids.filter(is_lead), task_ids.filter(~is_lead)
    matrix["task_ids"] = _joined_per_cell(cell, task_ids, len(matrix))
    matrix["lead_task_ids"] = _joined_per_cell(cell[is_lead], lead_ids, len(matrix))
    matrix["partner_task_ids"] = _joined_per_cell(cell[~is_lead], partner_ids, len(matrix))
    matrix["lead_count"] = matrix["lead_count"].astype("int64")
    matrix["partner_count"] = (matrix.pop("_tasks") - matrix["lead_count"]).astype("int64")
    matrix["load"] = (
        weights.lead_weight * matrix["lead_count"]
        + weights.partner_weight * matrix["partner_count"]
    ).astype(float)
    matrix["worst_status"] = _worst(matrix.pop("_rank"))
    matrix["unit_load"] = matrix.groupby("unit")["load"].transform("sum")
    section_at = pd.Index(plan.sections["section_id"].astype(object))
    matrix = matrix.assign(
        _order=_registry_order(plan, matrix["unit"]),
        _section=section_at.get_indexer(matrix["section_id"].astype(object)),
    ).sort_values(["unit_load", "_order", "_section"], ascending=[False, True, True])
    return matrix[MATRIX_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class HeatmapCells:
    """The part of a responsibility matrix a heatmap shows, and how much it leaves out."""

    matrix: pd.DataFrame
    units_shown: int
    units_total: int
    sections_shown: int
    sections_total: int

    @property
    def is_partial(self) -> bool:
        return self.units_shown < self.units_total or self.sections_shown < self.sections_total

    def counts(self) -> dict[str, int]:
        """units, units_total, sections, sections_total: what the title and caption say."""
        return {
            "units": self.units_shown,
            "units_total": self.units_total,
            "sections": self.sections_shown,
            "sections_total": self.sections_total,
        }


def heaviest_heatmap_cells(
    matrix: pd.DataFrame, max_units: int | None, max_sections: int | None
) -> HeatmapCells:
    """The `max_units` units with the heaviest load (None: all) and, among them, the
    `max_sections` sections they carry most load in (None: all), matrix order kept.

    A province has hundreds of units and sections; a grid of all of them is neither
    readable nor quick to draw, so the heatmap shows the heaviest part and says so.
    """
    units = matrix["unit"].drop_duplicates()  # the matrix is ordered by unit load
    kept_units = units if max_units is None else units.head(max_units)
    rows = matrix[_isin(matrix["unit"], kept_units)]
    sections_total = matrix["section_id"].nunique()
    if max_sections is not None and rows["section_id"].nunique() > max_sections:
        load = rows.groupby("section_id", sort=False)["load"].sum()
        heaviest = load.sort_values(ascending=False, kind="stable").head(max_sections).index
        rows = rows[_isin(rows["section_id"], heaviest)]
    return HeatmapCells(
        matrix=rows.reset_index(drop=True),
        units_shown=rows["unit"].nunique(),
        units_total=len(units),
        sections_shown=rows["section_id"].nunique(),
        sections_total=sections_total,
    )


def _joined_per_cell(cells: np.ndarray, ids: pa.Array, count: int) -> pd.Series:
    """Comma-joined ids per cell number 0..count-1, in row order ("" for a cell without any).

    Rows are grouped by cell into one Arrow list array and joined in Arrow: the matrix has
    a cell per unit and section, 30,000 of them at province scale.
    """
    order = np.argsort(cells, kind="stable")
    offsets = np.r_[0, np.cumsum(np.bincount(cells, minlength=count))].astype(np.int64)
    values = pc.take(ids.cast(pa.large_string()), pa.array(order))
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), values)
    return pd.Series(pd.array(pc.binary_join(lists, pa.scalar(",", pa.large_string())), "str"))


# --- lists, changes, trend, scope --------------------------------------------------------------


def at_risk_indicators(status: pd.DataFrame) -> pd.DataFrame:
    """Indicators on watch, behind, overdue or unreported: worst status first, then widest gap."""
    risky = status[status["status"].isin(RISK_STATUSES)]
    ordered = risky.assign(_rank=risky["status"].map(STATUS_RANK)).sort_values(
        ["_rank", "gap"], ascending=[True, False], na_position="last", kind="stable"
    )
    return ordered.drop(columns="_rank").reset_index(drop=True)


def status_changes(
    plan: Plan,
    progress: pd.DataFrame,
    as_of: str,
    status_at: Callable[[str], pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Indicators whose status at `as_of` differs from the previous quarter's.

    Empty when the previous quarter ends before the plan starts (nothing to compare with).
    `status_at` (an addition) gives `indicator_status` of a period, for a caller that
    already holds them (the dashboard's cache); by default they are computed here.
    """
    previous = previous_period(as_of)
    if period_end(previous) < plan.meta.period_start:
        _quarter_key(as_of)
        return pd.DataFrame({c: pd.Series(dtype="str") for c in CHANGE_COLUMNS})

    def computed(period: str) -> pd.DataFrame:
        return indicator_status(plan, progress, period)

    statuses = status_at or computed
    compared = statuses(as_of).assign(previous_status=statuses(previous)["status"].to_numpy())
    changed = compared[compared["status"] != compared["previous_status"]]
    return changed[CHANGE_COLUMNS].reset_index(drop=True)


def latest_reported_period(progress: pd.DataFrame) -> str | None:
    """The latest period with any reported value, or None when nothing is reported."""
    keys = _row_keys(progress)
    if not keys.reported.any():
        return None
    return _period_from_key(int(keys.quarter[keys.reported].max()))


def completion_trend(
    plan: Plan, progress: pd.DataFrame, task_ids: Iterable[str] | None = None
) -> pd.DataFrame:
    """Overall completion and expected pace at every plan quarter up to the latest reported.

    Same definitions as `indicator_status` + `task_completion` + `overall_summary`, computed
    for all quarters at once on an indicator x quarter matrix. `task_ids` (an addition)
    limits the tasks averaged, as the pages' filters do.
    """
    latest = latest_reported_period(progress)
    if latest is None:
        return pd.DataFrame(
            {"period": pd.Series(dtype="str"), "completion": pd.Series(dtype=float)}
        ).assign(expected=pd.Series(dtype=float))
    periods = [
        p
        for p in periods_between(plan.meta.period_start, plan.meta.period_end)
        if _quarter_key(p) <= _quarter_key(latest)
    ]
    ind = plan.indicators
    if task_ids is not None:
        ind = ind[_isin(ind["task_id"], set(task_ids))]
    if not periods or ind.empty:
        return pd.DataFrame({"period": pd.Series(periods, dtype="str")}).reindex(
            columns=TREND_COLUMNS
        )
    values = _values_carried_forward(ind, progress, [_quarter_key(p) for p in periods])
    column = np.newaxis
    ratio = _progress_ratio(
        values,
        ind["baseline"].to_numpy(dtype=float)[:, column],
        ind["target"].to_numpy(dtype=float)[:, column],
        (ind["kind"] == "milestone").to_numpy()[:, column],
    )
    elapsed = np.array([_day_number(plan, period_end(p)) for p in periods], dtype=float)
    expected = _expected_share(elapsed[column, :], _day_numbers(plan, ind["deadline"])[:, column])
    task_codes = ind["task_id"].to_numpy()
    completion = pd.DataFrame(_capped(ratio)).groupby(task_codes).mean().mean(axis=0)
    expected_mean = pd.DataFrame(expected).groupby(task_codes).mean().mean(axis=0)
    return pd.DataFrame(
        {
            "period": pd.Series(periods, dtype="str"),
            "completion": completion.to_numpy(),
            "expected": expected_mean.to_numpy(),
        }
    )


def _values_carried_forward(
    indicators: pd.DataFrame, progress: pd.DataFrame, period_keys: list[int]
) -> np.ndarray:
    """Indicator x period matrix of the latest figure at or before each period (NaN if none)."""
    row_keys = _row_keys(progress)
    reported = np.flatnonzero(row_keys.reported)
    position = pd.Index(indicators["indicator_id"].astype(object)).get_indexer(
        row_keys.indicators.astype(object)
    )
    row = position[row_keys.indicator[reported]]
    keys = row_keys.quarter[reported]
    first, last = min(int(keys.min(initial=period_keys[0])), period_keys[0]), period_keys[-1]
    keep = (row >= 0) & (keys <= last)
    grid = np.full((len(indicators), last - first + 1), np.nan)
    values = progress["value"].to_numpy(dtype=float)[reported]
    grid[row[keep], keys[keep] - first] = values[keep]
    filled = pd.DataFrame(grid).ffill(axis=1).to_numpy()
    return filled[:, [k - first for k in period_keys]]


def filter_scope(
    plan: Plan, section_ids: list[str] | None, unit: str | None, lead_only: bool
) -> set[str]:
    """Ids of the tasks in view: in the chosen sections and, if a unit is chosen, on its list.

    A unit answers for tasks that name it or a group it belongs to; with `lead_only` only
    those it leads (directly or as a member of the leading group). The unit may be written
    as its name, full name or alias. Unknown sections or units raise ValueError.
    """
    tasks = plan.tasks
    keep = pd.Series(True, index=tasks.index)
    if section_ids:
        unknown = sorted(set(section_ids) - set(plan.sections["section_id"]))
        if unknown:
            raise ValueError(f"unknown section ids: {unknown}")
        keep &= tasks["section_id"].isin(section_ids)
    if unit:
        canonical = resolve_unit(plan, unit)
        if canonical is None:
            raise ValueError(f"unknown unit: {unit!r}")
        members = plan.group_members
        names = {canonical, *members.loc[members["member"] == canonical, "group"]}
        resp = plan.responsibilities
        mine = resp[resp["unit"].isin(names)]
        if lead_only:
            mine = mine[mine["role"] == "lead"]
        keep &= _isin(tasks["task_id"], mine["task_id"])
    return set(tasks.loc[keep, "task_id"])
