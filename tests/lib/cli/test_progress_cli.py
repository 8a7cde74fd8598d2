"""`python -m lib validate|import|uploads|withdraw|template` as subprocesses on real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

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


def test_submissions_lists_who_reported_on_time_late_or_not(tmp_path):
    env = {
        **os.environ,
        "PLAN_FILE": str(REPO / "data" / "tasks_2014.yaml"),
        "PROGRESS_DB": str(tmp_path / "progress.sqlite3"),
    }
    city = write_csv(tmp_path / "city.csv", ["T16-1,2014Q3,81.2,,住建局"])
    assert run(env, "import", str(city), "--by", "li").returncode == 0
    result = run(env, "submissions", "--period", "2014Q3", "--now", "2014-10-05")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2014Q3 报送情况 / submissions (32 units)"
    by_unit = {line.split()[0]: line.split() for line in lines[2:]}
    # 住建局 owes T16-1 and T16-2 and T16-3: one sent, the deadline (10 Oct) not passed
    assert by_unit["市住房城乡建设局"][1:4] == ["3", "1", "2"]
    assert "部分报送" in by_unit["市住房城乡建设局"]
    assert "待报送" in by_unit["市编办"]
    out = tmp_path / "q3.xlsx"
    assert run(env, "submissions", "--period", "2014Q3", "-o", str(out)).returncode == 0
    import openpyxl

    sheet = openpyxl.load_workbook(out).worksheets[0]
    assert sheet.title == "2014Q3报送情况" and sheet.max_row == 33
    assert [c.value for c in sheet[1]][:3] == ["填报单位", "应报数", "已报数"]


def test_a_units_form_shows_its_previous_figures_and_imports_once_filled(env, tmp_path):
    sent = write_csv(tmp_path / "q2.csv", ["T01-1,2014Q2,1800,,林业局", "T01-2,2014Q1,1500,,"])
    assert run(env, "import", str(sent), "--by", "张三").returncode == 0
    form = tmp_path / "林业局.xlsx"
    result = run(env, "template", "--unit", "林业局", "--period", "2014Q3", "-o", str(form))
    assert result.returncode == 0, result.stderr
    assert "市林业局 3" in result.stdout
    workbook = load_workbook(form)
    sheet = workbook["进度填报"]
    headings = [c.value for c in sheet[1]]
    rows = [dict(zip(headings, row, strict=True)) for row in sheet.iter_rows(2, values_only=True)]
    assert [r["指标编号"] for r in rows] == ["T01-1", "T01-2", "T01-3"]
    assert {r["填报单位"] for r in rows} == {"市林业局"} and {r["报告期"] for r in rows} == {
        "2014Q3"
    }
    # the unit's own figure, and the lead's whole-area one sent without a unit
    assert [(r["上期完成值"], r["上期报告期"]) for r in rows] == [
        (1800, "2014Q2"), (1500, "2014Q1"), (None, None),
    ]  # fmt: skip
    sheet.cell(2, headings.index("完成值") + 1).value = 2100
    workbook.save(form)
    imported = run(env, "import", str(form), "--by", "李四")
    assert imported.returncode == 0, imported.stderr
    values = ProgressStore(env["PROGRESS_DB"]).current_values()
    q3 = values[values["period"] == "2014Q3"]
    assert list(zip(q3["indicator_id"], q3["value"], q3["reporter"], strict=True)) == [
        ("T01-1", 2100.0, "市林业局")
    ]


def test_unit_forms_without_a_store_and_for_every_unit(env, tmp_path):
    form = tmp_path / "f.xlsx"
    assert run(env, "template", "--unit", "市林业局", "-o", str(form)).returncode == 0
    assert not Path(env["PROGRESS_DB"]).exists()  # a form creates no store
    unknown = run(env, "template", "--unit", "市不存在局", "-o", str(tmp_path / "x.xlsx"))
    assert unknown.returncode == 2 and "unknown_unit" in unknown.stderr
    assert "市不存在局" in unknown.stderr and not (tmp_path / "x.xlsx").exists()
    forms = tmp_path / "forms.zip"
    result = run(env, "template", "--all-units", "--period", "2014Q3", "-o", str(forms))
    assert result.returncode == 0, result.stderr
    assert zipfile.ZipFile(forms).namelist() == ["市林业局_2014Q3.xlsx"]
    not_zip = run(env, "template", "--all-units", "-o", str(tmp_path / "forms.xlsx"))
    assert not_zip.returncode == 2 and ".zip" in not_zip.stderr
