"""A whole store copied into an empty PostgreSQL store: how an office that outgrew its SQLite
file moves to a server (`python -m lib copy-store --to URL`).

Everything is copied as it is stored: every upload with its id, status and plan, every
batch's bytes verbatim (never decoded and encoded again), every trail step with its id, and
the data version; the target's id sequences are moved past the copied ids, so the next
upload and trail step number on from the source's. The source is read in one snapshot and
the target written in one write transaction, so the copy is all or nothing; a target that
already has uploads or trail steps is refused. Before the commit every batch is read back
(the same bytes, and it decodes) and the counts compared; after it, the current figures of
every plan, all of them and the confirmed ones only, must be the same in both stores.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import psycopg

from lib.core.errors import StoreError
from lib.store.batches import decoded_batch
from lib.store.engines import Connection, is_postgres_url, shown_location
from lib.store.failures import refusal
from lib.store.repository import UPLOAD_COLUMNS, ProgressStore
from lib.store.trail import TRAIL_COLUMNS

_TRAIL_COPIED = [*TRAIL_COLUMNS, "plan_id"]


@dataclass(frozen=True)
class CopiedStore:
    """What a copy moved: uploads, their batches and figures (rows), trail steps, the plans
    they belong to ("" for rows of no plan) and the data version."""

    uploads: int
    batches: int
    figures: int
    trail_steps: int
    plans: tuple[str, ...]
    data_version: int


def copied_store(source: str | Path, target: str, *, busy_timeout_s: float = 15.0) -> CopiedStore:
    """Copy the store at `source` (a SQLite file or a PostgreSQL URL; brought to the current
    schema first, as the app would) into the empty PostgreSQL store at `target` (its schema
    made if missing); what was copied. StoreError
    for a target that is not PostgreSQL, is the source, or already holds uploads or trail
    steps (nothing copied), for a copy that did not read back as written (nothing copied)
    and for current figures that differ afterwards."""
    if not is_postgres_url(target):
        raise refusal(
            "copy_target_not_postgres",
            "复制的目标须为 PostgreSQL 数据库（postgresql://...）",
            "the copy's target must be a PostgreSQL store (postgresql://...)",
            shown_location(target),
        )
    if str(source) == str(target):
        raise refusal(
            "copy_target_is_source",
            "复制的目标与来源是同一个数据库",
            "the copy's target is its source",
            shown_location(target),
        )
    from_store = ProgressStore(source, busy_timeout_s=busy_timeout_s)
    to_store = ProgressStore(target, busy_timeout_s=busy_timeout_s)
    with from_store.engine.read_snapshot() as src, to_store.engine.write_transaction() as dst:
        _refuse_unless_empty(dst, target)
        try:
            copied = _copied_rows(src, dst)
        except psycopg.IntegrityError as exc:  # a source row another one does not match
            raise refusal(
                "copy_source_inconsistent",
                f"来源数据库中有互不相符的记录，未复制任何数据：{exc}",
                f"the source store holds rows that do not agree; nothing was copied: {exc}",
                shown_location(source),
            ) from exc
    for plan_id in (None, *copied.plans):
        _check_same_figures(source, target, plan_id, busy_timeout_s)
    return copied


def _refuse_unless_empty(dst: Connection, target: str) -> None:
    uploads = int(dst.execute("SELECT COUNT(*) FROM uploads").fetchone()[0])
    steps = int(dst.execute("SELECT COUNT(*) FROM cycle_events").fetchone()[0])
    if uploads or steps:
        raise refusal(
            "copy_target_not_empty",
            f"目标数据库已有 {uploads} 批上传、{steps} 条留痕记录，未复制任何数据；"
            "请复制到一个新建的空数据库",
            f"the target store already holds {uploads} upload(s) and {steps} trail step(s);"
            " nothing was copied: copy into a new, empty database",
            shown_location(target),
        )


def _copied_rows(src: Connection, dst: Connection) -> CopiedStore:
    """Copy every row inside the target's transaction and check what it then holds."""
    uploads = src.execute(f"SELECT {', '.join(UPLOAD_COLUMNS)} FROM uploads ORDER BY id").fetchall()
    for row in uploads:
        _insert(dst, "uploads", UPLOAD_COLUMNS, row)
    # one batch at a time, each a few megabytes at most: a store of years fits no memory
    digests: dict[int, str] = {}
    figures = 0
    for (upload_id,) in src.execute("SELECT upload_id FROM figure_batches ORDER BY upload_id"):
        row = src.execute(
            "SELECT upload_id, row_count, format, batch FROM figure_batches WHERE upload_id = ?",
            (upload_id,),
        ).fetchone()
        _insert(dst, "figure_batches", ["upload_id", "row_count", "format", "batch"], row)
        digests[int(upload_id)] = hashlib.sha256(row[3]).hexdigest()
        figures += int(row[1])
    steps = src.execute(
        f"SELECT {', '.join(_TRAIL_COPIED)} FROM cycle_events ORDER BY id"
    ).fetchall()  # in id order: a reply's 督办单 is there before it
    for row in steps:
        _insert(dst, "cycle_events", _TRAIL_COPIED, row)
    version = int(src.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0])
    # never lower: a cache keyed on an earlier version must not be taken as current
    dst.execute("UPDATE meta SET value = GREATEST(value, ?) WHERE key = 'data_version'", (version,))
    for table in ("uploads", "cycle_events"):
        dst.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1),"
            f" MAX(id) IS NOT NULL) FROM {table}"
        )
    _check_batches(dst, digests)
    plans = sorted({str(row[-1]) for row in uploads} | {str(row[-1]) for row in steps})
    copied = CopiedStore(
        uploads=len(uploads),
        batches=len(digests),
        figures=figures,
        trail_steps=len(steps),
        plans=tuple(plans),
        data_version=int(
            dst.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()[0]
        ),
    )
    counts = dst.execute(
        "SELECT (SELECT COUNT(*) FROM uploads), (SELECT COUNT(*) FROM figure_batches),"
        " (SELECT COUNT(*) FROM cycle_events)"
    ).fetchone()
    if tuple(int(n) for n in counts) != (copied.uploads, copied.batches, copied.trail_steps):
        raise _not_copied(
            f"{tuple(counts)} rows in the target,"
            f" {(copied.uploads, copied.batches, copied.trail_steps)} copied"
        )
    return copied


