"""The units page's view model: heatmap options, heatmap, workload and a unit's scorecard."""

from __future__ import annotations

from datetime import UTC, datetime

from lib.services.views.units import units_controls, units_view
from lib.status.headline import headline_figures
from lib.status.indicators import indicator_status
from lib.status.rollups import task_completion


def view_at(plan, frames, *, lang="zh", max_units=60, color_by="load"):
    return units_view(
        plan, frames.status, frames.tasks, color_by=color_by, max_units=max_units,
        expand_groups=False, as_of="2014Q2", lang=lang, sample_in_use=False,
    )  # fmt: skip


def test_controls_offer_the_heatmap_options(frames_at):
    controls = units_controls(frames_at("2014Q2").tasks, "en")
    assert controls.notice is None
    assert controls.color_by.options == ("status", "load")
    assert controls.color_by.default == "status"  # a leader sees the risks first
    assert controls.color_by.label_of("status") == "By worst status"
    assert controls.units.options == (60, 30, 120, 0) and controls.units.default == 60
    assert [controls.units.label_of(n) for n in (60, 0)] == ["60", "All units"]
    assert units_controls(frames_at("2014Q2", set()).tasks, "zh").notice == (
        "当前筛选条件下没有任务。"
    )


def test_workload_table_and_the_units_heaviest_first(plan, frames_at):
    view = view_at(plan, frames_at("2014Q2"))
    assert view.units == ("市发改局", "市财政局", "市环保局")
    table = view.workload_table
    assert table.key == "workload"
    assert table.headings == [
        "责任单位", "类别", "牵头任务数", "配合任务数", "牵头指标数", "加权工作量",
        "落后/逾期任务数", "最差状态",
    ]  # fmt: skip
    assert table.frame["责任单位"].tolist() == list(view.units)
    assert table.frame["牵头任务数"].tolist() == [1, 1, 1]
    assert table.frame["类别"].tolist() == ["市直部门"] * 3
    assert (view.workload_heading, view.scorecard_heading) == ("责任单位工作量", "单位记分卡")
    assert view.heatmap.key == "responsibility_heatmap" and view.heatmap_note is None
    assert view.workload_chart.key == "unit_workload"


def test_a_heatmap_of_part_of_the_units_says_so(plan, frames_at):
    view = view_at(plan, frames_at("2014Q2"), max_units=1, color_by=None)
    assert list(view.heatmap.figure.data[0].y) == ["市发改局"]
    assert view.heatmap_note.startswith("热力图显示负荷最重的 1 个单位（共 3 个）")
    every = view_at(plan, frames_at("2014Q2"), max_units=0)
    assert len(every.heatmap.figure.data[0].y) == 3 and every.heatmap_note is None


def test_scorecard_of_a_unit(plan, frames_at):
    card = view_at(plan, frames_at("2014Q2"), lang="en").scorecard("市发改局")
    assert [(k.label, k.value) for k in card.kpis] == [
        ("Tasks led", 1),
        ("Tasks as partner", 1),
        ("Weighted load", "1.5"),  # one task led (weight 1), one as partner (0.5)
        ("Tasks behind/overdue", 1),
    ]
    assert card.tasks.key == "scorecard_tasks"
    assert card.tasks.headings == [
        "Task", "Task title", "Role", "Completion", "Expected", "Status",
    ]  # fmt: skip
    assert card.tasks.frame[["Task", "Role"]].values.tolist() == [
        ["T01", "Lead"],
        ["T03", "Partner"],
    ]


def test_who_reported_for_the_period(county_plan, county_store):
    store, send = county_store
    send([("T01-1", "2014Q3", 31), ("T01-2", "2014Q3", 81.2)], "市水务局", at(9, 1))
    send([("T01-1", "2014Q3", 3), ("T01-1", "2014Q4", 4)], "鼎湖区", at(9, 20))
    send([("T01-1", "2014Q3", 5), ("T01-2", "2014Q3", 70)], "怀集县", at(10, 2))
    figures = store.current_values()
    by_unit = headline_figures(county_plan, figures).by_unit

    def reported(as_of, lang="zh"):
        status = indicator_status(county_plan, figures, as_of)
        tasks = task_completion(county_plan, status)
        return units_view(
            county_plan, status, tasks, color_by="load", max_units=60, expand_groups=False,
            as_of=as_of, lang=lang, sample_in_use=False, unit_figures=by_unit,
        )  # fmt: skip

    view = reported("2014Q3")
    assert view.reported_heading == "本期报送情况（2014Q3）" and view.reported_note is None
    assert view.reported.key == "reported_units"
    assert view.reported.headings == [
        "责任单位", "类别", "报送数据数", "其中分项", "最近上传日期",
    ]  # fmt: skip
    # most figures first, then in registry order; dates in the offices' time (UTC+8)
    assert view.reported.frame.values.tolist() == [
        ["市水务局", "市直部门", 2, 0, "2014-10-09"],
        ["怀集县政府", "县(市、区)政府", 2, 2, "2014-10-10"],
        ["鼎湖区政府", "县(市、区)政府", 1, 1, "2014-10-10"],
    ]
    later = reported("2014Q4", lang="en")
    assert later.reported.frame.values.tolist() == [
        ["鼎湖区政府", "County/district government", 1, 1, "2014-10-10"]
    ]
    earlier = reported("2014Q2", lang="en")
    assert earlier.reported is None
    assert earlier.reported_note == "No unit has reported for 2014Q2 yet."


def at(day: int, hour: int) -> datetime:
    """An upload time in October 2014, UTC."""
    return datetime(2014, 10, day, hour, tzinfo=UTC)
