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
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

import pandas as pd

from lib.auth import Role, User, require_role, require_withdraw_permission
from lib.errors import Problem, StoreError
from lib.plan import Plan
from lib.progress_file import ValidationReport, validate_progress

SCHEMA_VERSION = 1
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

    def current_values(self) -> pd.DataFrame:
        """Per (indicator_id, period) the row of the newest active upload: indicator_id,
        period, value, note, reporter, upload_id, uploaded_at, uploaded_by."""
        return self._frame(
            """
            SELECT indicator_id, period, value, note, reporter, upload_id, uploaded_at,
                   uploaded_by
            FROM (
                SELECT f.*, u.uploaded_at, u.uploaded_by,
                       ROW_NUMBER() OVER (PARTITION BY f.indicator_id, f.period
                                          ORDER BY f.upload_id DESC, f.row_no DESC) AS rank
                FROM figures AS f JOIN uploads AS u ON u.id = f.upload_id
                WHERE u.status = 'active'
            )
            WHERE rank = 1
            ORDER BY indicator_id, period
            """,
            CURRENT_COLUMNS,
        )

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
            records = conn.execute(sql, params).fetchall()
        frame = pd.DataFrame.from_records(records, columns=columns)
        return _typed(frame)


def _figure_params(
    upload_id: int, rows: pd.DataFrame, fail_after_rows: int | None
) -> Iterator[tuple[object, ...]]:
    columns = rows[["row", "indicator_id", "period", "value", "note", "reporter"]]
    for done, (row, indicator_id, period, value, note, reporter) in enumerate(
        columns.itertuples(index=False, name=None)
    ):
        if fail_after_rows is not None and done == fail_after_rows:
            raise InjectedFailure(f"injected failure after {done} rows")
        yield (
            upload_id,
            int(row),
            indicator_id,
            period,
            float(value),
            note or None,
            reporter or None,
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
