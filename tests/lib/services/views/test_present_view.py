"""The presentation view's panels: what each 16:9 frame holds and what it says it leaves
out, on the document's plan with the sample figures at 2014Q3."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from itertools import combinations

import pytest

from lib.core.labels import STATUS_LABELS, pick
from lib.ingest.report import validate_progress
from lib.plan.loader import load_plan
from lib.services.settings import DEFAULT_PLAN_FILE, SAMPLE_PROGRESS_FILE
from lib.services.uploads import import_sample
from lib.services.views.overview import overview_view
from lib.services.views.present import (
    HEATMAP_HEIGHT,
    HEATMAP_UNITS,
    RISK_ROWS,
    SCORECARD_ROWS,
    SECTION_CHART_HEIGHT,
    ChartPanel,
    TablePanel,
    overview_panel,
    panel_head,
    risk_panels,
    units_panel,
)
from lib.services.views.risks import NO_STATUS, risk_controls, statuses_query
from lib.status.codes import RISK_STATUSES, STATUS_ORDER, STATUS_RANK
from lib.status.figures import CurrentFigures
from lib.status.indicators import at_risk_indicators, indicator_status, status_changes
from lib.status.rollups import section_completion, task_completion
from lib.status.trend import completion_trend
from lib.status.units import responsibility_matrix
from lib.store.repository import ProgressStore

AS_OF = "2014Q3"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """(plan, figures, status, tasks) of the sample figures at 2014Q3."""
    plan = load_plan(DEFAULT_PLAN_FILE)
    store = ProgressStore(tmp_path_factory.mktemp("present") / "progress.sqlite3")
    content = SAMPLE_PROGRESS_FILE.read_bytes()
    report = validate_progress(content, SAMPLE_PROGRESS_FILE.name, plan)
    now = datetime(2014, 10, 15, tzinfo=UTC)
    import_sample(store, report, content=content, file_name="progress.csv", now=now, plan=plan)
    figures = store.current_values()
    status = indicator_status(plan, figures, AS_OF)
    return plan, figures, status, task_completion(plan, status)


def head(plan, status, lang="zh", sample_in_use=True, note=""):
    title = "最需督办的指标" if lang == "zh" else "Indicators most in need of follow-up"
    return panel_head(
        "risks", title, plan, status, as_of=AS_OF, lang=lang, sample_in_use=sample_in_use,
        figures_note=note,
    )  # fmt: skip


def test_every_panel_says_when_where_from_and_whether_the_figures_are_invented(sample):
    plan, _, status, _ = sample
    zh = head(plan, status, note="仅统计已核准数据（核准单位：市统计局）")
    assert zh.stamp == "数据截至 2014年第三季度 · 仅统计已核准数据（核准单位：市统计局）"
    assert zh.source.startswith("来源：肇府办〔2014〕9号；数据批次 #1")
    assert zh.source.endswith("；示例数据，非真实统计")
    assert zh.sample == "示例数据，非真实统计"
    en = head(plan, status, "en")
    assert en.stamp == "Data as of 2014 Q3"
    assert en.source.startswith("Source: 肇府办〔2014〕9号; upload batches #1")
    assert en.source.endswith("; sample data, not real statistics")
    real = head(plan, status, sample_in_use=False)
    assert real.sample is None and "示例" not in real.source + real.stamp


def test_the_indicators_needing_follow_up_a_panel_of_rows_at_a_time(sample):
    plan, _, status, _ = sample
    risks = at_risk_indicators(status)
    panels = risk_panels(plan, status, head(plan, status), lang="zh")
    pages = math.ceil(len(risks) / RISK_ROWS)
    assert len(panels) == pages > 1
    assert [p.head.key for p in panels] == [f"risks-{i}" for i in range(1, pages + 1)]
    assert [p.head.title for p in panels] == [
        f"需督办的指标（{i}/{pages}）" for i in range(1, pages + 1)
    ]
    shown = [i for p in panels for i in p.table.frame["指标编号"]]
    assert shown == risks["indicator_id"].tolist()  # all of them, worst first, once
    assert all(len(p.table.frame) <= RISK_ROWS for p in panels)
    first = panels[0].table
    assert first.headings == ["指标编号", "指标名称", "牵头单位", "状态", "完成时限", "原因"]
    assert first.status_columns == ("状态",)
    assert first.frame["牵头单位"].tolist() == risks["lead_unit"].head(RISK_ROWS).tolist()
    assert first.frame["原因"].tolist() == risks["reason_zh"].head(RISK_ROWS).tolist()
    assert all(p.note is None for p in panels)  # nothing left out


def test_the_overview_shows_the_first_panel_and_says_how_many_more(sample):
    plan, _, status, _ = sample
    risks = at_risk_indicators(status)
    (panel,) = risk_panels(plan, status, head(plan, status, "en"), lang="en", pages=1)
    assert panel.head.title == "Indicators most in need of follow-up"
    assert panel.head.key == "risks-1" and len(panel.table.frame) == RISK_ROWS
    more = len(risks) - RISK_ROWS
    assert panel.note == f"{more} more indicators need follow-up: see the At risk page."


def test_the_panels_follow_the_status_filter_of_the_url(sample):
    plan, _, status, _ = sample
    (overdue,) = risk_panels(plan, status, head(plan, status), lang="zh", statuses="overdue")
    assert overdue.table.frame["状态"].tolist() == ["已逾期"] and overdue.note is None
    (nothing,) = risk_panels(plan, status, head(plan, status), lang="zh", statuses=NO_STATUS)
    assert nothing.table is None and nothing.note == "当前筛选条件下没有需要督办的指标。"


@pytest.mark.parametrize("size", range(len(RISK_STATUSES) + 1))
def test_the_status_filter_round_trips_through_the_url(size):
    for chosen in combinations(RISK_STATUSES, size):
        query = statuses_query(list(reversed(chosen)))  # in any order the widget gives
        read = risk_controls("zh", query).statuses.default
        assert read == chosen or (size == len(RISK_STATUSES) and read == RISK_STATUSES)
    assert statuses_query(RISK_STATUSES) is None  # every status: the URL stays short
    assert statuses_query([]) == NO_STATUS
    assert statuses_query(["watch", "overdue"]) == "overdue,watch"


def test_the_heatmap_panel_shows_the_units_most_at_risk(sample):
    plan, _, status, tasks = sample
    panel = units_panel(plan, status, tasks, unit=None, as_of=AS_OF, lang="zh", sample_in_use=True)
    assert isinstance(panel, ChartPanel) and panel.head.key == "units"
    assert panel.head.title == "责任单位 × 分节 责任分布（按最差状态着色）"
    figure = panel.figure
    assert figure.layout.title.text == "" and figure.layout.height == HEATMAP_HEIGHT
    heat = figure.data[0]
    shown = {y for y in heat.y if not y.startswith("<b>")}  # group headings are bold
    matrix = responsibility_matrix(plan, tasks)
    assert len(shown) == HEATMAP_UNITS
    worst = matrix.assign(rank=matrix["worst_status"].map(STATUS_RANK)).groupby("unit")["rank"]
    worst = worst.min()
    # no unit left out is worse off than any unit shown
    assert worst[~worst.index.isin(shown)].min() >= worst[worst.index.isin(shown)].max()
    assert {"<b>市直部门</b>", "<b>县(市、区)</b>"} <= set(heat.y)
    units = matrix["unit"].nunique()
    assert (
        panel.note
        == f"风险最高的 {HEATMAP_UNITS} 个单位（共 {units} 个），完整分布见“责任单位”页。"
    )


def test_a_unit_in_the_url_gets_its_scorecard_worst_tasks_first(sample):
    plan, _, status, _ = sample
    unit = "市发展改革局"
    mine = set(plan.responsibilities.loc[plan.responsibilities["unit"] == unit, "task_id"])
    in_view = status[status["task_id"].isin(mine)].reset_index(drop=True)
    tasks = task_completion(plan, in_view)
    panel = units_panel(plan, in_view, tasks, unit=unit, as_of=AS_OF, lang="zh", sample_in_use=True)
    assert isinstance(panel, TablePanel) and panel.head.key == "units"
    assert panel.head.title == "市发展改革局 · 单位记分卡"
    assert [k.label for k in panel.kpis] == [
        "牵头任务数", "配合任务数", "加权工作量", "落后/逾期任务数",
    ]  # fmt: skip
    frame = panel.table.frame
    assert len(frame) == SCORECARD_ROWS < len(mine)
    ranks = {pick(STATUS_LABELS[s], "zh"): i for i, s in enumerate(STATUS_ORDER)}
    shown = frame["状态"].map(ranks).tolist()
    assert shown == sorted(shown)
    left_out = tasks[~tasks["task_id"].isin(frame["任务编号"])]
    assert left_out["status"].map(STATUS_RANK).min() >= max(shown)
    assert panel.note == f"另有 {len(mine) - SCORECARD_ROWS} 项任务，见“责任单位”页。"
    none = units_panel(
        plan, in_view, tasks.iloc[0:0], unit=unit, as_of=AS_OF, lang="en", sample_in_use=True
    )
    assert none.table is None and none.note == f"{unit} has no task under the current filters."


def test_the_overview_panel_takes_the_page_figures_sized_for_the_frame(sample):
    plan, figures, status, tasks = sample
    view = overview_view(
        plan, status, tasks, section_completion(plan, tasks), CurrentFigures(figures, "p"),
        trend=lambda: completion_trend(plan, figures, set(tasks["task_id"])),
        changes=lambda: status_changes(plan, figures, AS_OF), as_of=AS_OF, lang="zh",
        sample_in_use=True, made_on=date(2014, 10, 20),
    )  # fmt: skip
    panel = overview_panel(view, head(plan, status))
    assert panel.conclusion == view.body.conclusion
    assert [k.label for k in panel.kpis] == [
        "重点任务", "跟踪指标", "总体完成度", "按时序应达", "需督办指标",
    ]  # fmt: skip
    assert [c.status for c in panel.status_counts] == list(STATUS_ORDER)
    chart = panel.section_chart
    assert chart.layout.height == SECTION_CHART_HEIGHT and chart.layout.title.text == ""
    assert chart.layout.legend.yanchor == "top" and chart.layout.legend.y < 0  # under the bars
    assert list(chart.data[0].y) == list(view.body.section_chart.figure.data[0].y)
    assert view.body.section_chart.figure.layout.title.text == "各分节完成度"  # a copy
    no_figures = overview_view(
        plan, status, tasks, section_completion(plan, tasks),
        CurrentFigures(figures.iloc[0:0], "none"), trend=lambda: None, changes=lambda: None,
        as_of=AS_OF, lang="zh", sample_in_use=False, made_on=date(2014, 10, 20),
    )  # fmt: skip
    assert overview_panel(no_figures, head(plan, status)) is None
