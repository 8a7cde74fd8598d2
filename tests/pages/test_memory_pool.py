"""The app process takes Arrow buffers from the system allocator (mimalloc kept the buffers
of earlier reruns: 11% more peak memory at province scale), unless the operator chose one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROBE = "import pyarrow as pa, lib.ui.data; print(pa.default_memory_pool().backend_name)"


@pytest.mark.parametrize(
    ("chosen", "expected"), [(None, "system"), ("jemalloc", "jemalloc"), ("mimalloc", "mimalloc")]
)
def test_arrow_memory_pool_of_the_app_process(chosen, expected):
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if chosen:
        env["ARROW_DEFAULT_MEMORY_POOL"] = chosen
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == expected
