"""Task search: which tasks match what a user typed, on the real plan."""

from __future__ import annotations

import pytest

from lib.plan.loader import load_plan
from lib.plan.search import matching_task_ids
from lib.services.settings import DEFAULT_PLAN_FILE


@pytest.fixture(scope="module")
def plan():
    return load_plan(DEFAULT_PLAN_FILE)


def test_empty_query_matches_every_task(plan):
    assert matching_task_ids(plan, "  ") == set(plan.tasks["task_id"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("T16", {"T16"}),
        ("污水处理率", {"T16"}),
        ("4649", {"T21"}),
        ("市林业局", {"T26"}),
        ("肇庆新区管委会 污水处理", {"T16", "T18"}),
        ("ｔ１６", {"T16"}),  # full-width id
    ],
)
def test_query_matches_id_text_and_units(plan, query, expected):
    assert matching_task_ids(plan, query) == expected


def test_unit_alias_finds_the_units_tasks(plan):
    by_alias = matching_task_ids(plan, "市发改局")
    listed = set(
        plan.responsibilities.loc[plan.responsibilities["unit"] == "市发展改革局", "task_id"]
    )
    assert by_alias == listed and "T02" in by_alias
