"""data/tasks_2014.yaml is faithful to 肇府办〔2014〕9号 and complete.

Task by task, the catalog is compared with tests/seed_document.py's independent reading of
the published text kept in data/zhaoqing_2014_key_tasks.txt; hard-coded spot checks, the
indicator rules, the unit registry and the frames are checked without the seed parser.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from seed_document import SEED_PATH, SeedSection, SeedTask, parse_seed

from lib.plan.loader import load_plan
from lib.plan.model import Plan
from lib.plan.units import resolve_unit

REPO = Path(__file__).resolve().parents[1]
TASK_COUNT = 39

SECTION_TITLES = [
    "开拓创新,加大改革攻坚力度",
    "转型升级,加快经济结构调整",
    "全力推进,加快枢纽门户城市建设",
    "扩容提质,提高新型城市化发展水平",
    "深化一体化,促进区域协调发展",
    "节源整治,切实加强生态保护",
    "强化建设,努力提高文化发展水平",
    "深化合作,提升开放型经济水平",
    "改善民生,大力发展社会事业",
    "强化保障,努力完成评估考核各项任务",
]
COUNTY_UNITS = [
    "端州区政府",
    "鼎湖区政府",
    "高要市政府",
    "四会市政府",
    "广宁县政府",
    "怀集县政府",
    "封开县政府",
    "德庆县政府",
]
DISTRICTS = {"端州区政府", "鼎湖区政府"}


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(REPO / "data" / "tasks_2014.yaml")


@pytest.fixture(scope="module")
def seed() -> tuple[list[SeedSection], list[SeedTask]]:
    return parse_seed(SEED_PATH)


def task_row(plan: Plan, task_id: str) -> pd.Series:
    [row] = [row for _, row in plan.tasks.iterrows() if row["task_id"] == task_id]
    return row


def task_units(plan: Plan, task_id: str) -> list[str]:
    rows = plan.responsibilities[plan.responsibilities["task_id"] == task_id]
    return list(rows.sort_values("position")["unit"])


def task_indicators(plan: Plan, task_id: str) -> pd.DataFrame:
    return plan.indicators[plan.indicators["task_id"] == task_id]


# --- against the seed document ----------------------------------------------------------------


def test_seed_has_ten_sections_and_39_tasks(seed) -> None:
    sections, tasks = seed
    assert [s.title for s in sections] == SECTION_TITLES
    assert [t.number for t in tasks] == list(range(1, TASK_COUNT + 1))


def test_sections_match_the_document(plan, seed) -> None:
    sections, _ = seed
    assert list(plan.sections["section_id"]) == [f"S{s.number:02d}" for s in sections]
    assert list(plan.sections["title"]) == [s.title for s in sections]
    assert list(plan.sections["section_no"]) == list(range(1, 11))


@pytest.mark.parametrize("number", range(1, TASK_COUNT + 1), ids=lambda n: f"T{n:02d}")
def test_task_matches_the_document(plan, seed, number: int) -> None:
    _, tasks = seed
    printed = tasks[number - 1]
    task_id = f"T{number:02d}"
    row = task_row(plan, task_id)
    assert row["task_no"] == number
    assert row["section_id"] == f"S{printed.section_number:02d}"
    assert row["title"] == printed.title
    assert row["text"] == printed.text
    assert task_units(plan, task_id) == list(printed.units)
    assert row["lead_unit"] == printed.units[0]


def test_every_task_of_the_document_is_in_the_catalog(plan, seed) -> None:
    _, tasks = seed
    assert list(plan.tasks["task_id"]) == [f"T{t.number:02d}" for t in tasks]


# --- spot checks that do not depend on the seed parser ---------------------------------------


def test_section_titles_exactly(plan) -> None:
    assert list(plan.sections["title"]) == SECTION_TITLES
    assert plan.sections.iloc[0]["section_id"] == "S01"
    assert plan.sections.iloc[0]["title"] == "开拓创新,加大改革攻坚力度"


def test_spot_checks_on_titles_and_units(plan) -> None:
    assert task_row(plan, "T01")["title"] == "加快转变政府职能"
    assert task_row(plan, "T01")["lead_unit"] == "市编办"
    assert task_units(plan, "T01")[0] == "市编办"
    assert "各县(市、区)政府" in task_units(plan, "T01")
    assert task_units(plan, "T17")[0] == "各县(市)政府"
    assert "各县(市、区)政府" not in task_units(plan, "T17")
    assert task_units(plan, "T13") == ["肇庆新区管委会"]
    assert task_units(plan, "T38") == ["各指标监测落实部门"]


def test_plan_meta(plan) -> None:
    assert plan.meta.document_number == "肇府办〔2014〕9号"
    assert plan.meta.issue_date == date(2014, 7, 9)
    assert (plan.meta.period_start, plan.meta.period_end) == (date(2014, 1, 1), date(2014, 12, 31))
    assert plan.meta.title == "实施珠三角规划纲要2014年重点工作任务安排"


# --- indicators -------------------------------------------------------------------------------


def test_every_task_has_an_indicator(plan) -> None:
    counts = plan.indicators.groupby("task_id").size()
    assert set(plan.tasks["task_id"]) == set(counts.index)
    assert counts.min() >= 1


@pytest.mark.parametrize("number", range(1, TASK_COUNT + 1), ids=lambda n: f"T{n:02d}")
def test_indicators_are_quoted_numbered_and_dated(plan, number: int) -> None:
    task_id = f"T{number:02d}"
    text = task_row(plan, task_id)["text"]
    indicators = task_indicators(plan, task_id)
    expected_ids = [f"{task_id}-{seq}" for seq in range(1, len(indicators) + 1)]
    assert list(indicators["indicator_id"]) == expected_ids
    for _, ind in indicators.iterrows():
        assert ind["source"] in text, ind["indicator_id"]
        if ind["kind"] == "quantity":
            assert format(ind["target"], "g") in ind["source"], ind["indicator_id"]
        else:
            assert ind["target"] == 100, ind["indicator_id"]
        assert pd.Timestamp("2014-01-01") <= ind["deadline"] <= pd.Timestamp("2014-12-31")


def quantity(plan: Plan, task_id: str, target: float, unit: str) -> pd.Series:
    """The one quantity indicator of a task with this target and unit."""
    rows = task_indicators(plan, task_id)
    found = rows[(rows["kind"] == "quantity") & (rows["target"] == target) & (rows["unit"] == unit)]
    assert len(found) == 1, f"{task_id}: {target} {unit} found {len(found)} times"
    return found.iloc[0]


def test_required_indicators_of_t01(plan) -> None:
    reduction = quantity(plan, "T01", 40, "%")
    assert reduction["baseline_note"] == "2011年底"
    assert "减少40%" in reduction["source"]
    assert "80%" in quantity(plan, "T01", 80, "%")["source"]
    assert "70%" in quantity(plan, "T01", 70, "%")["source"]
    village_points = quantity(plan, "T01", 2, "个")
    assert "2个以上村(居)网上办事点" in village_points["source"]


def test_required_indicators_of_t16_and_t21(plan) -> None:
    assert "83%" in quantity(plan, "T16", 83, "%")["source"]
    sanitary_towns = task_indicators(plan, "T16")
    sanitary_towns = sanitary_towns[sanitary_towns["source"].str.contains("省卫生镇")]
    assert list(sanitary_towns["target"]) == [6]
    assert "4649" in quantity(plan, "T21", 4649, "套")["source"]
    assert "4507" in quantity(plan, "T21", 4507, "套")["source"]


@pytest.mark.parametrize(
    ("target", "unit", "words"),
    [
        (1532.87, "万亩", "森林面积"),
        (5141.02, "万立方米", "森林蓄积量"),
        (11.44, "万亩", "生态景观林带"),
        (8.4, "万亩", "森林碳汇"),
        (103, "条", "村庄绿化美化"),
    ],
)
def test_forest_figures_of_t26(plan, target: float, unit: str, words: str) -> None:
    assert words in quantity(plan, "T26", target, unit)["source"]


# --- unit registry ----------------------------------------------------------------------------


def group_members(plan: Plan, group: str) -> list[str]:
    return list(plan.group_members.loc[plan.group_members["group"] == group, "member"])


def test_county_groups_and_their_members(plan) -> None:
    assert group_members(plan, "各县(市、区)政府") == COUNTY_UNITS
    assert group_members(plan, "各县(市)政府") == [u for u in COUNTY_UNITS if u not in DISTRICTS]
    kinds = plan.units.set_index("unit")["kind"]
    assert kinds["各县(市、区)政府"] == kinds["各县(市)政府"] == "group"
    assert {kinds[u] for u in COUNTY_UNITS} == {"county_government"}


def test_pseudo_units_are_groups_without_members(plan) -> None:
    kinds = plan.units.set_index("unit")["kind"]
    assert kinds["各指标监测落实部门"] == "group"
    assert group_members(plan, "各指标监测落实部门") == []


def test_every_responsible_unit_is_registered(plan) -> None:
    assert set(plan.responsibilities["unit"]) <= set(plan.units["unit"])
    assert set(plan.group_members["member"]) <= set(plan.units["unit"])


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("市发改局", "市发展改革局"),
        ("肇庆市发展和改革局", "市发展改革局"),
        ("市发展改革局", "市发展改革局"),
        (" 市发改局 ", "市发展改革局"),
        ("市 发改局", "市发展改革局"),
        ("市发改局\u3000", "市发展改革局"),
        ("各县（市、区）政府", "各县(市、区)政府"),
        ("各县 (市、区) 政府", "各县(市、区)政府"),
        ("各县（市）政府", "各县(市)政府"),
        ("ＸＸ局", None),
        ("市发改", None),
    ],
)
def test_resolve_unit(plan, written: str, canonical: str | None) -> None:
    assert resolve_unit(plan, written) == canonical


def answerable_units(plan: Plan, task_id: str) -> set[str]:
    """Units listed on a task plus the members of the groups listed, read off the frames."""
    listed = set(plan.responsibilities.loc[plan.responsibilities["task_id"] == task_id, "unit"])
    members = plan.group_members.loc[plan.group_members["group"].isin(listed), "member"]
    return listed | set(members)


def test_groups_on_a_task_answer_through_their_members(plan) -> None:
    t01 = answerable_units(plan, "T01")
    assert {"市编办", "各县(市、区)政府", "鼎湖区政府", "端州区政府", "德庆县政府"} <= t01
    t17 = answerable_units(plan, "T17")
    assert {"各县(市)政府", "高要市政府", "德庆县政府"} <= t17
    assert not DISTRICTS & t17
    assert answerable_units(plan, "T13") == {"肇庆新区管委会"}


# --- frames -----------------------------------------------------------------------------------


def test_responsibilities_put_the_lead_first(plan) -> None:
    resp = plan.responsibilities
    for task_id, rows in resp.groupby("task_id"):
        rows = rows.sort_values("position")
        assert list(rows["position"]) == list(range(1, len(rows) + 1)), task_id
        assert list(rows["role"]) == ["lead"] + ["partner"] * (len(rows) - 1), task_id
        assert rows.iloc[0]["unit"] == task_row(plan, task_id)["lead_unit"], task_id
    assert (resp["role"] == "lead").sum() == TASK_COUNT


def test_responsibility_counts_match_tasks(plan) -> None:
    per_task = plan.responsibilities.groupby("task_id").size()
    unit_counts = plan.tasks.set_index("task_id")["unit_count"]
    assert per_task.to_dict() == unit_counts.to_dict()
    assert len(plan.responsibilities) == unit_counts.sum()
    lead_of_task = plan.tasks.set_index("task_id")["lead_unit"]
    assert list(plan.indicators["lead_unit"]) == list(plan.indicators["task_id"].map(lead_of_task))
