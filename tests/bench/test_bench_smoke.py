"""The benchmark at toy scale: the generator's files are valid and reproducible, and
`python -m bench run` prints every row of its table. Nothing here is timed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.generate import generate
from bench.workers import page_files
from lib.cli.main import main as lib_cli
from lib.ingest.report import validate_progress
from lib.plan.loader import load_plan

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return generate(50, 4, seed=1, out=tmp_path_factory.mktemp("bench"))


def test_generated_plan_passes_check_plan(generated, capsys):
    assert lib_cli(["check-plan", str(generated.plan_file)]) == 0
    assert "50 tasks" in capsys.readouterr().out


def test_generated_progress_file_validates_without_errors_or_warnings(generated):
    plan = load_plan(generated.plan_file)
    content = generated.progress_file.read_bytes()
    report = validate_progress(content, "progress.csv", plan)
    assert report.errors == []
    assert report.warnings == []
    assert len(report.rows) == generated.rows > 0
    assert content.startswith(
        b"\xef\xbb\xbf\xe6\x8c\x87\xe6\xa0\x87\xe7\xbc\x96\xe5\x8f\xb7"
    )  # 指标编号


def test_same_seed_gives_the_same_bytes(generated, tmp_path):
    again = generate(50, 4, seed=1, out=tmp_path / "again")
    other = generate(50, 4, seed=2, out=tmp_path / "other")
    for name in ("tasks.yaml", "progress.csv"):
        first = (generated.plan_file.parent / name).read_bytes()
        assert (again.plan_file.parent / name).read_bytes() == first
        assert (other.plan_file.parent / name).read_bytes() != first


def test_run_prints_every_row_of_the_table(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bench", "run", "--tasks", "50", "--periods", "4", "--quick",
         "--workdir", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    expected = [
        ("generate data", "50 tasks"),
        ("ingest: import / read_csv", "50 tasks"),
        ("first import of a new plan", "50 tasks"),
        ("ingest: PostgreSQL / SQLite import", "50 tasks"),
        *[
            (f"warm rerun {page}", scale)
            for scale in ("39 tasks", "50 tasks")
            for page in page_files()
        ],
        ("naive page rerun", "39 tasks"),
        ("naive page rerun", "50 tasks"),
        *[(f"cold start {page}", "50 tasks") for page in page_files()],
        ("app.py, nothing cached on disk yet", "50 tasks"),
        ("peak RSS / frames' size", "50 tasks"),
        ("frames: plan / figures", "50 tasks"),
        ("RSS before any data", "50 tasks"),
        ("first read after an import", "50 tasks"),
        ("first read, PostgreSQL / SQLite", "50 tasks"),
    ]
    for measure, scale in expected:
        assert any(measure in line and scale in line for line in lines), (measure, scale)
    targeted = [line for line in lines if "50 tasks" in line and ("PASS" in line or "MISS" in line)]
    # ingest, PostgreSQL ingest, reruns, cold starts, memory
    assert len(targeted) == 2 + 2 * len(page_files()) + 1
    server_folder = re.search(r"\(fsync on\) at \S+ in (\S+)", done.stderr)
    assert server_folder, done.stderr[-3000:]
    assert not Path(server_folder[1]).exists()  # the server was stopped and removed
