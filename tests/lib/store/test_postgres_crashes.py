"""The PostgreSQL store when things break mid-write, on a real server: an importing process
killed, its connection cut, a server that cannot be reached, a connection lost at COMMIT.
Nothing partial is ever stored, and the store works again straight after.
"""

from __future__ import annotations

import os
import signal
import time
from datetime import UTC, datetime

import psycopg
import pytest

import lib.store.repository
from lib.core.errors import StoreError
from lib.ingest.report import validate_progress
from lib.plan.model import Plan
from lib.store.postgres_engine import PostgresConnection
from lib.store.postgres_schema import WRITE_LOCK
from lib.store.repository import ProgressStore
from tests.lib.store.pg_worker import started_workers, table_rows
from tests.support import forest_plan, progress_csv
from tools.local_postgres import free_port

NOW = datetime(2014, 10, 15, 9, 30, tzinfo=UTC)
PASSWORD = "s3cret-Pa55"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return forest_plan()


def rows_and_content(plan: Plan, rows: list[tuple[str, str, object]]) -> tuple:
    content = progress_csv(rows)
    report = validate_progress(content, "x.csv", plan)
    assert report.ok, [str(p) for p in report.errors]
    return report.rows, content


def imported(store: ProgressStore, plan: Plan, rows: list[tuple[str, str, object]]) -> int:
    figures, content = rows_and_content(plan, rows)
    return store.import_rows(
        figures, file_name="x.csv", content=content, uploaded_by="分析员", now=NOW
    )


def state(store: ProgressStore, url: str) -> tuple:
    """All a reader can see: every table's rows and the current figures."""
    return table_rows(url), store.current_values().to_dict("list"), store.data_version()


def test_a_killed_importer_leaves_nothing_and_releases_the_write_lock(postgres_url, plan, tmp_path):
    store = ProgressStore(postgres_url, busy_timeout_s=10)
    imported(store, plan, [("T01-1", "2014Q1", 10)])
    before = state(store, postgres_url)
    file = tmp_path / "second.csv"
    file.write_bytes(progress_csv([("T01-1", "2014Q2", 20), ("T01-2", "2014Q2", 1500)]))
    (worker,) = started_workers("import-paused", postgres_url, file)
    try:
        assert worker.stdout.readline().strip() == "inside"
        with psycopg.connect(postgres_url) as probe:  # it holds the write lock now
            held = probe.execute("SELECT pg_try_advisory_xact_lock(%s)", (WRITE_LOCK,))
            assert held.fetchone()[0] is False
        assert state(store, postgres_url) == before  # nothing of it is seen before a commit
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    assert state(store, postgres_url) == before
    # the server ended the dead client's transaction: its lock is free, its bytes importable
    figures, content = rows_and_content(plan, [("T01-1", "2014Q2", 20), ("T01-2", "2014Q2", 1500)])
    assert content == file.read_bytes()
    started = time.perf_counter()
    again = store.import_rows(
        figures, file_name="second.csv", content=content, uploaded_by="分析员", now=NOW
    )
    assert time.perf_counter() - started < 5
    ledger = store.uploads()
    assert list(ledger["status"]) == ["active", "active"] and ledger["id"].iloc[0] == again
    assert store.data_version() == before[2] + 1


