"""Fixtures shared by every test: where the repository is, importable as the project root."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

# pyproject sets pythonpath, but a test file run from elsewhere must still import lib.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (holds lib/, data/ and tests/)."""
    return REPO_ROOT
