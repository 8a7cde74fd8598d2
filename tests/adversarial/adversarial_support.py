"""Builders of hostile files and the checks every adversarial case shares.

`attempt_import` runs an upload the way the upload page and `python -m lib import` do
(validate against the stored figures, import only an error-free report) and says what a
person would see. `StoreSnapshot` captures everything stored (current values, ledger,
every stored figure, data version) so a case can assert that a refused input changed
nothing, and `integrity` runs the engine's own consistency check: SQLite's on the file,
amcheck's on a PostgreSQL database's tables and indexes.
"""

from __future__ import annotations

import csv
import io
import os
import re
import select
import sqlite3
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import pandas as pd
import pyarrow as pa
import pytest
from openpyxl import Workbook
from pandas.testing import assert_frame_equal

from lib.core.errors import Problem, ProgressFileError, StoreError
from lib.ingest.report import ValidationReport, validate_progress
from lib.plan.model import Plan
from lib.services.settings import REPO_ROOT
from lib.services.uploads import import_upload
from lib.store.repository import ProgressStore
from tests.support import STORE_TABLES, admin, stored_figures_of

NOW = datetime(2014, 10, 8, 9, 30, tzinfo=UTC)
WORKER = Path(__file__).with_name("store_worker.py")
HEADER = ["指标编号", "报告期", "完成值", "进展情况", "填报单位"]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORDS = re.compile(r"[A-Za-z]{3,}")


@dataclass(frozen=True)
class Outcome:
    """What happened to an upload and every message a person would be shown."""

    kind: Literal["unreadable", "refused", "imported"]
    problems: list[Problem]
    report: ValidationReport | None = None
    upload_id: int | None = None


def attempt_import(
    store: ProgressStore,
    plan: Plan,
    content: bytes,
    file_name: str,
    *,
    sheet: str | None = None,
    by: str = "测试分析员 analyst",
) -> Outcome:
    """Validate against the stored figures and import when the report has no errors.

    A store that cannot even be read (read-only file system, full disk) is 'refused' with
    the store's problems and no report.
    """
    try:
        stored = store.current_values()
    except StoreError as exc:
        return Outcome("refused", exc.problems)
    try:
        report = validate_progress(content, file_name, plan, stored=stored, sheet=sheet)
    except ProgressFileError as exc:
        return Outcome("unreadable", exc.problems)
    try:
        upload_id = import_upload(
            store, report, content=content, file_name=file_name, user=admin(by), now=NOW
        )
    except StoreError as exc:
        return Outcome("refused", [*report.problems, *exc.problems], report)
    return Outcome("imported", report.problems, report, upload_id)


def assert_clear(problems: Sequence[Problem], code: str) -> list[Problem]:
    """The problems with `code`; fails unless there is one and each is bilingual."""
    found = [p for p in problems if p.code == code]
    assert found, f"expected a '{code}' problem, got: {[str(p) for p in problems]}"
    for p in found:
        assert _CJK.search(p.message_zh), f"no Chinese message: {p}"
        assert _WORDS.search(p.message_en), f"no English message: {p}"
    return found


@dataclass(frozen=True)
class StoreSnapshot:
    """Everything a store holds, as the app reads it."""

    current: pd.DataFrame
    uploads: pd.DataFrame
    figures: pd.DataFrame
    data_version: int

    @classmethod
    def of(cls, store: ProgressStore) -> StoreSnapshot:
        figures = stored_figures_of(store)
        return cls(store.current_values(), store.uploads(), figures, store.data_version())

    def assert_same(self, store: ProgressStore) -> None:
        """Fail unless the store holds exactly this and passes its engine's consistency
        check."""
        now = StoreSnapshot.of(store)
        assert_frame_equal(now.current, self.current)
        assert_frame_equal(now.uploads, self.uploads)
        assert_frame_equal(now.figures, self.figures)
        assert now.data_version == self.data_version
        assert integrity(store) == "ok"


def integrity(store: ProgressStore) -> str:
    """'ok' when the store is sound, else what is wrong: SQLite's PRAGMA integrity_check
    of the file; on PostgreSQL, amcheck's check of every table (TOASTed batches included)
    and of every B-tree index against its table."""
    if store.path is not None:
        conn = sqlite3.connect(store.path)
        try:
            return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
        finally:
            conn.close()
    found: list[str] = []
    with store.engine.connection() as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS amcheck")  # the tests connect as owner
        for table in STORE_TABLES:
            found += [
                f"{table} block {block} item {item}: {message}"
                for block, item, message in conn.execute(
                    "SELECT blkno, offnum, msg FROM verify_heapam(?::regclass)", (table,)
                ).fetchall()
            ]
        indexes = conn.execute(
            "SELECT i.indexrelid::regclass::text FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam"
            " WHERE a.amname = 'btree' AND c.relnamespace = current_schema()::regnamespace"
        ).fetchall()
        assert len(indexes) >= len(STORE_TABLES), indexes  # the check saw the store's indexes
        for (index,) in indexes:
            try:  # every table row must be found in the index too (heapallindexed)
                conn.execute("SELECT bt_index_check(?::regclass, true)", (index,))
            except StoreError as exc:  # the engine maps IndexCorrupted to store_corrupt
                found.append(f"{index}: {exc.problems[0].value}")
    return "; ".join(found) or "ok"


