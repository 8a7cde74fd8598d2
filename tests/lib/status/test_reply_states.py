"""督办单 states and the units' latest replies, read from a real store's trail."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from lib.status.replies import (
    NOTICE_STATE_COLUMNS,
    REPLY_COLUMNS,
    SUPERVISION_COLUMNS,
    latest_replies,
    notice_state_by_indicator,
    supervision_by_indicator,
)
from lib.store.repository import ProgressStore
from lib.store.trail import TrailEntry

OFFICE = "督查室"


def at(day: int, hour: int = 2) -> datetime:
    return datetime(2014, 10, day, hour, tzinfo=UTC)


def issue(store, unit, indicators, reply_by, *, period="2014Q3", day=20) -> int:
    details = {"indicators": indicators, "reply_by": reply_by, "number": f"督办〔2014〕{day}号"}
    entry = TrailEntry("issued", OFFICE, period=period, unit=unit, details=details)
    return store.record(entry, now=at(day))


def reply(store, notice, indicator, reason, *, unit="市水务局", period="2014Q3", day=25, by="li"):
    details = {"reason": reason, "measures": f"措施-{reason}", "expected_by": "2014-12-31"}
    entry = TrailEntry(
        "replied", by, period=period, unit=unit, indicator_id=indicator, notice_id=notice,
        details=details,
    )  # fmt: skip
    return store.record(entry, now=at(day))


def close(store, notice, *, day=28) -> int:
    return store.record(
        TrailEntry("closed", OFFICE, notice_id=notice, details={"note": "已整改"}), now=at(day)
    )


@pytest.fixture
def store(tmp_path) -> ProgressStore:
    return ProgressStore(tmp_path / "trail.sqlite3")


def test_the_newest_reply_on_an_indicator_stands_and_the_earlier_stays_on_record(store):
    notice = issue(store, "市水务局", ["T01-1", "T01-2"], "2014-10-31")
    reply(store, notice, "T01-1", "资金未到位", day=24)
    reply(store, notice, "T01-2", "征地滞后", day=25)
    reply(store, notice, "T01-1", "资金已落实，工期延误", day=26, by="zhao")
    trail = store.trail()
    replies = latest_replies(trail, "2014Q3")
    assert list(replies.columns) == REPLY_COLUMNS
    assert replies[["indicator_id", "reason", "measures", "replied_by"]].values.tolist() == [
        ["T01-1", "资金已落实，工期延误", "措施-资金已落实，工期延误", "zhao"],
        ["T01-2", "征地滞后", "措施-征地滞后", "li"],
    ]
    first = replies.iloc[0]
    assert (first["unit"], first["expected_by"], first["period"]) == (
        "市水务局", "2014-12-31", "2014Q3",
    )  # fmt: skip
    assert first["replied_at"].startswith("2014-10-26T02:00")
    assert replies["notice_id"].tolist() == [notice, notice]
    assert replies["notice_state"].tolist() == ["open", "open"]
    # both replies on T01-1 are kept in the trail
    assert (trail["kind"].eq("replied") & trail["indicator_id"].eq("T01-1")).sum() == 2


def test_replies_of_another_period_are_not_this_periods(store):
    notice = issue(store, "市水务局", ["T01-1"], "2014-07-31", period="2014Q2", day=10)
    reply(store, notice, "T01-1", "二季度原因", period="2014Q2", day=12)
    assert latest_replies(store.trail(), "2014Q3").empty
    assert latest_replies(store.trail(), "2014Q2")["reason"].tolist() == ["二季度原因"]


def test_a_closed_notice_marks_its_replies_closed(store):
    open_one = issue(store, "市水务局", ["T01-1"], "2014-10-31")
    closed_one = issue(store, "市环保局", ["T02-1"], "2014-10-31")
    reply(store, open_one, "T01-1", "甲")
    reply(store, closed_one, "T02-1", "乙", unit="市环保局")
    close(store, closed_one)
    replies = latest_replies(store.trail(), "2014Q3").set_index("indicator_id")
    assert replies["notice_state"].to_dict() == {"T01-1": "open", "T02-1": "closed"}


def test_notice_states_awaiting_overdue_replied_and_closed(store):
    soon = issue(store, "市水务局", ["T01-1", "T01-2"], "2014-11-05", day=20)
    past = issue(store, "市环保局", ["T02-1", "T02-2"], "2014-10-25", day=21)
    done = issue(store, "市林业局", ["T03-1"], "2014-10-25", day=22)
    reply(store, soon, "T01-2", "已回复", day=23)
    reply(store, past, "T02-2", "按期回复", unit="市环保局", day=24)
    reply(store, done, "T03-1", "已整改", unit="市林业局", day=24)
    close(store, done)
    states = notice_state_by_indicator(store.trail(), "2014Q3", date(2014, 10, 30))
    assert list(states.columns) == NOTICE_STATE_COLUMNS
    assert states[["indicator_id", "unit", "notice_id", "state"]].values.tolist() == [
        ["T01-1", "市水务局", soon, "awaiting_reply"],
        ["T01-2", "市水务局", soon, "replied"],
        ["T02-1", "市环保局", past, "reply_overdue"],
        ["T02-2", "市环保局", past, "replied"],
        ["T03-1", "市林业局", done, "closed"],
    ]
    assert states.set_index("indicator_id").loc["T02-1", ["reply_by", "number"]].tolist() == [
        "2014-10-25", "督办〔2014〕21号",
    ]  # fmt: skip
    # on its reply day a reply is not yet overdue
    on_the_day = notice_state_by_indicator(store.trail(), "2014Q3", date(2014, 10, 25))
    assert on_the_day.set_index("indicator_id").loc["T02-1", "state"] == "awaiting_reply"
    assert notice_state_by_indicator(store.trail(), "2014Q2", date(2014, 10, 30)).empty


def test_a_later_notice_on_an_indicator_awaits_its_own_reply(store):
    first = issue(store, "市水务局", ["T01-1"], "2014-10-22", day=20)
    reply(store, first, "T01-1", "第一次回复", day=21)
    second = issue(store, "市水务局", ["T01-1"], "2014-10-31", day=26)
    today = date(2014, 10, 27)
    [state] = notice_state_by_indicator(store.trail(), "2014Q3", today).to_dict("records")
    assert (state["notice_id"], state["state"]) == (second, "awaiting_reply")
    [row] = supervision_by_indicator(store.trail(), "2014Q3", today).to_dict("records")
    # the state is the newest 督办单's; the unit's earlier answer is still shown
    assert (row["state"], row["notice_id"], row["reason"]) == (
        "awaiting_reply", second, "第一次回复",
    )  # fmt: skip


def test_supervision_joins_states_and_replies_per_indicator(store):
    notice = issue(store, "市水务局", ["T01-1", "T01-2"], "2014-10-25")
    reply(store, notice, "T01-1", "资金未到位")
    # a reply in this period to a 督办单 of the previous one still counts as answered
    old = issue(store, "市环保局", ["T02-1"], "2014-07-31", period="2014Q2", day=5)
    reply(store, old, "T02-1", "延续整改", unit="市环保局")
    rows = supervision_by_indicator(store.trail(), "2014Q3", date(2014, 10, 30))
    assert list(rows.columns) == SUPERVISION_COLUMNS
    assert rows[["indicator_id", "state", "notice_id", "reason", "reply_by"]].values.tolist() == [
        ["T01-1", "replied", notice, "资金未到位", "2014-10-25"],
        ["T01-2", "reply_overdue", notice, "", "2014-10-25"],
        ["T02-1", "replied", old, "延续整改", ""],
    ]
    close(store, old)
    closed = supervision_by_indicator(store.trail(), "2014Q3", date(2014, 10, 30))
    assert closed.set_index("indicator_id").loc["T02-1", "state"] == "closed"


def test_an_empty_trail_has_no_replies_and_no_states(store):
    trail = store.trail()
    assert trail.empty
    for frame, columns in (
        (latest_replies(trail, "2014Q3"), REPLY_COLUMNS),
        (notice_state_by_indicator(trail, "2014Q3", date(2014, 10, 1)), NOTICE_STATE_COLUMNS),
        (supervision_by_indicator(trail, "2014Q3", date(2014, 10, 1)), SUPERVISION_COLUMNS),
    ):
        assert frame.empty and list(frame.columns) == columns


def test_the_trail_is_not_changed(store):
    notice = issue(store, "市水务局", ["T01-1"], "2014-10-25")
    reply(store, notice, "T01-1", "甲")
    trail = store.trail()
    before = trail.copy()
    supervision_by_indicator(trail, "2014Q3", date(2014, 10, 30))
    pd.testing.assert_frame_equal(trail, before)
