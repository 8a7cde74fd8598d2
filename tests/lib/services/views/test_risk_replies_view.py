"""The at-risk view with the 督办 state and the unit's latest reply beside each indicator,
read from 督办单 and replies recorded in the real store of the view tests."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pandas as pd

from lib.services.views.overview import overview_view
from lib.services.views.risks import REPLY_KEYS, RISK_KEYS, risks_view
from lib.status.figures import CurrentFigures
from lib.status.indicators import status_changes
from lib.status.trend import completion_trend
from lib.store.trail import TrailEntry

RISKS = ("overdue", "behind", "no_report", "watch")


def record_notices(store) -> tuple[int, int]:
    """督办单 to 市发改局 (T01-2, answered twice) and to 市财政局 (T02-1, not answered)."""
    when = datetime(2014, 7, 12, 2, tzinfo=UTC)

    def issue(unit: str, indicator: str, reply_by: str) -> int:
        details = {"indicators": [indicator], "reply_by": reply_by, "number": "督办〔2014〕1号"}
        return store.record(
            TrailEntry("issued", "office", "2014Q2", unit, details=details), now=when
        )

    def reply(notice: int, reason: str, measures: str, hour: int) -> None:
        details = {"reason": reason, "measures": measures, "expected_by": "2014-11-30"}
        entry = TrailEntry(
            "replied", "fgj", "2014Q2", "市发改局", indicator_id="T01-2", notice_id=notice,
            details=details,
        )  # fmt: skip
        store.record(entry, now=datetime(2014, 7, 14, hour, tzinfo=UTC))

    answered = issue("市发改局", "T01-2", "2014-07-20")
    unanswered = issue("市财政局", "T02-1", "2014-07-15")
    reply(answered, "旧原因", "旧措施", 1)
    reply(answered, "用地审批滞后", "专人跟踪审批，每周调度", 18)  # 02:00 on the 15th, office time
    return answered, unanswered


def test_each_at_risk_indicator_shows_its_state_and_latest_reply(plan, store, frames_at):
    record_notices(store)
    status = frames_at("2014Q2").status
    view = risks_view(
        plan, status, RISKS, as_of="2014Q2", lang="zh", trail=store.trail(),
        today=date(2014, 7, 18),
    )  # fmt: skip
    frame = view.table.frame.set_index("指标编号")
    assert len(view.table.headings) == len(RISK_KEYS)
    shown = ["状态", "督办", "原因分析", "整改措施", "预计完成"]
    assert frame.loc["T01-2", shown].tolist() == [
        "落后", "已回复", "用地审批滞后", "专人跟踪审批，每周调度", "2014-11-30",
    ]  # fmt: skip
    assert frame.loc["T02-1", shown].tolist() == ["落后", "回复逾期", "—", "—", "—"]
    assert frame.loc["T03-1", shown].tolist() == ["未报送", "未督办", "—", "—", "—"]
    # the replies in full list only the indicators followed up
    replies = view.replies.frame
    assert list(replies.columns) == [
        "指标编号", "指标名称", "牵头单位", "督办", "回复期限", "原因分析", "整改措施", "预计完成",
        "回复人", "回复日期",
    ]  # fmt: skip
    assert len(view.replies.headings) == len(REPLY_KEYS)
    assert replies[["指标编号", "督办", "回复期限", "回复人", "回复日期"]].values.tolist() == [
        ["T02-1", "回复逾期", "2014-07-15", "—", "—"],
        ["T01-2", "已回复", "2014-07-20", "fgj", "2014-07-15"],
    ]
    assert view.replies_heading == "督办回复详情" and view.replies_note is None


def test_before_the_reply_day_the_notice_awaits_a_reply_in_english(plan, store, frames_at):
    record_notices(store)
    status = frames_at("2014Q2").status
    view = risks_view(
        plan, status, ["behind"], as_of="2014Q2", lang="en", trail=store.trail(),
        today=date(2014, 7, 15),
    )  # fmt: skip
    frame = view.table.frame.set_index("Indicator")
    assert frame.loc["T02-1", "Follow-up"] == "notice sent, awaiting reply"
    assert frame.loc["T01-2", ["Follow-up", "Unit's reason", "Measures"]].tolist() == [
        "replied", "用地审批滞后", "专人跟踪审批，每周调度",
    ]  # fmt: skip


def test_a_closed_notice_and_no_trail(plan, store, frames_at):
    answered, _ = record_notices(store)
    store.record(
        TrailEntry("closed", "office", notice_id=answered, details={"note": "已整改"}),
        now=datetime(2014, 7, 20, tzinfo=UTC),
    )
    status = frames_at("2014Q2").status
    view = risks_view(
        plan, status, RISKS, as_of="2014Q2", lang="zh", trail=store.trail(),
        today=date(2014, 7, 21),
    )  # fmt: skip
    frame = view.table.frame.set_index("指标编号")
    assert frame.loc["T01-2", ["督办", "原因分析"]].tolist() == ["已办结", "用地审批滞后"]
    # another period's notices are not this period's; without a trail nothing is followed up
    for other in (
        risks_view(plan, status, RISKS, as_of="2014Q3", lang="zh", trail=store.trail()),
        risks_view(plan, status, RISKS, as_of="2014Q2", lang="zh"),
    ):
        assert set(other.table.frame["督办"]) == {"未督办"}
        assert set(other.table.frame["原因分析"]) == {"—"}
        assert other.replies is None
        assert other.replies_note == "所列指标本期尚无督办单或回复。"


def test_the_follow_up_list_carries_the_replies(plan, store, frames_at):
    record_notices(store)
    status = frames_at("2014Q2").status
    view = risks_view(
        plan, status, ["behind"], as_of="2014Q2", lang="zh", trail=store.trail(),
        today=date(2014, 7, 18),
    )  # fmt: skip
    csv = view.downloads[1]
    exported = pd.read_csv(io.BytesIO(csv.data()), encoding="utf-8-sig").set_index("指标编号")
    assert exported.loc["T01-2", ["督办", "原因分析", "回复人", "回复日期"]].tolist() == [
        "已回复", "用地审批滞后", "fgj", "2014-07-15",
    ]  # fmt: skip
    assert list(exported.columns[-2:]) == ["文件原文", "上传批次"]


def test_the_overviews_deck_download_carries_the_replies(plan, store, frames_at, monkeypatch):
    record_notices(store)
    given = []

    def deck(plan_, progress, as_of, *, made_on, lang, sample, replies=None, figures_note=""):
        given.append(replies)
        return b"pptx"

    monkeypatch.setattr("lib.services.views.overview.briefing_deck", deck)
    frames = frames_at("2014Q2")
    view = overview_view(
        plan, frames.status, frames.tasks, frames.sections, CurrentFigures(frames.figures, "t"),
        trend=lambda: completion_trend(plan, frames.figures, set(frames.tasks["task_id"])),
        changes=lambda: status_changes(plan, frames.figures, "2014Q2"), as_of="2014Q2", lang="zh",
        sample_in_use=False, made_on=date(2014, 7, 18), trail=store.trail(),
    )  # fmt: skip
    assert given == []  # written on click only
    assert view.body.briefing.data() == b"pptx"
    [replies] = given
    rows = replies.set_index("indicator_id")
    assert rows.loc["T01-2", ["state", "reason"]].tolist() == ["replied", "用地审批滞后"]
    assert rows.loc["T02-1", "state"] == "reply_overdue"  # due 15 July, made on the 18th
