"""The SQLite store's tables and their migrations (PostgreSQL's: lib/store/postgres_schema.py).

`uploads` is the ledger (who uploaded which bytes when, and whether the upload is active or
withdrawn); `figure_batches` holds each upload's accepted rows as one batch (see
lib/store/batches.py); `cycle_events` is the quarter's trail (confirmations and returns of
figures, reminders, 督办单, replies, closings; see lib/store/trail.py); `meta.data_version`
counts imports, withdrawals and trail entries. Triggers refuse UPDATE and DELETE of batches
and DELETE of uploads, so figures are append-only whoever writes to the file. `PRAGMA
user_version` is the schema version: `create_or_upgrade` creates a new store, adds the trail
to a version-2 store and converts a version-1 store (one SQLite row per figure) to one batch
per upload, checking every converted batch, inside the caller's transaction, so a failed
conversion changes nothing. Version 4 adds `plan_id` to uploads and the trail (one store
holds every plan's figures; lib/store/scope.py); version 5 refuses any change of an upload
but its withdrawal.
"""

from __future__ import annotations

import sqlite3

from lib.core.errors import StoreError
from lib.store.batches import BATCH_FORMAT, decoded_batch, encoded_batch
from lib.store.failures import refusal
from lib.store.sql_frames import records_frame

SCHEMA_VERSION = 5

# `meta` and `uploads` are as version 1 made them, since the upgrade keeps those tables; the
# upgrade test holds its own verbatim copy of version 1, which must not follow edits here.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('data_version', 0);
CREATE TABLE IF NOT EXISTS uploads (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256       TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL,
    row_count    INTEGER NOT NULL,
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    withdrawn_by TEXT,
    withdrawn_at TEXT,
    is_sample    INTEGER NOT NULL DEFAULT 0 CHECK (is_sample IN (0, 1))
);
CREATE UNIQUE INDEX IF NOT EXISTS uploads_one_active_sha256
    ON uploads (sha256) WHERE status = 'active';
CREATE TABLE IF NOT EXISTS figure_batches (
    upload_id INTEGER PRIMARY KEY REFERENCES uploads (id),
    row_count INTEGER NOT NULL,
    format    INTEGER NOT NULL,
    batch     BLOB NOT NULL
);
CREATE TRIGGER IF NOT EXISTS figure_batches_no_update BEFORE UPDATE ON figure_batches
    BEGIN SELECT RAISE(ABORT, 'figures are append-only'); END;
CREATE TRIGGER IF NOT EXISTS figure_batches_no_delete BEFORE DELETE ON figure_batches
    BEGIN SELECT RAISE(ABORT, 'figures are append-only'); END;
CREATE TRIGGER IF NOT EXISTS uploads_no_delete BEFORE DELETE ON uploads
    BEGIN SELECT RAISE(ABORT, 'uploads are never deleted'); END;
CREATE TABLE IF NOT EXISTS cycle_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN
                     ('confirmed', 'returned', 'reminded', 'issued', 'replied', 'closed')),
    period       TEXT NOT NULL DEFAULT '',
    unit         TEXT NOT NULL DEFAULT '',
    upload_id    INTEGER REFERENCES uploads (id),
    indicator_id TEXT NOT NULL DEFAULT '',
    reporter     TEXT NOT NULL DEFAULT '',
    notice_id    INTEGER REFERENCES cycle_events (id),
    actor        TEXT NOT NULL,
    at           TEXT NOT NULL,
    details      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS cycle_events_by_kind ON cycle_events (kind, period);
