"""The overview's view model: KPIs, charts, status changes and the briefing deck."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lib.services.views.overview import overview_view
from lib.status.figures import CurrentFigures
from lib.status.indicators import status_changes
from lib.status.trend import completion_trend

MADE_ON = date(2014, 7, 20)


class Asked:
    """A frame given only when asked for, counting how often it was."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame, self.count = frame, 0

    def __call__(self) -> pd.DataFrame:
        self.count += 1
        return self.frame


def view_at(plan, frames, as_of, lang="zh", trend=None, changes=None):
    return overview_view(
        plan, frames.status, frames.tasks, frames.sections, CurrentFigures(frames.figures, "t"),
        trend=trend or Asked(completion_trend(plan, frames.figures, set(frames.tasks["task_id"]))),
        changes=changes or Asked(status_changes(plan, frames.figures, as_of)),
        as_of=as_of, lang=lang, sample_in_use=False, made_on=MADE_ON,
    )  # fmt: skip


def test_kpis_and_status_counts(plan, frames_at):
    view = view_at(plan, frames_at("2014Q2"), "2014Q2")
    assert view.kpi_slots == 5 and view.notice is None
    assert [(k.label, k.value) for k in view.headline] == [("重点任务", 3), ("跟踪指标", 4)]
    body = view.body
    # completion: mean of tasks 0.3125, 0.5, 0 = 27.1%; expected (0.4959 + 1 + 0.4959) / 3
    assert [(k.label, k.value) for k in body.kpis] == [
        ("总体完成度", "27.1%"),
        ("按时序应达", "66.4%"),
        ("需督办指标", 3),
    ]
    assert body.kpis[0].delta == "-39.3"
    assert [(k.label, k.value) for k in body.status_counts] == [
        ("已逾期", 0), ("落后", 2), ("未报送", 1), ("关注", 0), ("正常", 1), ("已完成", 0),
    ]  # fmt: skip


def test_charts_carry_their_keys_and_the_as_of_stamp(plan, frames_at):
    body = view_at(plan, frames_at("2014Q2"), "2014Q2", lang="en").body
    charts = [body.section_chart, body.status_chart, body.trend_chart]
    assert [c.key for c in charts] == [
        "completion_by_section",
        "status_distribution",
        "completion_trend",
    ]
    assert {c.stamp.as_of_label for c in charts} == {"2014 Q2"}
    bars = body.section_chart.figure.data[0]
    assert list(bars.y) == ["改革", "环境"] and list(bars.x) == [40.625, 0.0]


def test_status_changes_since_the_previous_period(plan, frames_at):
    changes = Asked(status_changes(plan, frames_at("2014Q2").figures, "2014Q2"))
    body = view_at(plan, frames_at("2014Q2"), "2014Q2", changes=changes).body
    assert body.changes_heading == "本期状态变化的指标" and body.changes_note is None
    table = body.changes_table
    assert table.key == "changes"
    assert table.headings == ["指标编号", "指标名称", "上期状态", "状态"]
    assert table.frame.values.tolist() == [
        ["T01-2", "B项目", "关注", "落后"],
        ["T02-1", "C数量", "关注", "落后"],
    ]
    # only the changes of the tasks in view are listed
    t01 = frames_at("2014Q2", {"T01"})
    body = view_at(plan, t01, "2014Q2").body
    assert body.changes_table.frame["指标编号"].tolist() == ["T01-2"]
    # nothing changed in view: said so
    t03 = frames_at("2014Q2", {"T03"})
    body = view_at(plan, t03, "2014Q2", lang="en").body
    assert body.changes_table is None
    assert body.changes_note == "No status changed since the previous period."


def test_first_period_has_nothing_to_compare_and_does_not_ask_for_changes(plan, frames_at):
    changes = Asked(pd.DataFrame())
    body = view_at(plan, frames_at("2014Q1"), "2014Q1", changes=changes).body
    assert body.changes_table is None
    assert body.changes_note == "这是第一个报告期，没有可比较的上期。"
    assert changes.count == 0


def test_without_figures_only_the_counts_and_nothing_is_asked_for(plan, frames_at):
    frames = frames_at("2014Q2")
    empty = CurrentFigures(frames.figures.iloc[:0], "empty")
    trend, changes = Asked(pd.DataFrame()), Asked(pd.DataFrame())
    view = overview_view(
        plan, frames.status, frames.tasks, frames.sections, empty, trend=trend, changes=changes,
        as_of="2014Q2", lang="zh", sample_in_use=False, made_on=MADE_ON,
    )  # fmt: skip
    assert [k.value for k in view.headline] == [3, 4]
    assert view.body is None and view.notice is None
    assert trend.count == changes.count == 0


def test_no_task_in_view_says_so(plan, frames_at):
    frames = frames_at("2014Q2", set())
    view = view_at(plan, frames, "2014Q2", lang="en")
    assert view.body is None
    assert view.notice == "No task matches the current filters."
    assert [k.value for k in view.headline] == [0, 0]


def test_briefing_deck_is_written_only_when_asked(plan, frames_at, monkeypatch):
    written = []

    def fake_deck(plan_, progress, as_of, *, made_on, lang, sample, replies=None, figures_note=""):
        written.append((as_of, made_on, lang, sample))
        return b"pptx"

    monkeypatch.setattr("lib.services.views.overview.briefing_deck", fake_deck)
    briefing = view_at(plan, frames_at("2014Q2"), "2014Q2").body.briefing
    assert written == []
    assert (briefing.file_name, briefing.key, briefing.rerun_on_click) == (
        "briefing_2014Q2.pptx",
        "brief_pptx",
        False,
    )
    assert briefing.label == "下载汇报材料 (PPT)"
    assert briefing.data() == b"pptx"
    assert written == [("2014Q2", MADE_ON, "zh", False)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_trend_is_asked_for_once(plan, frames_at, lang):
    frames = frames_at("2014Q2")
    trend = Asked(completion_trend(plan, frames.figures, set(frames.tasks["task_id"])))
    body = view_at(plan, frames, "2014Q2", lang=lang, trend=trend).body
    assert trend.count == 1
    assert len(body.trend_chart.figure.data) >= 1
