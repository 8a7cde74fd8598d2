"""Warnings that compare an upload's figures with each other and with the stored ones.

Owns the two rules across periods, both warnings (the figures are still imported): a value
more than `above_target_warning_ratio` times its target, and a cumulative value that went
down (`cumulative_decreases`: lower than an earlier period's, or higher than a stored later
period's). Only indicators whose direction is "increase" are cumulative; rows with an
error are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from itertools import pairwise

import numpy as np
import pandas as pd

from lib.core.errors import Problem
from lib.plan.model import Plan

DENSE_MAX_CELLS = 2_000_000  # indicators x periods worked on at once as one grid


@dataclass(frozen=True)
class FigureKeys:
    """Per figure its indicator and its period as codes into `indicator_names` and
    `period_names` (-1: none): what the rules group and order figures by, worked out once
    for all of them."""

    indicator: np.ndarray
    indicator_names: np.ndarray
    period: np.ndarray
    period_names: np.ndarray

    def take(self, mask: np.ndarray) -> FigureKeys:
        """The keys of the figures `mask` selects (the names stay shared)."""
        return FigureKeys(
            self.indicator[mask], self.indicator_names, self.period[mask], self.period_names
        )

    @classmethod
    def of(cls, figures: pd.DataFrame) -> FigureKeys:
        """The keys of a frame's `indicator_id` and `period` columns."""
        indicator, indicator_names = pd.factorize(figures["indicator_id"], use_na_sentinel=True)
        period, period_names = pd.factorize(figures["period"], use_na_sentinel=True)
        return cls(
            np.asarray(indicator, dtype=np.intp),
            np.asarray(indicator_names, dtype=object),
            np.asarray(period, dtype=np.intp),
            np.asarray(period_names, dtype=object),
        )


def trend_warnings(
    rows: pd.DataFrame,
    keys: FigureKeys,
    error_rows: set[int],
    plan: Plan,
    stored: pd.DataFrame | None,
    headers: dict[str, str],
) -> list[Problem]:
    """Warnings about the checked `rows` (`keys`: their indicators and periods): a value far
    above its target, a cumulative value going down (compared with the `stored` figures
    too). Rows numbered in `error_rows` are left out."""
    good = ~rows["row"].isin(error_rows).to_numpy() if error_rows else np.ones(len(rows), bool)
    if not good.any():
        return []
    ratio = plan.thresholds.above_target_warning_ratio
    info = plan.indicators.set_index("indicator_id")[["direction", "kind", "target"]]
    info = info.reindex(keys.indicator_names)
    increasing = good & (info["direction"] == "increase").to_numpy(dtype=bool)[keys.indicator]
    quantity = (info["kind"] == "quantity").to_numpy(dtype=bool)[keys.indicator]
    target = info["target"].to_numpy(dtype=np.float64)[keys.indicator]
    values = rows["value"].to_numpy(dtype=np.float64)
    numbers = rows["row"].to_numpy(dtype=np.int64)
    problems = []
    for index in np.flatnonzero(increasing & quantity & (values > ratio * target)).tolist():
        value = values[index]
        problems.append(
            Problem(
                "above_target",
                f"完成值 {value:g} 超过目标值 {target[index]:g} 的 {ratio:g} 倍，请核实",
                f"value {value:g} is more than {ratio:g} x the target {target[index]:g}; "
                "please check",
                severity="warning",
                row=int(numbers[index]),
                column=headers["value"],
                value=f"{value:g}",
            )
        )
    decreases = cumulative_decreases(rows, stored, keys=keys, among=increasing)
    for position, other, period, source, later in zip(
        decreases["position"].tolist(),
        decreases["compared_value"].tolist(),
        decreases["compared_period"].tolist(),
        decreases["compared_row"].tolist(),
        decreases["later"].tolist(),
        strict=True,
    ):
        value = values[position]
        source = None if source is pd.NA else source
        zh, en = _decrease_messages(value, other, period, source, later)
        problems.append(
            Problem(
                "value_decreased",
                zh,
                f"{en}; please check",
                severity="warning",
                row=int(numbers[position]),
                column=headers["value"],
                value=f"{value:g}",
            )
        )
    return problems


def _decrease_messages(
    value: float, other: float, period: str, source: int | None, later: bool
) -> tuple[str, str]:
    if later:
        return (
            f"累计值 {value:g} 高于已存的后续报告期 {period} 的 {other:g}，导入后累计数将出现下降",
            f"value {value:g} is higher than the stored {other:g} for the later period {period}",
        )
    where_zh = "已存数据" if source is None else f"本文件第 {source} 行"
    where_en = "stored figures" if source is None else f"this file, row {source}"
    return (
        f"累计值 {value:g} 低于 {period} 的 {other:g}（{where_zh}），累计数一般不应下降，请核实",
        f"cumulative value {value:g} is lower than {other:g} for {period} ({where_en})",
    )


