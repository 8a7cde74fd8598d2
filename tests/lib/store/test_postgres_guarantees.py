"""The PostgreSQL store's guarantees on a real server (tests/postgres.py), never a mock:
append-only tables whoever is connected, an app role that can work but not rewrite, a
schema made once when processes start together, busy and read-only stores refused with
nothing changed, one copy of the same bytes, and a data version every process sees at once.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from psycopg import errors as pg_errors

from lib.cli.main import main
from lib.core.errors import StoreError
from lib.ingest.report import ValidationReport, validate_progress
from lib.plan.model import Plan
from lib.store.postgres_engine import close_pools
from lib.store.postgres_schema import WRITE_LOCK
from lib.store.repository import ProgressStore
from lib.store.schema import SCHEMA_VERSION
from lib.store.trail import TrailEntry
from tests.lib.store.pg_worker import outcome, started_workers, table_rows
from tests.support import forest_plan, progress_csv
from tools.local_postgres import LocalPostgres

NOW = datetime(2014, 10, 15, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return forest_plan()


@pytest.fixture
def app_role(postgres_server: LocalPostgres, postgres_url: str) -> Iterator[str]:
    """A login role of its own (roles are the server's, not a database's), dropped after."""
    role = f"dash_app_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
    yield role
    close_pools(app_url(postgres_server, postgres_url, role))
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {role}")  # its grants on the test's database
    with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
        conn.execute(f"DROP ROLE {role}")


def app_url(server: LocalPostgres, owner_url: str, role: str) -> str:
    return server.url(owner_url.rsplit("/", 1)[1], user=role)


def report_of(plan: Plan, rows: list[tuple[str, str, object]], note: str = "") -> tuple:
    content = progress_csv(rows, note)
    report = validate_progress(content, "x.csv", plan)
    assert report.ok, [str(p) for p in report.errors]
    return report, content


def imported(store: ProgressStore, report: ValidationReport, content: bytes) -> int:
    return store.import_rows(
        report.rows, file_name="x.csv", content=content, uploaded_by="分析员", now=NOW
    )


def upload(store: ProgressStore, plan: Plan, rows: list[tuple[str, str, object]]) -> int:
    return imported(store, *report_of(plan, rows))


def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, url: str, *argv: str):
    """Run a command in this process with PROGRESS_DB = `url`; (exit code, stdout, stderr)."""
    monkeypatch.setenv("PROGRESS_DB", url)
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def with_history(store: ProgressStore, plan: Plan) -> tuple[int, int]:
    """Two uploads, the first withdrawn, the second confirmed, and a reminder: every table
    has rows (a row trigger is not fired by a statement that touches none)."""
    first = upload(store, plan, [("T01-1", "2014Q1", 10)])
    second = upload(store, plan, [("T01-1", "2014Q1", 12), ("T01-2", "2014Q1", 1500)])
    store.withdraw(first, withdrawn_by="管理员", now=NOW)
    store.record(TrailEntry("confirmed", "市统计局", upload_id=second), now=NOW)
    store.record(TrailEntry("reminded", "督查室", period="2014Q2", unit="市林业局"), now=NOW)
    return first, second


def test_triggers_refuse_rewriting_the_store_even_to_its_owner(postgres_url, plan):
    store = ProgressStore(postgres_url)
    withdrawn, active = with_history(store, plan)
    before = table_rows(postgres_url)
    assert all(before[table] for table in before)
    refused = {
        "UPDATE figure_batches SET row_count = row_count": "figures are append-only",
        "DELETE FROM figure_batches": "figures are append-only",
        "UPDATE cycle_events SET actor = '别人'": "the trail is append-only",
        "DELETE FROM cycle_events": "the trail is append-only",
        "DELETE FROM uploads": "uploads are never deleted",
        f"DELETE FROM uploads WHERE id = {withdrawn}": "uploads are never deleted",
        "UPDATE uploads SET status = 'active', withdrawn_by = NULL, withdrawn_at = NULL"
        f" WHERE id = {withdrawn}": "an upload can only be withdrawn",
        f"UPDATE uploads SET sha256 = 'x' WHERE id = {active}": "an upload can only be withdrawn",
        f"UPDATE uploads SET uploaded_by = '别人' WHERE id = {active}": (
            "an upload can only be withdrawn"
        ),
        f"UPDATE uploads SET withdrawn_by = '别人' WHERE id = {withdrawn}": (
            "an upload can only be withdrawn"  # a withdrawal is not rewritten either
        ),
        "UPDATE uploads SET status = 'withdrawn', withdrawn_by = 'x', withdrawn_at = 'y',"
        f" file_name = 'z.csv' WHERE id = {active}": "an upload can only be withdrawn",
        "TRUNCATE figure_batches": "the store is append-only",
        "TRUNCATE cycle_events": "the store is append-only",
        "TRUNCATE uploads CASCADE": "the store is append-only",
        "TRUNCATE meta": "the store is append-only",
    }
    with psycopg.connect(postgres_url, autocommit=True) as owner:
        assert owner.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        for statement, message in refused.items():
            with pytest.raises(pg_errors.IntegrityConstraintViolation) as caught:
                owner.execute(statement)
            assert caught.value.sqlstate == "23000", statement
            assert message in str(caught.value), statement
    assert table_rows(postgres_url) == before
    # what the store itself does is allowed to the owner as well: a withdrawal
    with psycopg.connect(postgres_url, autocommit=True) as owner:
        owner.execute(
            "UPDATE uploads SET status = 'withdrawn', withdrawn_by = 'x', withdrawn_at = 'y'"
            " WHERE id = %s",
            (active,),
        )
    assert set(ProgressStore(postgres_url).uploads()["status"]) == {"withdrawn"}


def test_the_app_role_works_but_has_no_right_to_rewrite(
    postgres_server, postgres_url, plan, app_role, monkeypatch, capsys
):
    code, out, err = cli(monkeypatch, capsys, postgres_url, "grant-app-role", app_role)
    assert code == 0, err
    assert f'GRANT INSERT ON uploads, figure_batches, cycle_events TO "{app_role}"' in out
    url = app_url(postgres_server, postgres_url, app_role)
    store = ProgressStore(url)
    withdrawn, _ = with_history(store, plan)  # import, withdraw, record the trail
    assert list(store.uploads()["status"]) == ["active", "withdrawn"]
    assert list(store.trail()["kind"]) == ["confirmed", "reminded"]
    assert list(store.current_values()["value"]) == [12.0, 1500.0]
    assert store.data_version() == 5
    before = table_rows(postgres_url)
    denied = [
        "DELETE FROM figure_batches",
        "UPDATE figure_batches SET row_count = 1",
        "DELETE FROM cycle_events",
        "UPDATE cycle_events SET actor = '别人'",
        "DELETE FROM uploads",
        "UPDATE uploads SET sha256 = 'x'",
        "UPDATE uploads SET file_name = 'x.csv'",
        "UPDATE uploads SET is_sample = 1",
        "UPDATE uploads SET plan_id = 'other'",
        "TRUNCATE uploads CASCADE",
        "TRUNCATE figure_batches",
        "TRUNCATE cycle_events",
        "TRUNCATE meta",
        "DELETE FROM meta",
        "UPDATE meta SET key = 'x'",
        "INSERT INTO meta (key, value) VALUES ('x', 1)",
        "ALTER TABLE uploads DISABLE TRIGGER ALL",
        "DROP TABLE cycle_events",
        "CREATE TABLE elsewhere (x INTEGER)",
        "SET session_replication_role = replica",  # would skip the triggers
    ]
    with psycopg.connect(url, autocommit=True) as app:
        for statement in denied:
            with pytest.raises(pg_errors.InsufficientPrivilege) as caught:
                app.execute(statement)
            assert caught.value.sqlstate == "42501", statement
        # the withdrawal columns are the role's to update, but only to withdraw
        with pytest.raises(pg_errors.IntegrityConstraintViolation):
            app.execute(
                "UPDATE uploads SET status = 'active', withdrawn_by = NULL, withdrawn_at = NULL"
                " WHERE id = %s",
                (withdrawn,),
            )
    assert table_rows(postgres_url) == before
    upload(store, plan, [("T01-3", "2014Q2", 100)])  # and the store still works


def test_the_app_role_on_an_empty_database_asks_for_migrate_store(
    postgres_server, postgres_url, plan, app_role, monkeypatch, capsys
):
    url = app_url(postgres_server, postgres_url, app_role)
    with pytest.raises(StoreError) as caught:
        ProgressStore(url)
    (problem,) = caught.value.problems
    assert problem.code == "store_needs_migration"
    assert "migrate-store" in problem.message_zh and "数据库结构需要升级" in problem.message_zh
    assert "migrate-store" in problem.message_en and "database owner" in problem.message_en
    assert meta_table(postgres_url) is None  # nothing was made

    code, out, err = cli(monkeypatch, capsys, postgres_url, "migrate-store")
    assert code == 0, err
    assert f"schema version: 0 -> {SCHEMA_VERSION}" in out
    with pytest.raises(StoreError) as caught:
        ProgressStore(url)  # made, but the owner has not granted the role its rights yet
    (problem,) = caught.value.problems
    assert problem.code == "store_role_not_granted"
    assert "grant-app-role" in problem.message_zh and "grant-app-role" in problem.message_en

    code, out, err = cli(monkeypatch, capsys, postgres_url, "grant-app-role", app_role)
    assert code == 0, err
    store = ProgressStore(url)
    assert upload(store, plan, [("T01-1", "2014Q1", 10)]) == 1
    assert store.data_version() == 1


def meta_table(url: str) -> object:
    """The store's `meta` table in the database at `url`, None when there is none."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute("SELECT to_regclass('meta')").fetchone()[0]


