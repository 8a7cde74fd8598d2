"""Fixtures shared by every test: where the repository is, importable as the project root."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["tests.postgres"]  # the PostgreSQL server and the two-engine fixtures

# pyproject sets pythonpath, but a test file run from elsewhere must still import lib.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

# The plan library's folder (PLANS_DIR) defaults to data/plans/, where an operator publishes
# plans: tests see only the plans they put there themselves (an empty folder otherwise), and
# the servers they start inherit this.
os.environ.setdefault("PLANS_DIR", str(Path(tempfile.mkdtemp(prefix="plans-")) / "none"))
# A PostgreSQL store's caches go under CACHE_DIR (default var/cache/): tests keep theirs in
# a temporary folder, not in the working tree.
os.environ.setdefault("CACHE_DIR", tempfile.mkdtemp(prefix="store-caches-"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (holds lib/, data/ and tests/)."""
    return REPO_ROOT
