"""Fixtures for page tests: a real SQLite store in tmp_path holding the sample figures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from lib.plan.loader import load_plan
from lib.services.settings import DEFAULT_PLAN_FILE
from lib.store.repository import ProgressStore
from tests.support import sample_store_in_env

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "app.py")


@pytest.fixture(scope="session")
def plan():
    return load_plan(DEFAULT_PLAN_FILE)


@pytest.fixture
def sample_store(tmp_path, monkeypatch, plan) -> ProgressStore:
    """PROGRESS_DB pointing at a fresh store with the sample file imported as sample data."""
    now = datetime(2014, 10, 15, tzinfo=UTC)
    return sample_store_in_env(monkeypatch, tmp_path / "progress.sqlite3", plan, now)


@pytest.fixture
def empty_store(tmp_path, monkeypatch) -> ProgressStore:
    """PROGRESS_DB pointing at a store with nothing imported."""
    path = tmp_path / "empty.sqlite3"
    monkeypatch.setenv("PROGRESS_DB", str(path))
    return ProgressStore(path)
