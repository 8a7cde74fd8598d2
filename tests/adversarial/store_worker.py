"""Worker processes for the crash and concurrency cases (run as a script, PYTHONPATH=repo).

STORE is where the store lives: a SQLite file or a PostgreSQL URL (each process opens its
own connections); hold-lock takes SQLite's lock and needs a file.

    store_worker.py import-report STORE REPORT.pickle CONTENT FILE_NAME
        print "ready", then import a pre-validated report (the parent kills us mid-way)
    store_worker.py validate-import STORE PLAN(.yaml|.pickle) FILE START_FILE
        print "waiting", wait for START_FILE, validate FILE and import it; print JSON
    store_worker.py hold-lock STORE RELEASE_FILE
        take the write lock (BEGIN IMMEDIATE), print "locked", hold it until RELEASE_FILE
    store_worker.py read-loop STORE STOP_FILE OUT.json
        print "reading", read current values and every stored figure until STOP_FILE;
        write what was seen
Only the standard library is imported at the top so hold-lock starts in milliseconds.
"""

from __future__ import annotations

import json
import pickle
import sqlite3
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported late below: hold-lock must start in milliseconds
    from lib.store.repository import ProgressStore

NOW = datetime(2014, 10, 8, 9, 30, tzinfo=UTC)
WAIT_LIMIT_S = 120


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + WAIT_LIMIT_S
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {path}")
        time.sleep(0.002)


def import_report(store_path: str, report_pickle: str, content: str, file_name: str) -> int:
    from lib.auth.accounts import Role, User
    from lib.services.uploads import import_upload
    from lib.store.repository import ProgressStore

    store = ProgressStore(store_path)
    report = pickle.loads(Path(report_pickle).read_bytes())
    data = Path(content).read_bytes()
    print("ready", flush=True)
    upload_id = import_upload(
        store,
        report,
        content=data,
        file_name=file_name,
        user=User("kill", Role.ADMIN, "local"),
        now=NOW,
    )
    print(upload_id, flush=True)
    return 0


def validate_import(store_path: str, plan_path: str, file: str, start_file: str) -> int:
    from lib.auth.accounts import Role, User
    from lib.core.errors import UserInputError
    from lib.ingest.report import validate_progress
    from lib.plan.loader import load_plan
    from lib.services.uploads import import_upload
    from lib.store.repository import ProgressStore

    if plan_path.endswith(".pickle"):
        plan = pickle.loads(Path(plan_path).read_bytes())
    else:
        plan = load_plan(plan_path)
    store = ProgressStore(store_path)
    content = Path(file).read_bytes()
    print("waiting", flush=True)
    _wait_for(Path(start_file))
    result: dict[str, object] = {"file": Path(file).name}
    try:
        report = validate_progress(content, Path(file).name, plan, stored=store.current_values())
        result["rows"] = len(report.rows)
        result["errors"] = [str(p) for p in report.errors]
        result["upload_id"] = import_upload(
            store,
            report,
            content=content,
            file_name=Path(file).name,
            user=User(f"worker {file}", Role.ADMIN, "local"),
            now=NOW,
        )
    except UserInputError as exc:
        result["user_error"] = str(exc)
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0 if "upload_id" in result else 1


def hold_lock(store_path: str, release_file: str) -> int:
    conn = sqlite3.connect(store_path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    _wait_for(Path(release_file))
    conn.execute("ROLLBACK")
    conn.close()
    return 0


def read_loop(store_path: str, stop_file: str, out: str) -> int:
    from lib.store.repository import ProgressStore
    from tests.support import stored_figures_of

    store = ProgressStore(store_path)
    seen: dict[str, list[int]] = {}
    states: list[int] = []  # how many uploads each read saw, in order
    ledger_mismatches: list[str] = []
    failures: list[str] = []
    print("reading", flush=True)
    last = False
    while not last:
        last = Path(stop_file).exists()  # one more full read after the stop signal
        try:
            # the full reads are slow on 27,000 rows; the one-snapshot SQL check between
            # them samples the store often enough to catch the imports in between
            for _ in range(20):
                states.append(_ledger_check(store, ledger_mismatches))
            store.current_values()
            counts = stored_figures_of(store)["upload_id"].value_counts()
            for upload_id, count in counts.items():
                seen.setdefault(str(upload_id), [])
                if int(count) not in seen[str(upload_id)]:
                    seen[str(upload_id)].append(int(count))
            states.append(len(counts))
        except Exception:  # the point is to record any failure at all, not to judge it here
            failures.append(traceback.format_exc())
    result = {
        "states": states,
        "seen": seen,
        "mismatches": ledger_mismatches,
        "failures": failures,
    }
    Path(out).write_text(json.dumps(result), encoding="utf-8")
    return 0


def _ledger_check(store: ProgressStore, mismatches: list[str]) -> int:
    """Number of uploads; records uploads whose stored rows (the batch's row_count and the
    rows its blob decodes to) differ from the ledger's row_count. One statement: one
    snapshot on either engine."""
    import pyarrow as pa  # already loaded by lib.store in this process

    with store.engine.connection() as conn:
        rows = conn.execute(
            "SELECT u.id, u.row_count, b.row_count, b.batch"
            " FROM uploads u LEFT JOIN figure_batches b ON b.upload_id = u.id"
        ).fetchall()
    for upload_id, declared, batch_rows, batch in rows:
        decoded = 0 if batch is None else pa.ipc.open_stream(batch).read_all().num_rows
        if not declared == batch_rows == decoded:
            mismatches.append(
                f"upload {upload_id}: {declared} declared, batch {batch_rows}, {decoded} decoded"
            )
    return len(rows)


COMMANDS = {
    "import-report": import_report,
    "validate-import": validate_import,
    "hold-lock": hold_lock,
    "read-loop": read_loop,
}

if __name__ == "__main__":
    sys.exit(COMMANDS[sys.argv[1]](*sys.argv[2:]))
