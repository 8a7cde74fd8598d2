"""The sections page's view model: per-section task tables, or one table, and a task's detail."""

from __future__ import annotations

from datetime import UTC, datetime

import lib.services.views.sections as sections_module
from lib.services.views.sections import sections_view
from lib.status.headline import headline_figures
from lib.status.indicators import indicator_status
from lib.status.rollups import section_completion, task_completion


def view_at(plan, frames, *, lang="zh", requested_task=None, has_figures=True):
    return sections_view(
        plan, frames.status, frames.tasks, frames.sections, has_figures=has_figures,
        requested_task=requested_task, as_of="2014Q2", lang=lang, sample_in_use=False,
    )  # fmt: skip


def test_one_part_per_section_with_its_tasks(plan, frames_at):
    view = view_at(plan, frames_at("2014Q2"))
    assert view.notice is None and view.all_tasks is None and view.all_tasks_heading is None
    assert view.chart.key == "sections_chart" and view.chart.stamp.period == "2014Q2"
    assert [p.label for p in view.section_parts] == ["S01 改革 · 40.6%", "S02 环境 · 0.0%"]
    assert [p.expanded for p in view.section_parts] == [False, False]
    first = view.section_parts[0].tasks
    assert first.key == "tasks_S01"
    assert first.headings == ["任务编号", "任务", "牵头单位", "指标数", "完成度", "状态"]
    assert first.frame.values.tolist() == [
        ["T01", "任务一", "市发改局", 2, 31.2, "落后"],
        ["T02", "任务二", "市财政局", 1, 50.0, "落后"],
    ]
    assert first.progress_columns == ("完成度",)
    assert view.section_parts[1].tasks.frame["任务编号"].tolist() == ["T03"]


def test_a_single_section_opens_and_without_figures_there_is_no_chart(plan, frames_at):
    view = view_at(plan, frames_at("2014Q2", {"T03"}), has_figures=False)
    assert view.chart is None
    assert [(p.label, p.expanded) for p in view.section_parts] == [("S02 环境 · 0.0%", True)]


def test_many_sections_go_into_one_table_with_a_section_column(plan, frames_at, monkeypatch):
    monkeypatch.setattr(sections_module, "SECTION_EXPANDERS_MAX", 1)
    view = view_at(plan, frames_at("2014Q2"), lang="en")
    assert view.section_parts == ()
    assert view.all_tasks_heading.startswith("3 tasks in 2 sections")
    assert view.all_tasks.key == "tasks_all_sections"
    assert view.all_tasks.headings[:2] == ["Section", "Task"]
    assert view.all_tasks.frame["Section"].tolist() == ["S01", "S01", "S02"]


def test_task_detail_of_the_requested_task_else_the_first(plan, frames_at):
    frames = frames_at("2014Q2")
    detail = view_at(plan, frames, requested_task="T03").detail
    assert detail.choices.options == ("T01", "T02", "T03")
    assert detail.choices.default == "T03"
    assert detail.choices.label_of("T02") == "T02 任务二"
    assert detail.text == "建成D设施10座。"
    assert detail.units_text == "★市环保局（牵头）、市发改局"
    assert detail.indicators.key == "task_indicators"
    assert detail.indicators.frame["指标编号"].tolist() == ["T03-1"]
    assert detail.indicators.frame["状态"].tolist() == ["未报送"]
    for unknown in (None, "T99"):
        detail = view_at(plan, frames, requested_task=unknown).detail
        assert detail.choices.default == "T01"
        assert detail.indicators.frame["指标编号"].tolist() == ["T01-1", "T01-2"]
    # a task outside the filters is not shown even when the URL asks for it
    detail = view_at(plan, frames_at("2014Q2", {"T02"}), requested_task="T03", lang="en").detail
    assert detail.choices.options == ("T02",) and detail.choices.default == "T02"
    assert (detail.heading, detail.units_label) == ("Task detail", "Responsible units (★ lead)")
    assert detail.units_text == "★市财政局（Lead）"


