"""lib/plan: every validation rule, fed a broken YAML, names the right code, path and line.

Each case starts from MINIMAL_PLAN (a valid two-section plan) or the real catalog's text,
makes one targeted edit, and checks the PlanError lists exactly the expected problems. The
expected line is found by searching the edited text for the offending line, so it does not
rely on how lib/plan/source.py locates keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from lib.core.errors import PlanError, Problem
from lib.plan.loader import load_plan, parse_plan, plan_summary
from lib.plan.units import resolve_unit
from tests.support import FOREST_PLAN_YAML, forest_plan

REPO = Path(__file__).resolve().parents[3]
REAL_PLAN = REPO / "data" / "tasks_2014.yaml"

MINIMAL_PLAN = """\
# A two-section plan that passes every rule; each test breaks one thing in it.
schema_version: 1
plan:
  id: test-plan
  title: 测试计划
  issuer: 肇庆市人民政府办公室
  document_number: 肇府办〔2014〕9号
  issue_date: 2014-07-09
  period_start: 2014-01-01
  period_end: 2014-12-31
thresholds:
  amber_gap: 0.1
  red_gap: 0.25
units:
- name: 市发展改革局
  full_name: 肇庆市发展和改革局
  aliases:
  - 市发改局
  kind: municipal_department
- name: 市财政局
  kind: municipal_department
- name: 端州区政府
  kind: county_government
- name: 各县(市、区)政府
  kind: group
  members:
  - 端州区政府
sections:
- id: S01
  title: 开拓创新,加大改革攻坚力度
  tasks:
  - id: T01
    title: 加快转变政府职能
    text: 上半年建成乡镇(街道)网上办事站,城镇污水处理率力争提高到83%。
    units:
    - 市发展改革局
    - 各县(市、区)政府
    indicators:
    - id: T01-1
      name: 建成乡镇网上办事站
      kind: milestone
      target: 100
      unit: '%'
      direction: increase
      deadline: 2014-06-30
      source: 上半年建成乡镇(街道)网上办事站
    - id: T01-2
      name: 城镇污水处理率
      kind: quantity
      target: 83
      unit: '%'
      direction: increase
      baseline: 75
      baseline_note: 2013年底
      deadline: 2014-12-31
      source: 城镇污水处理率力争提高到83%
- id: S02
  title: 转型升级,加快经济结构调整
  tasks:
  - id: T02
    title: 深化财税体制改革
    text: 加强财政专项资金管理,出台市级财政专项资金管理办法。
    units:
    - 市财政局
    indicators:
    - id: T02-1
      name: 出台专项资金管理办法
      kind: milestone
      target: 100.0
      unit: '%'
      direction: increase
      deadline: 2014-11-30
      source: 出台市级财政专项资金管理办法