def cumulative_decreases(
    figures: pd.DataFrame,
    stored: pd.DataFrame | None,
    *,
    keys: FigureKeys | None = None,
    among: np.ndarray | None = None,
) -> pd.DataFrame:
    """The figures of a cumulative count that go down, one row per such figure.

    `figures` has `indicator_id`, `period`, `value` and `row` (where it is in the file);
    only those marked in `among` count (default: all), and those without an indicator or a
    period are left out; `keys` are the figures' keys when they are at hand. Periods compare
    as text. Each indicator's history is its stored figures, with a figure of the file
    replacing the stored one of its period (and a later row of the file an earlier one). A
    figure goes down when an earlier period of that history holds a higher value (`later`
    False: the highest one, of equal ones the earliest period), or else when a stored later
    period that the file does not replace holds a lower value (`later` True: the lowest one,
    of equal ones the earliest period). Columns: `position` (of the figure in `figures`),
    `compared_value`, `compared_period`, `compared_row` (the file's row, <NA> for a stored
    figure), `later`.

    Worked out on indicators x periods grids of at most DENSE_MAX_CELLS cells (a few
    passes over float arrays, no loop over figures), so a province's million figures take
    a fraction of a second; tests hold it to a plain walk over each indicator's history.
    """
    keys = keys if keys is not None else FigureKeys.of(figures)
    counted = (keys.indicator >= 0) & (keys.period >= 0)
    if among is not None:
        counted &= among
    position = np.flatnonzero(counted)  # of each figure looked at, in `figures`
    indicator, period = keys.indicator[position], keys.period[position]
    value = figures["value"].to_numpy(dtype=np.float64)[position]
    period_names = keys.period_names
    mine = _stored_figures(stored, keys.indicator_names, indicator)
    if mine is not None:  # stored figures first: the file's replace them
        stored_periods = pd.Index(period_names).get_indexer(mine["period"])
        if (stored_periods < 0).any():  # periods only the store has
            extra = pd.unique(mine["period"].to_numpy(dtype=object)[stored_periods < 0])
            period_names = np.concatenate([period_names, extra])
            stored_periods = pd.Index(period_names).get_indexer(mine["period"])
        indicator = np.concatenate(
            [pd.Index(keys.indicator_names).get_indexer(mine["indicator_id"]), indicator]
        )
        period = np.concatenate([stored_periods, period])
        value = np.concatenate([mine["value"].to_numpy(dtype=np.float64), value])
        position = np.concatenate([np.full(len(mine), -1, dtype=np.intp), position])
    ranks = np.empty(len(period_names), dtype=np.intp)  # period code -> place in time
    ranks[np.argsort(period_names.astype(str), kind="stable")] = np.arange(len(period_names))
    found = _Found.none()
    if len(position):
        own = None if mine is None else position >= 0
        found = _decreases_in_grids(indicator, ranks[period], value, own, len(period_names))
    compared = position[found.compared]
    rows = figures["row"].to_numpy(dtype=np.int64)[np.maximum(compared, 0)]
    return pd.DataFrame(
        {
            "position": pd.array(position[found.figure], dtype="int64"),
            "compared_value": pd.array(value[found.compared], dtype="float64"),
            "compared_period": pd.array(period_names[period[found.compared]], dtype="str"),
            "compared_row": pd.array(np.where(compared < 0, None, rows), dtype="Int64"),
            "later": pd.array(found.later, dtype="bool"),
        }
    )


def _stored_figures(
    stored: pd.DataFrame | None, names: np.ndarray, indicator: np.ndarray
) -> pd.DataFrame | None:
    """The stored figures of the indicators in `indicator` (codes into `names`) that have a
    period, with indicator and period as text, in the store's order; None when there are
    none."""
    columns = ["indicator_id", "period", "value"]
    if stored is None or stored.empty or not set(columns) <= set(stored.columns):
        return None
    mine = stored.loc[stored["indicator_id"].isin(names[pd.unique(indicator)]), columns]
    mine = mine[mine["indicator_id"].notna() & mine["period"].notna()]
    if mine.empty:
        return None
    for column in ("indicator_id", "period"):
        if not isinstance(mine[column].dtype, pd.StringDtype):
            mine = mine.assign(**{column: mine[column].astype(str)})
    return mine


@dataclass(frozen=True)
class _Found:
    """The figures that go down (indices), the figure each is compared with (index), and
    whether that one is of a later period."""

    figure: np.ndarray
    compared: np.ndarray
    later: np.ndarray

    @classmethod
    def none(cls) -> _Found:
        nothing = np.array([], dtype=np.intp)
        return cls(nothing, nothing, np.array([], dtype=bool))

    @classmethod
    def joined(cls, parts: list[_Found]) -> _Found:
        if not parts:
            return cls.none()
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))