def test_a_connection_cut_mid_import_stores_nothing_and_the_next_import_works(
    postgres_url, plan, monkeypatch
):
    store = ProgressStore(postgres_url)
    imported(store, plan, [("T01-1", "2014Q1", 10)])
    before = state(store, postgres_url)
    insert_batch = lib.store.repository._insert_batch
    cut: list[int] = []

    def then_cut(conn: PostgresConnection, upload_id, row_count, batch) -> None:
        insert_batch(conn, upload_id, row_count, batch)
        backend = conn.raw.info.backend_pid
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", (backend,)).fetchone()[0]
            for _ in range(500):  # until the backend is gone, so the next statement fails
                gone = "SELECT NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s)"
                if admin.execute(gone, (backend,)).fetchone()[0]:
                    break
                time.sleep(0.01)
        cut.append(backend)

    monkeypatch.setattr(lib.store.repository, "_insert_batch", then_cut)
    with pytest.raises(StoreError) as caught:
        imported(store, plan, [("T01-1", "2014Q2", 20)])
    assert cut
    (problem,) = caught.value.problems
    assert problem.code == "store_connection_lost"
    assert "连接中断" in problem.message_zh and "未保存任何数据" in problem.message_zh
    assert "connection to the database was lost" in problem.message_en
    assert "stored nothing" in problem.message_en
    assert isinstance(caught.value.__cause__, psycopg.OperationalError)
    monkeypatch.undo()
    assert state(store, postgres_url) == before
    # the same handle: the pool dropped the dead connection and hands out a live one
    new_id = imported(store, plan, [("T01-1", "2014Q2", 20)])
    assert store.uploads()["id"].iloc[0] == new_id
    assert store.data_version() == before[2] + 1


@pytest.mark.parametrize("where", ["nothing listens", "no such database"])
def test_a_server_that_cannot_be_reached_is_said_at_once_without_the_password(
    postgres_server, where
):
    port = free_port() if where == "nothing listens" else postgres_server.port
    database = "store" if where == "nothing listens" else "no_such_database"
    url = f"postgresql://dash_owner:{PASSWORD}@127.0.0.1:{port}/{database}"
    started = time.perf_counter()
    with pytest.raises(StoreError) as caught:
        ProgressStore(url)  # the default busy timeout, 15 s
    took = time.perf_counter() - started
    (problem,) = caught.value.problems
    assert problem.code == "store_unavailable"
    assert "无法连接数据库服务器" in problem.message_zh
    assert "cannot connect to the database server" in problem.message_en
    assert f"127.0.0.1:{port}/{database}" in problem.value and "***" in problem.value
    said = str(caught.value) + repr(problem)
    assert PASSWORD not in said
    assert took < 2, took


def test_a_connection_lost_after_the_commit_returns_the_stored_upload(
    postgres_url, plan, monkeypatch
):
    store = ProgressStore(postgres_url)
    real = PostgresConnection.execute

    def lost_after_commit(self, sql, params=()):
        done = real(self, sql, params)
        if sql == "COMMIT":  # the server committed; the answer never came back
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return done

    monkeypatch.setattr(PostgresConnection, "execute", lost_after_commit)
    upload_id = imported(store, plan, [("T01-1", "2014Q1", 10)])
    monkeypatch.undo()
    ledger = store.uploads()
    assert list(ledger["id"]) == [upload_id] and list(ledger["status"]) == ["active"]
    assert list(store.current_values()["value"]) == [10.0]
    assert store.data_version() == 1


def test_a_connection_lost_before_the_commit_says_nothing_was_imported(
    postgres_url, plan, monkeypatch
):
    store = ProgressStore(postgres_url)
    first = imported(store, plan, [("T01-1", "2014Q1", 10)])
    before = state(store, postgres_url)
    real = PostgresConnection.execute

    def lost_before_commit(self, sql, params=()):
        if sql == "COMMIT":  # the COMMIT never reached the server, which rolls back
            self.raw.execute("ROLLBACK")
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return real(self, sql, params)

    monkeypatch.setattr(PostgresConnection, "execute", lost_before_commit)
    with pytest.raises(StoreError) as caught:
        imported(store, plan, [("T01-1", "2014Q2", 20)])
    (problem,) = caught.value.problems
    assert problem.code == "store_connection_lost"
    assert "本批未导入" in problem.message_zh and "nothing was imported" in problem.message_en
    assert caught.value.__cause__.problems[0].code == "store_commit_unknown"
    # any other write lost at COMMIT is said to be unknown: the person looks before redoing
    with pytest.raises(StoreError) as caught:
        store.withdraw(first, withdrawn_by="管理员", now=NOW)
    (problem,) = caught.value.problems
    assert problem.code == "store_commit_unknown"
    assert "无法确定是否已保存" in problem.message_zh and "is not known" in problem.message_en
    monkeypatch.undo()
    assert state(store, postgres_url) == before