def _insert(dst: Connection, table: str, columns: list[str], row: object) -> None:
    marks = ", ".join("?" * len(columns))
    dst.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", tuple(row))


def _check_batches(dst: Connection, digests: dict[int, str]) -> None:
    """Every batch in the target is the source's bytes and decodes; checked one at a time."""
    stored = [int(row[0]) for row in dst.execute("SELECT upload_id FROM figure_batches")]
    if sorted(stored) != sorted(digests):
        raise _not_copied(f"batches of uploads {sorted(set(stored) ^ set(digests))}")
    for upload_id in stored:
        batch_format, row_count, batch = dst.execute(
            "SELECT format, row_count, batch FROM figure_batches WHERE upload_id = ?",
            (upload_id,),
        ).fetchone()
        if hashlib.sha256(batch).hexdigest() != digests[upload_id]:
            raise _not_copied(f"the batch of upload {upload_id} differs")
        decoded_batch(upload_id, batch_format, row_count, batch)  # store_corrupt if not


def _check_same_figures(
    source: str | Path, target: str, plan_id: str | None, busy_timeout_s: float
) -> None:
    """The current figures of `plan_id` (every plan's for None) are the same in both stores,
    all of them and the confirmed ones of every indicator."""
    frames = []
    for location in (source, target):
        store = ProgressStore(location, plan_id=plan_id, busy_timeout_s=busy_timeout_s)
        every = store.current_values()
        indicators = frozenset(every["indicator_id"])
        confirmed = store.current_values(confirmed_only=indicators)
        frames.append((every, confirmed, store.uploads(), store.trail()))
    for before, after in zip(frames[0], frames[1], strict=True):
        if not before.reset_index(drop=True).equals(after.reset_index(drop=True)):
            raise refusal(
                "copy_differs",
                f"复制已写入目标数据库，但计划 {plan_id or '（全部）'} 的数据与来源不一致；"
                "请勿使用该数据库，删除后重新复制",
                f"the copy was written but the figures of plan {plan_id or '(all)'} differ"
                " from the source's; do not use the target: drop it and copy again",
                shown_location(target),
            )


def _not_copied(detail: str) -> StoreError:
    return refusal(
        "copy_not_read_back",
        "写入目标数据库的数据读回时与来源不符，未复制任何数据",
        "what was written to the target did not read back as the source; nothing was copied",
        detail,
    )
