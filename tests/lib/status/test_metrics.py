"""The status model and its roll-ups on a four-task plan whose numbers are computed by hand.

Day counts run from the plan start to the end of the as-of day, both ends included:
2014Q1 ends on day 90, Q2 on day 181, Q3 on day 273; a deadline of 2014-06-30 is day 181
and 2014-12-31 is day 365. So an H1 indicator is expected 90/181 = 0.4972 done at Q1.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from lib.plan.loader import load_plan, parse_plan
from lib.plan.model import Plan
from lib.status.codes import STATUS_ORDER
from lib.status.indicators import (
    at_risk_indicators,
    indicator_status,
    latest_reported_period,
    status_changes,
)
from lib.status.rollups import filter_scope, overall_summary, section_completion, task_completion
from lib.status.trend import completion_trend
from lib.status.units import heaviest_heatmap_cells, responsibility_matrix, unit_workload
from lib.store.repository import CURRENT_COLUMNS as PROGRESS_COLUMNS
from tests.support import TEST_PLAN_HEADER

REPO = Path(__file__).resolve().parents[3]

PLAN_YAML = (
    TEST_PLAN_HEADER
    + """
thresholds: {amber_gap: 0.10, red_gap: 0.25, lead_weight: 1.0, partner_weight: 0.5}
units:
  - {name: 市发改局, kind: municipal_department}
  - {name: 市财政局, kind: municipal_department}
  - {name: 市环保局, kind: municipal_department}
  - {name: 甲县政府, kind: county_government}
  - {name: 乙县政府, kind: county_government}
  - {name: 各县政府, kind: group, members: [甲县政府, 乙县政府], aliases: [各县人民政府]}
  - {name: 各有关部门, kind: group}
sections:
  - id: S01
    title: 第一节,改革
    tasks:
      - id: T01
        title: 任务一
        text: 建成A项目100个。能耗降到80吨。年中完成B方案。
        units: [市发改局, 市财政局, 各县政府]
        indicators:
          - {id: T01-1, name: A项目, kind: quantity, target: 100, unit: 个,
             direction: increase, deadline: 2014-12-31, source: 建成A项目100个}
          - {id: T01-2, name: 能耗, kind: quantity, target: 80, baseline: 100, unit: 吨,
             direction: decrease, deadline: 2014-12-31, source: 能耗降到80吨}
          - {id: T01-3, name: B方案, kind: milestone, target: 100, unit: '%',
             direction: increase, deadline: 2014-06-30, source: 年中完成B方案}
      - id: T02
        title: 任务二
        text: 上半年C达到40。
        units: [市财政局, 甲县政府]
        indicators:
          - {id: T02-1, name: C数量, kind: quantity, target: 40, baseline: 10, unit: 个,
             direction: increase, deadline: 2014-06-30, source: 上半年C达到40}
  - id: S02
    title: 第二节,环境
    tasks:
      - id: T03
        title: 任务三
        text: 建成D设施10座。
        units: [各县政府, 甲县政府, 市环保局]
        indicators:
          - {id: T03-1, name: D设施, kind: quantity, target: 10, unit: 座,
             direction: increase, deadline: 2014-12-31, source: 建成D设施10座}
      - id: T04
        title: 任务四
        text: 完成E工程50公里。
        units: [市环保局, 各有关部门]
        indicators:
          - {id: T04-1, name: E工程, kind: quantity, target: 50, unit: 公里,
             direction: increase, deadline: 2014-12-31, source: 完成E工程50公里}
