"""Precision and recall of a draft against a hand-checked answer, on small hand-made plans
whose scores are known."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from lib.drafting.scoring import (
    DocumentScores,
    document_scores,
    findings_text,
    matched_tasks,
    scores_table,
)

EXPECTED = {
    "document": "sample.txt",
    "lead_rule": "first_listed",
    "tasks": [
        {
            "key": "加快转变政府职能",
            "number": "(一)",
            "units": ["市编办", "各县(市、区)政府", "肇庆新区管委会"],
            "lead": "市编办",
            "targets": [
                {"value": 40, "unit": "%", "deadline": date(2014, 12, 31)},
                {"value": None, "unit": "milestone", "deadline": date(2014, 6, 30)},
            ],
        },
        {
            "key": "深化财税体制改革",
            "number": "(二)",
            "units": ["市财政局", "市国资委"],
            "lead": "市财政局",
            "targets": [{"value": 1532.87, "unit": "万亩", "deadline": date(2014, 12, 31)}],
        },
        {
            "key": "发展目标",
            "number": "(三)",
            "units": [],
            "lead": None,
            "targets": [],
        },
    ],
}


def indicator(kind, target, unit, deadline):
    return {"kind": kind, "target": target, "unit": unit, "deadline": deadline}


def perfect_draft() -> dict:
    return {
        "draft": {"lead_rule": {"rule": "first_listed", "evidence": "列为第一的为牵头单位"}},
        "sections": [
            {
                "title": "开拓创新",
                "tasks": [
                    {
                        "title": "加快转变政府职能",
                        "text": "编制政府职能部门权责清单。",
                        "units": ["市编办", "各县（市、区）政府", "肇庆新区 管委会"],
                        "indicators": [
                            indicator("quantity", 40, "%", "2014-12-31"),
                            indicator("milestone", 100, "%", date(2014, 6, 30)),
                        ],
                    },
                    {
                        "title": "深化财税体制改革",
                        "text": "建立全口径的预算编报体系。",
                        "units": ["市财政局", "市国资委"],
                        "indicators": [
                            indicator("quantity", 1532.8700000001, "万亩", "2014-12-31")
                        ],
                    },
                ],
            },
            {
                "title": "发展目标",
                "tasks": [
                    {"title": "发展目标", "text": "到2020年。", "units": [], "indicators": []}
                ],
            },
        ],
    }


def first_task(draft: dict) -> dict:
    return draft["sections"][0]["tasks"][0]


def test_a_perfect_draft_scores_one_everywhere_with_brackets_and_spaces_normalised():
    scores = document_scores(perfect_draft(), EXPECTED)
    for name, measure in scores.measures().items():
        assert (measure.precision, measure.recall) == (1.0, 1.0), name
    assert (scores.tasks.correct, scores.tasks.drafted, scores.tasks.expected) == (3, 3, 3)
    assert (scores.units.correct, scores.units.expected) == (7 - 2, 5)
    assert (scores.leads.correct, scores.leads.drafted, scores.leads.expected) == (2, 2, 2)
    assert (scores.targets.correct, scores.targets.expected) == (3, 3)
    assert scores.target_deadlines.agreeing == scores.target_deadlines.compared == 2
    assert scores.findings == ()


def test_a_missed_task_lowers_task_recall_only():
    draft = perfect_draft()
    del draft["sections"][0]["tasks"][1]
    scores = document_scores(draft, EXPECTED)
    assert (scores.tasks.precision, scores.tasks.recall) == (1.0, pytest.approx(2 / 3))
    # leads, units and targets are counted over the matched tasks
    assert scores.units.recall == 1.0 and scores.leads.recall == 1.0
    assert [(f.measure, f.kind, f.task) for f in scores.findings] == [
        ("tasks", "missed", "(二)深化财税体制改革")
    ]


def test_an_extra_task_lowers_task_precision_only():
    draft = perfect_draft()
    draft["sections"][1]["tasks"].insert(0, {"title": "指导思想", "text": "以…为指导。"})
    scores = document_scores(draft, EXPECTED)
    assert (scores.tasks.precision, scores.tasks.recall) == (pytest.approx(3 / 4), 1.0)
    assert [(f.measure, f.kind, f.task) for f in scores.findings] == [
        ("tasks", "extra", "指导思想")
    ]


def test_an_extra_unit_lowers_unit_precision_and_a_missed_unit_lowers_recall():
    draft = perfect_draft()
    first_task(draft)["units"].append("市监察局")
    scores = document_scores(draft, EXPECTED)
    assert (scores.units.correct, scores.units.drafted, scores.units.expected) == (5, 6, 5)
    assert (scores.units.precision, scores.units.recall) == (pytest.approx(5 / 6), 1.0)

    draft = perfect_draft()
    # a county group split at its 、 is two wrong units and one missed
    first_task(draft)["units"][1:2] = ["各县(市", "区)政府"]
    scores = document_scores(draft, EXPECTED)
    assert (scores.units.correct, scores.units.drafted, scores.units.expected) == (4, 6, 5)
    kinds = sorted((f.kind, f.detail) for f in scores.findings if f.measure == "units")
    assert kinds == [("extra", "区)政府"), ("extra", "各县(市"), ("missed", "各县(市、区)政府")]


def test_a_wrong_lead_counts_against_both_lead_precision_and_recall():
    draft = perfect_draft()
    first_task(draft)["units"] = ["肇庆新区管委会", "市编办", "各县(市、区)政府"]
    scores = document_scores(draft, EXPECTED)
    assert (scores.leads.correct, scores.leads.drafted, scores.leads.expected) == (1, 2, 2)
    # the same units in another order are still all the units
    assert scores.units.precision == scores.units.recall == 1.0
    [finding] = [f for f in scores.findings if f.measure == "leads"]
    assert (finding.kind, finding.detail) == ("wrong", "expected 市编办, drafted 肇庆新区管委会")


def test_a_draft_that_states_no_lead_rule_drafts_no_leads():
    draft = perfect_draft()
    draft["draft"]["lead_rule"] = {"rule": "none", "evidence": "no sentence names a lead"}
    scores = document_scores(draft, EXPECTED)
    assert (scores.leads.correct, scores.leads.drafted, scores.leads.expected) == (0, 0, 2)
    assert (scores.leads.precision, scores.leads.recall) == (1.0, 0.0)


def test_a_lead_where_the_document_names_none_lowers_lead_precision():
    expected = copy.deepcopy(EXPECTED)
    expected["tasks"][1]["lead"] = None
    scores = document_scores(perfect_draft(), expected)
    assert (scores.leads.correct, scores.leads.drafted, scores.leads.expected) == (1, 2, 1)
    [finding] = [f for f in scores.findings if f.measure == "leads"]
    assert finding.kind == "extra"


def test_targets_are_matched_by_value_and_unit_and_milestones_by_deadline():
    draft = perfect_draft()
    first_task(draft)["indicators"] = [
        indicator("quantity", 40, "个", "2014-12-31"),  # wrong unit: extra, and 40 % missed
        indicator("milestone", 100, "%", "2014-12-31"),  # wrong deadline: extra and missed
        indicator("quantity", 80, "%", "2014-12-31"),  # not in the text: extra
    ]
    scores = document_scores(draft, EXPECTED)
    assert (scores.targets.correct, scores.targets.drafted, scores.targets.expected) == (1, 4, 3)
    found = sorted((f.kind, f.detail) for f in scores.findings if f.measure == "targets")
    assert found == [
        ("extra", "40 个 (2014-12-31)"),
        ("extra", "80 % (2014-12-31)"),
        ("extra", "milestone 2014-12-31"),
        ("missed", "40 % (2014-12-31)"),
        ("missed", "milestone 2014-06-30"),
    ]


def test_a_quantity_with_another_deadline_still_matches_but_the_deadline_disagrees():
    draft = perfect_draft()
    first_task(draft)["indicators"][0]["deadline"] = "2014-06-30"
    scores = document_scores(draft, EXPECTED)
    assert scores.targets.recall == 1.0
    assert (scores.target_deadlines.agreeing, scores.target_deadlines.compared) == (1, 2)
    [finding] = [f for f in scores.findings if f.measure == "deadlines"]
    assert finding.detail == "40 % (2014-12-31): drafted 2014-06-30"


def test_a_target_without_a_deadline_in_the_text_is_not_compared_on_its_deadline():
    expected = copy.deepcopy(EXPECTED)
    expected["tasks"][1]["targets"][0]["deadline"] = None
    scores = document_scores(perfect_draft(), expected)
    assert (scores.target_deadlines.agreeing, scores.target_deadlines.compared) == (1, 1)


def test_two_equal_targets_need_two_drafted_indicators():
    expected = copy.deepcopy(EXPECTED)
    expected["tasks"][1]["targets"].append(
        {"value": 1532.87, "unit": "万亩", "deadline": date(2014, 12, 31)}
    )
    scores = document_scores(perfect_draft(), expected)
    assert (scores.targets.correct, scores.targets.expected) == (3, 4)


def test_a_task_is_found_by_its_key_near_the_start_of_its_title_or_text():
    expected = [{"key": "加快转变政府职能"}, {"key": "目标"}, {"key": "人才公寓"}]
    drafted = [
        {"title": "（一）加快转变政府职能", "text": "…"},  # a number left in the title
        {"title": "编制", "text": "人才公寓。统筹各类产业园区"},  # the key opens the text
        {"title": "建设目标", "text": "…"},  # near the start: answers 目标
        {"title": "目标", "text": "…"},  # exact title: wins over the near one
    ]
    assert matched_tasks(expected, drafted) == {0: 0, 1: 3, 2: 1}
    far = [{"title": "统筹各类产业园区以及企事业单位等方面资源，建设人才公寓", "text": ""}]
    assert matched_tasks([{"key": "人才公寓"}], far) == {}


def test_nothing_to_find_and_nothing_drafted_scores_one():
    scores = document_scores({"sections": []}, {"document": "empty.txt", "tasks": []})
    assert all(m.precision == m.recall == 1.0 for m in scores.measures().values())


def test_the_table_gives_each_measure_with_its_counts():
    draft = perfect_draft()
    first_task(draft)["units"].append("市监察局")
    table = scores_table([document_scores(draft, EXPECTED)])
    header, rule, row = table.splitlines()
    assert header.startswith("| document | tasks P | tasks R | leads P | leads R | units P |")
    assert rule.count("---") == 10
    assert row == (
        "| `sample.txt` | 1.00 (3/3) | 1.00 (3/3) | 1.00 (2/2) | 1.00 (2/2) "
        "| 0.83 (5/6) | 1.00 (5/5) | 1.00 (3/3) | 1.00 (3/3) | 1.00 (2/2) |"
    )


def test_findings_text_lists_each_difference_on_its_line():
    draft = perfect_draft()
    first_task(draft)["units"].append("市监察局")
    scores: DocumentScores = document_scores(draft, EXPECTED)
    assert findings_text(scores) == (
        "sample.txt:\n  units     extra  (一)加快转变政府职能: 市监察局\n"
    )


def test_a_milestone_with_a_quoted_clause_must_be_drafted_from_that_clause():
    expected = copy.deepcopy(EXPECTED)
    expected["tasks"][0]["targets"][1]["source"] = "上半年建成乡镇(街道)网上办事站"
    draft = perfect_draft()
    milestone = first_task(draft)["indicators"][1]

    milestone["source"] = "上半年建成乡镇（街道）网上办事站"  # the clause, brackets full-width
    assert document_scores(draft, expected).targets.recall == 1.0
    milestone["source"] = (
        "加强省网上办事大厅肇庆分厅与各部门的对接运行，上半年建成乡镇(街道)网上办事站"
    )
    assert document_scores(draft, expected).targets.recall == 1.0
    milestone["source"] = "上半年建成乡镇(街道)网上办事"  # cut a character short
    assert document_scores(draft, expected).targets.recall == 1.0

    milestone["source"] = "上半年出台市级财政专项资金管理办法"  # same deadline, another clause
    scores = document_scores(draft, expected)
    assert (scores.targets.correct, scores.targets.expected) == (2, 3)
    found = sorted((f.kind, f.detail) for f in scores.findings if f.measure == "targets")
    assert found == [
        ("extra", "milestone 2014-06-30 上半年出台市级财政专项资金管理办法"),
        ("missed", "milestone 2014-06-30 上半年建成乡镇(街道)网上办事站"),
    ]
