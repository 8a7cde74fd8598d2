"""The progress store: an embedded SQLite file that keeps every accepted figure forever.

`uploads` is the ledger (who uploaded which bytes when, and whether the upload is active or
withdrawn); `figures` holds every accepted row with its upload id and is append-only
(triggers refuse UPDATE and DELETE); `meta.data_version` is bumped in the same transaction
as every import and withdrawal so caches can key on it. The current value of an
(indicator, period) is the one from the newest active upload; withdrawing an upload only
flips its status, so the earlier values become current again. Each operation opens its own
connection (any thread or process may call it), writes run under `BEGIN IMMEDIATE` with a
busy timeout, and SQLite failures a person can act on (busy, read-only, disk full) become
`StoreError` with a bilingual message while the stored data stays as it was.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import datetime
from itertools import chain, islice, repeat
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from lib.arrow_files import write_arrow_file
from lib.auth import Role, User, require_role, require_withdraw_permission
from lib.collector import collector_paused
from lib.errors import Problem, StoreError
from lib.plan import Plan
from lib.progress_file import ValidationReport, validate_progress

SCHEMA_VERSION = 1
IMPORT_CACHE_KIB = 256 * 1024  # page cache of the importing connection only
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
CREATE TABLE IF NOT EXISTS figures (
    upload_id    INTEGER NOT NULL REFERENCES uploads (id),
    row_no       INTEGER NOT NULL,
    indicator_id TEXT NOT NULL,
    period       TEXT NOT NULL,
    value        REAL NOT NULL,
    note         TEXT,
    reporter     TEXT,
    PRIMARY KEY (upload_id, row_no)
);
CREATE INDEX IF NOT EXISTS figures_by_key ON figures (indicator_id, period, upload_id);
CREATE TRIGGER IF NOT EXISTS figures_no_update BEFORE UPDATE ON figures
    BEGIN SELECT RAISE(ABORT, 'figures are append-only'); END;
CREATE TRIGGER IF NOT EXISTS figures_no_delete BEFORE DELETE ON figures
    BEGIN SELECT RAISE(ABORT, 'figures are append-only'); END;
CREATE TRIGGER IF NOT EXISTS uploads_no_delete BEFORE DELETE ON uploads
    BEGIN SELECT RAISE(ABORT, 'uploads are never deleted'); END;
"""

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
        with self._transaction() as conn:
            if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                for statement in _SCHEMA.split(";\n"):
                    if statement.strip():
                        conn.execute(statement)
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

        All or nothing: one transaction. Refuses (StoreError) a report with errors, an empty
        report, and bytes identical to an upload that is still active. `fail_after_rows` is
        a test hook that raises InjectedFailure after inserting that many rows. `by` must
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
        digest = hashlib.sha256(content).hexdigest()
        rows = report.rows
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
            # A page cache large enough for both indexes of a province-sized upload: the
            # default 2 MB made SQLite re-read index pages (1,000,000 rows: 4.9 s -> 3.6 s).
            conn.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
            conn.executemany(
                "INSERT INTO figures (upload_id, row_no, indicator_id, period, value, note,"
                " reporter) VALUES (?, ?, ?, ?, ?, ?, ?)",
                _figure_params(int(upload_id), rows, fail_after_rows),
            )
            _bump_version(conn)
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
        them instead of reading a million rows through SQLite (milliseconds instead of
        3 s). A cache that cannot be read or written is simply not used.
        """
        with self._connection() as conn:
            conn.execute("BEGIN")  # the ledger and the figures are of the same store version
            ledger = conn.execute(
                "SELECT id, sha256, status, uploaded_at, uploaded_by FROM uploads ORDER BY id"
            ).fetchall()
            cached = _figures_cache_file(Path(cache_dir), ledger) if cache_dir else None
            saved = _saved_figures(cached) if cached else None
            if saved is not None:
                conn.execute("COMMIT")
                return saved
            # One pass over the figures_by_key index: with a single max() aggregate SQLite
            # takes the other columns from the row holding the maximum, i.e. the newest
            # active upload's (and its last row); a window function ranking every row took
            # twice as long at a million figures. Who uploaded when comes from the ledger.
            figures = _records_frame(
                conn.execute(
                    """
                    SELECT f.indicator_id, f.period, f.value, f.note, f.reporter, f.upload_id,
                           MAX(f.upload_id * 4294967296 + f.row_no)
                    FROM figures AS f JOIN uploads AS u ON u.id = f.upload_id
                    WHERE u.status = 'active'
                    GROUP BY f.indicator_id, f.period
                    ORDER BY f.indicator_id, f.period
                    """
                ),
                [*CURRENT_COLUMNS[:6], "_newest"],
            )
            conn.execute("COMMIT")
        by_upload = _typed(
            pd.DataFrame(ledger, columns=["id", "sha256", "status", "uploaded_at", "uploaded_by"])
        )
        # every upload_id is in the ledger: the query joined it in the same transaction
        position = pd.Index(by_upload["id"]).get_indexer(figures["upload_id"])
        for column in ("uploaded_at", "uploaded_by"):
            figures[column] = by_upload[column].take(position).reset_index(drop=True)
        figures = figures[CURRENT_COLUMNS]
        if cached:
            _save_figures(figures, cached)
        return figures

    def revisions(self, indicator_id: str | None = None) -> pd.DataFrame:
        """Every stored row with its upload's status and whether it is the current value."""
        current = self.current_values()
        where, params = ("WHERE f.indicator_id = ?", (indicator_id,)) if indicator_id else ("", ())
        frame = self._frame(
            f"""
            SELECT f.upload_id, f.row_no, f.indicator_id, f.period, f.value, f.note, f.reporter,
                   u.uploaded_at, u.uploaded_by, u.file_name, u.status
            FROM figures AS f JOIN uploads AS u ON u.id = f.upload_id
            {where}
            ORDER BY f.indicator_id, f.period, f.upload_id, f.row_no
            """,
            REVISION_COLUMNS[:-1],
            params,
        )
        key = ["indicator_id", "period", "upload_id"]
        current_keys = set(current[key].itertuples(index=False, name=None))
        frame["is_current"] = [
            k in current_keys for k in frame[key].itertuples(index=False, name=None)
        ]
        return frame

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


def _figure_params(
    upload_id: int, rows: pd.DataFrame, fail_after_rows: int | None
) -> Iterator[tuple[object, ...]]:
    """(upload_id, row_no, indicator_id, period, value, note, reporter) per row, built from
    whole columns (empty note and reporter stored as NULL) rather than row by row."""
    params = zip(
        repeat(upload_id),
        rows["row"].astype("int64").tolist(),
        rows["indicator_id"].tolist(),
        rows["period"].tolist(),
        rows["value"].astype("float64").tolist(),
        [text or None for text in rows["note"].tolist()],
        [text or None for text in rows["reporter"].tolist()],
        strict=False,  # repeat() never ends
    )
    if fail_after_rows is None or fail_after_rows >= len(rows):
        return params
    return chain(islice(params, fail_after_rows), _injected_failure(fail_after_rows))


def _injected_failure(done: int) -> Iterator[tuple[object, ...]]:
    raise InjectedFailure(f"injected failure after {done} rows")
    yield ()  # a generator: raises when the insert asks for the next row


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
    with collector_paused():  # a tuple per row: see lib/collector.py
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
