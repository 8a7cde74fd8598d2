"""`python -m lib status` on a real SQLite store holding the bundled sample figures."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from lib.cli.main import main
from lib.plan.loader import load_plan
from lib.plan.model import Plan
from lib.services import settings as config
from lib.services.settings import DEFAULT_PLAN_FILE
from lib.status.indicators import indicator_status, latest_reported_period
from lib.store.repository import ProgressStore
from tests.support import admin, sample_store_in_env


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(DEFAULT_PLAN_FILE)  # a plan that does not load fails these tests


@pytest.fixture
def store(tmp_path, monkeypatch, plan) -> ProgressStore:
    """PROGRESS_DB naming a fresh store with the sample file imported by an admin."""
    path, now = tmp_path / "progress.sqlite3", datetime(2014, 10, 15, tzinfo=UTC)
    return sample_store_in_env(monkeypatch, path, plan, now, admin("tester"))


def run_json(capsys, *args: str) -> dict:
    assert main(["status", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_is_indicator_status_of_the_store(store, plan, capsys):
    payload = run_json(capsys, "--period", "2014Q2")
    # imported by an admin and not yet confirmed: the quantities' figures do not count yet
    confirmed = store.current_values(confirmed_only=plan.confirmed_indicator_ids())
    expected = indicator_status(plan, confirmed, "2014Q2")
    assert payload["as_of"] == "2014Q2"
    rows = payload["indicators"]
    assert [r["indicator_id"] for r in rows] == list(expected["indicator_id"])
    assert [r["status"] for r in rows] == list(expected["status"])
    assert [r["reason"] for r in rows] == list(expected["reason_zh"])
    first = expected.iloc[0]
    assert rows[0]["progress"] == pytest.approx(first["progress"])
    assert rows[0]["expected"] == pytest.approx(first["expected"])
    assert rows[0]["deadline"] == first["deadline"].strftime("%Y-%m-%d")
    assert sum(payload["summary"]["counts"].values()) == len(plan.indicators)


def test_default_period_is_the_latest_reported(store, capsys):
    payload = run_json(capsys, "--lang", "en")
    assert payload["as_of"] == latest_reported_period(store.current_values())
    assert payload["indicators"][0]["reason"] == payload["indicators"][0]["reason_en"]


def test_table_in_both_languages(store, capsys):
    assert main(["status", "--period", "2014年第三季度"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("数据截至 2014年第三季度")
    assert "指标编号" in out and "应达 e" in out
    row = next(line for line in out.splitlines() if line.startswith("T01-3 "))
    assert "已逾期（时限 2014-06-30）" in row
    assert main(["status", "--period", "2014Q3", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Data as of 2014 Q3")
    assert "overdue (due 2014-06-30)" in out


def test_bad_period_exits_1(store, capsys):
    assert main(["status", "--period", "2015Q1"]) == 1
    assert "2015Q1" in capsys.readouterr().err


def test_empty_store_shows_every_indicator_unreported(tmp_path, monkeypatch, plan, capsys):
    monkeypatch.setenv("PROGRESS_DB", str(tmp_path / "empty.sqlite3"))
    payload = run_json(capsys)
    assert payload["as_of"] == "2014Q1"
    assert {r["status"] for r in payload["indicators"]} == {"no_report"}


def test_without_progress_db_the_demo_store_is_seeded(tmp_path, monkeypatch, plan, capsys):
    monkeypatch.delenv("PROGRESS_DB", raising=False)
    monkeypatch.setattr(config, "DEMO_STORE", tmp_path / "demo.sqlite3")
    payload = run_json(capsys, "--period", "2014Q2")
    assert payload["sample_data"] is True
    assert (tmp_path / "demo.sqlite3").exists()
    assert any(r["value"] is not None for r in payload["indicators"])