CREATE TRIGGER IF NOT EXISTS cycle_events_no_update BEFORE UPDATE ON cycle_events
    BEGIN SELECT RAISE(ABORT, 'the trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS cycle_events_no_delete BEFORE DELETE ON cycle_events
    BEGIN SELECT RAISE(ABORT, 'the trail is append-only'); END;
"""
# Version 4: every upload and trail step belongs to a plan (lib/store/scope.py); rows of an
# older store keep an empty plan_id and belong to the store's home plan.
_PLAN_TABLES = ("uploads", "cycle_events")
_PLAN_INDEX = "CREATE INDEX IF NOT EXISTS uploads_by_plan ON uploads (plan_id, status)"
# Version 5: an upload's row changes once, from active to withdrawn, and in nothing else (as
# on PostgreSQL, lib/store/postgres_schema.py); made after plan_id exists, which it names.
_WITHDRAWAL_ONLY = """
CREATE TRIGGER IF NOT EXISTS uploads_withdrawal_only BEFORE UPDATE ON uploads
    WHEN OLD.status <> 'active' OR NEW.status <> 'withdrawn'
        OR NEW.id IS NOT OLD.id OR NEW.sha256 IS NOT OLD.sha256
        OR NEW.file_name IS NOT OLD.file_name OR NEW.uploaded_by IS NOT OLD.uploaded_by
        OR NEW.uploaded_at IS NOT OLD.uploaded_at OR NEW.row_count IS NOT OLD.row_count
        OR NEW.is_sample IS NOT OLD.is_sample OR NEW.plan_id IS NOT OLD.plan_id
    BEGIN SELECT RAISE(ABORT, 'an upload can only be withdrawn'); END
"""
# What a version-1 store has beyond version 2: a row per figure (dropped once converted).
_V1_ONLY = (
    "DROP TRIGGER figures_no_update",
    "DROP TRIGGER figures_no_delete",
    "DROP INDEX figures_by_key",
    "DROP TABLE figures",
)


def schema_version(conn: sqlite3.Connection) -> int:
    """The schema version of the store file (0 for a new, empty file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def create_or_upgrade(conn: sqlite3.Connection) -> None:
    """Bring the store to SCHEMA_VERSION: create what is missing and convert a version-1
    store. Runs inside the caller's write transaction: on any failure nothing is changed."""
    version = schema_version(conn)
    if version >= SCHEMA_VERSION:
        return
    for statement in _SCHEMA.split(";\n"):
        if statement.strip():
            conn.execute(statement)
    if version == 1:
        _upgrade_from_v1(conn)
    for table in _PLAN_TABLES:
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if "plan_id" not in columns:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN plan_id TEXT NOT NULL DEFAULT ''")
    conn.execute(_PLAN_INDEX)
    conn.execute(_WITHDRAWAL_ONLY)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _upgrade_from_v1(conn: sqlite3.Connection) -> None:
    """Move a version-1 store's figures (a row each) into one batch per upload, check that
    every batch holds exactly the upload's rows, then drop the old table."""
    uploads = conn.execute("SELECT id, row_count FROM uploads ORDER BY id").fetchall()
    moved = 0
    for upload_id, row_count in uploads:
        rows = records_frame(
            conn.execute(
                "SELECT row_no, indicator_id, period, value, note, reporter FROM figures"
                " WHERE upload_id = ? ORDER BY row_no",
                (upload_id,),
            ),
            ["row_no", "indicator_id", "period", "value", "note", "reporter"],
        ).rename(columns={"row_no": "row"})
        conn.execute(
            "INSERT INTO figure_batches (upload_id, row_count, format, batch) VALUES (?, ?, ?, ?)",
            (upload_id, len(rows), BATCH_FORMAT, encoded_batch(rows)),
        )
        stored = conn.execute(
            "SELECT format, row_count, batch FROM figure_batches WHERE upload_id = ?",
            (upload_id,),
        ).fetchone()
        decoded = decoded_batch(upload_id, *stored).num_rows
        if not (decoded == len(rows) == row_count):
            raise _upgrade_failure(upload_id, row_count, len(rows))
        moved += decoded
    total = conn.execute("SELECT COUNT(*) FROM figures").fetchone()[0]
    if total != moved:  # rows of no upload would be lost with the table
        raise _upgrade_failure(None, moved, total)
    for statement in _V1_ONLY:
        conn.execute(statement)


def _upgrade_failure(upload_id: int | None, declared: int, found: int) -> StoreError:
    what_zh, what_en = (
        (f"第 {upload_id} 批上传", f"upload {upload_id}")
        if upload_id
        else ("全部上传", "all uploads")
    )
    return refusal(
        "store_upgrade_failed",
        f"升级数据库时发现{what_zh}应有 {declared} 行，实有 {found} 行；未做任何更改，请联系管理员",
        f"upgrading the store: {what_en} should hold {declared} rows but {found} were found;"
        " nothing was changed, ask an administrator",
        upload_id,
    )
