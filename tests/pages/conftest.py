"""Fixtures for page tests: a real SQLite store in tmp_path holding the sample figures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from lib.ingest.report import validate_progress
from lib.plan.loader import load_plan
from lib.services.settings import DEFAULT_PLAN_FILE, SAMPLE_PROGRESS_FILE
from lib.services.uploads import import_sample
from lib.store.repository import ProgressStore

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "app.py")


@pytest.fixture(scope="session")
def plan():
    return load_plan(DEFAULT_PLAN_FILE)


@pytest.fixture
def sample_store(tmp_path, monkeypatch, plan) -> ProgressStore:
    """PROGRESS_DB pointing at a fresh store with the sample file imported as sample data."""
    path = tmp_path / "progress.sqlite3"
    monkeypatch.setenv("PROGRESS_DB", str(path))
    monkeypatch.delenv("PLAN_FILE", raising=False)
    store = ProgressStore(path)
    content = SAMPLE_PROGRESS_FILE.read_bytes()
    report = validate_progress(content, SAMPLE_PROGRESS_FILE.name, plan)
    import_sample(
        store,
        report,
        content=content,
        file_name=SAMPLE_PROGRESS_FILE.name,
        now=datetime(2014, 10, 15, tzinfo=UTC),
    )
    return store


@pytest.fixture
def empty_store(tmp_path, monkeypatch) -> ProgressStore:
    """PROGRESS_DB pointing at a store with nothing imported."""
    path = tmp_path / "empty.sqlite3"
    monkeypatch.setenv("PROGRESS_DB", str(path))
    return ProgressStore(path)
