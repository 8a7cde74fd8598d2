"""lib/plan's modules import each other in one direction only: the schema sees only the
model, and no module needs another that needs it back."""

from __future__ import annotations

import ast
from pathlib import Path

PLAN = Path(__file__).resolve().parents[3] / "lib" / "plan"


def plan_imports(path: Path) -> set[str]:
    """The lib.plan modules `path` imports anywhere (late and TYPE_CHECKING imports too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lib.plan."):
            names.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            names |= {a.name.split(".")[2] for a in node.names if a.name.startswith("lib.plan.")}
    return names


def import_graph() -> dict[str, set[str]]:
    return {path.stem: plan_imports(path) for path in PLAN.glob("*.py")}


def test_the_schema_imports_only_the_model():
    assert import_graph()["schema"] == {"model"}


def test_the_model_imports_nothing_of_the_package():
    assert import_graph()["model"] == set()


def test_no_module_of_the_package_imports_itself_back():
    graph = import_graph()

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for name in graph.get(start, set()) - seen:
            if name == goal or reaches(name, goal, seen | {name}):
                return True
        return False

    cycles = [name for name in graph if reaches(name, name, set())]
    assert cycles == []
