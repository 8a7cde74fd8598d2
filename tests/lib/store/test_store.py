"""The progress store on both engines: ledger, batches, withdrawals, failures, locking.

Every test whose subject is the store's own rules runs twice (`store_location`, tests/
postgres.py): on a SQLite file and on a database of a real PostgreSQL server. The tests of
SQLite itself (WAL mode, its busy lock, `query_only`, `max_page_count`, its length limit)
run on a file only. The store takes plain data (validated rows, the file's bytes, names);
who may import or withdraw is tested with the upload service in tests/lib/services/.
"""

from __future__ import annotations

import ast
import multiprocessing
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event
from pathlib import Path

import psycopg
import pyarrow as pa
import pytest

import lib.store.repository
from lib.core.errors import StoreError
from lib.ingest.report import ValidationReport, validate_progress
from lib.plan.model import Plan
from lib.store.batches import BATCH_FORMAT
from lib.store.engines import Connection, engine_for
from lib.store.failures import store_error
from lib.store.postgres_engine import PostgresConnection
from lib.store.repository import CURRENT_COLUMNS, UPLOAD_COLUMNS, ProgressStore
from lib.store.trail import TrailEntry
from tests.support import (
    dump,
    every_stored_row,
    forest_plan,
    incompressible_text,
    progress_csv,
    stored_figures_of,
)

REPO = Path(__file__).resolve().parents[3]
NOW = datetime(2014, 10, 15, 9, 30, tzinfo=UTC)


class InjectedFailure(RuntimeError):
    """A crash simulated in the middle of an import."""


@pytest.fixture(scope="module")
def plan() -> Plan:
    return forest_plan()


@pytest.fixture
def store(store_location: str) -> ProgressStore:
    """A new store, on a SQLite file and then on a PostgreSQL database."""
    return ProgressStore(store_location)


