"""The task list's view model: every task in view, narrowed by the search."""

from __future__ import annotations

from lib.services.views.tasks import tasks_view


def test_every_task_in_view_without_a_search(plan, frames_at):
    view = tasks_view(plan, frames_at("2014Q2").tasks, "", "zh")
    assert view.notice is None
    table = view.table
    assert (table.key, table.height) == ("task_list", "auto")  # fitted to its rows
    assert table.headings == [
        "任务编号", "分节", "任务", "牵头单位", "指标数", "完成度", "应达进度", "状态",
    ]  # fmt: skip
    assert table.frame["任务编号"].tolist() == ["T01", "T02", "T03"]
    assert table.frame.loc[2, ["完成度", "状态"]].tolist() == [0.0, "未报送"]


def test_search_by_text_or_unit(plan, frames_at):
    tasks = frames_at("2014Q2").tasks
    assert tasks_view(plan, tasks, "D设施", "zh").table.frame["任务编号"].tolist() == ["T03"]
    by_unit = tasks_view(plan, tasks, "市财政局", "zh").table.frame["任务编号"].tolist()
    assert by_unit == ["T01", "T02"]
    # a hit outside the filters is not listed
    in_view = frames_at("2014Q2", {"T01"}).tasks
    assert tasks_view(plan, in_view, "D设施", "en").notice == "No task matches the search."


def test_nothing_in_view_without_a_search_says_the_filters_match_nothing(plan, frames_at):
    view = tasks_view(plan, frames_at("2014Q2", set()).tasks, "", "en")
    assert view.table is None and view.notice == "No task matches the current filters."
