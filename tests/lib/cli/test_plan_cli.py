"""`python -m lib check-plan`: a one-line summary and exit 0, or every problem and exit 1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib.core.errors import PlanError
from lib.plan.loader import load_plan

REPO = Path(__file__).resolve().parents[3]
REAL_PLAN = REPO / "data" / "tasks_2014.yaml"

# Three independent mistakes in the real catalog: a typo'd key, an unregistered unit and
# a deadline in the wrong year.
BROKEN_EDITS = (
    ("    title: 加快肇庆新区开发建设\n", "    titel: 加快肇庆新区开发建设\n"),
    ("    - 市重点项目办\n", "    - 市重点项目办公司\n"),
    ("  period_end: 2014-12-31\n", "  period_end: 2014-06-30\n"),
)


def check_plan(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "PLAN_FILE"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "lib", "check-plan", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


@pytest.fixture
def broken_plan(tmp_path: Path) -> Path:
    text = REAL_PLAN.read_text(encoding="utf-8")
    for old, new in BROKEN_EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "tasks_broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def expected_problems(path: Path) -> list:
    with pytest.raises(PlanError) as info:
        load_plan(path)
    return info.value.problems


def test_valid_plan_prints_one_summary_line() -> None:
    plan = load_plan(REAL_PLAN)
    result = check_plan(str(REAL_PLAN))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    [line] = result.stdout.splitlines()
    summary = f"{len(plan.indicators)} indicators, {len(plan.units)} units"
    assert line.endswith(f"10 sections, 39 tasks, {summary}")


def test_default_plan_is_the_bundled_catalog() -> None:
    result = check_plan()
    assert result.returncode == 0, result.stderr
    assert "10 sections, 39 tasks" in result.stdout


def test_broken_plan_exits_1_and_lists_every_problem(broken_plan: Path) -> None:
    problems = expected_problems(broken_plan)
    codes = {p.code for p in problems}
    assert {"schema_extra_forbidden", "schema_missing", "unknown_unit"} <= codes
    assert "deadline_outside_period" in codes

    result = check_plan(str(broken_plan))
    assert result.returncode == 1
    assert result.stdout == ""
    assert f"{len(problems)} problem(s)" in result.stderr
    for problem in problems:
        assert str(problem) in result.stderr
        assert f"line {problem.line}" in result.stderr
    assert "市重点项目办公司" in result.stderr


def test_plan_file_from_the_environment(broken_plan: Path) -> None:
    result = check_plan(env={"PLAN_FILE": str(broken_plan)})
    assert result.returncode == 1
    assert "unknown_unit" in result.stderr


def test_json_output_has_path_line_and_code(broken_plan: Path) -> None:
    result = check_plan(str(broken_plan), "--json")
    assert result.returncode == 1
    listed = json.loads(result.stdout)
    expected = [(p.code, p.path, p.line) for p in expected_problems(broken_plan)]
    assert [(p["code"], p["path"], p["line"]) for p in listed] == expected
    for entry in listed:
        assert isinstance(entry["line"], int) and entry["line"] > 0
        assert entry["message_zh"] and entry["message_en"]
    unknown = next(p for p in listed if p["code"] == "unknown_unit")
    assert unknown["value"] == "市重点项目办公司"
    assert unknown["path"] == "sections[9].tasks[1].units[0]"


def test_missing_plan_file_is_reported_not_a_traceback(tmp_path: Path) -> None:
    result = check_plan(str(tmp_path / "nope.yaml"))
    assert result.returncode != 0
    assert "plan_unreadable" in result.stderr
    assert "Traceback" not in result.stderr
