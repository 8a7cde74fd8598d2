"""House rules that keep the engine layered, pure and the pages thin, checked by parsing the
source (ARCHITECTURE.md explains the layers)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LIB = REPO / "lib"
LIB_MODULES = sorted(LIB.rglob("*.py"))
PAGES = [REPO / "app.py", *sorted((REPO / "pages").glob("*.py"))]

# A package may import packages of a lower layer only; packages of one layer never import
# each other. `lib/__main__.py` is the command line's entry and sits above everything.
LAYERS: dict[str, int] = {
    "core": 0,
    "plan": 1,
    "auth": 1,
    "ingest": 2,
    "store": 2,
    "status": 2,
    "output": 3,
    "drafting": 3,
    "services": 4,
    "ui": 5,
    "cli": 5,
}
PAGE_IMPORTS = ("streamlit", "lib.services.views", "lib.ui", "lib.core.labels", "datetime")


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, anywhere in the file (late imports included), dotted."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def package_of(path: Path) -> str | None:
    """'store' for lib/store/repository.py; None for lib/__init__.py and lib/__main__.py."""
    parts = path.relative_to(LIB).parts
    return parts[0] if len(parts) > 1 else None


def lib_packages_imported(path: Path) -> set[str]:
    return {
        name.split(".")[1]
        for name in imported_modules(path)
        if name.startswith("lib.") and name.split(".")[1] in LAYERS
    }


def test_every_package_has_a_layer():
    packages = {p.name for p in LIB.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages == set(LAYERS)


@pytest.mark.parametrize("package", sorted(LAYERS))
def test_every_package_says_what_it_owns_and_may_import(package):
    doc = ast.get_docstring(ast.parse((LIB / package / "__init__.py").read_text("utf-8")))
    assert doc and len(doc) > 120, f"lib/{package}/__init__.py needs its one-paragraph docstring"
    assert "import" in doc, "the docstring says which packages it may import"


@pytest.mark.parametrize(
    "path",
    [p for p in LIB_MODULES if package_of(p)],
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_imports_run_down_the_layers_only(path):
    own = package_of(path)
    upward = {
        other
        for other in lib_packages_imported(path)
        if other != own and LAYERS[other] >= LAYERS[own]
    }
    assert not upward, f"lib/{own} (layer {LAYERS[own]}) imports {sorted(upward)}"


@pytest.mark.parametrize("path", LIB_MODULES, ids=lambda p: str(p.relative_to(REPO)))
def test_only_the_ui_package_imports_streamlit(path):
    uses_streamlit = any(n.split(".")[0] == "streamlit" for n in imported_modules(path))
    assert not uses_streamlit or package_of(path) == "ui"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_import_only_view_models_ui_helpers_and_labels(path):
    outside = {
        name
        for name in imported_modules(path)
        if name != "__future__"
        and not any(name == allowed or name.startswith(allowed + ".") for allowed in PAGE_IMPORTS)
        # `from lib.services import views` style names the package itself
        and name not in ("lib.services", "lib.core", "lib")
    }
    assert not outside, f"{path.name} imports {sorted(outside)}"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_stay_thin(path):
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(lines) <= 120, f"{path.name} has {len(lines)} lines: move logic into lib/"


def clock_calls(path: Path) -> list[str]:
    """`date.today()` / `datetime.now()` calls: the as-of moment must come in as an argument."""
    calls = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and (owner.id, node.func.attr) in {
                ("date", "today"),
                ("datetime", "now"),
            }:
                calls.append(f"{path.name}:{node.lineno}")
    return calls


@pytest.mark.parametrize(
    "path",
    [p for p in LIB_MODULES if package_of(p) not in ("cli", "ui")],
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_the_engine_does_not_read_the_clock(path):
    assert clock_calls(path) == []


def id_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "id"
    ]


@pytest.mark.parametrize("path", LIB_MODULES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_state_is_keyed_by_object_identity(path):
    """An `id()` key outlives the object it names and then answers for another one."""
    assert id_calls(path) == []


PROCESS_SWITCHES = {("gc", "disable"), ("gc", "freeze"), ("pa", "set_memory_pool")}


def module_level_switches(path: Path) -> list[str]:
    """Calls that change the whole process, made at import time (outside any function)."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for statement in tree.body:
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if isinstance(owner, ast.Name) and (owner.id, node.func.attr) in PROCESS_SWITCHES:
                    found.append(f"{owner.id}.{node.func.attr}:{node.lineno}")
    return found


@pytest.mark.parametrize("path", LIB_MODULES, ids=lambda p: str(p.relative_to(REPO)))
def test_importing_a_module_switches_nothing_process_wide(path):
    assert module_level_switches(path) == []


def test_the_rules_catch_what_they_are_for(tmp_path):
    """Each checker above finds its offence in a sample, so a passing run means something."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import gc\nimport pyarrow as pa\nfrom lib.ui import data\nfrom datetime import date\n"
        "gc.disable()\npa.set_memory_pool(None)\n"
        "def f(x):\n    return id(x), date.today()\n",
        encoding="utf-8",
    )
    assert "lib.ui.data" in imported_modules(sample)
    assert module_level_switches(sample) == ["gc.disable:5", "pa.set_memory_pool:6"]
    assert id_calls(sample) == [8]
    assert clock_calls(sample) == ["sample.py:8"]
