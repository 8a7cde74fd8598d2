"""CurrentFigures: the row keys of the figures are built once per object and kept by it (never
looked up by the identity of a frame), and they give the statuses of the plain frame and of
the simple way of picking each indicator's latest figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from lib.plan.loader import parse_plan
from lib.plan.model import Plan
from lib.status.figures import CurrentFigures
from lib.status.indicators import indicator_status, latest_reported_period, status_changes
from lib.status.trend import completion_trend
from lib.store.repository import CURRENT_COLUMNS
from tests.support import TEST_PLAN_HEADER

# A plan of its own (not tests.support's forest plan), so it begins like the other test
# plans: targets of 100 and 10 let the random values 0-119 below reach every status.
PLAN_YAML = (
    TEST_PLAN_HEADER
    + """
units:
  - {name: 市发改局, kind: municipal_department}
sections:
  - id: S01
    title: 第一节
    tasks:
      - id: T01
        title: 任务一
        text: 建成A项目100个。建成B项目10个。
        units: [市发改局]
        indicators:
          - {id: T01-1, name: A项目, kind: quantity, target: 100, unit: 个,
             direction: increase, deadline: 2014-12-31, source: 建成A项目100个}
          - {id: T01-2, name: B项目, kind: quantity, target: 10, unit: 个,
             direction: increase, deadline: 2014-12-31, source: 建成B项目10个}
"""
)
ROWS = 12_000  # more than a cache of row keys by frame identity ever skipped


@pytest.fixture(scope="module")
def plan() -> Plan:
    return parse_plan(PLAN_YAML)


def figures_frame(indicators: list[str], periods: list[str], values: list[float]) -> pd.DataFrame:
    """A store-shaped frame of current values."""
    count = len(indicators)
    frame = pd.DataFrame(
        {
            "indicator_id": pd.Series(indicators, dtype="str"),
            "period": pd.Series(periods, dtype="str"),
            "value": np.asarray(values, dtype=float),
            "note": pd.Series([""] * count, dtype="str"),
            "reporter": pd.Series(["市发改局"] * count, dtype="str"),
            "upload_id": np.arange(count, dtype=np.int64) % 7 + 1,
            "uploaded_at": pd.Timestamp("2014-10-15"),
            "uploaded_by": pd.Series(["analyst"] * count, dtype="str"),
        }
    )
    return frame[CURRENT_COLUMNS]


def twelve_thousand_rows_of(period: str) -> pd.DataFrame:
    """T01-1 reported ROWS - 1 times in `period` (the last row counts), T01-2 once."""
    indicators = ["T01-1"] * (ROWS - 1) + ["T01-2"]
    values = [float(v % 50) for v in range(ROWS - 1)] + [5.0]
    return figures_frame(indicators, [period] * ROWS, values)


def test_a_frame_changed_in_place_is_read_again(plan):
    """The same frame object, the same length, other periods: the answers follow the frame."""
    figures = twelve_thousand_rows_of("2014Q1")
    assert latest_reported_period(figures) == "2014Q1"
    assert indicator_status(plan, figures, "2014Q4")["value_period"].tolist() == ["2014Q1"] * 2

    figures["period"] = "2014Q4"  # in place: the same object with the same number of rows

    assert latest_reported_period(figures) == "2014Q4"
    status = indicator_status(plan, figures, "2014Q4")
    assert status["value_period"].tolist() == ["2014Q4"] * 2
    assert status["stale"].tolist() == [False, False]
    assert completion_trend(plan, figures)["period"].tolist()[-1] == "2014Q4"


def test_current_figures_build_their_row_keys_once(plan):
    current = CurrentFigures(twelve_thousand_rows_of("2014Q2"), key="store@1")
    keys = current.row_keys
    indicator_status(plan, current, "2014Q2")
    latest_reported_period(current)
    assert current.row_keys is keys


def test_a_frame_lacking_a_column_is_refused(plan):
    figures = twelve_thousand_rows_of("2014Q2").drop(columns="period")
    with pytest.raises(ValueError, match="lacks columns"):
        indicator_status(plan, CurrentFigures(figures, key="broken"), "2014Q2")
    with pytest.raises(ValueError, match="lacks columns"):
        latest_reported_period(figures)


def scrambled_figures(seed: int) -> pd.DataFrame:
    """Figures in no order: several per indicator and period, some without a value, some of
    an indicator the plan does not have, periods before and after each as-of."""
    chooser = np.random.default_rng(seed)
    count = 3_000
    indicators = chooser.choice(["T01-1", "T01-2", "T99-1"], size=count).tolist()
    periods = chooser.choice(["2013Q4", "2014Q1", "2014Q2", "2014Q3", "2014Q4"], size=count)
    values = chooser.integers(0, 120, size=count).astype(float)
    values[chooser.random(count) < 0.2] = np.nan
    return figures_frame(indicators, periods.tolist(), values.tolist())


def simply_latest(figures: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """Per indicator, the last row (in frame order) of its latest period up to `as_of`."""
    reported = figures[figures["value"].notna() & (figures["period"] <= as_of)]
    ordered = reported.sort_values("period", kind="stable")
    latest = ordered.groupby("indicator_id", sort=False).tail(1)
    return latest.set_index("indicator_id")[["period", "value", "upload_id"]]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_current_figures_give_the_statuses_of_the_plain_frame_and_the_simple_pick(plan, seed):
    figures = scrambled_figures(seed)
    current = CurrentFigures(figures, key=f"seed {seed}")
    for as_of in ("2014Q1", "2014Q2", "2014Q3", "2014Q4"):
        fast = indicator_status(plan, current, as_of)
        assert_frame_equal(fast, indicator_status(plan, figures, as_of))
        simple = simply_latest(figures, as_of)
        for row in fast.itertuples():
            if row.indicator_id in simple.index:
                expected = simple.loc[row.indicator_id]
                assert (row.value_period, row.value) == (expected["period"], expected["value"])
                assert row.upload_id == expected["upload_id"]
            else:
                assert pd.isna(row.value) and pd.isna(row.value_period)
    assert latest_reported_period(current) == latest_reported_period(figures) == "2014Q4"
    assert_frame_equal(
        status_changes(plan, current, "2014Q3"), status_changes(plan, figures, "2014Q3")
    )
    assert_frame_equal(completion_trend(plan, current), completion_trend(plan, figures))
