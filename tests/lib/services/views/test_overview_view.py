"""The overview's view model: KPIs, charts, status changes and the briefing deck."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from lib.core.labels import STATUS_COLORS
from lib.ingest.report import validate_progress
from lib.output.charts import DARK_INK, ink_on
from lib.plan.loader import load_plan
from lib.services.settings import DEFAULT_PLAN_FILE, SAMPLE_PROGRESS_FILE
from lib.services.uploads import import_sample
from lib.services.views.elements import fitted_height
from lib.services.views.overview import (
    KPI_WIDTHS,
    TOP_RISK_ROW_HEIGHT,
    TOP_RISK_ROWS,
    TOP_RISK_WIDTHS,
    overview_view,
)
from lib.services.views.risks import risk_controls
from lib.status.codes import RISK_STATUSES, STATUS_ORDER, STATUS_RANK
from lib.status.figures import CurrentFigures
from lib.status.indicators import at_risk_indicators, indicator_status, status_changes
from lib.status.rollups import section_completion, task_completion
from lib.status.trend import completion_trend
from lib.store.repository import ProgressStore

MADE_ON = date(2014, 7, 20)


class Asked:
    """A frame given only when asked for, counting how often it was."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame, self.count = frame, 0

    def __call__(self) -> pd.DataFrame:
        self.count += 1
        return self.frame


@pytest.fixture(scope="module")
def sample_frames(tmp_path_factory):
    """The document's plan with the sample figures at 2014Q3: (plan, status, tasks)."""
    plan = load_plan(DEFAULT_PLAN_FILE)
    store = ProgressStore(tmp_path_factory.mktemp("sample") / "progress.sqlite3")
    content = SAMPLE_PROGRESS_FILE.read_bytes()
    report = validate_progress(content, SAMPLE_PROGRESS_FILE.name, plan)
    now = datetime(2014, 10, 15, tzinfo=UTC)
    import_sample(store, report, content=content, file_name="progress.csv", now=now, plan=plan)
    figures = store.current_values()
    status = indicator_status(plan, figures, "2014Q3")
    return plan, status, task_completion(plan, status), figures


def sample_overview(plan, status, tasks, figures):
    """The overview of the sample statuses in a language."""
    task_ids = set(tasks["task_id"])

    def view(lang):
        return overview_view(
            plan, status, tasks, section_completion(plan, tasks), CurrentFigures(figures, "s"),
            trend=lambda: completion_trend(plan, figures, task_ids),
            changes=lambda: status_changes(plan, figures, "2014Q3"), as_of="2014Q3", lang=lang,
            sample_in_use=True, made_on=MADE_ON,
        )  # fmt: skip

    return view


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
    assert body.kpis[0].delta == "-39.3 个百分点（比应达）"
    assert [(k.label, k.count) for k in body.status_counts] == [
        ("已逾期", 0), ("落后", 2), ("未报送", 1), ("关注", 0), ("正常", 1), ("已完成", 0),
    ]  # fmt: skip
    assert view.kpi_widths == KPI_WIDTHS and len(KPI_WIDTHS) == view.kpi_slots