@contextmanager
def outside_connection(store: ProgressStore) -> Iterator[Connection]:
    """A connection to the store's file or database that is not the store's own, as any
    other program would open it (no pragmas, no pool); `?` placeholders on both."""
    if store.path is not None:
        conn = sqlite3.connect(store.path, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()
    else:
        with psycopg.connect(store.location, autocommit=True) as raw:
            yield PostgresConnection(raw)


def table_names(store: ProgressStore) -> set[str]:
    """The tables of the store's file or database."""
    sql = (
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        if store.path is not None
        else "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema()"
    )
    with outside_connection(store) as conn:
        return {name for (name,) in conn.execute(sql).fetchall()}


def upload(
    store: ProgressStore,
    plan: Plan,
    rows: list[tuple[str, str, object]],
    note: str | list[str] = "",
    by: str = "分析员",
) -> int:
    """Validate a file of `rows` and import its rows as `by`; the new upload id."""
    content = progress_csv(rows, note)
    report = validate_progress(content, "x.csv", plan, stored=store.current_values())
    assert report.ok, [str(p) for p in report.errors]
    return store_report(store, report, content, by)


def store_report(store: ProgressStore, report: ValidationReport, content: bytes, by: str) -> int:
    return store.import_rows(
        report.rows, file_name="x.csv", content=content, uploaded_by=by, now=NOW
    )


def current(store: ProgressStore) -> dict[tuple[str, str], float]:
    frame = store.current_values()
    return dict(
        zip(zip(frame["indicator_id"], frame["period"], strict=True), frame["value"], strict=True)
    )


def test_new_sqlite_store_is_a_wal_file_in_a_new_directory(tmp_path):
    path = tmp_path / "nested" / "dir" / "progress.sqlite3"
    store = ProgressStore(path)
    assert store.path == path and path.exists() and store.engine.kind == "sqlite"
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    ProgressStore(path)  # reopening an existing store changes nothing
    assert store.data_version() == 0 and store.uploads().empty


def test_new_store_is_empty_and_typed(store):
    assert {"meta", "uploads", "figure_batches", "cycle_events"} <= table_names(store)
    assert store.uploads().empty and list(store.uploads().columns) == UPLOAD_COLUMNS
    assert store.current_values().empty and list(store.current_values().columns) == CURRENT_COLUMNS
    assert store.current_values()["value"].dtype == "float64"
    assert stored_figures_of(store).empty
    assert (store.data_version(), store.has_sample_data()) == (0, False)
    before = every_stored_row(store)
    ProgressStore(store.location)  # reopening an existing store changes nothing
    assert every_stored_row(store) == before and store.data_version() == 0


def test_import_records_ledger_rows_and_current_values(store, plan):
    upload_id = upload(store, plan, [("T01-1", "2014Q1", '"1,200"'), ("T01-2", "2014Q1", 1530.5)])
    ledger = store.uploads()
    assert list(ledger["id"]) == [upload_id]
    entry = ledger.iloc[0]
    assert (entry["file_name"], entry["uploaded_by"], entry["row_count"]) == ("x.csv", "分析员", 2)
    assert (entry["status"], entry["is_sample"]) == ("active", False)
    assert entry["uploaded_at"] == "2014-10-15T09:30:00+00:00"
    assert len(entry["sha256"]) == 64
    assert current(store) == {("T01-1", "2014Q1"): 1200.0, ("T01-2", "2014Q1"): 1530.5}
    row = store.current_values().iloc[0]
    assert (row["upload_id"], row["reporter"], row["uploaded_by"]) == (
        upload_id,
        "市林业局",
        "分析员",
    )
    assert store.data_version() == 1


def test_no_rows_are_refused(store, plan):
    content = progress_csv([("T01-1", "2014Q1", 10)])
    rows = validate_progress(content, "x.csv", plan).rows
    with pytest.raises(StoreError) as caught:
        store.import_rows(
            rows.iloc[:0], file_name="x.csv", content=content, uploaded_by="a", now=NOW
        )
    assert caught.value.problems[0].code == "no_rows"
    assert store.uploads().empty and store.data_version() == 0


def test_same_bytes_twice_are_refused_naming_the_earlier_upload(store, plan):
    first = upload(store, plan, [("T01-1", "2014Q1", 10)])
    with pytest.raises(StoreError) as caught:
        upload(store, plan, [("T01-1", "2014Q1", 10)])
    problem = caught.value.problems[0]
    assert (problem.code, problem.value) == ("duplicate_upload", str(first))
    assert f"第 {first} 批" in problem.message_zh and f"upload {first}" in problem.message_en
    assert len(store.uploads()) == 1 and store.data_version() == 1


def test_newest_active_upload_wins_and_withdrawal_restores_the_previous_value(store, plan):
    first = upload(store, plan, [("T01-1", "2014Q1", 10), ("T01-1", "2014Q2", 20)])
    second = upload(store, plan, [("T01-1", "2014Q2", 25)], note="修订")
    assert current(store) == {("T01-1", "2014Q1"): 10.0, ("T01-1", "2014Q2"): 25.0}

    store.withdraw(second, withdrawn_by="组长", now=NOW)
    assert current(store) == {("T01-1", "2014Q1"): 10.0, ("T01-1", "2014Q2"): 20.0}
    ledger = store.uploads().set_index("id")
    assert ledger.loc[second, "status"] == "withdrawn"
    assert (ledger.loc[second, "withdrawn_by"], ledger.loc[first, "status"]) == ("组长", "active")
    assert ledger.loc[second, "withdrawn_at"] == "2014-10-15T09:30:00+00:00"
    stored = stored_figures_of(store)
    assert len(stored) == 3  # nothing deleted
    withdrawn = stored[stored["upload_id"] == second].iloc[0]
    assert (withdrawn["indicator_id"], withdrawn["value"], withdrawn["note"]) == (
        "T01-1", 25.0, "修订",
    )  # fmt: skip
    assert store.data_version() == 3

    again = upload(store, plan, [("T01-1", "2014Q2", 25)], note="修订")  # same bytes, re-imported
    assert again > second and current(store)[("T01-1", "2014Q2")] == 25.0


def test_withdraw_refuses_unknown_and_already_withdrawn_uploads(store, plan):
    upload_id = upload(store, plan, [("T01-1", "2014Q1", 10)])
    assert store.active_upload_owner(upload_id) == "分析员"
    store.withdraw(upload_id, withdrawn_by="a", now=NOW)
    assert store.active_upload_owner(upload_id) is None
    for target, code in ((upload_id, "already_withdrawn"), (999, "unknown_upload")):
        with pytest.raises(StoreError) as caught:
            store.withdraw(target, withdrawn_by="a", now=NOW)
        assert caught.value.problems[0].code == code
    assert store.active_upload_owner(999) is None
    assert store.data_version() == 2 and store.current_values().empty


def crashing_after(monkeypatch: pytest.MonkeyPatch, statement: str) -> None:
    """Make the import statement `statement` (a function of lib.store.repository) do its
    write and then crash, before the transaction commits."""
    real = getattr(lib.store.repository, statement)

    def write_then_crash(*args: object) -> None:
        real(*args)
        raise InjectedFailure(f"injected failure after {statement}")

    monkeypatch.setattr(lib.store.repository, statement, write_then_crash)


def unchanged_evidence(store: ProgressStore) -> tuple[object, ...]:
    """What a failed write must leave as it was: every stored row and, of a SQLite file,
    its dump and its very bytes."""
    if store.path is None:
        return (every_stored_row(store),)
    return every_stored_row(store), dump(store.path), store.path.read_bytes()


@pytest.mark.parametrize("statement", ["_insert_upload", "_insert_batch", "_bump_version"])
def test_failure_halfway_through_an_import_leaves_the_store_unchanged(
    store, plan, monkeypatch, statement
):
    upload(store, plan, [("T01-1", "2014Q1", 10)])
    before = unchanged_evidence(store)
    rows = [("T01-1", "2014Q2", 20), ("T01-2", "2014Q2", 1530), ("T01-1", "2014Q3", 30)]
    content = progress_csv(rows)
    report = validate_progress(content, "x.csv", plan)
    crashing_after(monkeypatch, statement)
    with pytest.raises(InjectedFailure):
        store_report(store, report, content, "a")
    assert unchanged_evidence(store) == before
    assert store.data_version() == 1 and len(store.uploads()) == 1
    monkeypatch.undo()
    # the same file imports cleanly afterwards: the failed attempt left no trace
    assert store_report(store, report, content, "a") == 2


def test_busy_store_gives_a_bilingual_error_and_keeps_data(tmp_path, plan):
    store = ProgressStore(tmp_path / "p.sqlite3", busy_timeout_s=0.2)
    upload(store, plan, [("T01-1", "2014Q1", 10)])
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError) as caught:
            upload(store, plan, [("T01-1", "2014Q2", 20)])
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    problem = caught.value.problems[0]
    assert problem.code == "store_busy"
    assert (
        problem.message_zh == "数据库繁忙，请稍后重试"
        and problem.message_en == "store is busy, try again"
    )
    assert current(store) == {("T01-1", "2014Q1"): 10.0}
    assert upload(store, plan, [("T01-1", "2014Q2", 20)]) == 2  # works once the lock is gone