def _decreases_in_grids(
    indicator: np.ndarray,
    period: np.ndarray,
    value: np.ndarray,
    own: np.ndarray | None,
    periods: int,
) -> _Found:
    """`_decreases_in_grid` for blocks of indicators small enough to make a grid of at most
    DENSE_MAX_CELLS cells (indicators do not affect each other)."""
    indicators = int(indicator.max()) + 1
    block = max(DENSE_MAX_CELLS // periods, 1)
    if indicators <= block:
        return _decreases_in_grid(indicator, period, value, own, indicators, periods)
    blocks = indicator // block
    order = np.argsort(blocks, kind="stable")  # keeps stored figures before the file's
    bounds = np.searchsorted(blocks[order], np.arange(blocks.max() + 2))
    parts = []
    for number, (start, stop) in enumerate(pairwise(bounds)):
        if start == stop:
            continue
        at, first = order[start:stop], number * block
        part = _decreases_in_grid(
            indicator[at] - first,
            period[at],
            value[at],
            None if own is None else own[at],
            min(block, indicators - first),
            periods,
        )
        parts.append(_Found(at[part.figure], at[part.compared], part.later))
    return _Found.joined(parts)


def _decreases_in_grid(
    indicator: np.ndarray,
    period: np.ndarray,
    value: np.ndarray,
    own: np.ndarray | None,
    indicators: int,
    periods: int,
) -> _Found:
    """The rule of `cumulative_decreases` on one indicators x periods grid. Figures are
    (indicator, place in time, value); `own` marks the file's (None: all are), stored ones
    come first, and a later figure of a cell replaces an earlier one."""
    cell = indicator.astype(np.int64) * periods + period
    holder = np.arange(len(cell))  # per cell the figure that holds it, where one does
    grid = np.full((indicators, periods), np.nan)
    if (np.bincount(cell, minlength=1) > 1).any():
        holds = ~pd.Series(cell).duplicated(keep="last").to_numpy()
        holder = holder[holds]
        grid.ravel()[cell[holds]] = value[holds]
    else:
        grid.ravel()[cell] = value
    earlier = np.full_like(grid, np.nan)  # the highest value of an earlier period
    earlier[:, 1:] = np.fmax.accumulate(grid, axis=1)[:, :-1]
    lower = earlier.ravel()[cell] > value
    higher = np.zeros(len(cell), dtype=bool)
    if own is not None:
        lower &= own
        held = np.zeros(len(cell), dtype=bool)
        held[holder] = True
        stored = held & ~own & ~np.isnan(value)  # stored figures the file does not replace
        if stored.any():
            stored_grid = np.full_like(grid, np.inf)
            stored_grid.ravel()[cell[stored]] = value[stored]
            later = np.full_like(grid, np.inf)  # the lowest stored value of a later period
            later[:, :-1] = np.minimum.accumulate(stored_grid[:, ::-1], axis=1)[:, ::-1][:, 1:]
            higher = own & ~lower & (later.ravel()[cell] < value)
    figure = np.flatnonzero(lower | higher)
    if not len(figure):
        return _Found.none()
    place = np.empty(len(figure), dtype=np.int64)  # of the figure each is compared with
    down = lower[figure]
    if down.any():
        place[down] = _earlier_highest_places(grid, earlier).ravel()[cell[figure[down]]]
    if not down.all():
        place[~down] = _later_lowest_places(stored_grid, later).ravel()[cell[figure[~down]]]
    holders = np.full(grid.size, -1, dtype=np.intp)
    holders[cell[holder]] = holder
    compared = holders[indicator[figure].astype(np.int64) * periods + place]
    return _Found(figure, compared, ~down)


def _earlier_highest_places(grid: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """Per cell, the earliest place before it holding the highest value before it (`earlier`
    per cell); -1 where there is none."""
    # a cell raises the highest so far when it is above every cell before it
    raises = (grid > earlier) | (np.isnan(earlier) & ~np.isnan(grid))
    last_raise = np.maximum.accumulate(np.where(raises, np.arange(grid.shape[1]), -1), axis=1)
    places = np.full(grid.shape, -1, dtype=np.int64)
    places[:, 1:] = last_raise[:, :-1]
    return places


def _later_lowest_places(stored: np.ndarray, later: np.ndarray) -> np.ndarray:
    """Per cell, the earliest place after it holding the lowest stored value after it
    (`later` per cell, inf for none); the number of places where there is none."""
    periods = stored.shape[1]
    # a cell lowers the lowest seen from the end when it is at most every cell after it
    lowers = np.isfinite(stored) & (stored <= later)
    marked = np.where(lowers, np.arange(periods), periods)
    first_lower = np.minimum.accumulate(marked[:, ::-1], axis=1)[:, ::-1]
    places = np.full(stored.shape, periods, dtype=np.int64)
    places[:, :-1] = first_lower[:, 1:]
    return places