def test_the_completion_delta_says_its_unit_and_comparison_in_english(plan, frames_at):
    body = view_at(plan, frames_at("2014Q2"), "2014Q2", lang="en").body
    assert (body.kpis[0].label, body.kpis[0].delta) == (
        "Overall completion",
        "-39.3 pts vs expected",
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_status_counts_in_status_colours_link_the_risk_page_filtered(plan, frames_at, lang):
    body = view_at(plan, frames_at("2014Q2"), "2014Q2", lang=lang).body
    assert [c.status for c in body.status_counts] == list(STATUS_ORDER)
    assert [c.color for c in body.status_counts] == [STATUS_COLORS[s] for s in STATUS_ORDER]
    # the at-risk page lists the risk statuses only: on track and met link nowhere
    links = {c.status: c.link for c in body.status_counts}
    assert links == {**{s: s for s in RISK_STATUSES}, "on_track": None, "met": None}
    for status, link in links.items():
        if link is not None:  # the at-risk page, opened by that link, chooses that status
            assert risk_controls(lang, link).statuses.default == (status,)
    assert risk_controls(lang, "behind,overdue,bogus").statuses.default == ("overdue", "behind")
    assert risk_controls(lang, "bogus").statuses.default == RISK_STATUSES


def test_chip_text_is_white_where_it_reads_well_else_black():
    assert ink_on("#7F1212") == "#FFFFFF"  # dark red
    assert ink_on("#C85000") == "#FFFFFF"  # orange: 4.56 on white
    assert ink_on("#999999") == DARK_INK  # grey: 2.8 on white
    assert ink_on("#F0B030") == DARK_INK  # amber
    assert ink_on("#FFFFFF") == DARK_INK and ink_on("#000000") == "#FFFFFF"


def test_conclusion_counts_the_tasks_behind_and_says_where(plan, frames_at):
    frames = frames_at("2014Q2")
    body = view_at(plan, frames, "2014Q2").body
    # T01 (its T01-2 behind) and T02 are behind, both in S01 改革; T03-1 has no report
    assert body.conclusion == (
        "3 项任务中 2 项落后或逾期，主要在 S01 改革（2 项）；4 项指标中 1 项未报送。"
    )
    behind = frames.tasks["status"].isin(["behind", "overdue"])
    assert (len(frames.tasks), behind.sum()) == (3, 2)
    assert (frames.status["status"] == "no_report").sum() == 1
    en = view_at(plan, frames, "2014Q2", lang="en").body.conclusion
    assert en == (
        "2 of 3 tasks are behind or overdue, mainly in S01 改革 (2); "
        "of 4 indicators, 1 not reported."
    )


def test_conclusion_without_a_task_behind_says_so(plan, frames_at):
    only_t03 = frames_at("2014Q2", {"T03"})
    assert view_at(plan, only_t03, "2014Q2").body.conclusion == (
        "1 项任务均未落后或逾期；1 项指标中 1 项未报送。"
    )
    on_track = frames_at("2014Q1", {"T01"})  # T01-1 and T01-2 on track or on watch at Q1
    statuses = set(on_track.status["status"])
    sentence = view_at(plan, on_track, "2014Q1", lang="en").body.conclusion
    assert sentence.startswith("None of the 1 tasks is behind or overdue")
    assert ("on watch" in sentence) == ("watch" in statuses)


def test_conclusion_numbers_are_counts_of_the_sample_statuses(sample_frames):
    plan, status, tasks, figures = sample_frames
    view_of = sample_overview(plan, status, tasks, figures)
    sentence = view_of("zh").body.conclusion
    tasks_behind = tasks[tasks["status"].isin(["behind", "overdue"])]
    head = re.match(r"(\d+) 项任务中 (\d+) 项落后或逾期，主要在 (.+?)；", sentence)
    assert head, sentence
    assert (int(head[1]), int(head[2])) == (len(tasks), len(tasks_behind))
    named = re.findall(r"(S\d\d) \S+?（(\d+) 项）", head[3])
    per_section = tasks_behind["section_id"].value_counts()
    assert named and [int(n) for _, n in named] == sorted(
        (int(per_section[s]) for s, _ in named), reverse=True
    )
    assert all(int(n) == per_section[s] for s, n in named)
    rest = per_section.drop([s for s, _ in named])
    assert rest.empty or min(int(n) for _, n in named) >= rest.max()  # the most behind named
    counts = status["status"].value_counts()
    tail = f"{len(status)} 项指标中 {counts['no_report']} 项未报送、{counts['watch']} 项需关注。"
    assert sentence.endswith(tail)
    english = view_of("en").body.conclusion
    assert english.startswith(f"{len(tasks_behind)} of {len(tasks)} tasks are behind or overdue")
    assert english.endswith(
        f"of {len(status)} indicators, {counts['no_report']} not reported and "
        f"{counts['watch']} on watch."
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_top_risks_are_the_worst_first_with_lead_unit_reason_and_deadline(sample_frames, lang):
    plan, status, tasks, figures = sample_frames
    body = sample_overview(plan, status, tasks, figures)(lang).body
    table = body.top_risks
    assert table.key == "top_risks" and len(table.frame) == TOP_RISK_ROWS
    headings = {
        "zh": ["指标名称", "牵头单位", "状态", "完成时限", "原因"],
        "en": ["Indicator name", "Lead unit", "Status", "Deadline", "Reason"],
    }[lang]
    assert table.headings == headings
    worst = at_risk_indicators(status).head(TOP_RISK_ROWS)
    assert table.frame[headings[0]].tolist() == worst["name"].tolist()
    assert table.frame[headings[1]].tolist() == worst["lead_unit"].tolist()
    assert table.frame[headings[4]].tolist() == worst[f"reason_{lang}"].tolist()
    assert table.frame[headings[3]].tolist() == worst["deadline"].dt.strftime("%Y-%m-%d").tolist()
    ranks = [STATUS_RANK[s] for s in worst["status"]]
    assert ranks == sorted(ranks) and ranks[0] == STATUS_RANK["overdue"]
    # worse than any indicator left out: no left-out risk has a smaller rank or, at the
    # same rank, a wider gap
    rest = at_risk_indicators(status).iloc[TOP_RISK_ROWS:]
    assert rest["status"].map(STATUS_RANK).min() >= ranks[-1]
    # two-line rows in columns that fit the 820 px a 1280 px screen leaves with the sidebar
    # open: the reason is wrapped in full, never cut at the right edge
    assert table.row_height == TOP_RISK_ROW_HEIGHT > 64 and table.wrapped_columns == (headings[4],)
    assert table.column_widths == dict(zip(headings, TOP_RISK_WIDTHS.values(), strict=True))
    assert sum(table.column_widths.values()) <= 820
    assert table.fitted_height == fitted_height(TOP_RISK_ROWS, TOP_RISK_ROW_HEIGHT)
    assert not table.frame.isin(["None", "nan"]).any().any()
    n = len(at_risk_indicators(status))
    assert (
        body.all_risks_link
        == {"zh": f"查看全部 {n} 项需督办指标", "en": f"All {n} indicators needing follow-up"}[lang]
    )


def test_nothing_at_risk_says_so_instead_of_a_table(plan, frames_at):
    frames = frames_at("2014Q2", {"T01"})
    on_track = frames.status[frames.status["status"] == "on_track"].reset_index(drop=True)
    tasks = task_completion(plan, on_track)
    body = overview_view(
        plan, on_track, tasks, section_completion(plan, tasks), CurrentFigures(frames.figures, "t"),
        trend=Asked(pd.DataFrame(columns=["period", "completion", "expected"])),
        changes=Asked(pd.DataFrame()), as_of="2014Q1", lang="en", sample_in_use=False,
        made_on=MADE_ON,
    ).body  # fmt: skip
    assert body.top_risks is None
    assert body.top_risks_note == "No indicator needs follow-up under these filters."
    assert body.conclusion == "None of the 1 tasks is behind or overdue."


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