"""
)

E_YEAR = {"2014Q1": 90 / 365, "2014Q2": 181 / 365, "2014Q3": 273 / 365, "2014Q4": 1.0}
E_H1 = {"2014Q1": 90 / 181, "2014Q2": 1.0, "2014Q3": 1.0, "2014Q4": 1.0}

FIGURES = [
    ("T01-1", "2014Q1", 20.0),
    ("T01-1", "2014Q2", 45.0),
    ("T01-1", "2014Q3", 99.0),  # later than every as-of used below unless stated
    ("T01-2", "2014Q1", 98.0),
    ("T01-2", "2014Q2", 96.0),
    ("T01-3", "2014Q1", 30.0),
    ("T03-1", "2014Q1", 3.0),
    ("T03-1", "2014Q2", 12.0),
    ("T04-1", "2014Q1", 10.0),
    ("T04-1", "2014Q2", 19.0),
]


def progress_frame(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    """A store-shaped frame of current values; upload 1 holds Q1, upload 2 Q2, 3 Q3."""
    frame = pd.DataFrame(
        [
            {
                "indicator_id": ind,
                "period": period,
                "value": value,
                "note": f"note <{ind}>",
                "reporter": "",  # not recorded: the lead's whole-area figure
                "upload_id": int(period[-1]),
                "uploaded_at": pd.Timestamp("2014-10-15"),
                "uploaded_by": "analyst",
            }
            for ind, period, value in rows
        ],
        columns=PROGRESS_COLUMNS,
    )
    return frame.astype({"value": float, "upload_id": "int64"})


@pytest.fixture(scope="module")
def plan() -> Plan:
    return parse_plan(PLAN_YAML)


@pytest.fixture
def progress() -> pd.DataFrame:
    return progress_frame(FIGURES)


@pytest.fixture
def q2(plan, progress) -> pd.DataFrame:
    return indicator_status(plan, progress, "2014Q2").set_index("indicator_id")


def status_row(plan: Plan, progress: pd.DataFrame, as_of: str, indicator_id: str) -> pd.Series:
    status = indicator_status(plan, progress, as_of)
    return status.set_index("indicator_id").loc[indicator_id]


def plan_frames(plan: Plan) -> dict[str, pd.DataFrame]:
    names = ["sections", "tasks", "indicators", "units", "responsibilities", "group_members"]
    return {name: getattr(plan, name).copy(deep=True) for name in names}


def assert_plan_unchanged(plan: Plan, before: dict[str, pd.DataFrame]) -> None:
    for name, frame in before.items():
        assert_frame_equal(getattr(plan, name), frame)


# --- expected pace -----------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["2014Q1", "2014Q2", "2014Q3", "2014Q4"])
def test_expected_counts_days_to_the_deadline(plan, progress, as_of):
    status = indicator_status(plan, progress, as_of).set_index("indicator_id")
    assert status.loc["T01-1", "expected"] == pytest.approx(E_YEAR[as_of])
    assert status.loc["T01-3", "expected"] == pytest.approx(E_H1[as_of])


def test_h1_deadline_is_expected_half_done_at_q1_and_complete_at_q2(plan, progress):
    q1 = indicator_status(plan, progress, "2014Q1").set_index("indicator_id")
    assert q1.loc["T01-3", "expected"] == pytest.approx(90 / 181)
    assert q1.loc["T01-3", "expected"] == pytest.approx(0.49724, abs=1e-5)


# --- progress and the status rules -------------------------------------------------------------


def test_increase_indicator_on_track(q2):
    row = q2.loc["T01-1"]
    assert row["value"] == 45.0 and row["value_period"] == "2014Q2"  # the Q3 figure is ignored
    assert row["progress"] == pytest.approx(0.45)
    assert row["gap"] == pytest.approx(181 / 365 - 0.45)
    assert row["status"] == "on_track"
    assert row["reason_zh"] == "进度正常" and row["reason_en"] == "on track"
    assert not row["stale"]
    assert row["upload_id"] == 2


def test_decrease_indicator_uses_the_mirror_ratio(q2):
    row = q2.loc["T01-2"]
    assert row["progress"] == pytest.approx((100 - 96) / (100 - 80))  # 0.2
    assert row["gap"] == pytest.approx(181 / 365 - 0.2)  # 0.296 > red gap 0.25
    assert row["status"] == "behind"
    assert row["reason_zh"] == "落后预期 30 个百分点"
    assert row["reason_en"] == "30 points behind expected pace"


def test_watch_between_amber_and_red(q2):
    row = q2.loc["T04-1"]
    assert row["progress"] == pytest.approx(19 / 50)
    assert row["gap"] == pytest.approx(181 / 365 - 0.38)  # 0.116
    assert row["status"] == "watch"
    assert row["reason_zh"] == "落后预期 12 个百分点"


def test_met_above_target_is_not_capped_for_display(q2):
    row = q2.loc["T03-1"]
    assert row["progress"] == pytest.approx(1.2)
    assert row["progress_capped"] == 1.0
    assert row["status"] == "met"
    assert row["reason_zh"] == "已完成" and row["reason_en"] == "target met"


def test_milestone_h1_at_q1_q2_q3(plan, progress):
    by_period = {
        as_of: status_row(plan, progress, as_of, "T01-3")
        for as_of in ("2014Q1", "2014Q2", "2014Q3")
    }
    q1, q2, q3 = by_period["2014Q1"], by_period["2014Q2"], by_period["2014Q3"]
    assert q1["progress"] == pytest.approx(0.30)  # value / 100
    assert q1["gap"] == pytest.approx(90 / 181 - 0.3)  # 0.197: watch
    assert (q1["status"], q1["stale"]) == ("watch", False)
    assert q1["reason_zh"] == "落后预期 20 个百分点"
    # Q2: due today, expected complete, figure still from Q1 -> behind and stale
    assert q2["expected"] == 1.0
    assert (q2["status"], q2["stale"]) == ("behind", True)
    assert q2["reason_zh"] == "落后预期 70 个百分点（数据为 2014年第一季度）"
    assert q2["reason_en"] == "70 points behind expected pace (figure from 2014 Q1)"
    # Q3: the deadline has passed
    assert q3["status"] == "overdue"
    assert q3["reason_zh"] == "已逾期（时限 2014-06-30）（数据为 2014年第一季度）"
    assert q3["reason_en"] == "overdue (due 2014-06-30) (figure from 2014 Q1)"


def test_milestone_met_when_finished_late(plan, progress):
    finished = pd.concat([progress, progress_frame([("T01-3", "2014Q3", 100.0)])])
    row = status_row(plan, finished, "2014Q3", "T01-3")
    assert row["status"] == "met"  # met wins over overdue
    assert row["forecast"] == 100.0  # figure dated after the deadline: the figure itself


def test_missing_report_then_overdue(plan, progress):
    statuses = {
        as_of: status_row(plan, progress, as_of, "T02-1")
        for as_of in ("2014Q1", "2014Q2", "2014Q3")
    }
    assert statuses["2014Q1"]["status"] == "no_report"
    assert statuses["2014Q2"]["status"] == "no_report"  # due on the as-of day: not yet overdue
    assert statuses["2014Q3"]["status"] == "overdue"
    assert statuses["2014Q1"]["reason_zh"] == "本期未报送"
    assert statuses["2014Q1"]["reason_en"] == "no report this period"
    assert statuses["2014Q3"]["reason_zh"] == "已逾期（时限 2014-06-30），未报送数据"
    for row in statuses.values():
        assert math.isnan(row["value"]) and math.isnan(row["progress"])
        assert math.isnan(row["gap"]) and math.isnan(row["forecast"])
        assert row["progress_capped"] == 0.0 and not row["stale"]
        assert row["upload_id"] is pd.NA


@pytest.mark.parametrize(
    ("value", "status"),
    [(90.0, "on_track"), (89.0, "watch"), (75.0, "watch"), (74.0, "behind"), (100.0, "met")],
)
def test_thresholds_are_strict(plan, value, status):
    # At Q2 the H1 milestone is expected complete: gap = 1 - value/100.
    figures = progress_frame([("T01-3", "2014Q2", value)])
    row = status_row(plan, figures, "2014Q2", "T01-3")
    assert row["status"] == status


def test_needed_per_quarter(plan, progress, q2):
    assert q2.loc["T01-1", "needed_per_quarter"] == pytest.approx((100 - 45) / 2)
    assert q2.loc["T01-2", "needed_per_quarter"] == pytest.approx((96 - 80) / 2)  # to shed
    assert q2.loc["T04-1", "needed_per_quarter"] == pytest.approx((50 - 19) / 2)
    assert q2.loc["T03-1", "needed_per_quarter"] == 0.0  # met
    assert math.isnan(q2.loc["T01-3", "needed_per_quarter"])  # due now: no quarter remains
    assert q2.loc["T01-1", "remaining_quarters"] == 2
    q1 = indicator_status(plan, progress, "2014Q1").set_index("indicator_id")
    assert q1.loc["T01-3", "needed_per_quarter"] == pytest.approx(100 - 30)
    assert q1.loc["T02-1", "needed_per_quarter"] == pytest.approx(40 - 10)  # baseline stands in


def test_forecast_extends_the_line_from_start(plan, progress, q2):
    assert q2.loc["T01-1", "forecast"] == pytest.approx(45 * 365 / 181)  # 90.75
    assert q2.loc["T01-2", "forecast"] == pytest.approx(100 - 4 * 365 / 181)  # 91.93
    assert q2.loc["T01-3", "forecast"] == pytest.approx(30 * 181 / 90)  # Q1 figure, H1 deadline
    assert q2.loc["T03-1", "forecast"] == pytest.approx(12 * 365 / 181)


def test_status_frame_shape_and_order(plan, progress):
    status = indicator_status(plan, progress, "2014Q2")
    assert list(status.columns[:25]) == [
        "indicator_id", "task_id", "section_id", "name", "kind", "unit", "target", "baseline",
        "direction", "deadline", "lead_unit", "source", "value", "value_period", "upload_id",
        "progress", "progress_capped", "expected", "gap", "status", "stale", "reason_zh",
        "reason_en", "needed_per_quarter", "forecast",
    ]  # fmt: skip
    assert list(status["indicator_id"]) == list(plan.indicators["indicator_id"])
    assert set(status["status"]) <= set(STATUS_ORDER)
    assert status.loc[0, "task_title"] == "任务一"


def test_empty_progress_gives_no_report_everywhere(plan):
    empty = progress_frame([])
    status = indicator_status(plan, empty, "2014Q1")
    assert set(status["status"]) == {"no_report"}
    assert latest_reported_period(empty) is None
    assert completion_trend(plan, empty).empty
    later = indicator_status(plan, empty, "2014Q3").set_index("indicator_id")
    assert later.loc["T02-1", "status"] == "overdue"


def test_bad_period_is_rejected(plan, progress):
    with pytest.raises(ValueError, match="2014-06"):
        indicator_status(plan, progress, "2014-06")


# --- roll-ups --------------------------------------------------------------------------------


@pytest.fixture
def tasks(plan, q2) -> pd.DataFrame:
    return task_completion(plan, q2.reset_index())


def test_task_completion_means_capped_progress_and_takes_worst(tasks):
    by_id = tasks.set_index("task_id")
    assert list(tasks["task_id"]) == ["T01", "T02", "T03", "T04"]
    assert by_id.loc["T01", "completion"] == pytest.approx((0.45 + 0.2 + 0.3) / 3)
    assert by_id.loc["T01", "expected"] == pytest.approx((181 / 365 * 2 + 1.0) / 3)
    assert by_id.loc["T01", "status"] == "behind"
    assert (by_id.loc["T01", "n_behind"], by_id.loc["T01", "n_on_track"]) == (2, 1)
    assert by_id.loc["T01", "indicator_count"] == 3
    assert (by_id.loc["T02", "completion"], by_id.loc["T02", "status"]) == (0.0, "no_report")
    assert (by_id.loc["T03", "completion"], by_id.loc["T03", "status"]) == (1.0, "met")
    assert by_id.loc["T04", "status"] == "watch"
    assert [f"n_{s}" for s in STATUS_ORDER] == list(tasks.columns[-6:])


def test_section_completion_averages_tasks(plan, tasks):
    sections = section_completion(plan, tasks).set_index("section_id")
    assert sections.loc["S01", "completion"] == pytest.approx(((0.45 + 0.2 + 0.3) / 3 + 0) / 2)
    assert sections.loc["S01", "status"] == "behind"  # behind is worse than no_report
    assert sections.loc["S02", "completion"] == pytest.approx((1.0 + 0.38) / 2)
    assert sections.loc["S02", "status"] == "watch"
    assert sections.loc["S01", "task_count"] == 2
    assert (sections.loc["S01", "n_behind"], sections.loc["S01", "n_no_report"]) == (1, 1)


def test_overall_summary(tasks, q2):
    summary = overall_summary(q2.reset_index(), tasks)
    assert (summary["task_count"], summary["indicator_count"]) == (4, 6)
    assert summary["completion"] == pytest.approx(((0.95 / 3) + 0 + 1 + 0.38) / 4)
    assert summary["counts"] == {
        "overdue": 0, "behind": 2, "no_report": 1, "watch": 1, "on_track": 1, "met": 1,
    }  # fmt: skip


def test_rollups_work_on_subsets(plan, q2):
    subset = q2.reset_index()
    subset = subset[subset["task_id"].isin({"T03", "T04"})]
    tasks = task_completion(plan, subset)
    assert list(tasks["task_id"]) == ["T03", "T04"]
    sections = section_completion(plan, tasks)
    assert list(sections["section_id"]) == ["S02"]
    empty_tasks = task_completion(plan, subset.iloc[:0])
    assert empty_tasks.empty and "completion" in empty_tasks
    assert section_completion(plan, empty_tasks).empty
    assert unit_workload(plan, empty_tasks).empty
    assert responsibility_matrix(plan, empty_tasks).empty
    summary = overall_summary(subset.iloc[:0], empty_tasks)
    assert summary["task_count"] == 0 and math.isnan(summary["completion"])


# --- units -----------------------------------------------------------------------------------


def test_unit_workload_counts_and_weights(plan, tasks):
    load = unit_workload(plan, tasks)
    order = ["市财政局", "市环保局", "各县政府", "市发改局", "甲县政府", "各有关部门"]
    assert list(load["unit"]) == order  # by load, then lead count, then registry order
    by_unit = load.set_index("unit")
    assert by_unit.loc["市财政局", ["tasks_led", "tasks_partner"]].tolist() == [1, 1]
    assert by_unit.loc["市财政局", "weighted_load"] == 1.5
    assert by_unit.loc["市发改局", "indicators_led"] == 3
    assert by_unit.loc["市发改局", "tasks_behind_or_overdue"] == 1
    assert by_unit.loc["甲县政府", ["tasks_led", "tasks_partner", "weighted_load"]].tolist() == [
        0,
        2,
        1.0,
    ]
    assert by_unit.loc["甲县政府", "worst_status"] == "no_report"
    assert by_unit.loc["各有关部门", "worst_status"] == "watch"
    assert by_unit.loc["甲县政府", "kind"] == "county_government"
    assert "乙县政府" not in by_unit.index  # named on no task


def test_unit_workload_expands_groups_with_the_stronger_role(plan, tasks):
    load = unit_workload(plan, tasks, expand_groups=True).set_index("unit")
    assert "各县政府" not in load.index
    assert "各有关部门" in load.index  # a group without members stays
    # 甲县政府: partner on T01 (group) and T02 (own), lead on T03 (group lead beats own partner)
    assert load.loc["甲县政府", ["tasks_led", "tasks_partner"]].tolist() == [1, 2]
    assert load.loc["甲县政府", "weighted_load"] == 2.0
    assert load.loc["甲县政府", "tasks_behind_or_overdue"] == 1
    assert load.loc["乙县政府", ["tasks_led", "tasks_partner"]].tolist() == [1, 1]
    assert list(load.index[:4]) == ["甲县政府", "市财政局", "市环保局", "乙县政府"]


def test_responsibility_matrix_counts_lead_and_partner(plan, tasks):
    matrix = responsibility_matrix(plan, tasks).set_index(["unit", "section_id"])
    cell = matrix.loc[("市财政局", "S01")]
    assert (cell["lead_count"], cell["partner_count"], cell["load"]) == (1, 1, 1.5)
    assert cell["task_ids"] == "T01,T02"
    assert (cell["lead_task_ids"], cell["partner_task_ids"]) == ("T02", "T01")
    assert cell["worst_status"] == "behind"
    assert matrix.loc[("市环保局", "S02"), "task_ids"] == "T03,T04"
    assert matrix.loc[("甲县政府", "S02"), ["lead_count", "partner_count"]].tolist() == [0, 1]
    assert ("市发改局", "S02") not in matrix.index
    assert len(matrix) == 8
    expanded = responsibility_matrix(plan, tasks, expand_groups=True)
    expanded = expanded.set_index(["unit", "section_id"])
    assert expanded.loc[("甲县政府", "S02"), ["lead_count", "partner_count"]].tolist() == [1, 0]
    assert expanded.loc[("乙县政府", "S01"), "task_ids"] == "T01"


def test_heaviest_heatmap_cells_keeps_the_heaviest_units_and_their_sections(plan, tasks):
    matrix = responsibility_matrix(plan, tasks)
    whole = heaviest_heatmap_cells(matrix, None, None)
    assert not whole.is_partial
    assert (whole.units_shown, whole.units_total, whole.sections_shown) == (6, 6, 2)
    pd.testing.assert_frame_equal(whole.matrix, matrix)

    units = heaviest_heatmap_cells(matrix, 3, None)
    assert list(units.matrix["unit"].drop_duplicates()) == ["市财政局", "市环保局", "各县政府"]
    assert (units.units_shown, units.units_total, units.sections_shown) == (3, 6, 2)

    # among those three, S02 carries 1.5 + 1.0 and S01 1.5 + 0.5: S02 stays; 市财政局 has
    # nothing in S02, so two units are drawn, and the counts say so
    part = heaviest_heatmap_cells(matrix, 3, 1)
    assert part.is_partial
    assert part.matrix[["unit", "section_id"]].values.tolist() == [
        ["市环保局", "S02"],
        ["各县政府", "S02"],
    ]
    assert (part.units_shown, part.units_total, part.sections_shown, part.sections_total) == (
        2,
        6,
        1,
        2,
    )


# --- scope, lists, changes, trend --------------------------------------------------------------


def test_filter_scope(plan):
    assert filter_scope(plan, None, None, False) == {"T01", "T02", "T03", "T04"}
    assert filter_scope(plan, ["S02"], None, False) == {"T03", "T04"}
    assert filter_scope(plan, None, "甲县政府", False) == {"T01", "T02", "T03"}
    assert filter_scope(plan, None, "甲县政府", True) == {"T03"}  # via the group
    assert filter_scope(plan, None, "各县人民政府", False) == {"T01", "T03"}  # alias
    assert filter_scope(plan, ["S01"], "市环保局", False) == set()
    assert filter_scope(plan, ["S01"], "市财政局", True) == {"T02"}
    with pytest.raises(ValueError, match="不存在"):
        filter_scope(plan, None, "不存在", False)
    with pytest.raises(ValueError, match="S99"):
        filter_scope(plan, ["S99"], None, False)


def test_at_risk_worst_first_then_widest_gap(q2):
    risks = at_risk_indicators(q2.reset_index())
    assert list(risks["indicator_id"]) == ["T01-3", "T01-2", "T02-1", "T04-1"]
    assert list(risks["status"]) == ["behind", "behind", "no_report", "watch"]
    assert {"task_title", "lead_unit", "reason_zh", "needed_per_quarter"} <= set(risks.columns)


def test_status_changes_since_previous_quarter(plan, progress):
    changes = status_changes(plan, progress, "2014Q2")
    assert list(changes.columns[:4]) == ["indicator_id", "name", "previous_status", "status"]
    got = {row.indicator_id: (row.previous_status, row.status) for row in changes.itertuples()}
    assert got == {
        "T01-2": ("watch", "behind"),
        "T01-3": ("watch", "behind"),
        "T03-1": ("on_track", "met"),
        "T04-1": ("on_track", "watch"),
    }
    assert status_changes(plan, progress, "2014Q1").empty  # nothing before the plan


def test_latest_reported_period(progress):
    assert latest_reported_period(progress) == "2014Q3"
    assert latest_reported_period(progress[progress["period"] < "2014Q3"]) == "2014Q2"


def test_completion_trend_matches_the_status_rollup(plan, progress):
    trend = completion_trend(plan, progress)
    assert list(trend["period"]) == ["2014Q1", "2014Q2", "2014Q3"]
    q1 = trend.set_index("period").loc["2014Q1"]
    assert q1["completion"] == pytest.approx((0.2 + 0 + 0.3 + 0.2) / 4)
    q1_expected = ((90 / 365) * 2 + 90 / 181) / 3 + 90 / 181 + 90 / 365 + 90 / 365
    assert q1["expected"] == pytest.approx(q1_expected / 4)
    for period in trend["period"]:
        status = indicator_status(plan, progress, period)
        summary = overall_summary(status, task_completion(plan, status))
        row = trend.set_index("period").loc[period]
        assert row["completion"] == pytest.approx(summary["completion"])
        assert row["expected"] == pytest.approx(summary["expected"])
    limited = completion_trend(plan, progress, task_ids={"T04"})
    assert limited.set_index("period").loc["2014Q2", "completion"] == pytest.approx(0.38)


# --- purity ------------------------------------------------------------------------------------


def test_no_function_changes_its_inputs(plan, progress):
    plan_before, progress_before = plan_frames(plan), progress.copy(deep=True)
    status = indicator_status(plan, progress, "2014Q2")
    status_before = status.copy(deep=True)
    tasks = task_completion(plan, status)
    tasks_before = tasks.copy(deep=True)
    sections = section_completion(plan, tasks)
    overall_summary(status, tasks)
    for expand in (False, True):
        unit_workload(plan, tasks, expand_groups=expand)
        responsibility_matrix(plan, tasks, expand_groups=expand)
    at_risk_indicators(status)
    status_changes(plan, progress, "2014Q2")
    completion_trend(plan, progress)
    latest_reported_period(progress)
    filter_scope(plan, ["S01"], "甲县政府", True)
    assert_plan_unchanged(plan, plan_before)
    assert_frame_equal(progress, progress_before)
    assert_frame_equal(status, status_before)
    assert_frame_equal(tasks, tasks_before)
    assert not sections.empty


# --- the real plan -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_plan() -> Plan:
    return load_plan(REPO / "data" / "tasks_2014.yaml")  # a plan that does not load fails here


def test_real_plan_county_group_expands_to_eight_members(real_plan):
    status = indicator_status(real_plan, progress_frame([]), "2014Q2")
    tasks = task_completion(real_plan, status)
    assert len(tasks) == len(real_plan.tasks)
    grouped = unit_workload(real_plan, tasks).set_index("unit")
    expanded = unit_workload(real_plan, tasks, expand_groups=True).set_index("unit")
    group = "各县(市、区)政府"
    members = real_plan.group_members.loc[real_plan.group_members["group"] == group, "member"]
    assert len(members) == 8
    assert group in grouped.index and group not in expanded.index
    group_tasks = real_plan.responsibilities.query("unit == @group")["task_id"]
    for member in members:
        assert expanded.loc[member, "tasks_led"] + expanded.loc[member, "tasks_partner"] >= len(
            set(group_tasks)
        )
    assert filter_scope(real_plan, None, "端州区政府", False) >= set(group_tasks)
