"""`ProgressStore`: the SQL of the progress store, which keeps every accepted figure forever,
in a SQLite file or on a PostgreSQL server (lib/store/engines.py; the same SQL on both).

An import writes the ledger row and the upload's batch (lib/store/batches.py) in one
transaction and bumps `meta.data_version` in it, so caches can key on the version; a
withdrawal only flips the upload's status (and bumps the version), so the earlier values
become current again. The current value of an (indicator, period, reporting unit) is the one
from the newest active upload (lib/store/current.py) holding it for that reporting unit. The
store takes plain data: who may import or withdraw is decided by the caller
(lib/services/uploads.py), and what a valid row is by lib/ingest/. Each operation takes its
own connection (any thread or process may call it), writes run one at a time under the
engine's write lock with a busy timeout, and failures a person can act on (busy, read-only,
disk full, a lost connection) become `StoreError` with a bilingual message while the stored
data stays as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa

from lib.core.errors import StoreError
from lib.store.batches import BATCH_FORMAT, decoded_batch, empty_decoded_batches, encoded_batch
from lib.store.confirmations import DECISION_COLUMNS, DECISION_KINDS, confirmed_figures
from lib.store.current import figures_frame, newest_rows, with_ledger
from lib.store.engines import Connection, engine_for
from lib.store.failures import known_upload_status, refusal
from lib.store.figures_cache import figures_cache_file, save_figures, saved_figures
from lib.store.scope import PlanScope
from lib.store.sql_frames import records_frame, typed_frame
from lib.store.trail import TrailEntry, insert_entry, read_trail

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
    "plan_id",
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
_UPLOAD_ROW_COLUMNS = ["row_no", "indicator_id", "period", "value", "note", "reporter"]
_CURRENT_DTYPES = {
    column: "float64" if column == "value" else "int64" if column == "upload_id" else "str"
    for column in CURRENT_COLUMNS
}


class ProgressStore:
    """The progress store at `location`: a SQLite file path (created with its parent
    directory if missing) or a `postgresql://` URL (lib/store/engines.py).

    One store holds the figures of every plan: a handle opened with `plan_id` reads and
    writes that plan's uploads and trail only (rows written before plans were told apart
    belong to `home_plan_id`; lib/store/scope.py); without it, it reads every plan's.

    `pragmas` (SQLite only) are applied to every connection; tests use them to simulate a
    read-only store (`query_only`) or a full disk (`max_page_count`).
    """

    def __init__(
        self,
        location: str | Path,
        *,
        plan_id: str | None = None,
        home_plan_id: str | None = None,
        busy_timeout_s: float = 15.0,
        pragmas: Mapping[str, int | str] | None = None,
    ) -> None:
        self.location = str(location)
        self.scope = PlanScope(plan_id, home_plan_id)
        self.busy_timeout_s = busy_timeout_s
        self.engine = engine_for(location, busy_timeout_s=busy_timeout_s, pragmas=pragmas)
        # the file of a SQLite store (tests and maintenance read it directly); None on a server
        self.path: Path | None = getattr(self.engine, "path", None)
        self.engine.ensure_schema()

    def _connection(self) -> AbstractContextManager[Connection]:
        return self.engine.connection()

    def _transaction(self) -> AbstractContextManager[Connection]:
        return self.engine.write_transaction()

    # --- writes -----------------------------------------------------------------------------

    def import_rows(
        self,
        rows: pd.DataFrame,
        *,
        file_name: str,
        content: bytes,
        uploaded_by: str,
        now: datetime,
        is_sample: bool = False,
        confirmed_by: str | None = None,
    ) -> int:
        """Store `rows` (ROW_COLUMNS of lib/store/batches.py: row, indicator_id, period,
        value, note, reporter) as one new upload of the file `content`; return its id.

        All or nothing: the ledger row, the batch of figures, the confirmation by
        `confirmed_by` when given (the bundled sample) and the data version bump in one
        transaction. Refuses (StoreError) no rows, and bytes identical to an upload that
        is still active (the same bytes are never imported twice).
        """
        if rows.empty:
            raise refusal("no_rows", "没有可导入的数据行", "there are no rows to import")
        # the file is hashed while the batch is built (hashlib and Arrow both let go of the
        # GIL), both before the write lock is taken
        with ThreadPoolExecutor(max_workers=1) as pool:
            hashed = pool.submit(lambda: hashlib.sha256(content).hexdigest())
            batch = encoded_batch(rows)
            digest = hashed.result()
        try:
            return self._import_batch(
                batch, digest, len(rows), file_name, uploaded_by, now, is_sample, confirmed_by
            )
        except StoreError as exc:
            if exc.problems[0].code != "store_commit_unknown":
                raise
            landed = self._active_upload_of(digest)
            if landed is None:  # the server rolled it back: nothing of it is stored
                raise refusal(
                    "store_connection_lost",
                    "提交时与数据库的连接中断，本批未导入；请重试",
                    "the connection to the database was lost while committing; nothing was"
                    " imported, try again",
                ) from exc
            return landed

    def _import_batch(
        self,
        batch: pa.Buffer,
        digest: str,
        row_count: int,
        file_name: str,
        uploaded_by: str,
        now: datetime,
        is_sample: bool,
        confirmed_by: str | None,
    ) -> int:
        with self._transaction() as conn:
            earlier = conn.execute(
                "SELECT id FROM uploads WHERE sha256 = ? AND status = 'active'", (digest,)
            ).fetchone()
            if earlier:
                raise refusal(
                    "duplicate_upload",
                    f"同一文件已于第 {earlier[0]} 批导入，未重复导入",
                    f"the same file is already stored as upload {earlier[0]}; not imported again",
                    earlier[0],
                )
            upload_id = _insert_upload(
                conn, digest, file_name, uploaded_by, _iso(now), row_count, is_sample,
                self.scope.recorded_id,
            )  # fmt: skip
            _insert_batch(conn, upload_id, row_count, batch)
            if confirmed_by:
                entry = TrailEntry("confirmed", confirmed_by, upload_id=upload_id)
                insert_entry(conn, entry, _iso(now), self.scope)
            _bump_version(conn)
        return upload_id

    def _active_upload_of(self, digest: str) -> int | None:
        with self._connection() as conn:
            found = conn.execute(
                "SELECT id FROM uploads WHERE sha256 = ? AND status = 'active'", (digest,)
            ).fetchone()
        return None if found is None else int(found[0])

    def record(self, entry: TrailEntry, *, now: datetime) -> int:
        """Append a step of the quarter's trail (lib/store/trail.py) and bump the data
        version (a confirmation changes which figures count); its trail id."""
        return self.record_all([entry], now=now)[0]

    def record_all(self, entries: list[TrailEntry], *, now: datetime) -> list[int]:
        """Append several steps in one transaction (a reply form's rows): all or none."""
        with self._transaction() as conn:
            ids = [insert_entry(conn, entry, _iso(now), self.scope) for entry in entries]
            _bump_version(conn)
        return ids

    def withdraw(self, upload_id: int, *, withdrawn_by: str, now: datetime) -> None:
        """Mark an active upload withdrawn (nothing is deleted); earlier values become
        current. Refuses (StoreError) an unknown upload and one already withdrawn."""
        with self._transaction() as conn:
            if known_upload_status(conn, upload_id, self.scope) == "withdrawn":
                raise refusal(
                    "already_withdrawn",
                    f"第 {upload_id} 批上传已经撤回",
                    f"upload {upload_id} is already withdrawn",
                    upload_id,
                )
            conn.execute(
                "UPDATE uploads SET status = 'withdrawn', withdrawn_by = ?, withdrawn_at = ?"
                " WHERE id = ?",
                (withdrawn_by, _iso(now), int(upload_id)),
            )
            _bump_version(conn)

    # --- reads ------------------------------------------------------------------------------

    def active_upload_owner(self, upload_id: int) -> str | None:
        """Who made the upload (its `uploaded_by`) if it is active; None if there is no such
        upload or it was withdrawn. An upload's maker never changes once recorded."""
        in_scope, params = self.scope.condition("plan_id")
        with self._connection() as conn:
            found = conn.execute(
                "SELECT uploaded_by FROM uploads WHERE id = ? AND status = 'active'"
                f" AND {in_scope}",
                (int(upload_id), *params),
            ).fetchone()
        return None if found is None else str(found[0])

    def upload_figures(self, upload_id: int) -> pd.DataFrame:
        """The rows one upload stored (row, indicator_id, period, value, note, reporter: ""
        when not recorded), active or withdrawn; empty for an unknown upload or another
        plan's."""
        in_scope, params = self.scope.condition("u.plan_id")
        with self._connection() as conn:
            found = conn.execute(
                "SELECT b.format, b.row_count, b.batch FROM figure_batches AS b"
                f" JOIN uploads AS u ON u.id = b.upload_id WHERE b.upload_id = ? AND {in_scope}",
                (int(upload_id), *params),
            ).fetchone()
        if found is None:
            return figures_frame(empty_decoded_batches(), _UPLOAD_ROW_COLUMNS).rename(
                columns={"row_no": "row"}
            )
        table = decoded_batch(int(upload_id), *found)
        return figures_frame(table, _UPLOAD_ROW_COLUMNS).rename(columns={"row_no": "row"})

    def uploads(self) -> pd.DataFrame:
        """The ledger, newest first: id, sha256, file_name, uploaded_by, uploaded_at,
        row_count, status, withdrawn_by, withdrawn_at, is_sample (bool), plan_id ("" for an
        upload made before plans were told apart)."""
        in_scope, params = self.scope.condition("plan_id")
        with self._connection() as conn:
            frame = records_frame(
                conn.execute(
                    f"SELECT {', '.join(UPLOAD_COLUMNS)} FROM uploads WHERE {in_scope}"
                    " ORDER BY id DESC",
                    params,
                ),
                UPLOAD_COLUMNS,
            )
        frame["is_sample"] = frame["is_sample"].astype(bool)
        return frame

    def trail(self, kinds: tuple[str, ...] | None = None) -> pd.DataFrame:
        """The quarter's trail in the order it was written (lib/store/trail.py
        TRAIL_COLUMNS), only `kinds` when given."""
        with self._connection() as conn:
            return read_trail(conn, kinds, self.scope)

    def current_values(
        self,
        cache_dir: str | Path | None = None,
        *,
        confirmed_only: frozenset[str] = frozenset(),
    ) -> pd.DataFrame:
        """The latest figure of every reporting unit: per (indicator_id, period, reporter) the
        row of the newest active upload holding it, CURRENT_COLUMNS (indicator_id, period,
        value, note, reporter ("" when not recorded), upload_id, uploaded_at, uploaded_by),
        ordered by indicator_id, period, reporter. Which of them is an indicator's headline
        figure is lib/status/headline.py's decision.

        Figures of the indicators in `confirmed_only` count only once confirmed
        (lib/store/confirmations.py): an unconfirmed or returned figure is passed over and
        the unit's newest confirmed one stands.

        With `cache_dir`, the result is also kept there (lib/store/figures_cache.py) under a
        name made from the upload ledger, so a later call (a restarted app) maps it instead
        of decoding every active batch again.
        """
        in_scope, params = self.scope.condition("plan_id")
        # the ledger and the batches are of the same store version
        with self.engine.read_snapshot() as conn:
            ledger = conn.execute(
                "SELECT id, sha256, status, uploaded_at, uploaded_by FROM uploads"
                f" WHERE {in_scope} ORDER BY id",
                params,
            ).fetchall()
            decisions = (
                read_trail(conn, DECISION_KINDS, self.scope)[DECISION_COLUMNS]
                if confirmed_only
                else None
            )
            key = [self.scope.cache_key(), ledger] if decisions is None else [
                self.scope.cache_key(), ledger, sorted(confirmed_only),
                decisions.to_numpy().tolist(),
            ]  # fmt: skip
            cached = figures_cache_file(Path(cache_dir), key) if cache_dir else None
            saved = saved_figures(cached, _CURRENT_DTYPES) if cached else None
            if saved is not None:
                return saved
            stored = _active_figures(conn, self.scope)
            if decisions is not None:
                stored = confirmed_figures(stored, decisions, confirmed_only)
            newest = newest_rows(stored, CURRENT_COLUMNS[:6])
        by_upload = typed_frame(
            pd.DataFrame(ledger, columns=["id", "sha256", "status", "uploaded_at", "uploaded_by"])
        )
        figures = with_ledger(
            figures_frame(newest, CURRENT_COLUMNS[:6]), by_upload, ["uploaded_at", "uploaded_by"]
        )
        if cached:
            save_figures(figures, cached)
        return figures

    def data_version(self) -> int:
        """Counter bumped by every import, withdrawal and trail entry (cache key for
        derived data)."""
        with self._connection() as conn:
            return int(
                conn.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0]
            )

    def has_sample_data(self) -> bool:
        """True when any active upload is the bundled demonstration data."""
        in_scope, params = self.scope.condition("plan_id")
        with self._connection() as conn:
            found = conn.execute(
                f"SELECT 1 FROM uploads WHERE status = 'active' AND is_sample = 1 AND {in_scope}"
                " LIMIT 1",
                params,
            ).fetchone()
        return found is not None


