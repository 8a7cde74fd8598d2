"""`python -m lib migrate-store | grant-app-role | copy-store` on real stores: a SQLite file
and a database on the tests' PostgreSQL server (tests/postgres.py)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lib.auth.accounts import Role, User
from lib.cli.main import main
from lib.ingest.report import validate_progress
from lib.services.cycle import return_figures
from lib.services.settings import DEFAULT_PLAN_FILE, Settings
from lib.services.uploads import withdraw_upload
from lib.services.workspace import open_workspace
from lib.store.maintenance import stored_schema_version
from lib.store.repository import ProgressStore
from lib.store.schema import SCHEMA_VERSION
from lib.store.trail import TrailEntry
from tests.lib.store.pg_worker import table_rows
from tests.support import admin, forest_plan, progress_csv, unit_upload
from tools.local_postgres import free_port

REPO = Path(__file__).resolve().parents[3]
NOW = datetime(2014, 10, 15, 9, 30, tzinfo=UTC)
PASSWORD = "s3cret-Pa55"
HOME = "zhaoqing-prd-2014"  # the bundled plan's id


def with_password(url: str) -> str:
    """The URL with a password (the test server trusts loopback and never asks for it)."""
    return url.replace("dash_owner@", f"dash_owner:{PASSWORD}@", 1)


def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, store: object, *argv):
    """Run a command in this process with PROGRESS_DB = `store`; (exit code, stdout, stderr)."""
    monkeypatch.setenv("PROGRESS_DB", str(store))
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_migrate_store_makes_a_sqlite_store_and_says_its_version(tmp_path, monkeypatch, capsys):
    path = tmp_path / "store" / "progress.sqlite3"
    code, out, err = cli(monkeypatch, capsys, path, "migrate-store")
    assert code == 0, err
    assert str(path) in out and f"schema version: 0 -> {SCHEMA_VERSION}" in out
    assert f"已升级到第 {SCHEMA_VERSION} 版" in out
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    code, out, err = cli(monkeypatch, capsys, path, "migrate-store")
    assert code == 0 and f"{SCHEMA_VERSION} -> {SCHEMA_VERSION}" in out
    assert "already current" in out


def test_migrate_store_makes_a_postgres_store_and_never_shows_the_password(postgres_url):
    url = with_password(postgres_url)
    env = {**os.environ, "PROGRESS_DB": url}
    done = subprocess.run(
        [sys.executable, "-m", "lib", "migrate-store"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"schema version: 0 -> {SCHEMA_VERSION}" in done.stdout
    assert postgres_url.replace("dash_owner@", "dash_owner:***@") in done.stdout
    assert PASSWORD not in done.stdout + done.stderr
    assert stored_schema_version(postgres_url) == SCHEMA_VERSION


def test_migrate_store_on_an_unreachable_server_exits_2_without_the_password(monkeypatch, capsys):
    url = f"postgresql://dash_owner:{PASSWORD}@127.0.0.1:{free_port()}/store"
    code, out, err = cli(monkeypatch, capsys, url, "migrate-store")
    assert code == 2 and not out
    assert "store_unavailable" in err and "无法连接数据库服务器" in err
    assert "cannot connect to the database server" in err and "dash_owner:***@" in err
    assert PASSWORD not in err


def test_grant_app_role_refuses_a_sqlite_store_and_an_unknown_role(
    tmp_path, postgres_url, monkeypatch, capsys
):
    path = tmp_path / "progress.sqlite3"
    code, out, err = cli(monkeypatch, capsys, path, "grant-app-role", "dash_app")
    assert code == 1 and not out
    assert "store_not_postgres" in err and "没有数据库角色" in err and "has no roles" in err
    assert not path.exists()  # a refused command makes no store

    code, out, err = cli(monkeypatch, capsys, postgres_url, "grant-app-role", "no_such_role")
    assert code == 1 and not out
    assert "unknown_role" in err and "没有角色 no_such_role" in err
    assert "has no role no_such_role" in err
    assert stored_schema_version(postgres_url) == SCHEMA_VERSION  # migrated before granting


def sqlite_store_with_history(tmp_path: Path) -> Path:
    """A SQLite store as an office has it after a while: the bundled sample seeded through
    the workspace (and confirmed), a unit's upload withdrawn and another returned, trail
    steps of a whole 督办 round, a second plan's upload and one made before plans were told
    apart; its path."""
    path = tmp_path / "office" / "progress.sqlite3"
    workspace = open_workspace(Settings(DEFAULT_PLAN_FILE, path, True, tmp_path / "plans"), now=NOW)
    plan, store = workspace.plan, workspace.store
    office = admin("督查室")
    withdrawn = unit_upload(store, plan, [("T01-1", "2014Q3", 90)], "市编办", office, NOW)
    withdraw_upload(store, withdrawn, user=office, now=NOW)
    kept = unit_upload(store, plan, [("T01-2", "2014Q3", 30)], "市编办", office, NOW)
    confirmer = User("统计员", Role.CONFIRMER, "local")
    return_figures(store, plan, kept, user=confirmer, reason="口径与统计局数据不一致", now=NOW)
    store.record(TrailEntry("reminded", "督查室", period="2014Q3", unit="市林业局"), now=NOW)
    notice = store.record(
        TrailEntry("issued", "督查室", period="2014Q3", unit="市编办",
                   details={"indicators": ["T01-2"]}),
        now=NOW,
    )  # fmt: skip
    store.record_all(
        [
            TrailEntry("replied", "编办分析员", notice_id=notice, indicator_id="T01-2",
                       details={"原因分析": "项目延期", "整改措施": "加快进度"}),
            TrailEntry("closed", "督查室", notice_id=notice),
        ],
        now=NOW,
    )  # fmt: skip
    forest = ProgressStore(path, plan_id="forest")
    content = progress_csv([("T01-1", "2014Q1", 10), ("T01-2", "2014Q1", 1500)])
    unit_upload(forest, forest_plan(), [("T01-1", "2014Q2", 20)], "市林业局", office, NOW)
    legacy = ProgressStore(path)  # a row of no plan, as a store before version 4 has
    report = validate_progress(content, "old.csv", forest_plan())
    legacy.import_rows(report.rows, file_name="old.csv", content=content, uploaded_by="旧", now=NOW)
    return path


def views(location: str | Path) -> list[object]:
    """What every plan's handle sees: ledger, trail, current figures all and confirmed."""
    seen: list[object] = []
    for plan_id in (None, HOME, "forest", ""):
        store = ProgressStore(location, plan_id=plan_id, home_plan_id=HOME)
        every = store.current_values()
        confirmed = store.current_values(confirmed_only=frozenset(every["indicator_id"]))
        seen += [store.uploads(), store.trail(), every, confirmed]
    return seen


