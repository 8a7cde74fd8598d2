"""The rule "a cumulative value went down", worked out on indicators x periods grids, says
exactly what a plain walk over each indicator's history says (written out below), for any
mix of the file's figures, stored ones, repeated periods and missing values, whether the
grid holds every indicator at once or a block of them at a time."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.ingest import trend
from lib.ingest.trend import FigureKeys, cumulative_decreases

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
VALUES = st.sampled_from([0.0, 1.0, 2.0, 3.0, math.nan])  # few: ties are common
COUNTED = [True, True, True, False]


def period_name(number: int) -> str:
    return f"2014Q{number + 1}" if number < 4 else f"2015Q{number - 3}"


def reference(
    figures: list[tuple[str, str, float, int]],
    stored: list[tuple[str, str, float]],
    among: list[bool],
) -> list[tuple[int, float, str, int | None, bool]]:
    """Per counted figure that goes down: (position, compared value, compared period,
    compared row or None when stored, whether the compared period is later)."""
    counted = [(i, figure) for i, figure in enumerate(figures) if among[i]]
    history: dict[str, dict[str, tuple[float, int | None]]] = {}
    for indicator, period, value in stored:
        history.setdefault(indicator, {})[period] = (value, None)
    for _, (indicator, period, value, row) in counted:
        history.setdefault(indicator, {})[period] = (value, row)
    found = []
    for position, (indicator, period, value, _) in counted:
        figures_of = sorted(history[indicator].items())  # by period
        earlier = [(v, p, src) for p, (v, src) in figures_of if p < period and v > value]
        later = [(v, p) for p, (v, src) in figures_of if p > period and v < value and src is None]
        if earlier:
            highest = max(v for v, _, _ in earlier)
            p, src = next((p, src) for v, p, src in earlier if v == highest)
            found.append((position, highest, p, src, False))
        elif later:
            lowest, p = min(later)
            found.append((position, lowest, p, None, True))
    return found


def as_tuples(frame: pd.DataFrame) -> list[tuple[int, float, str, int | None, bool]]:
    assert list(frame.columns) == [
        "position",
        "compared_value",
        "compared_period",
        "compared_row",
        "later",
    ]
    rows = [
        (position, value, period, None if row is pd.NA else row, later)
        for position, value, period, row, later in zip(
            *(frame[column].tolist() for column in frame.columns), strict=True
        )
    ]
    return sorted(rows)


@SETTINGS
@given(
    drawn=st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 5), VALUES, st.sampled_from(COUNTED)),
        min_size=2,
        max_size=40,
    ),
    drawn_stored=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 7), VALUES), max_size=30),
    cells=st.sampled_from([10**9, 13, 7, 1]),  # every indicator at once, 2 or 1 at a time
    with_keys=st.booleans(),
)
def test_grid_says_what_the_walk_says(drawn, drawn_stored, cells, with_keys):
    figures = [
        (f"T0{i}-1", period_name(p), v, row) for row, (i, p, v, _) in enumerate(drawn, start=2)
    ]
    among = [counted for _, _, _, counted in drawn]
    stored = [(f"T0{i}-1", period_name(p), v) for i, p, v in drawn_stored]
    frame = pd.DataFrame(
        {
            "indicator_id": pd.array([f[0] for f in figures], dtype="str"),
            "period": pd.array([f[1] for f in figures], dtype="str"),
            "value": pd.array([f[2] for f in figures], dtype="float64"),
            "row": pd.array([f[3] for f in figures], dtype="int64"),
        }
    )
    store = pd.DataFrame(
        {
            "indicator_id": pd.array([s[0] for s in stored], dtype="str"),
            "period": pd.array([s[1] for s in stored], dtype="str"),
            "value": pd.array([s[2] for s in stored], dtype="float64"),
        }
    )
    keys = FigureKeys.of(frame) if with_keys else None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(trend, "DENSE_MAX_CELLS", cells)  # 1: a grid per indicator
        found = cumulative_decreases(frame, store, keys=keys, among=np.array(among, dtype=bool))
    assert as_tuples(found) == sorted(reference(figures, stored, among))


def test_no_stored_figures_and_no_counted_ones():
    frame = pd.DataFrame(
        {"indicator_id": ["T01-1", "T01-1"], "period": ["2014Q1", "2014Q2"], "value": [5.0, 3.0]}
    ).assign(row=[2, 3])
    assert as_tuples(cumulative_decreases(frame, None)) == [(1, 5.0, "2014Q1", 2, False)]
    nothing = cumulative_decreases(frame, None, among=np.zeros(2, dtype=bool))
    assert nothing.empty and len(nothing.columns) == 5
