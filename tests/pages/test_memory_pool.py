"""The app process takes Arrow buffers from the system allocator (mimalloc kept the buffers
of earlier reruns: 11% more peak memory at province scale), unless the operator chose one.
The switch is made by `configure_process`, which every page's `page_setup` calls first;
importing a module switches nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import lib.ui.chrome

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "app.py")
BACKEND = "print(pa.default_memory_pool().backend_name)"
CONFIGURED = (
    "import pyarrow as pa\nfrom lib.ui.startup import configure_process\n"
    f"configure_process()\nconfigure_process()\n{BACKEND}"
)
IMPORTED = (
    "import pyarrow as pa\nimport lib.ui.data, lib.ui.chrome, lib.ui.components, lib.ui.startup\n"
    f"{BACKEND}"
)


def backend_name(program: str, chosen: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if chosen:
        env["ARROW_DEFAULT_MEMORY_POOL"] = chosen
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=REPO, env=env, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("chosen", "expected"), [(None, "system"), ("jemalloc", "jemalloc"), ("mimalloc", "mimalloc")]
)
def test_arrow_memory_pool_of_the_app_process(chosen, expected):
    assert backend_name(CONFIGURED, chosen) == expected


def test_importing_the_ui_leaves_the_memory_pool_alone():
    untouched = backend_name(f"import pyarrow as pa\n{BACKEND}", None)
    assert backend_name(IMPORTED, None) == untouched


def test_page_setup_configures_the_process_before_reading_anything(sample_store, monkeypatch):
    calls: list[str] = []
    configure, settings = lib.ui.chrome.configure_process, lib.ui.chrome.settings_from_env

    def recording_configure() -> None:
        calls.append("configure_process")
        configure()

    def recording_settings(*args, **kwargs):
        calls.append("settings_from_env")
        return settings(*args, **kwargs)

    monkeypatch.setattr(lib.ui.chrome, "configure_process", recording_configure)
    monkeypatch.setattr(lib.ui.chrome, "settings_from_env", recording_settings)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    assert calls[:2] == ["configure_process", "settings_from_env"]
