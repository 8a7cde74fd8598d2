"""Faults around the store: crashes mid-import, kill -9, read-only and full disks, locks.

Each case ends with the store passing its engine's consistency check (PRAGMA
integrity_check, amcheck) and every upload either fully stored or absent. A failure injected
mid-import and a kill -9 of an importing process run on both engines; the rest are SQLite's
own (PostgreSQL's busy, read-only, full and lost-connection cases are in tests/lib/store/).
Read-only and full disks are real where possible: as root (file modes do not stop root) a
small tmpfs is mounted, filled or remounted read-only; without root the read-only case uses
file modes instead. The store's own `pragmas` hook (query_only, max_page_count) gives the
same errors on any machine and runs everywhere.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pickle
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from adversarial_support import (
    NOW,
    StoreSnapshot,
    assert_clear,
    attempt_import,
    csv_content,
    expect_line,
    import_baseline,
    integrity,
    rows_per_upload,
    spawn,
    stop,
    valid_rows,
)

import lib.store.repository
from lib.core.errors import StoreError
from lib.ingest.report import validate_progress
from lib.services.uploads import import_upload, withdraw_upload
from lib.store.postgres_schema import WRITE_LOCK
from lib.store.repository import ProgressStore
from tests.support import admin, incompressible_text, stored_figures_of

PERIODS = ("2014Q1", "2014Q2", "2014Q3", "2014Q4")
# Seconds between seeing the importer hold the write lock and killing it: 0 lands inside
# the transaction, later ones during or after the commit.
KILL_DELAYS = (0.0, 0.0, 0.01, 0.03, 0.5)


def with_long_notes(rows: list[list], length: int) -> list[list]:
    """The rows with a different note of `length` characters each: the store compresses its
    batches, so only text that does not compress fills a disk."""
    return [[*row[:3], incompressible_text(length, n), *row[4:]] for n, row in enumerate(rows)]


# --- a failure injected halfway -----------------------------------------------------------


class InjectedFailure(RuntimeError):
    """A crash simulated in the middle of an import."""


# An import writes the ledger row, then the batch, then bumps the data version, all in one
# transaction: a crash right after any of these writes must leave no trace.
@pytest.mark.parametrize("statement", ["_insert_upload", "_insert_batch", "_bump_version"])
def test_failure_injected_during_an_import_stores_nothing(
    engine_store, engine_snapshot, plan, monkeypatch, statement
):
    store, snapshot = engine_store, engine_snapshot
    content = csv_content(valid_rows(plan, 40))
    report = validate_progress(content, "crash.csv", plan, stored=store.current_values())
    rows = len(report.rows)
    real = getattr(lib.store.repository, statement)

    def write_then_crash(*args: object) -> None:
        real(*args)
        raise InjectedFailure(f"injected failure after {statement}")

    monkeypatch.setattr(lib.store.repository, statement, write_then_crash)
    with pytest.raises(InjectedFailure):
        import_upload(
            store, report, content=content, file_name="crash.csv", user=admin("a"), now=NOW
        )
    snapshot.assert_same(store)
    monkeypatch.undo()
    # nothing half-registered: the same bytes import afterwards, completely
    upload_id = import_upload(
        store, report, content=content, file_name="crash.csv", user=admin("a"), now=NOW
    )
    assert upload_id == 2  # numbered as if the failed attempt had never been
    assert rows_per_upload(store)[upload_id] == (rows, rows)


def test_disk_full_halfway_through_an_import_stores_nothing(store, snapshot, plan):
    content = csv_content(with_long_notes(valid_rows(plan, 73), 280))
    conn = sqlite3.connect(store.path)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    cramped = ProgressStore(store.path, pragmas={"max_page_count": pages + 2})
    outcome = attempt_import(cramped, plan, content, "full.csv")
    assert outcome.kind == "refused"
    (problem,) = assert_clear(outcome.problems, "store_full")
    assert "nothing was changed" in problem.message_en
    snapshot.assert_same(store)


def test_store_opened_read_only_refuses_writes_and_keeps_data(store, snapshot, plan):
    frozen = ProgressStore(store.path, pragmas={"query_only": 1})
    outcome = attempt_import(frozen, plan, csv_content(valid_rows(plan, 3)), "ro.csv")
    assert outcome.kind == "refused"
    assert_clear(outcome.problems, "store_read_only")
    with pytest.raises(StoreError) as caught:
        withdraw_upload(frozen, 1, user=admin("a"), now=NOW)
    assert_clear(caught.value.problems, "store_read_only")
    snapshot.assert_same(store)


# --- real read-only and full file systems -------------------------------------------------


@contextmanager
def store_on_tmpfs(mount_point: Path, size: str, template: Path) -> Iterator[ProgressStore]:
    """A copy of the store file `template` on a fresh tmpfs of `size` mounted at
    `mount_point`; skips the test when mounting is not allowed."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root; the pragma-based cases cover this")
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip()})")
    try:
        path = mount_point / "progress.sqlite3"
        shutil.copyfile(template, path)
        yield ProgressStore(path)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(mount_point)], capture_output=True)
        if subprocess.run(["umount", str(mount_point)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def _remount(mount_point: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(mount_point)], check=True)


def test_store_on_a_read_only_file_system_gives_a_clear_error(tmp_path, seeded_template, plan):
    mount_point = tmp_path / "mnt"
    with store_on_tmpfs(mount_point, "8m", seeded_template) as store:
        before = StoreSnapshot.of(store)
        _remount(mount_point, "ro")
        content = csv_content(valid_rows(plan, 3))
        outcome = attempt_import(store, plan, content, "ro.csv")
        assert outcome.kind == "refused"
        code = outcome.problems[-1].code
        assert code in {"store_read_only", "store_unavailable"}
        assert_clear(outcome.problems, code)
        for attempt in (
            lambda: ProgressStore(store.path),
            lambda: withdraw_upload(store, 1, user=admin("a"), now=NOW),
        ):
            with pytest.raises(StoreError) as caught:
                attempt()
            code = caught.value.problems[0].code
            assert code in {"store_read_only", "store_unavailable"}
            assert_clear(caught.value.problems, code)
        _remount(mount_point, "rw")
        before.assert_same(store)


def test_store_files_without_write_permission_give_a_clear_error(tmp_path, seeded_template, plan):
    if os.geteuid() == 0:
        pytest.skip("root ignores file modes; the read-only tmpfs case covers this as root")
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "progress.sqlite3"
    shutil.copyfile(seeded_template, path)
    before = StoreSnapshot.of(ProgressStore(path))
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        try:
            outcome = attempt_import(
                ProgressStore(path), plan, csv_content(valid_rows(plan, 3)), "x.csv"
            )
            problems = outcome.problems
            assert outcome.kind == "refused"
        except StoreError as exc:
            problems = exc.problems
        code = problems[-1].code
        assert code in {"store_read_only", "store_unavailable"}
        assert_clear(problems, code)
    finally:
        folder.chmod(0o755)
        path.chmod(0o644)
    before.assert_same(ProgressStore(path))


def _fill(mount_point: Path, leave: int) -> Path:
    """A file taking all free space on the mount but `leave` bytes."""
    free = os.statvfs(mount_point)
    filler = mount_point / "filler"
    filler.write_bytes(bytes(max(free.f_bavail * free.f_frsize - leave, 0)))
    return filler


def test_store_on_a_full_disk_gives_a_clear_error_and_recovers(tmp_path, seeded_template, plan):
    mount_point = tmp_path / "mnt"
    with store_on_tmpfs(mount_point, "2m", seeded_template) as store:
        before = StoreSnapshot.of(store)
        content = csv_content(with_long_notes(valid_rows(plan, 73), 1000))  # about 220 KB
        report = validate_progress(content, "full.csv", plan, stored=before.current)
        assert report.ok
        # room for SQLite's 32 KB shared-memory file and a little WAL, not for the upload:
        # the disk fills in the middle of the import
        filler = _fill(mount_point, leave=64 * 1024)
        with pytest.raises(StoreError) as caught:
            import_upload(
                store, report, content=content, file_name="full.csv", user=admin("a"), now=NOW
            )
        (problem,) = assert_clear(caught.value.problems, "store_full")
        assert "nothing was changed" in problem.message_en
        # no room at all: even a read fails (SQLite cannot create the -shm file), clearly
        filler.unlink()
        filler = _fill(mount_point, leave=0)
        outcome = attempt_import(store, plan, content, "full.csv")
        assert outcome.kind == "refused"
        code = outcome.problems[-1].code
        assert code in {"store_full", "store_io_error"}
        assert_clear(outcome.problems, code)
        filler.unlink()
        before.assert_same(store)
        assert attempt_import(store, plan, content, "full.csv").kind == "imported"


# --- another process holding the write lock -----------------------------------------------


def test_write_lock_held_past_the_timeout_says_busy_then_import_succeeds(
    tmp_path, store, snapshot, plan
):
    release = tmp_path / "release"
    holder = spawn("hold-lock", store.path, release)
    try:
        expect_line(holder, "locked", timeout=30)
        impatient = ProgressStore(store.path, busy_timeout_s=0.3)
        content = csv_content(valid_rows(plan, 5))
        started = time.monotonic()
        outcome = attempt_import(impatient, plan, content, "busy.csv")
        assert time.monotonic() - started >= 0.3
        assert outcome.kind == "refused"
        (problem,) = assert_clear(outcome.problems, "store_busy")
        assert "try again" in problem.message_en
        snapshot.assert_same(store)
        release.touch()
        assert holder.wait(timeout=30) == 0
        assert attempt_import(impatient, plan, content, "busy.csv").kind == "imported"
    finally:
        release.touch()
        stop(holder)


def test_write_lock_released_within_the_timeout_is_waited_for(tmp_path, store, plan):
    release = tmp_path / "release"
    holder = spawn("hold-lock", store.path, release)
    try:
        expect_line(holder, "locked", timeout=30)
        timer = threading.Timer(0.4, release.touch)
        timer.start()
        started = time.monotonic()
        outcome = attempt_import(store, plan, csv_content(valid_rows(plan, 5)), "wait.csv")
        assert outcome.kind == "imported", [str(p) for p in outcome.problems]
        assert time.monotonic() - started >= 0.35
        timer.join()
    finally:
        release.touch()
        stop(holder)


# --- kill -9 of an importing process ------------------------------------------------------


@contextmanager
def write_lock_probe(store: ProgressStore) -> Iterator[Callable[[], bool]]:
    """A function saying whether another connection holds the store's write lock right now,
    asked on a connection of its own: SQLite's BEGIN IMMEDIATE without waiting, or
    PostgreSQL's advisory write lock tried (and let go at once)."""
    if store.path is not None:
        probe = sqlite3.connect(store.path, timeout=0, isolation_level=None)

        def held() -> bool:
            try:
                probe.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    return True
                raise
            probe.execute("ROLLBACK")
            return False

        try:
            yield held
        finally:
            probe.close()
    else:
        with psycopg.connect(store.location, autocommit=True) as conn:
            free = "SELECT pg_try_advisory_xact_lock(%s)"
            yield lambda: not conn.execute(free, (WRITE_LOCK,)).fetchone()[0]


def _wait_for_write_lock(
    store: ProgressStore, process: subprocess.Popen, timeout: float = 60
) -> bool:
    """True as soon as another connection holds the write lock; False if the process ended."""
    deadline = time.monotonic() + timeout
    with write_lock_probe(store) as held:
        while time.monotonic() < deadline and process.poll() is None:
            if held():
                return True
            time.sleep(0.0005)
        return False


def _write_lock_free(store: ProgressStore, timeout: float = 10) -> bool:
    """True once no connection holds the write lock (a killed importer's is let go)."""
    deadline = time.monotonic() + timeout
    with write_lock_probe(store) as held:
        while held():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True


def test_kill_9_during_an_import_leaves_the_upload_all_in_or_all_out(
    tmp_path, store_location, big_plan
):
    store = ProgressStore(store_location)
    ids = list(big_plan.indicators["indicator_id"])
    import_baseline(store, big_plan, 200)
    baseline = StoreSnapshot.of(store)
    big_rows = [[i, p, "10", "", ""] for p in PERIODS for i in ids]
    template = validate_progress(csv_content(big_rows), "big.csv", big_plan)
    assert template.ok and len(template.rows) == len(ids) * len(PERIODS) == 12_000

    outcomes = []
    for attempt, delay in enumerate(KILL_DELAYS):
        note, name = f"第 {attempt} 次 kill -9", f"kill-{attempt}.csv"
        content_path, report_path = tmp_path / name, tmp_path / f"{name}.pickle"
        content_path.write_bytes(csv_content([[i, p, v, note, r] for i, p, v, _, r in big_rows]))
        report = dataclasses.replace(template, rows=template.rows.assign(note=note))
        report_path.write_bytes(pickle.dumps(report))
        worker = spawn("import-report", store.location, report_path, content_path, name)
        try:
            expect_line(worker, "ready")
            held = _wait_for_write_lock(store, worker)
            time.sleep(delay)
            # on a loaded machine the import may finish before the kill lands: then it is
            # all in, which the checks below accept as they accept all out
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
        finally:
            stop(worker)
        assert _write_lock_free(store), "the killed importer's write lock was never let go"
        assert integrity(store) == "ok"
        counts = rows_per_upload(store)
        assert all(declared == stored for declared, stored in counts.values()), counts
        ledger = store.uploads()
        mine = ledger[ledger["file_name"] == name]
        figures = stored_figures_of(store)
        stored = int((figures["note"] == note).sum())
        if mine.empty:
            assert stored == 0
            outcomes.append((delay, held, "out"))
        else:
            assert stored == counts[int(mine["id"].iat[0])][1] == 12_000
            outcomes.append((delay, held, "in"))
        base_now = figures[figures["upload_id"] == 1].reset_index(drop=True)
        assert base_now.equals(baseline.figures.reset_index(drop=True))
    # at least one kill landed while the transaction was open, or the test proved nothing
    assert any(held and result == "out" for _, held, result in outcomes), outcomes
    final = csv_content([[i, "2014Q4", "20", "恢复后", ""] for i in ids[:50]])
    upload_id = import_upload(
        store, validate_progress(final, "after.csv", big_plan), content=final,
        file_name="after.csv", user=admin("after"), now=NOW,
    )  # fmt: skip
    assert rows_per_upload(store)[upload_id] == (50, 50)
    assert upload_id == 2 + sum(result == "in" for _, _, result in outcomes)  # no gaps