# --- the statements of an import (each its own function: tests inject failures here) --------


def _insert_upload(
    conn: Connection,
    digest: str,
    file_name: str,
    uploaded_by: str,
    uploaded_at: str,
    row_count: int,
    is_sample: bool,
    plan_id: str,
) -> int:
    """Add the ledger row of a new active upload; its id, the next after the newest.

    The id is counted under the write lock, not drawn from PostgreSQL's identity sequence,
    which a rolled-back import would still advance: upload numbers run without gaps on both
    engines, so a missing number never looks like a deleted upload."""
    cursor = conn.execute(
        "INSERT INTO uploads (id, sha256, file_name, uploaded_by, uploaded_at, row_count,"
        " status, is_sample, plan_id) VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM uploads),"
        " ?, ?, ?, ?, ?, 'active', ?, ?) RETURNING id",
        (digest, file_name, uploaded_by, uploaded_at, row_count, int(is_sample), plan_id),
    )
    return int(cursor.fetchone()[0])


def _insert_batch(conn: Connection, upload_id: int, row_count: int, batch: pa.Buffer) -> None:
    """Add an upload's batch of figures (a memoryview: both drivers take it without a copy)."""
    conn.execute(
        "INSERT INTO figure_batches (upload_id, row_count, format, batch) VALUES (?, ?, ?, ?)",
        (upload_id, row_count, BATCH_FORMAT, memoryview(batch)),
    )


def _bump_version(conn: Connection) -> None:
    conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'data_version'")


def _active_figures(conn: Connection, scope: PlanScope) -> pa.Table:
    """Every batch of an active upload of the scope's plan, decoded, with an upload_id
    column, in upload order, so each key's rows run in upload then row order."""
    in_scope, params = scope.condition("u.plan_id")
    batches = [
        decoded_batch(upload_id, batch_format, row_count, batch)
        for upload_id, batch_format, row_count, batch in conn.execute(
            "SELECT b.upload_id, b.format, b.row_count, b.batch FROM figure_batches AS b"
            f" JOIN uploads AS u ON u.id = b.upload_id WHERE u.status = 'active' AND {in_scope}"
            " ORDER BY b.upload_id",
            params,
        )
    ]
    if not batches:
        return empty_decoded_batches()
    return pa.concat_tables(batches)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
