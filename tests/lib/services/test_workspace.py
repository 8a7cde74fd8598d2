"""The workspace: the plan and the store the settings name, the demo store seeded once."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from lib.plan.loader import load_plan
from lib.services.settings import DEFAULT_PLAN_FILE, SAMPLE_PROGRESS_FILE, Settings
from lib.services.uploads import withdraw_upload
from lib.services.workspace import ensure_demo_store, open_workspace
from lib.store.repository import ProgressStore
from tests.support import admin, forest_plan, progress_csv, stored_figures

NOW = datetime(2014, 10, 15, 9, 30, tzinfo=UTC)


def test_demo_store_is_seeded_once_as_sample_data(tmp_path):
    plan = forest_plan()
    sample = tmp_path / "progress.csv"
    sample.write_bytes(progress_csv([("T01-1", "2014Q1", 5)], note="示例数据：演示", reporter=""))
    store = ProgressStore(tmp_path / "demo.sqlite3")
    ensure_demo_store(store, plan, sample, NOW)
    ensure_demo_store(store, plan, sample, NOW)
    ledger = store.uploads()
    assert len(ledger) == 1 and ledger.loc[0, "is_sample"]
    assert ledger.loc[0, "uploaded_by"] == "示例数据 / sample"
    assert ledger.loc[0, "uploaded_at"] == "2014-10-15T09:30:00+00:00"
    assert store.has_sample_data()
    withdraw_upload(store, int(ledger.loc[0, "id"]), user=admin("管理员"), now=NOW)
    assert not store.has_sample_data()
    ensure_demo_store(store, plan, sample, NOW)  # a store with history is never re-seeded
    assert len(store.uploads()) == 1


def test_bundled_sample_imports_into_a_fresh_store(tmp_path):
    real_plan = load_plan(DEFAULT_PLAN_FILE)  # a plan that does not load fails this test
    store = ProgressStore(tmp_path / "demo.sqlite3")
    ensure_demo_store(store, real_plan, SAMPLE_PROGRESS_FILE, NOW)
    ledger = store.uploads()
    assert len(ledger) == 1 and ledger.loc[0, "is_sample"]
    assert ledger.loc[0, "row_count"] == len(stored_figures(store.path))
    assert ledger.loc[0, "row_count"] == len(store.current_values()) > 0


def test_open_workspace_seeds_the_demo_store_only(tmp_path):
    named = Settings(DEFAULT_PLAN_FILE, tmp_path / "named" / "progress.sqlite3", False)
    workspace = open_workspace(named, now=NOW)
    assert workspace.settings == named
    assert workspace.store.location == named.store and workspace.store.uploads().empty
    assert list(workspace.plan.indicators["indicator_id"]) == list(
        load_plan(DEFAULT_PLAN_FILE).indicators["indicator_id"]
    )
    assert any(named.cache_dir.iterdir())  # the validated plan is kept beside the store

    demo = Settings(DEFAULT_PLAN_FILE, tmp_path / "demo" / "progress.sqlite3", True)
    seeded = open_workspace(demo, now=NOW).store
    assert seeded.has_sample_data() and len(seeded.uploads()) == 1
    assert len(open_workspace(demo, now=NOW).store.uploads()) == 1  # seeded once
    with pytest.raises(dataclasses.FrozenInstanceError):
        workspace.store = seeded  # type: ignore[misc]
