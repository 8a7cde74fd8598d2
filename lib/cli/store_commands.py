"""`migrate-store`, `grant-app-role`, `copy-store`: an administrator's work on the store
itself, not on a plan's figures.

The store is the one PROGRESS_DB names (lib.services.settings): a SQLite file or a
`postgresql://` URL, shown everywhere without its password. `migrate-store` creates or
upgrades its schema (on PostgreSQL run as the database's owner: the app's role may not);
`grant-app-role ROLE` gives a PostgreSQL login role the app's rights and no more
(lib/store/postgres_schema.py `app_role_grants`); `copy-store --to URL` moves a store into
an empty PostgreSQL database (lib/store/copy.py). Exit codes follow lib/cli/main.py: 0 done,
1 a refused request (a SQLite store has no roles, the target is not empty...), 2 a store
that cannot be reached, opened or written.
"""

from __future__ import annotations

import argparse
import sys

from lib.core.errors import StoreError
from lib.services.settings import settings_from_env
from lib.store.copy import copied_store
from lib.store.engines import is_postgres_url, shown_location
from lib.store.failures import refusal
from lib.store.maintenance import granted_app_role, require_postgres, stored_schema_version
from lib.store.repository import ProgressStore
from lib.store.schema import SCHEMA_VERSION

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
# refusals of what was asked (exit 1); any other StoreError is the store failing (exit 2)
_REFUSED = frozenset(
    {
        "store_not_postgres",
        "unknown_role",
        "copy_target_not_postgres",
        "copy_target_is_source",
        "copy_target_not_empty",
        "copy_source_missing",
    }
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the store commands."""
    migrate = subparsers.add_parser(
        "migrate-store",
        help="create or upgrade the store's schema (PostgreSQL: as the database owner)"
        " / 创建或升级数据库结构",
    )
    migrate.set_defaults(handler=cmd_migrate_store)

    grant = subparsers.add_parser(
        "grant-app-role",
        help="give a PostgreSQL login role the app's rights and no more / 为应用的数据库角色授权",
    )
    grant.add_argument("role", help="the login role the app connects as (CREATE ROLE ... LOGIN)")
    grant.set_defaults(handler=cmd_grant_app_role)

    copy = subparsers.add_parser(
        "copy-store",
        help="copy the store at PROGRESS_DB into an empty PostgreSQL store; stop the app"
        " first / 将数据库复制到新的 PostgreSQL 数据库",
    )
    copy.add_argument(
        "--to", required=True, metavar="URL", help="postgresql://OWNER@HOST/DATABASE, empty"
    )
    copy.set_defaults(handler=cmd_copy_store)


def cmd_migrate_store(args: argparse.Namespace) -> int:
    """Bring the store to the current schema; print where it is and its version before and
    after."""
    location = settings_from_env().store
    try:
        before = stored_schema_version(location)
        ProgressStore(location)
        after = stored_schema_version(location)
    except StoreError as exc:
        return _failed(exc, location, "无法升级数据库结构", "the store's schema was not migrated")
    print(f"{shown_location(location)}")
    print(f"数据库结构版本 / schema version: {before} -> {after}")
    if before == after:
        print("已是最新，无需升级 / already current, nothing to do")
    elif after == SCHEMA_VERSION:
        print(f"已升级到第 {after} 版 / upgraded to version {after}")
    return EXIT_OK


def cmd_grant_app_role(args: argparse.Namespace) -> int:
    """Migrate the PostgreSQL store, then grant `role` the app's rights; print the grants."""
    location = settings_from_env().store
    try:
        require_postgres(shown_location(location))
        store = ProgressStore(location)
        statements = granted_app_role(store, args.role)
    except StoreError as exc:
        return _failed(exc, location, "未授权", "nothing was granted")
    print(f"{shown_location(location)}")
    for statement in statements:
        print(f"  {statement}")
    print(
        f"已授予角色 {args.role} 应用所需的权限（只读取、添加、撤回，不能删除或改写）/ "
        f"granted {args.role} the app's rights (read, add, withdraw; never delete or rewrite)"
    )
    return EXIT_OK


def cmd_copy_store(args: argparse.Namespace) -> int:
    """Copy the store at PROGRESS_DB into the empty PostgreSQL store at --to; print what was
    copied and checked."""
    settings = settings_from_env()
    source, target = settings.store, args.to
    try:
        if settings.is_demo_store or not settings.store_exists:
            raise refusal(
                "copy_source_missing",
                "请用 PROGRESS_DB 指明要复制的数据库（现有的数据库文件）",
                "name the store to copy with PROGRESS_DB (an existing store)",
                shown_location(source),
            )
        print(f"{shown_location(source)} -> {shown_location(target)}", file=sys.stderr)
        copied = copied_store(source, target)
    except StoreError as exc:
        return _failed(exc, target, "未复制", "not copied")
    plans = ", ".join(plan or "(无计划 / no plan)" for plan in copied.plans) or "-"
    print(
        f"已复制 {copied.uploads} 批上传（{copied.batches} 批数据，{copied.figures} 行）、"
        f"{copied.trail_steps} 条留痕，数据版本 {copied.data_version} / copied"
        f" {copied.uploads} uploads ({copied.batches} batches, {copied.figures} figures),"
        f" {copied.trail_steps} trail steps, data version {copied.data_version}"
    )
    print(f"计划 / plans: {plans}")
    print(
        "已核对：每批数据逐字节相同且可读，各计划的当前数据与来源一致 / checked: every batch"
        " byte for byte and readable, every plan's current figures equal to the source's"
    )
    if not is_postgres_url(source):
        print(
            f"请将 PROGRESS_DB 改为 {shown_location(target)} 后重启应用 / set PROGRESS_DB to"
            f" {shown_location(target)} and restart the app",
            file=sys.stderr,
        )
    return EXIT_OK


def _failed(exc: StoreError, location: str, zh: str, en: str) -> int:
    print(f"{shown_location(location)}: {zh} / {en}", file=sys.stderr)
    for problem in exc.problems:
        print(f"  [{problem.severity}] {problem}", file=sys.stderr)
    refused = all(problem.code in _REFUSED for problem in exc.problems)
    return EXIT_INVALID if refused else EXIT_UNREADABLE
