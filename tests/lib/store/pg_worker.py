"""A separate process working on a PostgreSQL store, for the tests that need several processes
or one to kill (`python -m tests.lib.store.pg_worker ACTION URL [FILE]` from the repository
root; `started_workers` starts them), and what those tests share (`table_rows`).

The worker gets ready (imports, reads and validates FILE against the forest plan), prints
`ready`, waits for a line on stdin, then acts, so the test can start several at once:
- `open`: opens the store (its schema made or upgraded), prints `{"schema": N}`;
- `import`: imports FILE, prints `{"id": N}` or `{"code": "..."}` for a StoreError;
- `import-paused`: imports FILE, but after the batch is inserted, inside the import's open
  transaction, prints `inside` and sleeps (the test kills it there).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import lib.store.repository
from lib.core.errors import StoreError
from lib.ingest.report import validate_progress
from lib.store.maintenance import stored_schema_version
from lib.store.repository import ProgressStore
from tests.support import forest_plan

NOW = datetime(2014, 10, 15, 9, 30, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[3]
TABLES = ("meta", "uploads", "figure_batches", "cycle_events")


def started_workers(
    action: str, url: str, file: Path | None = None, count: int = 1
) -> list[subprocess.Popen[str]]:
    """`count` workers doing `action`, each ready before any is let go, so they act at
    once."""
    command = [sys.executable, "-m", "tests.lib.store.pg_worker", action, url]
    command += [str(file)] if file is not None else []
    workers = [
        subprocess.Popen(
            command,
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    for worker in workers:
        line = worker.stdout.readline().strip()
        if line != "ready":
            worker.kill()
            raise AssertionError(f"worker not ready: {line!r} {worker.stderr.read()}")
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    return workers


def outcome(worker: subprocess.Popen[str]) -> dict[str, object]:
    """What a worker printed last (its result), once it has ended."""
    stdout, stderr = worker.communicate(timeout=120)
    assert worker.returncode == 0, stderr
    return json.loads(stdout.strip().splitlines()[-1])


def table_rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every store table, read with a raw connection as the owner."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in TABLES
        }


def say(text: str) -> None:
    print(text, flush=True)


def main(action: str, url: str, file: str | None = None) -> int:
    rows = content = None
    if file is not None:
        content = Path(file).read_bytes()
        report = validate_progress(content, Path(file).name, forest_plan())
        assert report.ok, [str(p) for p in report.errors]
        rows = report.rows
    if action == "import-paused":
        insert_batch = lib.store.repository._insert_batch

        def paused(conn, upload_id, row_count, batch):
            insert_batch(conn, upload_id, row_count, batch)
            say("inside")
            time.sleep(600)

        lib.store.repository._insert_batch = paused
    say("ready")
    sys.stdin.readline()
    try:
        store = ProgressStore(url, busy_timeout_s=30)
        if action == "open":
            say(json.dumps({"schema": stored_schema_version(url)}))
            return 0
        upload_id = store.import_rows(
            rows, file_name=Path(file).name, content=content, uploaded_by="工作进程", now=NOW
        )
    except StoreError as exc:
        say(json.dumps({"code": exc.problems[0].code}))
        return 0
    say(json.dumps({"id": upload_id}))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