def test_copy_store_moves_a_sqlite_store_into_postgres_and_only_once(
    tmp_path, postgres_url, monkeypatch, capsys
):
    source = sqlite_store_with_history(tmp_path)
    from_store = ProgressStore(source)
    ledger, trail = from_store.uploads(), from_store.trail()
    assert set(ledger["status"]) == {"active", "withdrawn"}
    assert set(ledger["plan_id"]) == {HOME, "forest", ""} and len(trail) == 6
    url = with_password(postgres_url)
    env = {**os.environ, "PROGRESS_DB": str(source)}
    done = subprocess.run(
        [sys.executable, "-m", "lib", "copy-store", "--to", url],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = int(ledger["row_count"].sum())
    assert (
        f"copied {len(ledger)} uploads ({len(ledger)} batches, {rows} figures),"
        f" {len(trail)} trail steps, data version {from_store.data_version()}"
    ) in done.stdout
    assert f"plans: (无计划 / no plan), forest, {HOME}" in done.stdout
    assert PASSWORD not in done.stdout + done.stderr

    before = views(source)
    after = views(postgres_url)
    for mine, theirs in zip(before, after, strict=True):
        assert mine.equals(theirs), (mine, theirs)
    to_store = ProgressStore(postgres_url)
    assert to_store.data_version() == from_store.data_version()
    copied = table_rows(postgres_url)
    with sqlite3.connect(source) as conn:
        batches = conn.execute(
            "SELECT upload_id, row_count, format, batch FROM figure_batches ORDER BY 1"
        ).fetchall()
    assert copied["figure_batches"] == batches  # the bytes verbatim

    # the server numbers on from the copied ids
    home = ProgressStore(postgres_url, plan_id=HOME, home_plan_id=HOME)
    content = progress_csv([("T01-1", "2014Q4", 10)])
    report = validate_progress(content, "next.csv", forest_plan())
    next_upload = home.import_rows(
        report.rows, file_name="next.csv", content=content, uploaded_by="新", now=NOW
    )
    next_step = home.record(TrailEntry("reminded", "督查室", period="2014Q4"), now=NOW)
    assert next_upload == int(ledger["id"].max()) + 1
    assert next_step == int(trail["id"].max()) + 1

    kept = table_rows(postgres_url)
    code, out, err = cli(monkeypatch, capsys, source, "copy-store", "--to", url)
    assert code == 1 and not out
    assert "copy_target_not_empty" in err and "未复制任何数据" in err
    assert "nothing was copied" in err and PASSWORD not in err
    assert table_rows(postgres_url) == kept


def test_copy_store_refuses_a_target_that_is_not_postgres_and_a_missing_source(
    tmp_path, monkeypatch, capsys
):
    source = tmp_path / "progress.sqlite3"
    ProgressStore(source)
    target = tmp_path / "other.sqlite3"
    code, _, err = cli(monkeypatch, capsys, source, "copy-store", "--to", str(target))
    assert code == 1 and "copy_target_not_postgres" in err and "PostgreSQL" in err
    assert not target.exists()
    missing = tmp_path / "missing.sqlite3"
    code, _, err = cli(
        monkeypatch, capsys, missing, "copy-store", "--to", "postgresql://x@127.0.0.1/y"
    )
    assert code == 1 and "copy_source_missing" in err and "PROGRESS_DB" in err
    assert not missing.exists()
