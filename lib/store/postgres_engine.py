"""The PostgreSQL engine: one store that several app processes (and machines) share.

Connections come from a small pool per process (psycopg_pool), in autocommit mode; the
store's SQL, written with `?` placeholders for both engines, is passed on with psycopg's
`%s`. A write transaction takes WRITE_LOCK (an advisory lock) first, so writes run one at a
time as on SQLite: the duplicate check, the ledger row, the batch and the version bump of an
import see no other writer between them. A read snapshot is a REPEATABLE READ READ ONLY
transaction, so the ledger and the batches read for the current figures are of one moment.

A failure a person can act on becomes a bilingual StoreError: the server unreachable, busy
(the write lock not had within the timeout), read-only, out of disk, a role without a right,
and a connection lost in the middle of a write, after which the transaction is rolled back
by the server (nothing of it is stored; the import says so after checking).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg_pool import ConnectionPool, PoolTimeout

from lib.core.errors import Problem, StoreError
from lib.store.engines import shown_location
from lib.store.postgres_schema import WRITE_LOCK, migrate, stored_version
from lib.store.schema import SCHEMA_VERSION

POOL_SIZE = 8  # connections per app process: Streamlit reruns run in threads
_POOLS: dict[tuple[int, str], ConnectionPool] = {}
_POOLS_LOCK = threading.Lock()
_CURRENT: set[tuple[int, str]] = set()  # (process, URL) whose schema was found current


@lru_cache(maxsize=256)
def _psycopg_sql(sql: str) -> str:
    """The store's `?` placeholders as psycopg's `%s` (a literal % doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresConnection:
    """A pooled connection that runs the store's `?`-placeholder SQL; results come in
    binary (a batch arrives as bytes without hex decoding)."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.raw = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor:
        if not params:  # psycopg leaves a statement without parameters as it is
            return self.raw.execute(sql, binary=True)
        return self.raw.execute(_psycopg_sql(sql), tuple(params), binary=True)


class PostgresEngine:
    kind = "postgresql"

    def __init__(self, url: str, *, busy_timeout_s: float) -> None:
        self.url = url
        self.busy_timeout_s = busy_timeout_s

    def _pool(self) -> ConnectionPool:
        key = (os.getpid(), self.url)  # a forked process must not use its parent's sockets
        with _POOLS_LOCK:
            pool = _POOLS.get(key)
            if pool is None:
                # one direct attempt first: a refused connection or a failed login is said at
                # once and with its cause, where the pool would retry until its timeout
                try:
                    psycopg.connect(self.url, connect_timeout=10).close()
                except psycopg.OperationalError as exc:
                    raise self._unreachable(exc) from exc
                pool = ConnectionPool(
                    self.url,
                    min_size=1,
                    max_size=POOL_SIZE,
                    kwargs={"autocommit": True, "connect_timeout": 10},
                    timeout=self.busy_timeout_s,
                    name=f"store-{os.getpid()}",
                    check=ConnectionPool.check_connection,  # an idle one may be gone
                    open=False,
                )
                try:
                    pool.open(wait=True, timeout=min(self.busy_timeout_s, 10))
                except PoolTimeout as exc:
                    pool.close()
                    raise self._unreachable(exc) from exc
                _POOLS[key] = pool
            return pool

    @contextmanager
    def connection(self) -> Iterator[PostgresConnection]:
        try:
            with self._pool().connection() as conn:
                yield PostgresConnection(conn)
        except PoolTimeout as exc:
            raise self._unreachable(exc) from exc
        except psycopg.Error as exc:
            mapped = postgres_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    @contextmanager
    def write_transaction(self) -> Iterator[PostgresConnection]:
        with self.connection() as conn:
            conn.execute("BEGIN")
            try:
                # the lock wait is bounded like SQLite's busy timeout
                conn.execute(f"SET LOCAL lock_timeout = {int(self.busy_timeout_s * 1000)}")
                conn.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
                yield conn
            except BaseException:
                with suppress(psycopg.Error):
                    conn.raw.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except psycopg.OperationalError as exc:
                # the server may have committed before the line went: say so, not "nothing"
                raise _commit_unknown(exc) from exc

    @contextmanager
    def read_snapshot(self) -> Iterator[PostgresConnection]:
        with self.connection() as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield conn
            finally:
                with suppress(psycopg.Error):
                    conn.raw.execute("COMMIT")

    def ensure_schema(self) -> None:
        key = (os.getpid(), self.url)
        if key in _CURRENT:
            return
        try:
            with self.connection() as conn:
                current = stored_version(conn) >= SCHEMA_VERSION
        except StoreError as exc:
            if exc.problems[0].code == "store_no_right":  # the tables exist, the rights not
                raise _role_not_granted() from exc
            raise
        if not current:
            try:
                with self.connection() as conn:
                    conn.execute("BEGIN")
                    try:
                        migrate(conn)
                        conn.execute("COMMIT")
                    except BaseException:
                        with suppress(psycopg.Error):
                            conn.raw.execute("ROLLBACK")
                        raise
            except StoreError as exc:
                if exc.problems[0].code == "store_no_right":
                    raise _needs_migration() from exc
                raise
        _CURRENT.add(key)

    def _unreachable(self, exc: Exception) -> StoreError:
        return StoreError(
            [
                Problem(
                    "store_unavailable",
                    "无法连接数据库服务器，或连接已全部占用；请稍后重试，或请管理员检查数据库",
                    "cannot connect to the database server, or every connection is in use;"
                    " try again, or ask an administrator to check the database",
                    value=f"{shown_location(self.url)}: {exc}",
                )
            ]
        )


def close_pools(url: str | None = None) -> None:
    """Close this process's pools (of `url` only, when given): a test that drops its
    database or stops its server, a process that ends."""
    with _POOLS_LOCK:
        for key in [k for k in _POOLS if k[0] == os.getpid() and url in (None, k[1])]:
            _POOLS.pop(key).close()
            _CURRENT.discard(key)


def _commit_unknown(exc: Exception) -> StoreError:
    return StoreError(
        [
            Problem(
                "store_commit_unknown",
                "提交时与数据库的连接中断，无法确定是否已保存；请刷新页面查看后再决定是否重做",
                "the connection to the database was lost while committing, so whether it was"
                " stored is not known; reload to look before doing it again",
                value=str(exc).strip(),
            )
        ]
    )


def _role_not_granted() -> StoreError:
    return StoreError(
        [
            Problem(
                "store_role_not_granted",
                "应用的数据库角色尚未获得读写进度库的权限；请管理员以数据库所有者身份运行"
                " python -m lib grant-app-role 角色名",
                "the app's database role has not been given its rights on the store; an"
                " administrator runs `python -m lib grant-app-role ROLE` as the database owner",
            )
        ]
    )


def _needs_migration() -> StoreError:
    return StoreError(
        [
            Problem(
                "store_needs_migration",
                f"数据库结构需要升级到第 {SCHEMA_VERSION} 版，而应用的数据库角色无权升级；"
                "请管理员以数据库所有者身份运行 python -m lib migrate-store",
                f"the store's schema must be upgraded to version {SCHEMA_VERSION} and the app's"
                " database role may not do it; an administrator runs `python -m lib"
                " migrate-store` as the database owner",
            )
        ]
    )


# psycopg error classes -> (code, zh, en) for failures a person can act on.
_FAILURES: list[tuple[tuple[type[psycopg.Error], ...], str, str, str]] = [
    (
        (
            pg_errors.LockNotAvailable,
            pg_errors.QueryCanceled,
            pg_errors.DeadlockDetected,
            pg_errors.SerializationFailure,
            pg_errors.TooManyConnections,
        ),
        "store_busy",
        "数据库繁忙，请稍后重试",
        "store is busy, try again",
    ),
    (
        (pg_errors.ReadOnlySqlTransaction,),
        "store_read_only",
        "数据库为只读，无法写入；已有数据未受影响",
        "the store is read-only; nothing was changed",
    ),
    (
        (pg_errors.DiskFull, pg_errors.OutOfMemory, pg_errors.InsufficientResources),
        "store_full",
        "数据库服务器空间不足，无法写入；已有数据未受影响",
        "the database server is out of space; nothing was changed",
    ),
    (
        (pg_errors.InsufficientPrivilege,),
        "store_no_right",
        "应用的数据库角色无权执行此操作；已有数据未受影响",
        "the app's database role has no right to do this; nothing was changed",
    ),
    (
        (pg_errors.DataCorrupted, pg_errors.IndexCorrupted),
        "store_corrupt",
        "数据库已损坏，请联系管理员从备份恢复",
        "the store is corrupt; ask an administrator to restore a backup",
    ),
    (
        (psycopg.OperationalError,),
        "store_connection_lost",
        "与数据库的连接中断；进行中的操作未保存任何数据，请重试",
        "the connection to the database was lost; the operation in progress stored"
        " nothing, try again",
    ),
]


def postgres_error(exc: psycopg.Error) -> StoreError | None:
    """The StoreError a person should see for a psycopg failure, or None if it is a bug."""
    for classes, code, zh, en in _FAILURES:
        if isinstance(exc, classes):
            return StoreError([Problem(code, zh, en, value=str(exc).strip())])
    return None
