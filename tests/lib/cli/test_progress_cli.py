"""`python -m lib validate|import|uploads|withdraw|template` as subprocesses on real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib.store.repository import ProgressStore
from tests.support import FOREST_PLAN_YAML

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(FOREST_PLAN_YAML, encoding="utf-8")
    return {
        **os.environ,
        "PLAN_FILE": str(plan_file),
        "PROGRESS_DB": str(tmp_path / "store" / "progress.sqlite3"),
    }


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lib", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_csv(path: Path, rows: list[str], encoding: str = "gb18030") -> Path:
    path.write_bytes(
        ("指标编号,报告期,完成值,进展情况,填报单位\n" + "\n".join(rows) + "\n").encode(encoding)
    )
    return path


def test_validate_exit_codes_and_messages(env, tmp_path):
    good = write_csv(tmp_path / "good.csv", ["T01-1,2014Q1,5,进展顺利,林业局", "T01-1,2014Q2,4,,"])
    result = run(env, "validate", str(good))
    assert result.returncode == 0, result.stderr
    assert "value_decreased" in result.stdout and "row 3" in result.stdout
    assert not Path(env["PROGRESS_DB"]).exists()  # validating does not create a store

    bad = write_csv(tmp_path / "bad.csv", ["T09-1,2014Q1,5,,", "T01-1,2015Q1,x,,"])
    result = run(env, "validate", str(bad))
    assert result.returncode == 1
    for code in ("unknown_indicator", "period_outside_plan", "value_not_numeric"):
        assert code in result.stdout

    png = tmp_path / "photo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    result = run(env, "validate", str(png))
    assert result.returncode == 2 and "not_spreadsheet" in result.stderr
    assert run(env, "validate", str(tmp_path / "missing.csv")).returncode == 2


def test_validate_json_lists_every_problem_with_its_location(env, tmp_path):
    rows = [f"X{i},2014Q1,坏{i},," for i in range(500)]  # 1,000 bad cells
    path = write_csv(tmp_path / "thousand.csv", rows)
    result = run(env, "validate", str(path), "--json")
    assert result.returncode == 1
    problems = json.loads(result.stdout)
    assert len(problems) == 1001  # and the notice that no row names its reporting unit
    assert problems[0]["code"] == "reporter_not_recorded" and problems[0]["row"] == 1
    errors = [p for p in problems if p["severity"] == "error"]
    assert len(errors) == 1000
    assert set(problems[0]) == {
        "row", "column", "value", "code", "severity", "message_zh", "message_en"
    }  # fmt: skip
    first = next(p for p in problems if p["row"] == 2 and p["column"] == "完成值")
    assert (first["code"], first["value"]) == ("value_not_numeric", "坏0")
    assert {p["row"] for p in errors} == set(range(2, 502))


def test_validate_json_for_an_unreadable_file(env, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = run(env, "validate", str(path), "--json")
    assert result.returncode == 2
    assert [p["code"] for p in json.loads(result.stdout)] == ["empty_file"]


def test_import_withdraw_and_ledger(env, tmp_path):
    first = write_csv(tmp_path / "q1.csv", ["T01-1,2014Q1,5,,", "T01-3,2014Q1,已完成,,"])
    result = run(env, "import", str(first), "--by", "张三")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"

    again = run(env, "import", str(first), "--by", "张三")
    assert again.returncode == 1 and "duplicate_upload" in again.stderr

    bad = write_csv(tmp_path / "bad.csv", ["T01-1,2014Q2,x,,"])
    refused = run(env, "import", str(bad), "--by", "张三")
    assert refused.returncode == 1 and refused.stdout == ""

    revised = write_csv(tmp_path / "q1b.csv", ["T01-1,2014Q1,7,修订,"])
    assert run(env, "import", str(revised), "--by", "李四").stdout.strip() == "2"
    store = ProgressStore(env["PROGRESS_DB"])
    values = store.current_values().set_index(["indicator_id", "period"])["value"]
    assert values[("T01-1", "2014Q1")] == 7.0

    ledger = run(env, "uploads")
    assert ledger.returncode == 0 and "q1.csv" in ledger.stdout and "李四" in ledger.stdout

    assert run(env, "withdraw", "2", "--by", "王五").returncode == 0
    values = store.current_values().set_index(["indicator_id", "period"])["value"]
    assert values[("T01-1", "2014Q1")] == 5.0
    assert run(env, "withdraw", "2", "--by", "王五").returncode == 1
    assert run(env, "withdraw", "99", "--by", "王五").returncode == 1
    assert list(store.uploads()["status"]) == ["withdrawn", "active"]


def test_uploads_on_an_empty_store(env):
    result = run(env, "uploads")
    assert result.returncode == 0 and "no uploads" in result.stdout


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_template_is_written_by_extension_and_validates_once_filled(env, tmp_path, suffix):
    path = tmp_path / f"模板{suffix}"
    result = run(env, "template", "-o", str(path), "--period", "2014Q3")
    assert result.returncode == 0, result.stderr
    assert path.exists()
    empty = run(env, "validate", str(path))
    assert empty.returncode == 1 and "no_data_rows" in empty.stdout  # nothing filled in yet
    if suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig").replace(
            "T01-1,村级站,2014Q3,", "T01-1,村级站,2014Q3,12"
        )
        path.write_text(text, encoding="utf-8-sig")
        assert run(env, "validate", str(path)).returncode == 0


def test_template_refuses_other_extensions(env, tmp_path):
    result = run(env, "template", "-o", str(tmp_path / "t.pdf"))
    assert result.returncode == 2 and not (tmp_path / "t.pdf").exists()


def test_import_dry_run_shows_whose_figures_change_and_stores_nothing(tmp_path):
    env = {
        **os.environ,
        "PLAN_FILE": str(REPO / "data" / "tasks_2014.yaml"),
        "PROGRESS_DB": str(tmp_path / "progress.sqlite3"),
    }
    city = write_csv(tmp_path / "city.csv", ["T16-1,2014Q2,81.2,,住建局"])
    assert run(env, "import", str(city), "--by", "li").returncode == 0
    county = tmp_path / "dinghu.csv"
    county.write_bytes("指标编号,报告期,完成值\nT16-1,2014Q2,76.5\nT16-1,2014Q3,80\n".encode())

    result = run(env, "import", str(county), "--by", "wang", "--unit", "鼎湖区", "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "new: 1  changed: 0  beside: 1  unchanged: 0"
    assert lines[1].split("\t") == [
        "T16-1", "2014Q2", "鼎湖区政府", "breakdown", "81.2 (市住房城乡建设局) -> 76.5", "beside"
    ]  # fmt: skip
    assert lines[2].split("\t")[-2:] == ["- -> 80", "new"]
    assert "breakdown_figures" in result.stderr and "dry run" in result.stderr
    assert len(ProgressStore(env["PROGRESS_DB"]).uploads()) == 1  # nothing stored

    assert run(env, "import", str(county), "--by", "wang", "--unit", "鼎湖区").returncode == 0
    assert run(env, "conflicts").stdout.startswith("没有相互矛盾的全市数据")
    water = write_csv(tmp_path / "water.csv", ["T16-1,2014Q2,80,,市水务局"])
    result = run(env, "import", str(water), "--by", "zhao")
    assert result.returncode == 0 and "differs_from_other_unit" in result.stderr
    table = run(env, "conflicts").stdout.splitlines()
    assert table[0].split() == [
        "indicator_id", "period", "headline_reporter", "headline_value", "reporter", "value",
        "difference",
    ]  # fmt: skip
    assert table[1].split() == [
        "T16-1",
        "2014Q2",
        "市住房城乡建设局",
        "81.2",
        "市水务局",
        "80.0",
        "-1.2",
    ]

    unknown = run(env, "import", str(county), "--by", "wang", "--unit", "鼎湖县")
    assert unknown.returncode == 2 and "unknown_upload_unit" in unknown.stderr