def test_read_only_store_refuses_writes_but_still_reads(tmp_path, plan):
    path = tmp_path / "p.sqlite3"
    upload(ProgressStore(path), plan, [("T01-1", "2014Q1", 10)])
    read_only = ProgressStore(path, pragmas={"query_only": 1})
    with pytest.raises(StoreError) as caught:
        read_only.withdraw(1, withdrawn_by="a", now=NOW)
    assert caught.value.problems[0].code == "store_read_only"
    assert current(read_only) == {("T01-1", "2014Q1"): 10.0}
    assert read_only.uploads().loc[0, "status"] == "active"


def test_full_disk_refuses_the_import_and_keeps_data(tmp_path, plan):
    path = tmp_path / "p.sqlite3"
    upload(ProgressStore(path), plan, [("T01-1", "2014Q1", 10)])
    before = dump(path)
    conn = sqlite3.connect(path)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    full = ProgressStore(path, pragmas={"max_page_count": pages})
    rows = [("T01-1", f"2014Q{q}", q) for q in (2, 3, 4)]
    notes = [incompressible_text(2800, n) for n in range(len(rows))]  # batches are compressed
    with pytest.raises(StoreError) as caught:
        upload(full, plan, rows, note=notes)
    assert caught.value.problems[0].code == "store_full"
    assert dump(path) == before


def test_figures_uploads_and_the_trail_are_append_only(store, plan):
    upload_id = upload(store, plan, [("T01-1", "2014Q1", 10)])
    store.record(TrailEntry("confirmed", "统计局", upload_id=upload_id), now=NOW)
    before = every_stored_row(store)
    with outside_connection(store) as conn:  # whoever writes to the database
        for statement, params, reason in (
            ("UPDATE figure_batches SET batch = ?", (b"\x00",), "figures are append-only"),
            ("UPDATE figure_batches SET row_count = 0", (), "figures are append-only"),
            ("DELETE FROM figure_batches", (), "figures are append-only"),
            ("DELETE FROM uploads", (), "uploads are never deleted"),
            ("UPDATE uploads SET file_name = 'y.csv'", (), "an upload can only be withdrawn"),
            ("UPDATE uploads SET row_count = 0", (), "an upload can only be withdrawn"),
            ("UPDATE cycle_events SET actor = 'x'", (), "the trail is append-only"),
            ("DELETE FROM cycle_events", (), "the trail is append-only"),
        ):
            with pytest.raises((sqlite3.IntegrityError, psycopg.IntegrityError), match=reason):
                conn.execute(statement, params)
    assert every_stored_row(store) == before
    assert current(store) == {("T01-1", "2014Q1"): 10.0}


