"""Which figures a confirmer's decisions let count (lib/store/confirmations.py), pinned
against the rule written plainly, and through a real store: the newest confirmed figure of a
unit stands, never an unconfirmed or returned one, and the cache follows the decisions."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.store.confirmations import DECISION_COLUMNS, confirmation_states
from lib.store.repository import ProgressStore
from lib.store.trail import TrailEntry

NOW = datetime(2014, 10, 12, tzinfo=UTC)
INDICATORS, PERIODS, UNITS = ["T01-1", "T01-2"], ["2014Q1", "2014Q2"], ["", "市林业局"]


def plain_state(figure: dict, decisions: list[dict]) -> str:
    """The rule as a person states it: the latest decision on the upload or on that very
    figure applies; none means pending."""
    applying = [
        d
        for d in decisions
        if d["upload_id"] == figure["upload_id"]
        and (
            d["indicator_id"] == ""
            or (d["indicator_id"], d["period"], d["reporter"])
            == (figure["indicator_id"], figure["period"], figure["reporter"])
        )
    ]
    if not applying:
        return "pending"
    return (
        "confirmed" if max(applying, key=lambda d: d["id"])["kind"] == "confirmed" else "returned"
    )


figure_keys = st.fixed_dictionaries(
    {
        "upload_id": st.integers(1, 3),
        "indicator_id": st.sampled_from(INDICATORS),
        "period": st.sampled_from(PERIODS),
        "reporter": st.sampled_from(UNITS),
    }
)
decision = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["confirmed", "returned"]),
        "upload_id": st.integers(1, 3),
        "indicator_id": st.sampled_from(["", *INDICATORS]),
        "period": st.sampled_from(PERIODS),
        "reporter": st.sampled_from(UNITS),
    }
)


@settings(max_examples=300, deadline=None)
@given(st.lists(figure_keys, max_size=12), st.lists(decision, max_size=10))
def test_states_follow_the_plain_rule(figures, decisions):
    decisions = [{**d, "id": i} for i, d in enumerate(decisions, start=1)]
    frame = pd.DataFrame(figures, columns=["upload_id", "indicator_id", "period", "reporter"])
    shuffled = pd.DataFrame(decisions, columns=DECISION_COLUMNS).iloc[::-1]  # any order
    states = confirmation_states(frame, shuffled.astype({"id": "int64", "upload_id": "int64"}))
    assert list(states) == [plain_state(f, decisions) for f in figures]


def _rows(value: float, reporter: str = "市林业局") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": [2, 3],
            "indicator_id": ["T01-1", "T01-3"],
            "period": ["2014Q3", "2014Q3"],
            "value": [value, value / 10],
            "note": ["", ""],
            "reporter": [reporter, reporter],
        }
    )


def test_the_newest_confirmed_figure_stands_and_the_cache_follows_decisions(
    tmp_path, store_location
):
    store = ProgressStore(store_location)
    cache = tmp_path / "cache"
    needing = frozenset({"T01-1"})  # T01-3 (a milestone here) needs no confirmation

    def shown() -> dict[str, float]:
        current = store.current_values(cache, confirmed_only=needing)
        return dict(zip(current["indicator_id"], current["value"], strict=True))

    first = store.import_rows(
        _rows(100), file_name="a", content=b"a", uploaded_by="x", now=NOW, confirmed_by="统计局"
    )
    second = store.import_rows(_rows(300), file_name="b", content=b"b", uploaded_by="x", now=NOW)
    assert store.trail()["upload_id"].tolist() == [first]  # confirmed in the same transaction
    assert shown() == {"T01-1": 100, "T01-3": 30}  # the milestone counts at once
    store.record(TrailEntry("confirmed", "统计局", upload_id=second), now=NOW)
    assert shown() == {"T01-1": 300, "T01-3": 30}
    store.record(
        TrailEntry(
            "returned", "统计局", upload_id=second, indicator_id="T01-1", period="2014Q3",
            reporter="市林业局", details={"reason": "口径"},
        ),
        now=NOW,
    )  # fmt: skip
    assert shown() == {"T01-1": 100, "T01-3": 30}
    everything = store.current_values(cache)
    assert dict(zip(everything["indicator_id"], everything["value"], strict=True)) == {
        "T01-1": 300,
        "T01-3": 30,
    }
    assert len(list(cache.glob("figures-*.arrow"))) == 2  # one per variant, newest kept
