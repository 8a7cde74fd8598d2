"""House rules that keep the engine pure and the pages thin, checked by parsing the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORE = sorted(p for p in (REPO / "lib").rglob("*.py") if "ui" not in p.relative_to(REPO).parts)
PAGES = [REPO / "app.py", *sorted((REPO / "pages").glob("*.py"))]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def clock_calls(path: Path) -> list[str]:
    """`date.today()` / `datetime.now()` calls: the as-of moment must come in as an argument."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and (owner.id, node.func.attr) in {
                ("date", "today"),
                ("datetime", "now"),
            }:
                calls.append(f"{path.name}:{node.lineno}")
    return calls


def test_core_modules_exist():
    names = {p.stem for p in CORE}
    assert {"plan", "progress_file", "store", "metrics", "charts", "briefing"} <= names


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(REPO)))
def test_lib_outside_ui_never_imports_streamlit(path):
    assert "streamlit" not in imported_modules(path)


@pytest.mark.parametrize(
    "path",
    [p for p in CORE if "commands" not in p.parts],
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_core_modules_do_not_read_the_clock(path):
    assert clock_calls(path) == []


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_stay_thin(path):
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) <= 120, f"{path.name} has {len(lines)} lines: move logic into lib/"
    assert "pandas" not in imported_modules(path), "pages select and render; lib computes"