def test_each_upload_is_one_arrow_batch_in_row_order(store, plan):
    upload_id = upload(store, plan, [("T01-2", "2014Q1", 5), ("T01-1", "2014Q1", 10)])
    with outside_connection(store) as conn:
        ((row_count, batch_format, batch),) = conn.execute(
            "SELECT row_count, format, batch FROM figure_batches WHERE upload_id = ?", (upload_id,)
        ).fetchall()
    assert "figures" not in table_names(store) and batch_format == BATCH_FORMAT
    table = pa.ipc.open_stream(batch).read_all()
    assert table.column_names == ["row_no", "indicator_id", "period", "value", "note", "reporter"]
    assert row_count == table.num_rows == 2
    assert table["row_no"].to_pylist() == [2, 3]  # spreadsheet rows, in order
    assert table["indicator_id"].cast(pa.string()).to_pylist() == ["T01-2", "T01-1"]
    assert table["value"].to_pylist() == [5.0, 10.0]
    assert table["note"].to_pylist() == [None, None]  # an empty note is stored as null
    assert table["reporter"].cast(pa.string()).to_pylist() == ["市林业局"] * 2


def _stored_batch(store: ProgressStore, upload_id: int) -> bytes:
    with outside_connection(store) as conn:
        return bytes(
            conn.execute(
                "SELECT batch FROM figure_batches WHERE upload_id = ?", (upload_id,)
            ).fetchone()[0]
        )


def _overwrite_batch(store: ProgressStore, upload_id: int, batch: object) -> None:
    """Damage a stored batch behind the store's back (dropping or disabling the trigger that
    forbids it)."""
    with outside_connection(store) as conn:
        conn.execute(
            "DROP TRIGGER figure_batches_no_update"
            if store.path is not None
            else "ALTER TABLE figure_batches DISABLE TRIGGER figure_batches_append_only"
        )
        conn.execute("UPDATE figure_batches SET batch = ? WHERE upload_id = ?", (batch, upload_id))


def _arrow_stream(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


@pytest.mark.parametrize(
    "damage", ["garbage", "truncated", "wrong_columns", "rows_missing", "text_not_blob"]
)
def test_damaged_batch_is_a_bilingual_store_error(store, plan, damage):
    upload_id = upload(store, plan, [("T01-1", "2014Q1", 10), ("T01-2", "2014Q1", 20)])
    batch = _stored_batch(store, upload_id)
    replacement = {
        "garbage": b"\xff" * 64,
        "truncated": batch[: len(batch) // 2],
        "wrong_columns": _arrow_stream(pa.table({"indicator_id": ["T01-1"], "value": [1.0]})),
        "rows_missing": _arrow_stream(pa.ipc.open_stream(batch).read_all().slice(0, 1)),
        "text_not_blob": "not a batch",
    }[damage]
    _overwrite_batch(store, upload_id, replacement)
    with pytest.raises(StoreError) as caught:
        store.current_values()
    (problem,) = caught.value.problems
    assert problem.code == "store_corrupt"
    assert f"第 {upload_id} 批" in problem.message_zh
    assert f"upload {upload_id}" in problem.message_en
    assert store.uploads()["row_count"].tolist() == [2]  # the ledger still reads


def test_blob_too_big_for_sqlite_is_a_clear_error():
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (b BLOB)")
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, 100)
    with pytest.raises(sqlite3.DataError) as caught:
        conn.execute("INSERT INTO t VALUES (?)", (bytes(1000),))
    conn.close()
    (problem,) = store_error(caught.value).problems
    assert problem.code == "store_too_big" and "nothing was imported" in problem.message_en


def test_threads_share_a_store_object(store, plan):
    reports = []
    for n in range(8):
        content = progress_csv([("T01-1", f"2014Q{n % 4 + 1}", n)], note=f"线程{n}")
        reports.append((content, validate_progress(content, "x.csv", plan)))

    def run(item: tuple[bytes, ValidationReport]) -> int:
        return store_report(store, item[1], item[0], "t")

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(run, reports))
    assert sorted(ids) == list(range(1, 9))
    assert store.data_version() == 8 and len(stored_figures_of(store)) == 8
    assert sorted(stored_figures_of(store)["note"]) == [f"线程{n}" for n in range(8)]