def test_no_task_in_view_says_so(plan, frames_at):
    view = view_at(plan, frames_at("2014Q2", set()))
    assert view.notice == "当前筛选条件下没有任务。"
    assert view.detail is None and view.section_parts == () and view.chart is None


def county_detail(plan, store, as_of, lang="zh"):
    """The T01 detail of the county plan at `as_of`, from the store's figures by unit."""
    figures = store.current_values()
    status = indicator_status(plan, figures, as_of)
    tasks = task_completion(plan, status)
    view = sections_view(
        plan, status, tasks, section_completion(plan, tasks), has_figures=True,
        requested_task="T01", as_of=as_of, lang=lang, sample_in_use=False,
        unit_figures=headline_figures(plan, figures).by_unit,
    )  # fmt: skip
    return view.detail


def test_a_tasks_breakdown_lists_each_units_latest_figure_the_city_first(county_plan, county_store):
    store, send = county_store
    send([("T01-1", "2014Q3", 31)], "市水务局", datetime(2014, 10, 9, 1, tzinfo=UTC))
    # 20:00 UTC is the next morning in the offices' time (UTC+8)
    send([("T01-1", "2014Q3", 3)], "鼎湖区", datetime(2014, 10, 9, 20, tzinfo=UTC))
    send([("T01-1", "2014Q3", 5)], "怀集县政府", datetime(2014, 10, 10, 2, tzinfo=UTC))
    detail = county_detail(county_plan, store, "2014Q3")
    # the headline is the city's figure: the counties' never replace it
    assert detail.indicators.frame[["指标编号", "完成值"]].values.tolist()[0] == ["T01-1", 31.0]
    assert detail.breakdown_label == "各单位报送数据（截至 2014Q3）"
    assert detail.breakdown.key == "task_breakdown"
    assert detail.breakdown.headings == [
        "指标编号", "指标名称", "数据来源单位", "数据性质", "报告期", "完成值", "上传日期",
        "进展情况",
    ]  # fmt: skip
    rows = detail.breakdown.frame.drop(columns=["指标名称", "进展情况"]).values.tolist()
    assert rows == [
        ["T01-1", "市水务局", "全市数据", "2014Q3", 31.0, "2014-10-09"],
        ["T01-1", "鼎湖区政府", "分项（本地区）", "2014Q3", 3.0, "2014-10-10"],
        ["T01-1", "怀集县政府", "分项（本地区）", "2014Q3", 5.0, "2014-10-10"],
    ]
    assert detail.breakdown_note is None


def test_a_headline_that_is_a_sum_of_the_areas_says_so_and_names_those_missing(
    county_plan, county_store
):
    store, send = county_store
    send([("T01-1", "2014Q4", 40)], "鼎湖区", datetime(2015, 1, 9, tzinfo=UTC))
    detail = county_detail(county_plan, store, "2014Q4")
    frame = detail.breakdown.frame
    assert "口径" in detail.breakdown.headings
    assert frame[["数据来源单位", "数据性质", "报告期", "完成值", "口径"]].values.tolist() == [
        ["各县区", "全市数据", "2014Q4", 40.0, "各县区合计，缺：怀集县政府"],
        ["鼎湖区政府", "分项（本地区）", "2014Q4", 40.0, ""],
    ]
    assert frame.loc[0, "上传日期"] == "2015-01-09"
    # the indicator's reason says its figure is a sum, in the at-risk list's words too
    reason = detail.indicators.frame.set_index("指标编号").loc["T01-1", "原因"]
    assert reason.endswith("（各县区合计，缺：怀集县政府）")
    english = county_detail(county_plan, store, "2014Q4", lang="en").breakdown.frame
    assert english.loc[0, ["Figure from", "Basis"]].tolist() == [
        "the areas",
        "sum of the areas; missing: 怀集县政府",
    ]


def test_a_breakdown_before_any_figure_says_there_is_none(county_plan, county_store):
    store, send = county_store
    send([("T01-1", "2014Q3", 31)], "市水务局", datetime(2014, 10, 9, tzinfo=UTC))
    detail = county_detail(county_plan, store, "2014Q2")
    assert detail.breakdown is None
    assert detail.breakdown_note == "该任务的指标截至本期尚无报送数据。"
