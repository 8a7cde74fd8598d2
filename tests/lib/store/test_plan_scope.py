"""One store, several plans: each handle sees its plan's uploads, figures and trail (on both
engines); rows of a SQLite store made before plans were told apart belong to the home plan."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pandas as pd
import pytest

from lib.core.errors import StoreError
from lib.store.repository import ProgressStore
from lib.store.trail import TrailEntry

NOW = datetime(2014, 10, 5, tzinfo=UTC)


def rows(indicator: str, value: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": [2],
            "indicator_id": [indicator],
            "period": ["2014Q3"],
            "value": [value],
            "note": [""],
            "reporter": [""],
        }
    )


def imported(store: ProgressStore, indicator: str, value: float, name: str) -> int:
    return store.import_rows(
        rows(indicator, value),
        file_name=name,
        content=f"{store.scope.plan_id}{indicator}{value}".encode(),
        uploaded_by="analyst",
        now=NOW,
    )


def test_each_plan_sees_only_its_own_figures_uploads_and_trail(store_location):
    plan_2014 = ProgressStore(store_location, plan_id="zq-2014", home_plan_id="zq-2014")
    plan_2016 = ProgressStore(store_location, plan_id="zq-2016", home_plan_id="zq-2014")
    first = imported(plan_2014, "T01-1", 40.0, "a.csv")
    second = imported(plan_2016, "T01-1", 7.0, "b.csv")  # the same id means another thing
    assert plan_2014.current_values()["value"].tolist() == [40.0]
    assert plan_2016.current_values()["value"].tolist() == [7.0]
    assert plan_2014.uploads()["id"].tolist() == [first]
    assert plan_2016.uploads()["plan_id"].tolist() == ["zq-2016"]
    assert ProgressStore(store_location).uploads()["id"].tolist() == [second, first]  # every plan's

    plan_2016.record(TrailEntry("confirmed", "统计局", upload_id=second), now=NOW)
    assert plan_2014.trail().empty and plan_2016.trail()["upload_id"].tolist() == [second]
    # another plan's upload is unknown here: it cannot be confirmed, withdrawn or read
    with pytest.raises(StoreError) as caught:
        plan_2014.record(TrailEntry("confirmed", "统计局", upload_id=second), now=NOW)
    assert caught.value.problems[0].code == "unknown_upload"
    with pytest.raises(StoreError) as caught:
        plan_2014.withdraw(second, withdrawn_by="admin", now=NOW)
    assert caught.value.problems[0].code == "unknown_upload"
    assert plan_2014.upload_figures(second).empty and plan_2014.active_upload_owner(second) is None
    assert plan_2016.upload_figures(second)["value"].tolist() == [7.0]


def test_confirmed_only_reads_decisions_of_its_own_plan(store_location):
    plan_a = ProgressStore(store_location, plan_id="a", home_plan_id="a")
    plan_b = ProgressStore(store_location, plan_id="b", home_plan_id="a")
    imported(plan_a, "T01-1", 1.0, "a.csv")
    upload_b = imported(plan_b, "T01-1", 2.0, "b.csv")
    plan_b.record(TrailEntry("confirmed", "统计局", upload_id=upload_b), now=NOW)
    only = frozenset({"T01-1"})
    assert plan_a.current_values(confirmed_only=only).empty  # b's decision does not count here
    assert plan_b.current_values(confirmed_only=only)["value"].tolist() == [2.0]


def test_cached_figures_are_kept_apart_per_plan(tmp_path, store_location):
    cache = tmp_path / "cache"
    plan_a = ProgressStore(store_location, plan_id="a", home_plan_id="a")
    plan_b = ProgressStore(store_location, plan_id="b", home_plan_id="a")
    imported(plan_a, "T01-1", 1.0, "a.csv")
    assert plan_a.current_values(cache)["value"].tolist() == [1.0]
    assert plan_b.current_values(cache).empty
    assert plan_a.current_values(cache)["value"].tolist() == [1.0]


def test_a_version_3_store_keeps_its_figures_for_the_home_plan(tmp_path):
    path = tmp_path / "v3.sqlite3"
    legacy = ProgressStore(path)  # rows of no plan, as a version-3 store has them
    upload = imported(legacy, "T01-1", 40.0, "a.csv")
    legacy.record(TrailEntry("confirmed", "统计局", upload_id=upload), now=NOW)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in (
            "DROP TRIGGER uploads_withdrawal_only",  # version 5's, which names plan_id
            "DROP INDEX uploads_by_plan",
            "ALTER TABLE uploads DROP COLUMN plan_id",
            "ALTER TABLE cycle_events DROP COLUMN plan_id",
            "PRAGMA user_version = 3",
        ):
            conn.execute(statement)
    finally:
        conn.close()
    home = ProgressStore(path, plan_id="zq-2014", home_plan_id="zq-2014")
    other = ProgressStore(path, plan_id="zq-2016", home_plan_id="zq-2014")
    assert home.current_values(confirmed_only=frozenset({"T01-1"}))["value"].tolist() == [40.0]
    assert home.uploads()["plan_id"].tolist() == [""] and len(home.trail()) == 1
    assert other.current_values().empty and other.trail().empty
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 5
    later = imported(home, "T01-1", 45.0, "b.csv")  # new rows name their plan
    assert home.uploads().set_index("id").loc[later, "plan_id"] == "zq-2014"
    assert home.current_values()["value"].tolist() == [45.0]