def test_processes_opening_a_fresh_database_together_make_the_schema_once(postgres_url):
    workers = started_workers("open", postgres_url, count=6)
    assert [outcome(worker) for worker in workers] == [{"schema": SCHEMA_VERSION}] * 6
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            " ORDER BY table_name"
        ).fetchall()
        triggers = conn.execute(
            "SELECT COUNT(*) FROM pg_trigger WHERE NOT tgisinternal"
        ).fetchone()[0]
        meta = conn.execute("SELECT key, value FROM meta ORDER BY key").fetchall()
    assert [t for (t,) in tables] == ["cycle_events", "figure_batches", "meta", "uploads"]
    assert triggers == 8  # four append-only row triggers, four TRUNCATE triggers
    assert meta == [("data_version", 0), ("schema_version", SCHEMA_VERSION)]


def test_a_held_write_lock_makes_an_import_busy_and_stores_nothing(postgres_url, plan):
    store = ProgressStore(postgres_url, busy_timeout_s=0.5)
    report, content = report_of(plan, [("T01-1", "2014Q1", 10)])
    with psycopg.connect(postgres_url) as holder:  # a transaction holding the write lock
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        started = time.perf_counter()
        with pytest.raises(StoreError) as caught:
            imported(store, report, content)
        waited = time.perf_counter() - started
        holder.rollback()
    (problem,) = caught.value.problems
    assert problem.code == "store_busy" and problem.message_zh and problem.message_en
    assert 0.45 <= waited < 5
    assert store.uploads().empty and store.data_version() == 0


