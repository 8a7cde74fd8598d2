"""A value column holding this quarter's figure only (本季度完成, 完成值（4-6月）) made
cumulative, or refused row by row saying why.

Figures are stored cumulative to the quarter's end. A quarter's own figure adds up to the
cumulative one only for a count or an amount that grows (a quantity indicator going up in a
unit that is no percentage): its cumulative figure is the same unit's cumulative figure of
the quarter before, from this file or the store, plus this quarter's; the plan's first
quarter needs none. Anything else (a rate, a milestone, a decrease, an earlier quarter the
unit never sent) is refused on its row with what to send instead. Every conversion is said
once in a warning with an example, never done quietly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lib.core.errors import Problem
from lib.core.periods import periods_between, previous_period
from lib.ingest.reporters import RowUnits, unit_identities
from lib.plan.model import Plan


@dataclass(frozen=True)
class CumulativeValues:
    """Per checked row its cumulative value (NaN where refused), the problems, and the
    rows refused."""

    values: np.ndarray
    problems: list[Problem]
    error_rows: set[int]


def cumulative_values(
    plan: Plan,
    rows: pd.DataFrame,
    units: RowUnits,
    stored: pd.DataFrame | None,
    heading: str,
) -> CumulativeValues:
    """The cumulative value of each checked row whose `value` is this quarter's figure
    (rows in any order; a row already in error keeps NaN)."""
    info = plan.indicators.set_index("indicator_id")[["kind", "unit", "direction"]]
    first_period = periods_between(plan.period_start, plan.period_end)[0]
    identity = np.where(units.identity < 0, "", units.names[np.maximum(units.identity, 0)])
    earlier = _stored_cumulative(plan, stored)
    values = rows["value"].to_numpy(dtype=float).copy()
    out = np.full(len(rows), np.nan)
    problems, refused, example = [], set(), None
    order = np.argsort(rows["period"].to_numpy(dtype=object), kind="stable")
    for index in order.tolist():
        value, row = values[index], int(rows["row"].iat[index])
        indicator, period = rows["indicator_id"].iat[index], rows["period"].iat[index]
        if np.isnan(value) or indicator not in info.index:
            continue
        kind, unit, direction = info.loc[indicator]
        key = (indicator, identity[index])
        if kind != "quantity" or direction != "increase" or unit == "%":
            problems.append(_not_additive(row, heading, indicator, kind, unit))
            refused.add(row)
            continue
        if period == first_period:
            out[index] = value
        else:
            before = previous_period(period)
            base = earlier.get((*key, before))
            if base is None:
                problems.append(_no_previous(row, heading, before))
                refused.add(row)
                continue
            out[index] = base + value
            example = example or (row, before, base, value, out[index])
        earlier[(*key, period)] = out[index]
    converted = int(np.count_nonzero(~np.isnan(out)))
    if converted:
        problems.append(_converted(heading, converted, example))
    return CumulativeValues(out, problems, refused)


def _stored_cumulative(
    plan: Plan, stored: pd.DataFrame | None
) -> dict[tuple[str, str, str], float]:
    """(indicator, unit identity, period) -> stored cumulative figure."""
    if stored is None or stored.empty or "reporter" not in stored.columns:
        return {}
    identities = unit_identities(plan, stored)
    order = stored["upload_id"].to_numpy() if "upload_id" in stored else np.arange(len(stored))
    found: dict[tuple[str, str, str], tuple[int, float]] = {}
    for indicator, who, period, value, rank in zip(
        stored["indicator_id"], identities, stored["period"], stored["value"], order, strict=True
    ):
        key = (indicator, who, period)
        if key not in found or rank > found[key][0]:  # not recorded and the lead's: newest
            found[key] = (rank, float(value))
    return {key: value for key, (_, value) in found.items()}


def _not_additive(row: int, heading: str, indicator: str, kind: str, unit: str) -> Problem:
    what_zh = "节点类指标" if kind == "milestone" else f"以“{unit}”计或为下降类的指标"
    what_en = "a milestone" if kind == "milestone" else f"counted in '{unit}' or decreasing"
    return Problem(
        "quarter_value_not_additive",
        f"“{heading}”列是单季数，但指标 {indicator} 是{what_zh}，单季数不能累加为累计数："
        "请填写截至本季度末的累计数，列标题写“完成值”",
        f"'{heading}' holds this quarter's figure, but {indicator} is {what_en}, so quarters "
        "do not add up: give the cumulative figure at the quarter's end in a column headed 完成值",
        row=row,
        column=heading,
    )


def _no_previous(row: int, heading: str, before: str) -> Problem:
    return Problem(
        "quarter_value_no_previous",
        f"“{heading}”列是单季数；本单位 {before} 的累计数尚未报送，无法换算为累计数："
        f"请先报送 {before} 的累计数，或填写截至本季度末的累计数",
        f"'{heading}' holds this quarter's figure and this unit's cumulative figure for "
        f"{before} is not stored, so it cannot be made cumulative: send {before} first, or "
        "give the cumulative figure at the quarter's end",
        row=row,
        column=heading,
    )


def _converted(heading: str, count: int, example: tuple | None) -> Problem:
    zh = en = ""
    if example is not None:
        row, before, base, value, total = example
        zh = f"，如第 {row} 行：{before} 累计 {base:g} + 本季度 {value:g} = {total:g}"
        en = f", e.g. row {row}: {before} cumulative {base:g} + this quarter {value:g} = {total:g}"
    return Problem(
        "quarter_values_converted",
        f"“{heading}”列是单季数：{count} 行已按本单位上季度的累计数换算为累计数{zh}；请核对",
        f"'{heading}' holds this quarter's figures: {count} row(s) were made cumulative from "
        f"this unit's cumulative figure of the quarter before{en}; please check",
        severity="warning",
        column=heading,
        value=heading,
    )
