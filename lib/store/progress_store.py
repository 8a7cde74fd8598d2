"""The progress store: an embedded SQLite file that keeps every accepted figure forever.

`uploads` is the ledger (who uploaded which bytes when, and whether the upload is active or
withdrawn); `figure_batches` holds each upload's accepted rows as one Arrow IPC blob (a
`BATCH_SCHEMA` table in row order), written in the same transaction as its ledger row and
append-only (triggers refuse UPDATE and DELETE of batches and DELETE of uploads);
`meta.data_version` is bumped in the same transaction as every import and withdrawal so
caches can key on it. The current value of an (indicator, period) is the one from the
newest active upload; withdrawing an upload only flips its status, so the earlier values
become current again. Reads decode the batches and pick the current rows in Arrow and
numpy, never row by row; a batch that cannot be decoded is a `store_corrupt` StoreError.
A version-1 store (one SQLite row per figure) is converted on open, in one transaction.
Each operation opens its own connection (any thread or process may call it), writes run
under `BEGIN IMMEDIATE` with a busy timeout, and SQLite failures a person can act on (busy,
read-only, disk full) become `StoreError` with a bilingual message while the stored data
stays as it was.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.auth.accounts import Role, User, require_role, require_withdraw_permission
from lib.core.arrow_files import write_arrow_file
from lib.core.collector import collector_paused
from lib.core.errors import Problem, StoreError
from lib.ingest.progress_file import ValidationReport, validate_progress
from lib.plan.catalog import Plan

SCHEMA_VERSION = 2
FETCH_ROWS = 20_000  # rows read and converted at a time (a million: 50 MB less peak)
FIGURES_CACHE_FORMAT = 2  # bump when current_values' columns or types change
FIGURES_CACHE_KEEP = 2  # newest cached current values kept per cache directory
SAMPLE_UPLOADER = "示例数据 / sample"

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
"""
# What a version-1 store has beyond version 2: a row per figure (dropped once converted).
_V1_ONLY = (
    "DROP TRIGGER figures_no_update",
    "DROP TRIGGER figures_no_delete",
    "DROP INDEX figures_by_key",
    "DROP TABLE figures",
)

# figure_batches.format 1: an Arrow IPC stream of one BATCH_SCHEMA table in row order, null
# for an empty note or reporter, indicator_id, period and reporter dictionary-encoded (tens
# of thousands of distinct texts among a million rows), buffers zstd-compressed. Measured on
# the 997,037-row province file, best of 3 fresh processes (write: build, serialise, insert
# and commit; read: select, decode, undo the dictionaries):
#                    plain            lz4              zstd
#   no dictionary    88 MB 0.57/0.12  30 MB 0.22/0.07  11 MB 0.15/0.05 s
#   dictionaries     41 MB 0.28/0.08  15 MB 0.15/0.04   7 MB 0.14/0.05 s
# Compression pays because SQLite writes every byte twice (WAL, then checkpoint). zstd with
# dictionaries writes fastest and stores half of what lz4 does, which matters as every
# upload is kept forever; lz4 reads within noise of it. The dictionaries also let a read
# sort a million rows by ranking their distinct texts instead of comparing a million strings.
BATCH_FORMAT = 1
BATCH_COMPRESSION = "zstd"
_KEYWORDS = pa.dictionary(pa.int32(), pa.large_string())
BATCH_SCHEMA = pa.schema(
    [
        ("row_no", pa.int64()),
        ("indicator_id", _KEYWORDS),
        ("period", _KEYWORDS),
        ("value", pa.float64()),
        ("note", pa.large_string()),
        ("reporter", _KEYWORDS),
    ]
)
_REQUIRED = ("row_no", "indicator_id", "period", "value")  # never null

UPLOAD_COLUMNS = [
    "id",
    "sha256",
    "file_name",
    "uploaded_by",
    "uploaded_at",
    "row_count",
    "status",
    "withdrawn_by",
    "withdrawn_at",
    "is_sample",
]
CURRENT_COLUMNS = [
    "indicator_id",
    "period",
    "value",
    "note",
    "reporter",
    "upload_id",
    "uploaded_at",
    "uploaded_by",
]
REVISION_COLUMNS = [
    "upload_id",
    "row_no",
    "indicator_id",
    "period",
    "value",
    "note",
    "reporter",
    "uploaded_at",
    "uploaded_by",
    "file_name",
    "status",
    "is_current",
]

