"""The quarter's trail (留痕): one append-only row per step the office and the units take.

Kinds: `confirmed` / `returned` (a confirmer's decision on an upload, or on one figure of it
when `indicator_id` is set), `reminded` (a 催报 notice to a unit for a period), `issued` (a
督办单 to a lead unit), `replied` (a unit's answer on one indicator of a 督办单, `notice_id`)
and `closed` (the office closing a 督办单). `details` holds what the step says (a reason,
the indicators listed, a reply's 原因分析/整改措施/预计完成时间) as JSON. Nothing here decides
who may take a step: lib/services/cycle.py does, before calling the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lib.store.engines import Connection
from lib.store.failures import known_upload_status, refusal
from lib.store.scope import PlanScope

TRAIL_KINDS = ("confirmed", "returned", "reminded", "issued", "replied", "closed")
TRAIL_COLUMNS = [
    "id", "kind", "period", "unit", "upload_id", "indicator_id", "reporter", "notice_id",
    "actor", "at", "details",
]  # fmt: skip
_NEEDS_UPLOAD = ("confirmed", "returned")
_NEEDS_NOTICE = ("replied", "closed")


@dataclass(frozen=True)
class TrailEntry:
    """One step to record; `details` must be JSON-serialisable."""

    kind: str
    actor: str
    period: str = ""
    unit: str = ""
    upload_id: int | None = None
    indicator_id: str = ""
    reporter: str = ""
    notice_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict, hash=False)


def insert_entry(
    conn: Connection, entry: TrailEntry, at: str, scope: PlanScope | None = None
) -> int:
    """Add `entry` at time `at`, as a step of the scope's plan, inside the caller's
    transaction; its trail id. Refuses (StoreError) a decision on an upload that is unknown,
    of another plan or withdrawn, and a reply or closing of something that is not a 督办单
    of this plan."""
    scope = scope or PlanScope()
    if entry.kind not in TRAIL_KINDS:
        raise ValueError(f"unknown trail kind {entry.kind!r}")
    if entry.kind in _NEEDS_UPLOAD:
        _check_active_upload(conn, entry.upload_id, scope)
    if entry.kind in _NEEDS_NOTICE:
        _check_notice(conn, entry.notice_id, scope)
    cursor = conn.execute(
        # the id is the next number, not a sequence's (which a rolled-back step would still
        # advance): 督办单 are numbered by trail id, and a missing number must mean nothing.
        # Safe: steps are written under the store's one write lock.
        "INSERT INTO cycle_events (id, kind, period, unit, upload_id, indicator_id, reporter,"
        " notice_id, actor, at, details, plan_id)"
        " VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM cycle_events),"
        " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            entry.kind,
            entry.period,
            entry.unit,
            entry.upload_id,
            entry.indicator_id,
            entry.reporter,
            entry.notice_id,
            entry.actor,
            at,
            json.dumps(entry.details, ensure_ascii=False, sort_keys=True, default=str),
            scope.recorded_id,
        ),
    )
    return int(cursor.fetchone()[0])


def read_trail(
    conn: Connection,
    kinds: tuple[str, ...] | None = None,
    scope: PlanScope | None = None,
) -> pd.DataFrame:
    """The trail of the scope's plan in id order (TRAIL_COLUMNS; `details` decoded to
    dicts, absent ids as <NA>), only `kinds` when given."""
    in_scope, params = (scope or PlanScope()).condition("plan_id")
    sql = f"SELECT {', '.join(TRAIL_COLUMNS)} FROM cycle_events WHERE {in_scope}"
    if kinds:
        sql += f" AND kind IN ({', '.join('?' * len(kinds))})"
        params = (*params, *kinds)
    rows = conn.execute(sql + " ORDER BY id", params).fetchall()  # a trail is small
    frame = pd.DataFrame(rows, columns=TRAIL_COLUMNS, dtype=object)
    for name in TRAIL_COLUMNS:
        if name in ("id", "upload_id", "notice_id"):
            frame[name] = pd.array(frame[name], dtype="Int64")
        elif name != "details":
            frame[name] = frame[name].astype("str")
    frame["id"] = frame["id"].astype("int64")
    frame["details"] = pd.Series([json.loads(text) for text in frame["details"]], dtype=object)
    return frame


def _check_active_upload(conn: Connection, upload_id: int | None, scope: PlanScope) -> None:
    if known_upload_status(conn, upload_id, scope) != "active":
        raise refusal(
            "upload_withdrawn",
            f"第 {upload_id} 批上传已撤回，无需核准",
            f"upload {upload_id} was withdrawn; there is nothing to confirm",
            upload_id,
        )


def _check_notice(conn: Connection, notice_id: int | None, scope: PlanScope) -> None:
    in_scope, params = scope.condition("plan_id")
    found = (
        None
        if notice_id is None
        else conn.execute(
            f"SELECT 1 FROM cycle_events WHERE id = ? AND kind = 'issued' AND {in_scope}",
            (int(notice_id), *params),
        ).fetchone()
    )
    if found is None:
        raise refusal(
            "unknown_notice",
            f"没有编号为 {notice_id} 的督办单",
            f"there is no 督办单 (supervision notice) {notice_id}",
            notice_id,
        )
