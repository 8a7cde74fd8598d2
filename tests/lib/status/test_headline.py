"""Whose figure is the headline: the vectorised choice in lib/status/headline.py pinned
against a plain walk over the figures, and the cached objects reusing their row keys."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.plan.loader import load_plan
from lib.plan.reporting import figure_roles
from lib.services.settings import DEFAULT_PLAN_FILE
from lib.status.figures import CurrentFigures, frame_and_row_keys
from lib.status.headline import headline_figures

PLAN = load_plan(DEFAULT_PLAN_FILE)
# 市住房城乡建设局 leads T16; 鼎湖区政府 is an area; 市水务局 another city unit; 水务站 no
# registered unit (only old stores hold such names); "" not recorded
REPORTERS = ["", "市住房城乡建设局", "鼎湖区政府", "市水务局", "水务站"]
INDICATORS = ["T16-1", "T16-2", "T16-3"]
PERIODS = ["2014Q1", "2014Q2"]


def _unit_figures(rows: list[tuple[int, int, int, float]]) -> pd.DataFrame:
    """A store-shaped frame: one row per (indicator, period, reporter), upload ids in order."""
    seen, records = set(), []
    for upload_id, (i, p, r, value) in enumerate(rows, start=1):
        key = (INDICATORS[i], PERIODS[p], REPORTERS[r])
        if key in seen:
            continue
        seen.add(key)
        records.append({"indicator_id": key[0], "period": key[1], "value": value,
                        "note": "", "reporter": key[2], "upload_id": upload_id})  # fmt: skip
    frame = pd.DataFrame(records, columns=["indicator_id", "period", "value", "note", "reporter",
                                           "upload_id"])  # fmt: skip
    return frame.sort_values(["indicator_id", "period", "reporter"]).reset_index(drop=True)


def _plain_headline(frame: pd.DataFrame) -> dict[tuple[str, str], float]:
    """The headline figure of each key, walked figure by figure: the newest upload among the
    figures that stand for the whole area (the lead's, not recorded, or an unknown unit)."""
    lead = PLAN.indicators.set_index("indicator_id")["reporter"]
    registered = set(PLAN.units["unit"])
    best: dict[tuple[str, str], tuple[int, float]] = {}
    for row in frame.itertuples(index=False):
        whole = row.reporter == lead[row.indicator_id] or row.reporter not in registered
        key = (row.indicator_id, row.period)
        if whole and (key not in best or row.upload_id > best[key][0]):
            best[key] = (row.upload_id, row.value)
    return {key: value for key, (_, value) in best.items()}


figure = st.tuples(
    st.integers(0, len(INDICATORS) - 1),
    st.integers(0, len(PERIODS) - 1),
    st.integers(0, len(REPORTERS) - 1),
    st.floats(0, 100, allow_nan=False),
)


@settings(deadline=None, max_examples=80)
@given(st.lists(figure, max_size=30))
def test_the_headline_is_the_newest_whole_area_figure_of_each_key(rows):
    frame = _unit_figures(rows)
    headline = headline_figures(PLAN, frame)
    shown = headline.frame
    chosen = shown[shown["basis"] == "reported"] if "basis" in shown else shown
    keys = zip(chosen["indicator_id"], chosen["period"], strict=True)
    got = dict(zip(keys, chosen["value"], strict=True))
    assert got == _plain_headline(frame)
    assert len(headline.by_unit) == len(frame)


def test_roles_follow_the_plan():
    ids = pd.Series(["T16-1"] * len(REPORTERS))
    roles = figure_roles(PLAN, ids, pd.Series(REPORTERS))
    assert roles.tolist() == ["headline", "headline", "breakdown", "other", "headline"]


def test_current_figures_reuse_their_row_keys_when_every_figure_is_the_leads():
    frame = _unit_figures([(0, 0, 1, 5.0), (0, 1, 1, 7.0), (1, 0, 1, 3.0)])
    figures = CurrentFigures(frame, "v1")
    headline_frame, keys = frame_and_row_keys(figures, PLAN)
    assert keys is figures.row_keys  # nothing rebuilt for the usual store
    assert headline_frame["value"].tolist() == [5.0, 7.0, 3.0]
    assert figures.headline(PLAN) is figures.headline(PLAN)


def test_a_breakdown_gets_its_own_row_keys_and_is_left_out():
    frame = _unit_figures([(0, 0, 1, 5.0), (0, 0, 2, 1.0)])
    figures = CurrentFigures(frame, "v1")
    headline_frame, keys = frame_and_row_keys(figures, PLAN)
    assert keys is not figures.row_keys
    assert headline_frame[["reporter", "value"]].values.tolist() == [["市住房城乡建设局", 5.0]]
