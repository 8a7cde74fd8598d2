"""The two places the store can live, behind one small interface.

`ProgressStore` (lib/store/repository.py) holds every rule of the store and speaks SQL with
`?` placeholders; an engine gives it connections and transactions: `SqliteEngine`
(lib/store/sqlite_engine.py), an embedded file, the default for one office on one machine,
and `PostgresEngine` (lib/store/postgres_engine.py), a server that several app processes
share. `engine_for` chooses by the location: a `postgresql://` URL or a file path.

Both engines give the same guarantees: one writer at a time (SQLite's write lock, a
PostgreSQL advisory lock), reads from one consistent snapshot, failures a person can act on
as bilingual `StoreError`s, and the schema brought to the current version once, safely when
several processes open the store together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

POSTGRES_SCHEMES = ("postgresql", "postgres")


class Cursor(Protocol):
    def fetchone(self) -> Sequence[Any] | None: ...
    def fetchall(self) -> list[Sequence[Any]]: ...
    def fetchmany(self, size: int) -> list[Sequence[Any]]: ...


class Connection(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...


class Engine(Protocol):
    """Where a store lives: `kind` is "sqlite" or "postgresql"."""

    kind: str

    def connection(self) -> AbstractContextManager[Connection]:
        """A connection in autocommit mode (each statement its own transaction)."""

    def write_transaction(self) -> AbstractContextManager[Connection]:
        """A transaction holding the store's one write lock: committed when the block ends,
        rolled back on any exception."""

    def read_snapshot(self) -> AbstractContextManager[Connection]:
        """A read-only transaction: every statement sees the same committed state."""

    def ensure_schema(self) -> None:
        """Create or upgrade the schema to the current version (once, under a lock)."""


def is_postgres_url(location: str | Path) -> bool:
    """True for a `postgresql://` (or `postgres://`) URL, False for a file path."""
    return isinstance(location, str) and urlsplit(location).scheme in POSTGRES_SCHEMES


def shown_location(location: str | Path) -> str:
    """The location as it may be shown or logged: a URL without its password."""
    if not is_postgres_url(location):
        return str(location)
    parts = urlsplit(str(location))
    if parts.password is None:
        return str(location)
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def engine_for(
    location: str | Path,
    *,
    busy_timeout_s: float,
    pragmas: Mapping[str, int | str] | None = None,
) -> Engine:
    """The engine of a store location; `pragmas` are SQLite's only (tests use them to
    simulate a read-only store or a full disk)."""
    if is_postgres_url(location):
        if pragmas:
            raise ValueError("pragmas apply to SQLite stores only")
        from lib.store.postgres_engine import PostgresEngine

        return PostgresEngine(str(location), busy_timeout_s=busy_timeout_s)
    from lib.store.sqlite_engine import SqliteEngine

    return SqliteEngine(Path(location), busy_timeout_s=busy_timeout_s, pragmas=pragmas or {})