"""

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
IND_0 = "sections[0].tasks[0].indicators[0]"
IND_1 = "sections[0].tasks[0].indicators[1]"
IND_T02 = "sections[1].tasks[0].indicators[0]"


def edit(text: str, *replacements: tuple[str, str]) -> str:
    """Apply each (old, new) replacement; old must occur exactly once so the edit is targeted."""
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def line_of(text: str, pattern: str, nth: int = 0) -> int:
    """1-based number of the nth line matching the regex pattern."""
    hits = [no for no, line in enumerate(text.splitlines(), 1) if re.search(pattern, line)]
    assert len(hits) > nth, f"{pattern!r} matches {len(hits)} line(s)"
    return hits[nth]


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(PlanError) as info:
        parse_plan(text)
    assert info.value.problems, "PlanError without problems"
    return info.value.problems


def assert_bilingual(problem: Problem) -> None:
    """message_zh is Chinese; message_en is English apart from quoted names and the value."""
    assert problem.message_zh.strip() and CJK.search(problem.message_zh), problem
    english = re.sub(r"'[^']*'", "", problem.message_en)
    if problem.value:
        english = english.replace(problem.value, "")
    assert re.search(r"[A-Za-z]{3,}", english), problem
    assert not CJK.search(english), problem.message_en


def test_minimal_plan_is_valid() -> None:
    plan = parse_plan(MINIMAL_PLAN)
    assert plan_summary(plan) == "2 sections, 2 tasks, 3 indicators, 4 units"
    assert list(plan.responsibilities["unit"]) == ["市发展改革局", "各县(市、区)政府", "市财政局"]
    assert resolve_unit(plan, "市发改局") == "市发展改革局"


@dataclass(frozen=True)
class Case:
    """One broken plan: the edits, the problem it must raise, and where its key is."""

    edits: tuple[tuple[str, str], ...]
    code: str
    path: str
    line_pattern: str
    nth: int = 0
    also: tuple[tuple[str, str], ...] = field(default_factory=tuple)


CASES = {
    "unknown key (typo titel)": Case(
        (("    title: 加快转变政府职能", "    titel: 加快转变政府职能"),),
        "schema_extra_forbidden",
        "sections[0].tasks[0].titel",
        "titel:",
        also=(("schema_missing", "sections[0].tasks[0].title"),),
    ),
    "unknown key that starts with 'int'": Case(
        (
            (
                "      deadline: 2014-06-30\n",
                "      deadline: 2014-06-30\n      internal_note: 待核\n",
            ),
        ),
        "schema_extra_forbidden",
        f"{IND_0}.internal_note",
        "internal_note:",
    ),
    "unknown top-level key": Case(
        (("thresholds:\n", "threshold:\n"),),
        "schema_extra_forbidden",
        "threshold",
        "^threshold:",
    ),
    "missing indicator field": Case(
        (("      unit: '%'\n      direction: increase\n      deadline: 2014-06-30", ""),),
        "schema_missing",
        f"{IND_0}.unit",
        "- id: T01-1$",
        also=(
            ("schema_missing", f"{IND_0}.direction"),
            ("schema_missing", f"{IND_0}.deadline"),
        ),
    ),
    "missing plan field": Case(
        (("  document_number: 肇府办〔2014〕9号\n", ""),),
        "schema_missing",
        "plan.document_number",
        "^plan:",
    ),
    "duplicate section id": Case(
        (("- id: S02", "- id: S01"),),
        "duplicate_id",
        "sections[1].id",
        "- id: S01$",
        nth=1,
    ),
    "duplicate task id": Case(
        (("  - id: T02\n", "  - id: T01\n"),),
        "duplicate_id",
        "sections[1].tasks[0].id",
        "- id: T01$",
        nth=1,
        also=(("indicator_task_mismatch", f"{IND_T02}.id"),),
    ),
    "duplicate indicator id": Case(
        (("    - id: T01-2", "    - id: T01-1"),),
        "duplicate_id",
        f"{IND_1}.id",
        "- id: T01-1$",
        nth=1,
    ),
    "duplicate unit in registry": Case(
        (
            (
                "  kind: county_government\n",
                "  kind: county_government\n- name: 市财政局\n  kind: group\n",
            ),
        ),
        "duplicate_unit",
        "units[3].name",
        "name: 市财政局",
        nth=1,
    ),
    "duplicate unit written with full-width brackets": Case(
        (("sections:\n", "- name: 各县（市、区）政府\n  kind: group\nsections:\n"),),
        "duplicate_unit",
        "units[4].name",
        "name: 各县（市、区）政府",
    ),
    "task unit missing from registry": Case(
        (("    - 市财政局\n", "    - 市税务局\n"),),
        "unknown_unit",
        "sections[1].tasks[0].units[0]",
        "- 市税务局",
    ),
    "group member missing from registry": Case(
        (("  - 端州区政府\n", "  - 端州政府\n"),),
        "unknown_member",
        "units[3].members[0]",
        "- 端州政府",
    ),
    "members on a non-group": Case(
        (("- name: 市财政局\n", "- name: 市财政局\n  members:\n  - 端州区政府\n"),),
        "members_on_non_group",
        "units[1].members",
        "members:",
    ),
    "alias already another unit's alias": Case(
        (("- name: 市财政局\n", "- name: 市财政局\n  aliases:\n  - 市发改局\n"),),
        "ambiguous_alias",
        "units[1].aliases[0]",
        "- 市发改局",
        nth=1,
    ),
    "alias is another unit's name in full-width": Case(
        (("- name: 端州区政府\n", "- name: 端州区政府\n  aliases:\n  - 各县（市、区）政府\n"),),
        "ambiguous_alias",
        "units[2].aliases[0]",
        "- 各县（市、区）政府",
    ),
    "alias is another unit's full name": Case(
        (("- name: 市财政局\n", "- name: 市财政局\n  aliases:\n  - 肇庆市发展和改革局\n"),),
        "ambiguous_alias",
        "units[1].aliases[0]",
        "- 肇庆市发展和改革局",
    ),
    "deadline after the plan period": Case(
        (("deadline: 2014-06-30", "deadline: 2015-06-30"),),
        "deadline_outside_period",
        f"{IND_0}.deadline",
        "deadline: 2015-06-30",
    ),
    "quoted deadline before the plan period": Case(
        (("deadline: 2014-11-30", "deadline: '2013-12-31'"),),
        "deadline_outside_period",
        f"{IND_T02}.deadline",
        "deadline: '2013-12-31'",
    ),
    "target in Chinese numerals": Case(
        (("target: 83", "target: 八十三"),),
        "target_not_numeric",
        f"{IND_1}.target",
        "target: 八十三",
    ),
    "quoted target": Case(
        (("target: 83", "target: '83'"),),
        "target_not_numeric",
        f"{IND_1}.target",
        "target: '83'",
    ),
    "target .nan": Case(
        (("target: 83", "target: .nan"),),
        "target_not_numeric",
        f"{IND_1}.target",
        r"target: \.nan",
    ),
    "baseline in words": Case(
        (("baseline: 75", "baseline: 七十五"),),
        "target_not_numeric",
        f"{IND_1}.baseline",
        "baseline: 七十五",
    ),
    "indicator id of another task": Case(
        (("    - id: T02-1", "    - id: T03-1"),),
        "indicator_task_mismatch",
        f"{IND_T02}.id",
        "- id: T03-1",
    ),
    "malformed section id": Case(
        (("- id: S02", "- id: S2"),),
        "bad_section_id",
        "sections[1].id",
        "- id: S2$",
    ),
    "malformed task id": Case(
        (("  - id: T02\n", "  - id: T2\n"),),
        "bad_task_id",
        "sections[1].tasks[0].id",
        "- id: T2$",
        also=(("indicator_task_mismatch", f"{IND_T02}.id"),),
    ),
    "malformed indicator id": Case(
        (("    - id: T02-1", "    - id: T02.1"),),
        "bad_indicator_id",
        f"{IND_T02}.id",
        r"- id: T02\.1",
    ),
    "milestone target not 100": Case(
        (("target: 100\n", "target: 50\n"),),
        "milestone_target",
        f"{IND_0}.target",
        "target: 50$",
    ),
    "target equal to baseline": Case(
        (("baseline: 75", "baseline: 83"),),
        "target_equals_baseline",
        f"{IND_1}.target",
        "target: 83$",
    ),
    "source not in the task text": Case(
        (("source: 城镇污水处理率力争提高到83%", "source: 城镇污水处理率提高到83%"),),
        "source_not_in_text",
        f"{IND_1}.source",
        "source: 城镇污水处理率提高到83%",
    ),
    "amber_gap larger than red_gap": Case(
        (("amber_gap: 0.1", "amber_gap: 0.3"),),
        "thresholds_order",
        "thresholds.amber_gap",
        "amber_gap:",
    ),
    "period reversed": Case(
        (("period_end: 2014-12-31", "period_end: 2013-12-31"),),
        "period_reversed",
        "plan.period_end",
        "period_end:",
        also=(
            ("deadline_outside_period", f"{IND_0}.deadline"),
            ("deadline_outside_period", f"{IND_1}.deadline"),
            ("deadline_outside_period", f"{IND_T02}.deadline"),
        ),
    ),
    "wrong unit kind": Case(
        (("  kind: county_government\n", "  kind: district\n"),),
        "schema_literal_error",
        "units[2].kind",
        "kind: district",
    ),
    "key written twice": Case(
        (("      target: 83\n", "      target: 83\n      target: 38\n"),),
        "duplicate_key",
        f"{IND_1}.target",
        "target: 38",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_rule_reports_code_path_and_line(case: Case) -> None:
    broken = edit(MINIMAL_PLAN, *case.edits)
    problems = problems_of(broken)

    assert sorted((p.code, p.path) for p in problems) == sorted(
        [(case.code, case.path), *case.also]
    )
    [problem] = [p for p in problems if (p.code, p.path) == (case.code, case.path)]
    assert problem.line == line_of(broken, case.line_pattern, case.nth)
    assert_bilingual(problem)


def test_yaml_syntax_error_names_the_line() -> None:
    broken = edit(MINIMAL_PLAN, ("      name: 城镇污水处理率", "      name: 城镇: 污水处理率"))
    [problem] = problems_of(broken)
    assert problem.code == "yaml_syntax"
    assert problem.line == line_of(broken, "name: 城镇: 污水处理率")
    assert_bilingual(problem)


def test_yaml_that_is_not_a_mapping_is_a_plan_error() -> None:
    for text in ("", "- 一项任务\n"):
        [problem] = problems_of(text)
        assert problem.code == "not_a_mapping"
        assert_bilingual(problem)


def test_every_problem_in_one_file_is_reported_together() -> None:
    broken = edit(
        MINIMAL_PLAN,
        ("    title: 加快转变政府职能", "    titel: 加快转变政府职能"),
        ("    - 市财政局\n", "    - 市税务局\n"),
        ("deadline: 2014-06-30", "deadline: 2015-06-30"),
        ("    - id: T01-2", "    - id: T01-1"),
        ("amber_gap: 0.1", "amber_gap: 0.3"),
        ("target: 83", "target: 八十三"),
    )
    expected = {
        ("schema_extra_forbidden", "sections[0].tasks[0].titel"): line_of(broken, "titel:"),
        ("schema_missing", "sections[0].tasks[0].title"): line_of(broken, "- id: T01$"),
        ("unknown_unit", "sections[1].tasks[0].units[0]"): line_of(broken, "- 市税务局"),
        ("deadline_outside_period", f"{IND_0}.deadline"): line_of(broken, "2015-06-30"),
        ("duplicate_id", f"{IND_1}.id"): line_of(broken, "- id: T01-1$", nth=1),
        ("thresholds_order", "thresholds.amber_gap"): line_of(broken, "amber_gap:"),
        ("target_not_numeric", f"{IND_1}.target"): line_of(broken, "target: 八十三"),
    }
    problems = problems_of(broken)
    assert {(p.code, p.path): p.line for p in problems} == expected
    assert len(problems) == len(expected)
    for problem in problems:
        assert_bilingual(problem)


# Built like the case above (an edit of MINIMAL_PLAN, then its problems), as every case here
# is; this one checks the text of the error rather than the list of problems.
def test_error_text_lists_every_problem_with_its_line() -> None:
    broken = edit(
        MINIMAL_PLAN,
        ("    - 市财政局\n", "    - 市税务局\n"),
        ("amber_gap: 0.1", "amber_gap: 0.3"),
    )
    with pytest.raises(PlanError) as info:
        parse_plan(broken)
    message = str(info.value)
    assert f"line {line_of(broken, '- 市税务局')}" in message
    assert "unknown_unit [市税务局]" in message
    assert f"line {line_of(broken, 'amber_gap:')}" in message
    assert "thresholds_order" in message


def test_real_catalog_with_a_typo_names_the_task_and_line() -> None:
    text = REAL_PLAN.read_text(encoding="utf-8")
    broken = edit(text, ("    title: 加快肇庆新区开发建设\n", "    titel: 加快肇庆新区开发建设\n"))
    problems = problems_of(broken)
    assert sorted((p.code, p.path) for p in problems) == [
        ("schema_extra_forbidden", "sections[3].tasks[0].titel"),
        ("schema_missing", "sections[3].tasks[0].title"),
    ]
    typo = next(p for p in problems if p.code == "schema_extra_forbidden")
    assert typo.line == line_of(broken, "titel: 加快肇庆新区开发建设")


def test_real_catalog_with_a_deadline_in_2015_names_the_indicator_and_line() -> None:
    text = REAL_PLAN.read_text(encoding="utf-8")
    block_start = text.index("    - id: T26-1\n")
    old_line = "      deadline: 2014-12-31\n"
    at = text.index(old_line, block_start)
    broken = text[:at] + "      deadline: 2015-12-31\n" + text[at + len(old_line) :]
    [problem] = problems_of(broken)
    assert problem.code == "deadline_outside_period"
    assert problem.path == "sections[5].tasks[2].indicators[0].deadline"
    assert problem.line == line_of(broken, "deadline: 2015-12-31")
    assert problem.value == "2015-12-31"


def test_load_plan_on_a_missing_file_raises_plan_error(tmp_path: Path) -> None:
    missing = tmp_path / "no_such_plan.yaml"
    with pytest.raises(PlanError) as info:
        load_plan(missing)
    [problem] = info.value.problems
    assert problem.code == "plan_unreadable"
    assert problem.path == str(missing)
    assert_bilingual(problem)


def test_load_plan_reads_a_broken_file_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    broken = edit(MINIMAL_PLAN, ("deadline: 2014-06-30", "deadline: 2015-06-30"))
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(PlanError) as info:
        load_plan(path)
    [problem] = info.value.problems
    assert (problem.code, problem.line) == (
        "deadline_outside_period",
        line_of(broken, "2015-06-30"),
    )


def test_real_plan_loads_with_expected_counts() -> None:
    plan = load_plan(REAL_PLAN)
    counts = (len(plan.sections), len(plan.tasks), len(plan.indicators), len(plan.units))
    # 57 units the tasks name, and 市统计局, named in task (三十八) as the confirmer
    assert counts == (10, 39, 73, 58)
    assert plan.confirmation.confirmer == "市统计局"
    assert plan.confirmation.confirmer in set(plan.units["unit"])
    assert not plan.responsibilities["unit"].eq("市统计局").any()
    assert plan_summary(plan) == "10 sections, 39 tasks, 73 indicators, 58 units"
    assert (plan.period_start, plan.period_end) == (date(2014, 1, 1), date(2014, 12, 31))


def test_a_plan_sets_when_figures_are_due_within_a_quarter() -> None:
    assert parse_plan(MINIMAL_PLAN).calendar.due_days == 10  # the default
    set_to = edit(MINIMAL_PLAN, ("\nunits:", "\nreporting:\n  due_days: 15\nunits:"))
    assert parse_plan(set_to).calendar.due_days == 15
    wrong = edit(MINIMAL_PLAN, ("\nunits:", "\nreporting:\n  due_days: 200\nunits:"))
    (problem,) = problems_of(wrong)
    assert (problem.path, problem.value) == ("reporting.due_days", "200")
    assert_bilingual(problem)


def test_confirmation_needs_a_registered_confirmer_and_is_off_by_default() -> None:
    assert not forest_plan().confirmation.required
    assert forest_plan().confirmed_indicator_ids() == frozenset()
    for confirmation, code in (
        ("confirmation: {required: true}", "confirmer_missing"),
        ("confirmation: {required: true, confirmer: 市统计局}", "unknown_confirmer"),
    ):
        with pytest.raises(PlanError) as refused:
            parse_plan(FOREST_PLAN_YAML.replace("units:", f"{confirmation}\nunits:", 1))
        assert code in [p.code for p in refused.value.problems]
    confirmed = parse_plan(
        FOREST_PLAN_YAML.replace(
            "units:", "confirmation: {required: true, confirmer: 市林业局}\nunits:", 1
        )
    )
    assert confirmed.confirmation.confirmer == "市林业局"
    kinds = confirmed.indicators.set_index("indicator_id")["kind"]
    assert confirmed.confirmed_indicator_ids() == frozenset(kinds[kinds == "quantity"].index)
