"""What an administrator does to a store, not the app: read its schema version without
changing it, and give the app's PostgreSQL login role its rights
(`python -m lib migrate-store`, `grant-app-role`; lib/cli/store_commands.py).
"""

from __future__ import annotations

from pathlib import Path

from lib.store.engines import engine_for, is_postgres_url
from lib.store.failures import refusal
from lib.store.repository import ProgressStore


def stored_schema_version(location: str | Path, *, busy_timeout_s: float = 15.0) -> int:
    """The schema version of the store at `location` as it is now: 0 for a store not made
    yet (a SQLite file that does not exist is not created, a database without tables is
    left as it is). StoreError when it cannot be reached."""
    if not is_postgres_url(location) and not Path(location).exists():
        return 0
    engine = engine_for(location, busy_timeout_s=busy_timeout_s)
    with engine.connection() as conn:
        if engine.kind == "postgresql":
            from lib.store.postgres_schema import stored_version

            return stored_version(conn)
        from lib.store.schema import schema_version

        return schema_version(conn)  # type: ignore[arg-type]


def require_postgres(location: str | Path) -> None:
    """Refuse (StoreError, store_not_postgres) a SQLite store: it has no roles to grant."""
    if not is_postgres_url(location):
        raise refusal(
            "store_not_postgres",
            f"{location} 是 SQLite 数据库文件，没有数据库角色；"
            "只有 PostgreSQL 数据库需要为应用角色授权",
            f"{location} is a SQLite file, which has no roles; only a PostgreSQL store grants"
            " rights to the app's role",
            str(location),
        )


def granted_app_role(store: ProgressStore, role: str) -> list[str]:
    """Give the PostgreSQL login `role` the app's rights on `store` (postgres_schema's
    `app_role_grants`, what was there before revoked) in one transaction, as the role the
    store is connected as (its owner); the statements run. Refused (StoreError) for a
    SQLite store and for a role the server does not know."""
    require_postgres(store.location)
    from psycopg import errors as pg_errors

    from lib.store.postgres_schema import app_role_grants

    statements = app_role_grants(role)
    try:
        with store.engine.write_transaction() as conn:
            for statement in statements:
                conn.execute(statement)
    except pg_errors.UndefinedObject as exc:
        raise refusal(
            "unknown_role",
            f"数据库服务器上没有角色 {role}；请先建立（CREATE ROLE {role} LOGIN PASSWORD ...）",
            f"the database server has no role {role}; create it first"
            f" (CREATE ROLE {role} LOGIN PASSWORD ...)",
            role,
        ) from exc
    return statements