# SQLite result-code names -> (code, zh, en) for failures a person can act on.
_FAILURES = {
    "SQLITE_BUSY": (
        "store_busy",
        "数据库繁忙，请稍后重试",
        "store is busy, try again",
    ),
    "SQLITE_LOCKED": (
        "store_busy",
        "数据库繁忙，请稍后重试",
        "store is busy, try again",
    ),
    "SQLITE_READONLY": (
        "store_read_only",
        "数据库为只读，无法写入；已有数据未受影响",
        "the store is read-only; nothing was changed",
    ),
    "SQLITE_FULL": (
        "store_full",
        "磁盘已满，无法写入；已有数据未受影响",
        "the disk is full; nothing was changed",
    ),
    "SQLITE_IOERR": (
        "store_io_error",
        "读写数据库文件出错（磁盘故障或空间不足？）；已有数据未受影响",
        "the store file could not be read or written (disk error or full?); nothing was changed",
    ),
    "SQLITE_CANTOPEN": (
        "store_unavailable",
        "无法打开数据库文件（路径或权限有误？）",
        "cannot open the store file (wrong path or permissions?)",
    ),
    "SQLITE_PERM": (
        "store_unavailable",
        "无权访问数据库文件",
        "no permission to use the store file",
    ),
    "SQLITE_TOOBIG": (
        "store_too_big",
        "这批数据太大，无法存为一批；未导入任何数据",
        "the upload is too large to store as one batch; nothing was imported",
    ),
    "SQLITE_CORRUPT": (
        "store_corrupt",
        "数据库文件已损坏，请联系管理员从备份恢复",
        "the store file is corrupt; ask an administrator to restore a backup",
    ),
    "SQLITE_NOTADB": (
        "store_corrupt",
        "该文件不是有效的数据库文件",
        "the store file is not a SQLite database",
    ),
}


class InjectedFailure(RuntimeError):
    """Raised by the `fail_after_rows` test hook to simulate a crash mid-import."""


