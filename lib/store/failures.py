"""What a person is told when the store refuses an operation or SQLite fails.

`store_error` maps the SQLite failures a person can act on (busy, read-only, disk full,
damaged file...) to a `StoreError` with a bilingual message; any other SQLite error is a
bug and is left to propagate. `refusal` builds the store's own refusals (a duplicate file,
an unknown upload...) the same way.
"""

from __future__ import annotations

import sqlite3

from lib.core.errors import Problem, StoreError
from lib.store.engines import Connection
from lib.store.scope import PlanScope

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


def store_error(exc: sqlite3.Error) -> StoreError | None:
    """The StoreError a person should see for a SQLite failure, or None if it is a bug."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    for prefix, (code, zh, en) in _FAILURES.items():
        if name == prefix or name.startswith(prefix + "_"):
            return StoreError([Problem(code, zh, en, value=str(exc))])
    return None


def refusal(code: str, zh: str, en: str, value: object = None) -> StoreError:
    """A StoreError with one bilingual problem (`value`, if given, as text)."""
    return StoreError([Problem(code, zh, en, value=None if value is None else str(value))])


def known_upload_status(
    conn: Connection, upload_id: int | None, scope: PlanScope | None = None
) -> str:
    """The ledger status ('active' or 'withdrawn') of an upload; refused (StoreError,
    unknown_upload) when there is no such upload, or it belongs to a plan outside `scope`."""
    in_scope, params = (scope or PlanScope()).condition("plan_id")
    found = (
        None
        if upload_id is None
        else conn.execute(
            f"SELECT status FROM uploads WHERE id = ? AND {in_scope}", (int(upload_id), *params)
        ).fetchone()
    )
    if found is None:
        raise refusal(
            "unknown_upload",
            f"没有第 {upload_id} 批上传",
            f"there is no upload {upload_id}",
            upload_id,
        )
    return str(found[0])