def _import_when_told(
    plan: Plan, location: str, data_file: Path, ready: Event, go: Event, results: Queue
) -> None:
    """Body of one worker process: validate, wait for the start signal, import."""
    try:
        content = data_file.read_bytes()
        report = validate_progress(content, data_file.name, plan)
        store = ProgressStore(location)  # the eight create the schema together
        ready.set()
        go.wait(60)
        upload_id = store.import_rows(
            report.rows,
            file_name=data_file.name,
            content=content,
            uploaded_by=data_file.stem,
            now=NOW,
        )
        results.put((data_file.stem, upload_id, ""))
    except BaseException as exc:  # report anything to the parent, which fails the test
        results.put((data_file.stem, None, f"{type(exc).__name__}: {exc}"))
        raise


def test_eight_concurrent_imports_from_separate_processes(tmp_path, store_location, plan):
    context = multiprocessing.get_context("fork")  # children start with lib already imported
    go, results = context.Event(), context.Queue()
    # the parent holds an open connection (on PostgreSQL a pool with its sockets) when it
    # forks: each child must open its own and leave the parent's working
    with engine_for(store_location, busy_timeout_s=15).connection() as conn:
        assert conn.execute("SELECT 1").fetchone()[0] == 1
    expected_rows, workers = {}, []
    for n in range(8):
        rows = [("T01-1", f"2014Q{q}", 100 * n + q) for q in range(1, 5)][: n % 4 + 1]
        rows += [("T01-2", f"2014Q{q}", 1500 + n + q) for q in range(1, 5)]
        data_file = tmp_path / f"file{n}.csv"
        data_file.write_bytes(progress_csv(rows, note=f"进程{n}"))
        expected_rows[f"file{n}"] = len(rows)
        ready = context.Event()
        worker = context.Process(
            target=_import_when_told, args=(plan, store_location, data_file, ready, go, results)
        )
        worker.start()
        workers.append((worker, ready))
    for _, ready in workers:
        assert ready.wait(60), "a worker did not get ready"
    go.set()  # all eight write at once
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker, _ in workers:
        worker.join(60)
        assert worker.exitcode == 0
    assert [error for _, _, error in outcomes if error] == []  # no 'database is locked'
    assert sorted(upload_id for _, upload_id, _ in outcomes) == list(range(1, 9))
    store = ProgressStore(store_location)  # on PostgreSQL, through the parent's own pool
    ledger = store.uploads()
    assert dict(zip(ledger["uploaded_by"], ledger["row_count"], strict=True)) == expected_rows
    figures = stored_figures_of(store)
    assert len(figures) == sum(expected_rows.values())
    notes = figures.groupby("upload_id")["note"].unique()  # each upload holds its own file
    assert {
        by: list(notes[upload_id])
        for upload_id, by in zip(ledger["id"], ledger["uploaded_by"], strict=True)
    } == {f"file{n}": [f"进程{n}"] for n in range(8)}
    assert store.data_version() == 8


def test_the_store_imports_neither_auth_nor_ingest():
    """The store takes plain data: roles are checked in lib.services.uploads and rows are
    validated in lib.ingest, so neither may creep into lib/store/ (late imports included)."""
    for path in sorted((REPO / "lib" / "store").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("lib.auth", "lib.ingest")), f"{path.name}: {name}"


def test_a_refused_trail_step_leaves_no_gap_in_trail_ids(store, plan):
    """督办单 are numbered by trail id: a step refused inside a transaction (here the second
    of two, all or none) must not use up a number on either engine."""
    first = upload(store, plan, [("T01-1", "2014Q1", 10)])
    steps = [TrailEntry("confirmed", "统计局", upload_id=first)]
    with pytest.raises(StoreError) as caught:
        store.record_all([*steps, TrailEntry("confirmed", "统计局", upload_id=999)], now=NOW)
    assert caught.value.problems[0].code == "unknown_upload" and store.trail().empty
    assert store.record(steps[0], now=NOW) == 1
    assert store.record(TrailEntry("reminded", "督查室", period="2014Q1"), now=NOW) == 2
    assert store.trail()["id"].tolist() == [1, 2]