def rows_per_upload(store: ProgressStore) -> dict[int, tuple[int, int]]:
    """upload id -> (row_count in the ledger, figures actually stored), in one snapshot
    read through the store's engine.

    The stored figures are counted by decoding each upload's batch here, independently of
    the store's reader; a batch whose own row_count differs from that fails the test.
    """
    with store.engine.read_snapshot() as conn:
        found = conn.execute(
            "SELECT u.id, u.row_count, b.row_count, b.batch"
            " FROM uploads u LEFT JOIN figure_batches b ON b.upload_id = u.id"
        ).fetchall()
        orphans = conn.execute(
            "SELECT COUNT(*) FROM figure_batches WHERE upload_id NOT IN (SELECT id FROM uploads)"
        ).fetchone()[0]
    assert orphans == 0, f"{orphans} batches belong to no upload"
    counts = {}
    for upload_id, declared, batch_rows, batch in found:
        stored = 0 if batch is None else batch_row_count(batch)
        assert batch_rows in (None, stored), f"upload {upload_id}: {batch_rows} != {stored}"
        counts[int(upload_id)] = (int(declared), stored)
    return counts


def batch_row_count(batch: bytes) -> int:
    """Rows in a stored batch (an Arrow IPC stream), decoded with pyarrow alone."""
    return pa.ipc.open_stream(batch).read_all().num_rows


# --- file builders ------------------------------------------------------------------------


def csv_content(
    rows: Iterable[Sequence[object]], header: Sequence[str] = HEADER, encoding: str = "utf-8-sig"
) -> bytes:
    """A CSV file as Excel writes it (CRLF), in `encoding`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_content(
    sheets: Sequence[tuple[str, Sequence[Sequence[object]], str]],
    edit: Callable[[Workbook], None] | None = None,
) -> bytes:
    """An .xlsx with (title, rows including header, state 'visible'|'hidden'|'veryHidden')."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows, state in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
        sheet.sheet_state = state
    if edit is not None:
        edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewritten_zip(
    content: bytes,
    transform: Callable[[str, bytes], tuple[str, bytes]] = lambda name, data: (name, data),
    extra: Sequence[tuple[str, bytes]] = (),
) -> bytes:
    """The archive with every member passed through `transform(name, data)`, plus `extra`."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            name, data = transform(info.filename, source.read(info.filename))
            target.writestr(name, data)
        for name, data in extra:
            target.writestr(name, data)
    return out.getvalue()


def forged_size(content: bytes, member: str, size: int) -> bytes:
    """The archive with `member`'s declared uncompressed size replaced (a lying zip)."""
    info = zipfile.ZipFile(io.BytesIO(content)).getinfo(member)
    forged = bytearray(content)
    struct.pack_into("<I", forged, info.header_offset + 22, size)  # local file header
    position = forged.find(b"PK\x01\x02")
    while position != -1:  # central directory entries
        name_length = struct.unpack_from("<H", forged, position + 28)[0]
        if forged[position + 46 : position + 46 + name_length] == member.encode():
            struct.pack_into("<I", forged, position + 24, size)
        position = forged.find(b"PK\x01\x02", position + 4)
    return bytes(forged)


def valid_rows(plan: Plan, count: int, period: str = "2014Q4", note: str = "") -> list[list]:
    """`count` error-free rows for the first indicators of the plan (value = target)."""
    indicators = plan.indicators.head(count)
    return [
        [row.indicator_id, period, f"{row.target:g}", note or f"进展 {row.indicator_id}", ""]
        for row in indicators.itertuples(index=False)
    ]


def import_baseline(store: ProgressStore, plan: Plan, count: int) -> None:
    """Import the first `count` indicators of `plan` at 2014Q1 as base.csv (upload 1 of an
    empty store), the figures that the cases' big uploads are then added to."""
    ids = plan.indicators["indicator_id"].head(count)
    base = csv_content([[i, "2014Q1", "1", "基线", ""] for i in ids])
    report = validate_progress(base, "base.csv", plan)
    import_upload(store, report, content=base, file_name="base.csv", user=admin("base"), now=NOW)


# --- worker processes ---------------------------------------------------------------------


def spawn(*args: object) -> subprocess.Popen:
    """A store_worker.py process with the repository importable."""
    return subprocess.Popen(
        [sys.executable, str(WORKER), *(str(a) for a in args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )


def expect_line(process: subprocess.Popen, expected: str, timeout: float = 60) -> None:
    """Wait for the worker to print `expected`; fail with its stderr if it does not."""
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    line = process.stdout.readline().strip() if ready else ""
    if line != expected:
        process.kill()
        pytest.fail(f"worker said {line!r}, not {expected!r}: {process.stderr.read()}")


def stop(process: subprocess.Popen) -> None:
    """Kill the worker if it still runs and reap it."""
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)