def test_an_import_waits_for_a_write_lock_released_within_the_timeout(postgres_url, plan):
    store = ProgressStore(postgres_url, busy_timeout_s=10)
    report, content = report_of(plan, [("T01-1", "2014Q1", 10)])
    with psycopg.connect(postgres_url) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        release = threading.Timer(0.5, holder.rollback)
        started = time.perf_counter()
        release.start()
        upload_id = imported(store, report, content)
        waited = time.perf_counter() - started
        release.join()
    assert upload_id == 1 and 0.45 <= waited < 10
    assert list(store.uploads()["id"]) == [1] and store.data_version() == 1


def test_a_read_only_database_refuses_writes_and_still_reads(postgres_server, postgres_url, plan):
    store = ProgressStore(postgres_url)
    first = upload(store, plan, [("T01-1", "2014Q1", 10)])
    report, content = report_of(plan, [("T01-1", "2014Q2", 20)])
    before = table_rows(postgres_url)
    with psycopg.connect(postgres_server.url(), autocommit=True) as conn:
        conn.execute(
            f"ALTER DATABASE {postgres_url.rsplit('/', 1)[1]}"
            " SET default_transaction_read_only = on"
        )
    close_pools(postgres_url)  # the setting applies to sessions started after it
    store = ProgressStore(postgres_url)
    writes = [
        lambda: imported(store, report, content),
        lambda: store.withdraw(first, withdrawn_by="管理员", now=NOW),
        lambda: store.record(TrailEntry("reminded", "督查室", period="2014Q2"), now=NOW),
    ]
    for write in writes:
        with pytest.raises(StoreError) as caught:
            write()
        (problem,) = caught.value.problems
        assert problem.code == "store_read_only"
        assert "只读" in problem.message_zh and "read-only" in problem.message_en
    assert list(store.uploads()["id"]) == [first]
    assert list(store.current_values()["value"]) == [10.0]
    assert store.trail().empty and store.data_version() == 1
    assert table_rows(postgres_url) == before


def test_the_same_bytes_imported_by_processes_at_once_are_stored_once(postgres_url, tmp_path):
    ProgressStore(postgres_url)  # the schema, so the race is the imports' and not the schema's
    file = tmp_path / "same.csv"
    file.write_bytes(progress_csv([("T01-1", "2014Q1", 10), ("T01-2", "2014Q1", 1500)]))
    results = [outcome(worker) for worker in started_workers("import", postgres_url, file, 6)]
    stored = [result["id"] for result in results if "id" in result]
    refused = [result["code"] for result in results if "code" in result]
    assert len(stored) == 1 and refused == ["duplicate_upload"] * 5
    store = ProgressStore(postgres_url)
    assert list(store.uploads()["id"]) == stored and store.data_version() == 1


def test_another_process_import_is_seen_at_once_and_the_version_is_cheap(
    postgres_url, tmp_path, plan
):
    store = ProgressStore(postgres_url)
    assert store.data_version() == 0
    file = tmp_path / "other.csv"
    file.write_bytes(progress_csv([("T01-1", "2014Q1", 10)]))
    (result,) = [outcome(worker) for worker in started_workers("import", postgres_url, file)]
    assert store.data_version() == 1  # the next read, no wait
    assert list(store.uploads()["id"]) == [result["id"]]
    calls = 1000
    started = time.perf_counter()
    for _ in range(calls):
        store.data_version()
    each = (time.perf_counter() - started) / calls
    print(f"data_version(): {each * 1000:.3f} ms a call over {calls} calls")
    assert each < 0.005
