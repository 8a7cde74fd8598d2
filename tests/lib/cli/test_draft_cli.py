"""`python -m lib draft-plan DOC -o draft.yaml`: the draft written, its summary, its
check-plan problems, and the exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from lib.cli.main import main

REPO = Path(__file__).resolve().parents[3]
DOCUMENTS = REPO / "tests" / "data" / "documents"
DOC_2014 = DOCUMENTS / "zhaoqing_2014_zhongdian_renwu_anpai.txt"


def test_the_2014_draft_is_written_with_its_summary(tmp_path, capsys):
    out = tmp_path / "draft.yaml"
    assert main(["draft-plan", str(DOC_2014), "-o", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(f"{DOC_2014} -> {out}: 10 sections 分节, 39 tasks 任务, 55 units")
    assert printed[1] == "lead rule 牵头规则: first_listed — 列为第一的为牵头单位,下同"
    assert printed[2].startswith("check-plan: 0 error(s) 错误, ")
    assert all(line.startswith("  [warning] line ") for line in printed[3:])
    assert any("review_pending [各县(市、区)政府]" in line for line in printed[3:])
    plan = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert plan["plan"]["document_number"] == "肇府办〔2014〕9号"
    # the draft is a plan check-plan accepts, listing what needs a person
    assert main(["check-plan", str(out)]) == 0
    checked = capsys.readouterr().out.splitlines()
    assert checked[0] == f"{out}: OK - 10 sections, 39 tasks, 73 indicators, 55 units"
    assert "need a person" in checked[1]


def test_an_existing_file_is_not_overwritten_without_force(tmp_path, capsys):
    out = tmp_path / "draft.yaml"
    out.write_text("kept", encoding="utf-8")
    assert main(["draft-plan", str(DOC_2014), "-o", str(out)]) == 2
    assert "not overwritten" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "kept"
    assert main(["draft-plan", str(DOC_2014), "-o", str(out), "--force"]) == 0
    assert out.read_text(encoding="utf-8").startswith("# 计划草稿：肇府办〔2014〕9号")


def test_a_draft_with_errors_is_written_and_exits_1(tmp_path, capsys):
    out = tmp_path / "draft.yaml"
    partial = DOCUMENTS / "zhaoqing_2016_zhongdian_renwu_anpai_PARTIAL.txt"
    assert main(["draft-plan", str(partial), "-o", str(out), "--json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert (summary["tasks"], summary["units"]) == (1, 0)
    assert summary["lead_rule"]["rule"] == "none"
    errors = {(p["code"], p["path"]) for p in summary["problems"] if p["severity"] == "error"}
    assert errors == {
        ("schema_too_short", "units"),
        ("schema_too_short", "sections[0].tasks[0].units"),
    }
    assert out.exists()


def test_an_unreadable_document_exits_2(tmp_path, capsys):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    assert main(["draft-plan", str(scan), "-o", str(tmp_path / "d.yaml")]) == 2
    err = capsys.readouterr().err
    assert "document_type" in err
    assert not (tmp_path / "d.yaml").exists()


def test_without_output_the_yaml_goes_to_stdout_and_the_summary_to_stderr():
    env = {k: v for k, v in os.environ.items() if k != "PLAN_FILE"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lib",
            "draft-plan",
            str(DOCUMENTS / "guofa2019-3_zonghe_baoshuiqu.txt"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 1  # 21 tasks without a target: check-plan lists them
    plan = yaml.safe_load(done.stdout)
    assert plan["plan"]["id"] == "plan-2019-3"
    assert "21 tasks 任务" in done.stderr
    assert "schema_too_short" in done.stderr