def store_error(exc: sqlite3.Error) -> StoreError | None:
    """The StoreError a person should see for a SQLite failure, or None if it is a bug."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    for prefix, (code, zh, en) in _FAILURES.items():
        if name == prefix or name.startswith(prefix + "_"):
            return StoreError([Problem(code, zh, en, value=str(exc))])
    return None


def _refusal(code: str, zh: str, en: str, value: object = None) -> StoreError:
    return StoreError([Problem(code, zh, en, value=None if value is None else str(value))])


class ProgressStore:
    """An SQLite progress store at `path` (created with its parent directory if missing).

    `pragmas` are applied to every connection; tests use them to simulate a read-only store
    (`query_only`) or a full disk (`max_page_count`).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        busy_timeout_s: float = 15.0,
        pragmas: Mapping[str, int | str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.busy_timeout_s = busy_timeout_s
        self.pragmas = dict(pragmas or {})
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _refusal(
                "store_unavailable",
                f"无法创建数据库目录：{exc}",
                f"cannot create the store directory: {exc}",
                self.path.parent,
            ) from exc
        self._ensure_schema()

    # --- connections ----------------------------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection, closed afterwards; SQLite failures mapped to StoreError."""
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_s * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            for name, value in self.pragmas.items():
                conn.execute(f"PRAGMA {name} = {value}")
            yield conn
        except sqlite3.Error as exc:
            mapped = store_error(exc)
            if mapped is None:
                raise
            raise mapped from exc
        finally:
            if conn is not None:
                conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken with BEGIN IMMEDIATE; rolled back on any exception."""
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    # the original error matters; closing the connection rolls back anyway
                    with suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise

    def _ensure_schema(self) -> None:
        with self._connection() as conn:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            if conn.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
                return
        with self._transaction() as conn:  # one transaction: a failed upgrade changes nothing
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version < SCHEMA_VERSION:
                for statement in _SCHEMA.split(";\n"):
                    if statement.strip():
                        conn.execute(statement)
                if version == 1:
                    _upgrade_from_v1(conn)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # --- writes -----------------------------------------------------------------------------

    def import_report(
        self,
        report: ValidationReport,
        *,
        content: bytes,
        file_name: str,
        by: User,
        now: datetime,
        is_sample: bool = False,
        fail_after_rows: int | None = None,
    ) -> int:
        """Store every row of an error-free report as one new upload; return its id.

        All or nothing: the ledger row and the batch of figures in one transaction. Refuses
        (StoreError) a report with errors, an empty report, and bytes identical to an upload
        that is still active. `fail_after_rows` is a test hook simulating a crash before
        all rows are stored: for a report with more rows than that, InjectedFailure is
        raised after the ledger row and the batch are written, before COMMIT. `by` must
        hold at least the analyst role (PermissionDeniedError otherwise).
        """
        require_role(by, Role.ANALYST, "导入数据", "import figures")
        if report.errors:
            raise _refusal(
                "has_errors",
                f"文件有 {len(report.errors)} 个错误，未导入任何数据",
                f"the file has {len(report.errors)} error(s); nothing was imported",
            )
        if report.rows.empty:
            raise _refusal("no_rows", "没有可导入的数据行", "there are no rows to import")
        rows = report.rows
        # the file is hashed while the batch is built (hashlib and Arrow both let go of the
        # GIL), both before the write lock is taken
        with ThreadPoolExecutor(max_workers=1) as pool:
            hashed = pool.submit(lambda: hashlib.sha256(content).hexdigest())
            batch = _figures_batch(rows)
            digest = hashed.result()
        with self._transaction() as conn:
            earlier = conn.execute(
                "SELECT id FROM uploads WHERE sha256 = ? AND status = 'active'", (digest,)
            ).fetchone()
            if earlier:
                raise _refusal(
                    "duplicate_upload",
                    f"同一文件已于第 {earlier[0]} 批导入，未重复导入",
                    f"the same file is already stored as upload {earlier[0]}; not imported again",
                    earlier[0],
                )
            upload_id = conn.execute(
                "INSERT INTO uploads (sha256, file_name, uploaded_by, uploaded_at, row_count,"
                " status, is_sample) VALUES (?, ?, ?, ?, ?, 'active', ?)",
                (digest, file_name, by.name, _iso(now), len(rows), int(is_sample)),
            ).lastrowid
            conn.execute(
                "INSERT INTO figure_batches (upload_id, row_count, format, batch)"
                " VALUES (?, ?, ?, ?)",
                (upload_id, len(rows), BATCH_FORMAT, batch),
            )
            _bump_version(conn)
            if fail_after_rows is not None and fail_after_rows < len(rows):
                raise InjectedFailure(f"injected failure after {fail_after_rows} rows")
        return int(upload_id)

    def withdraw(self, upload_id: int, *, by: User, now: datetime) -> None:
        """Mark an active upload withdrawn (nothing is deleted); earlier values become current.

        Analysts may withdraw their own uploads, admins any: checked inside the transaction
        against the ledger, so no page or command can skip it.
        """
        require_role(by, Role.ANALYST, f"撤回第 {upload_id} 批上传", f"withdraw upload {upload_id}")
        with self._transaction() as conn:
            found = conn.execute(
                "SELECT status, uploaded_by FROM uploads WHERE id = ?", (int(upload_id),)
            ).fetchone()
            if found is None:
                raise _refusal(
                    "unknown_upload",
                    f"没有第 {upload_id} 批上传",
                    f"there is no upload {upload_id}",
                    upload_id,
                )
            if found[0] == "withdrawn":
                raise _refusal(
                    "already_withdrawn",
                    f"第 {upload_id} 批上传已经撤回",
                    f"upload {upload_id} is already withdrawn",
                    upload_id,
                )
            require_withdraw_permission(by, found[1], int(upload_id))
            conn.execute(
                "UPDATE uploads SET status = 'withdrawn', withdrawn_by = ?, withdrawn_at = ?"
                " WHERE id = ?",
                (by.name, _iso(now), int(upload_id)),
            )
            _bump_version(conn)

    # --- reads ------------------------------------------------------------------------------

    def uploads(self) -> pd.DataFrame:
        """The ledger, newest first: id, sha256, file_name, uploaded_by, uploaded_at,
        row_count, status, withdrawn_by, withdrawn_at, is_sample (bool)."""
        frame = self._frame(
            f"SELECT {', '.join(UPLOAD_COLUMNS)} FROM uploads ORDER BY id DESC", UPLOAD_COLUMNS
        )
        frame["is_sample"] = frame["is_sample"].astype(bool)
        return frame

    def current_values(self, cache_dir: str | Path | None = None) -> pd.DataFrame:
        """Per (indicator_id, period) the row of the newest active upload: indicator_id,
        period, value, note, reporter, upload_id, uploaded_at, uploaded_by.

        With `cache_dir`, the result is also kept there as an Arrow file named by a hash
        of the upload ledger (ids, file hashes, statuses): figures are append-only, so the
        active uploads fix the current values, and a later call (a restarted app) maps
        them instead of decoding every active batch again. A cache that cannot be read or
        written is simply not used.
        """
        with self._connection() as conn:
            conn.execute("BEGIN")  # the ledger and the batches are of the same store version
            ledger = conn.execute(
                "SELECT id, sha256, status, uploaded_at, uploaded_by FROM uploads ORDER BY id"
            ).fetchall()
            cached = _figures_cache_file(Path(cache_dir), ledger) if cache_dir else None
            saved = _saved_figures(cached) if cached else None
            if saved is not None:
                conn.execute("COMMIT")
                return saved
            newest = _newest_rows(_stored_figures(conn, active_only=True))
            conn.execute("COMMIT")
        by_upload = _typed(
            pd.DataFrame(ledger, columns=["id", "sha256", "status", "uploaded_at", "uploaded_by"])
        )
        figures = _with_ledger(
            _figures_frame(newest, CURRENT_COLUMNS[:6]), by_upload, ["uploaded_at", "uploaded_by"]
        )
        if cached:
            _save_figures(figures, cached)
        return figures

    def revisions(self, indicator_id: str | None = None) -> pd.DataFrame:
        """Every stored row with its upload's status and whether it is the current value,
        ordered by indicator_id, period, upload_id, row_no."""
        with self._connection() as conn:
            conn.execute("BEGIN")  # the ledger and the batches are of the same store version
            ledger = _records_frame(
                conn.execute(
                    "SELECT id, uploaded_at, uploaded_by, file_name, status FROM uploads"
                    " ORDER BY id"
                ),
                ["id", "uploaded_at", "uploaded_by", "file_name", "status"],
            )
            stored = _stored_figures(conn, active_only=False)
            conn.execute("COMMIT")
        if indicator_id:
            stored = stored.filter(pc.equal(stored["indicator_id"], indicator_id))
        order, keys = _key_order(stored)
        frame = _with_ledger(
            _figures_frame(stored.take(order), REVISION_COLUMNS[:7]),
            ledger,
            ["uploaded_at", "uploaded_by", "file_name", "status"],
        )
        # current: the row's upload is the newest active one holding its key
        starts = np.flatnonzero(np.diff(keys, prepend=keys[:1] - 1))
        upload_ids = frame["upload_id"].to_numpy()
        active = (frame["status"] == "active").to_numpy()
        newest_active = np.maximum.reduceat(np.where(active, upload_ids, 0), starts)
        run_lengths = np.diff(np.append(starts, len(frame)))
        return frame.assign(
            is_current=active & (upload_ids == np.repeat(newest_active, run_lengths))
        )[REVISION_COLUMNS]

    def data_version(self) -> int:
        """Counter bumped by every import and withdrawal (cache key for derived data)."""
        with self._connection() as conn:
            return int(
                conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0]
            )

    def has_sample_data(self) -> bool:
        """True when any active upload is the bundled demonstration data."""
        with self._connection() as conn:
            found = conn.execute(
                "SELECT 1 FROM uploads WHERE status = 'active' AND is_sample = 1 LIMIT 1"
            ).fetchone()
        return found is not None

    def _frame(self, sql: str, columns: list[str], params: tuple[object, ...] = ()) -> pd.DataFrame:
        with self._connection() as conn:
            return _records_frame(conn.execute(sql, params), columns)


def _figures_batch(rows: pd.DataFrame) -> pa.Buffer:
    """One upload's rows (row, indicator_id, period, value, note, reporter) as a
    BATCH_FORMAT blob: in row order, an empty note or reporter as null, built from whole
    columns rather than row by row."""
    if not rows["row"].is_monotonic_increasing:
        rows = rows.sort_values("row", kind="stable")
    source = pa.Table.from_pandas(
        rows[["row", "indicator_id", "period", "value", "note", "reporter"]],
        preserve_index=False,
    ).combine_chunks()  # one dictionary per column
    table = pa.table(
        [
            source["row"],
            pc.dictionary_encode(source["indicator_id"]),
            pc.dictionary_encode(source["period"]),
            source["value"],
            _null_if_empty(source["note"]),
            pc.dictionary_encode(_null_if_empty(source["reporter"])),
        ],
        names=BATCH_SCHEMA.names,
    ).cast(BATCH_SCHEMA)
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=BATCH_COMPRESSION)
    with pa.ipc.new_stream(sink, BATCH_SCHEMA, options=options) as writer:
        writer.write_table(table)
    return sink.getvalue()


def _null_if_empty(texts: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.if_else(pc.equal(texts, ""), None, texts)


def _stored_figures(conn: sqlite3.Connection, *, active_only: bool) -> pa.Table:
    """Every stored batch (of active uploads only, if asked) with an upload_id column,
    in upload order, so each key's rows run in upload then row order."""
    where = "WHERE u.status = 'active'" if active_only else ""
    batches = [
        _batch_table(upload_id, batch_format, row_count, batch)
        for upload_id, batch_format, row_count, batch in conn.execute(
            "SELECT b.upload_id, b.format, b.row_count, b.batch FROM figure_batches AS b"
            f" JOIN uploads AS u ON u.id = b.upload_id {where} ORDER BY b.upload_id"
        )
    ]
    if not batches:
        return BATCH_SCHEMA.append(pa.field("upload_id", pa.int64())).empty_table()
    return pa.concat_tables(batches)


def _batch_table(upload_id: int, batch_format: int, row_count: int, batch: object) -> pa.Table:
    """A stored batch decoded, with its upload_id; StoreError (store_corrupt) unless it is a
    BATCH_FORMAT table of `row_count` rows in row order with every required value."""
    try:
        table = pa.ipc.open_stream(pa.py_buffer(batch)).read_all()
        table.validate(full=True)  # offsets and dictionary indices in bounds, valid UTF-8
    except (OSError, TypeError, ValueError, pa.ArrowException) as exc:
        raise _damaged(upload_id, exc) from exc
    if batch_format != BATCH_FORMAT or not table.schema.equals(BATCH_SCHEMA):
        raise _damaged(upload_id, f"format {batch_format}: {table.schema}")
    if table.num_rows != row_count or any(table[name].null_count for name in _REQUIRED):
        raise _damaged(upload_id, f"{table.num_rows} rows, {row_count} declared")
    if np.any(np.diff(table["row_no"].to_numpy()) < 0):
        raise _damaged(upload_id, "rows out of order")
    upload_ids = np.full(table.num_rows, upload_id, dtype=np.int64)
    return table.append_column("upload_id", pa.array(upload_ids))


def _damaged(upload_id: int, detail: object) -> StoreError:
    return _refusal(
        "store_corrupt",
        f"第 {upload_id} 批上传的数据已损坏，无法读取；请联系管理员从备份恢复",
        f"the figures of upload {upload_id} are damaged and cannot be read; ask an"
        " administrator to restore a backup",
        f"upload {upload_id}: {detail}",
    )


def _newest_rows(stored: pa.Table) -> pa.Table:
    """Per (indicator_id, period) the stored row of the newest upload (and its last row),
    ordered by indicator_id, period; the decoded batches are freed once it returns."""
    order, keys = _key_order(stored)
    last_of_key = np.flatnonzero(np.diff(keys, append=keys[-1:] + 1))
    return stored.select(CURRENT_COLUMNS[:6]).take(order[last_of_key])


def _key_order(figures: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """(order, keys): the rows' stable order by indicator_id then period (byte order, as
    SQLite's ORDER BY) and each row's key in that order. Stable: within a key the rows keep
    their upload and row order. Keys come from ranking the dictionaries' distinct texts
    (tens of thousands), so a million rows sort as integers, not as strings."""
    indicators, periods = _dense_ranks(figures["indicator_id"]), _dense_ranks(figures["period"])
    keys = indicators * (periods.max(initial=0) + 1) + periods
    order = np.argsort(keys, kind="stable")
    return order, keys[order]


def _dense_ranks(texts: pa.ChunkedArray) -> np.ndarray:
    """Each row's rank among the distinct texts of a dictionary column (equal texts, even
    from different batches' dictionaries, share a rank)."""
    combined = texts.combine_chunks()  # one dictionary for every batch
    ranks = pc.rank(combined.dictionary, sort_keys="ascending", tiebreaker="dense")
    return ranks.to_numpy().astype(np.int64)[combined.indices.to_numpy()]


def _figures_frame(figures: pa.Table, columns: list[str]) -> pd.DataFrame:
    """`columns` of stored figures with the store's frame types: text as str ("" for
    null), value float64, ids int64."""
    arrays = {}
    for name in columns:
        column = figures[name]
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        arrays[name] = pc.fill_null(column, "") if name in ("note", "reporter") else column
    return pa.table(arrays).to_pandas()


def _with_ledger(figures: pd.DataFrame, ledger: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`figures` with the ledger's `columns` of each row's upload (every upload_id is in
    the ledger: both were read in one transaction)."""
    position = pd.Index(ledger["id"]).get_indexer(figures["upload_id"])
    return figures.assign(
        **{column: ledger[column].take(position).reset_index(drop=True) for column in columns}
    )


def _upgrade_from_v1(conn: sqlite3.Connection) -> None:
    """Move a version-1 store's figures (a row each) into one batch per upload, check that
    every batch holds exactly the upload's rows, then drop the old table. Runs inside the
    caller's transaction: on any failure nothing is changed."""
    uploads = conn.execute("SELECT id, row_count FROM uploads ORDER BY id").fetchall()
    moved = 0
    for upload_id, row_count in uploads:
        rows = _records_frame(
            conn.execute(
                "SELECT row_no, indicator_id, period, value, note, reporter FROM figures"
                " WHERE upload_id = ? ORDER BY row_no",
                (upload_id,),
            ),
            ["row_no", "indicator_id", "period", "value", "note", "reporter"],
        ).rename(columns={"row_no": "row"})
        batch = _figures_batch(rows)
        conn.execute(
            "INSERT INTO figure_batches (upload_id, row_count, format, batch) VALUES (?, ?, ?, ?)",
            (upload_id, len(rows), BATCH_FORMAT, batch),
        )
        stored = conn.execute(
            "SELECT format, row_count, batch FROM figure_batches WHERE upload_id = ?",
            (upload_id,),
        ).fetchone()
        decoded = _batch_table(upload_id, *stored).num_rows
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
    return _refusal(
        "store_upgrade_failed",
        f"升级数据库时发现{what_zh}应有 {declared} 行，实有 {found} 行；未做任何更改，请联系管理员",
        f"upgrading the store: {what_en} should hold {declared} rows but {found} were found;"
        " nothing was changed, ask an administrator",
        upload_id,
    )


def _bump_version(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'data_version'")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


_TEXT_COLUMNS = {
    "sha256", "file_name", "uploaded_by", "uploaded_at", "status", "withdrawn_by",
    "withdrawn_at", "indicator_id", "period", "note", "reporter",
}  # fmt: skip
_INT_COLUMNS = {"id", "row_count", "upload_id", "row_no", "is_sample"}


def _figures_cache_file(cache_dir: Path, ledger: list[tuple[object, ...]]) -> Path:
    """Where the current values of this ledger are kept (a hash of the ledger and of the
    formats that read it back)."""
    key = hashlib.sha256(f"{FIGURES_CACHE_FORMAT}|{pd.__version__}|{ledger!r}".encode())
    return cache_dir / f"figures-{key.hexdigest()[:32]}.arrow"


def _saved_figures(path: Path) -> pd.DataFrame | None:
    """The current values saved at `path`, or None (none there, unreadable, or not in the
    shape and types `current_values` returns).

    The file is memory-mapped and its text columns stay in the mapped pages (pandas' "str"
    columns are Arrow arrays): a million figures open in milliseconds, and the pages are
    the page cache's, read once, not a decoded copy next to a read buffer as with Parquet
    (270 MB of RSS for a 134 MB frame). Cache files are therefore never changed in place:
    they are written under another name and renamed, and removed by unlinking.
    """
    try:
        with pa.memory_map(str(path)) as source:
            frame = pa.ipc.open_file(source).read_all().to_pandas()
    except (OSError, ValueError, pa.ArrowException):
        return None
    expected = {
        column: "float64" if column == "value" else "int64" if column == "upload_id" else "str"
        for column in CURRENT_COLUMNS
    }
    if list(frame.columns) != CURRENT_COLUMNS or any(
        frame[column].dtype != dtype for column, dtype in expected.items()
    ):
        return None
    return frame


def _save_figures(frame: pd.DataFrame, path: Path) -> None:
    """Save atomically (uncompressed Arrow IPC), keep the newest FIGURES_CACHE_KEEP files,
    never fail."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        write_arrow_file(frame, partial)
        os.replace(partial, path)
        older = sorted(path.parent.glob("figures-*.arrow"), key=lambda p: p.stat().st_mtime)
        for stale in older[:-FIGURES_CACHE_KEEP]:
            stale.unlink(missing_ok=True)  # unlinking leaves a mapped file readable
    except (OSError, ValueError, pa.ArrowException):
        pass  # a read-only or full disk only costs the next restart its speed


def _records_frame(cursor: sqlite3.Cursor, columns: list[str]) -> pd.DataFrame:
    """A query's rows as a `_typed` frame, converted FETCH_ROWS rows at a time: a million
    rows never exist as Python tuples all at once (peak memory), and building columns
    from plain values takes a fraction of what `DataFrame.from_records` needs."""
    parts = []
    with collector_paused():  # a tuple per row: see lib/core/collector.py
        while records := cursor.fetchmany(FETCH_ROWS):
            values = zip(*records, strict=True)
            parts.append(
                _typed(pd.DataFrame(dict(zip(columns, map(_objects, values), strict=True))))
            )
    if not parts:
        return _typed(pd.DataFrame({name: _objects(()) for name in columns}))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _objects(values: tuple[object, ...]) -> np.ndarray:
    """Values as an object column, as DataFrame.from_records leaves them for `_typed`."""
    return np.array(values, dtype=object)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Stable dtypes even for an empty result: text as str ("" for NULL), ints, floats."""
    result = frame.copy()
    for column in result.columns:
        if column in _TEXT_COLUMNS:
            result[column] = result[column].astype("str").fillna("")
        elif column in _INT_COLUMNS:
            result[column] = result[column].astype("int64")
        elif column == "value":
            result[column] = result[column].astype("float64")
    return result


def ensure_demo_store(store: ProgressStore, plan: Plan, sample_csv: Path, now: datetime) -> None:
    """Seed an empty demo store with the bundled sample file, marked as sample data."""
    if not store.uploads().empty:
        return
    content = Path(sample_csv).read_bytes()
    report = validate_progress(content, Path(sample_csv).name, plan)
    try:
        store.import_report(
            report,
            content=content,
            file_name=Path(sample_csv).name,
            by=User(SAMPLE_UPLOADER, Role.ANALYST, "default"),
            now=now,
            is_sample=True,
        )
    except StoreError as exc:
        if exc.problems[0].code != "duplicate_upload":  # another process seeded it first
            raise
