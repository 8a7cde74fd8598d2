"""The command line's table of commands: what each module registers is what it declares,
and a command loads only its own module."""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib.cli.main import COMMAND_MODULES, build_parser

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("module", list(COMMAND_MODULES))
def test_each_module_registers_exactly_the_commands_it_is_listed_with(module):
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers(dest="command")
    importlib.import_module(module).register(subparsers)
    assert tuple(subparsers.choices) == COMMAND_MODULES[module]


def test_a_named_command_parses_like_the_full_parser():
    argv = ["import", "figures.csv", "--by", "某人"]
    only = vars(build_parser("import").parse_args(argv))
    full = vars(build_parser().parse_args(argv))
    assert only == full and only["command"] == "import"


def test_import_starts_without_the_slide_and_chart_libraries():
    code = (
        "import sys; from lib.cli.main import build_parser; build_parser('import');"
        "print(sorted(m for m in ('pptx', 'kaleido', 'lib.output.briefing') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
    code = code.replace("build_parser('import')", "build_parser()")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "['kaleido', 'lib.output.briefing', 'pptx']"


def test_an_import_with_the_plan_cached_loads_neither_pydantic_nor_openpyxl(tmp_path):
    """pydantic checks a plan's YAML and openpyxl reads workbooks: a CSV imported against a
    plan already validated (cached beside the store) needs neither (0.1 s of startup)."""
    env = {**os.environ, "PROGRESS_DB": str(tmp_path / "progress.sqlite3")}
    code = (
        "import sys; from lib.cli.main import main; main(sys.argv[1:]);"
        "print(sorted(m for m in ('pydantic', 'openpyxl') if m in sys.modules), file=sys.stderr)"
    )

    def modules_loaded(*argv: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code, *argv], cwd=REPO, env=env, capture_output=True, text=True
        )
        return done.stderr.strip().splitlines()[-1]

    sample = str(REPO / "data" / "progress.csv")
    # the first command parses the YAML and caches the validated plan beside the store
    assert modules_loaded("validate", sample) == "['pydantic']"
    assert modules_loaded("import", sample, "--by", "测试") == "[]"
    assert modules_loaded("validate", sample) == "[]"
