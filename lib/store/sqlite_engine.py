"""The SQLite engine: the store as one embedded file (WAL journal), the default.

Each operation opens its own connection, so any thread or process may use the store;
writes take SQLite's one write lock with `BEGIN IMMEDIATE` and wait for it up to the busy
timeout; SQLite failures a person can act on (busy, read-only, disk full) become
`StoreError`s (lib/store/failures.py) while the stored data stays as it was. The schema
and its migrations are lib/store/schema.py's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from lib.store.failures import refusal, store_error
from lib.store.schema import SCHEMA_VERSION, create_or_upgrade, schema_version


class SqliteEngine:
    kind = "sqlite"

    def __init__(
        self, path: Path, *, busy_timeout_s: float, pragmas: Mapping[str, int | str]
    ) -> None:
        self.path = path
        self.busy_timeout_s = busy_timeout_s
        self.pragmas = dict(pragmas)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise refusal(
                "store_unavailable",
                f"无法创建数据库目录：{exc}",
                f"cannot create the store directory: {exc}",
                self.path.parent,
            ) from exc

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
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
    def write_transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction taken with BEGIN IMMEDIATE; rolled back on any exception."""
        with self.connection() as conn:
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

    @contextmanager
    def read_snapshot(self) -> Iterator[sqlite3.Connection]:
        """A deferred transaction: in WAL mode its first read fixes what it sees."""
        with self.connection() as conn:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                with suppress(sqlite3.Error):
                    conn.execute("COMMIT")

    def ensure_schema(self) -> None:
        with self.connection() as conn:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            if schema_version(conn) >= SCHEMA_VERSION:
                return
        # BEGIN IMMEDIATE is the lock: a second process starting together waits, then finds
        # the schema current (create_or_upgrade checks the version again inside it)
        with self.write_transaction() as conn:
            create_or_upgrade(conn)
