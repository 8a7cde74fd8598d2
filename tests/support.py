"""Small helpers shared by tests."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from lib.auth.accounts import Role, User
from lib.ingest.report import validate_progress
from lib.plan.loader import parse_plan
from lib.plan.model import Plan
from lib.services.settings import SAMPLE_PROGRESS_FILE
from lib.services.uploads import import_sample, import_upload
from lib.status.indicators import indicator_status
from lib.status.rollups import task_completion
from lib.status.units import responsibility_matrix
from lib.store.batches import decoded_batch, empty_decoded_batches
from lib.store.current import figures_frame
from lib.store.repository import ProgressStore

# The plan metadata every small test plan starts with; each test appends its own units and
# sections (a 2014 calendar-year plan, like the real one).
TEST_PLAN_HEADER = """
schema_version: 1
plan:
  id: test
  title: 测试计划
  issuer: 测试办
  document_number: 测试〔2014〕1号
  issue_date: 2014-01-01
  period_start: 2014-01-01
  period_end: 2014-12-31
"""

# The plan of the store, upload and command-line tests: one forestry task with two quantities
# and a milestone, its unit known by an alias too. Suites that need other sections, units or
# targets (status rules, view models, the template) spell out a plan of their own.
FOREST_PLAN_YAML = (
    TEST_PLAN_HEADER
    + """
units:
  - {name: 市林业局, aliases: [林业局], kind: municipal_department}
sections:
  - id: S01
    title: 生态
    tasks:
      - id: T01
        title: 林业
        text: 建成村级站3000个。森林面积达到1532.87万亩。公布权责清单。
        units: [市林业局]
        indicators:
          - {id: T01-1, name: 村级站, kind: quantity, target: 3000, unit: 个,
             direction: increase, deadline: 2014-12-31, source: 建成村级站3000个}
          - {id: T01-2, name: 森林面积, kind: quantity, target: 1532.87, unit: 万亩,
             direction: increase, deadline: 2014-12-31, source: 森林面积达到1532.87万亩}
          - {id: T01-3, name: 权责清单, kind: milestone, target: 100, unit: '%',
             direction: increase, deadline: 2014-12-31, source: 公布权责清单}
"""
)


def forest_plan() -> Plan:
    """FOREST_PLAN_YAML parsed."""
    return parse_plan(FOREST_PLAN_YAML)


def progress_csv(
    rows: Sequence[tuple[str, str, object]],
    note: str | list[str] = "",
    reporter: str = "市林业局",
) -> bytes:
    """A progress file (UTF-8 CSV with a BOM) of (indicator_id, period, value) rows, with
    `note` on every row (or one note per row) and `reporter` on every row."""
    notes = note if isinstance(note, list) else [note] * len(rows)
    lines = ["指标编号,报告期,完成值,进展情况,填报单位"]
    lines += [f"{i},{p},{v},{n},{reporter}" for (i, p, v), n in zip(rows, notes, strict=True)]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def sample_file_store(
    path: str | Path, plan: Plan, now: datetime, user: User | None = None
) -> ProgressStore:
    """A store at `path` (a SQLite file or a PostgreSQL URL) holding the bundled sample
    progress file: imported by `user`, or marked as sample data (as the demo store holds it)
    when there is no user."""
    store = ProgressStore(path)
    content = SAMPLE_PROGRESS_FILE.read_bytes()
    report = validate_progress(content, SAMPLE_PROGRESS_FILE.name, plan)
    assert report.ok, report.errors
    name = SAMPLE_PROGRESS_FILE.name
    if user is None:
        import_sample(store, report, content=content, file_name=name, now=now, plan=plan)
    else:
        import_upload(store, report, content=content, file_name=name, user=user, now=now)
    return store


def sample_store_in_env(
    monkeypatch: pytest.MonkeyPatch, path: Path, plan: Plan, now: datetime, user: User | None = None
) -> ProgressStore:
    """`sample_file_store` at `path`, named by PROGRESS_DB, with PLAN_FILE unset so the app
    and the CLI read the bundled plan."""
    monkeypatch.setenv("PROGRESS_DB", str(path))
    monkeypatch.delenv("PLAN_FILE", raising=False)
    return sample_file_store(path, plan, now, user)


def unit_upload(
    store: ProgressStore,
    plan: Plan,
    rows: Sequence[tuple[str, str, object]],
    unit: str,
    by: User,
    now: datetime,
) -> int:
    """Import (indicator_id, period, value) rows as `unit`'s own file, made by `by`; the
    upload's id. The file must validate."""
    lines = ["指标编号,报告期,完成值,填报单位"] + [f"{i},{p},{v},{unit}" for i, p, v in rows]
    content = ("\n".join(lines) + "\n").encode("utf-8-sig")
    report = validate_progress(content, f"{unit}.csv", plan, stored=store.current_values())
    assert report.ok, report.errors
    return import_upload(store, report, content=content, file_name=f"{unit}.csv", user=by, now=now)


def admin(name: str) -> User:
    """A user allowed to import and to withdraw any upload (most store tests act as one)."""
    return User(str(name), Role.ADMIN, "local")


def analyst(name: str) -> User:
    """A user allowed to import and to withdraw only their own uploads."""
    return User(str(name), Role.ANALYST, "local")


def viewer(name: str) -> User:
    """A user who may only read."""
    return User(str(name), Role.VIEWER, "local")


def incompressible_text(length: int, seed: object) -> str:
    """`length` Chinese characters drawn at random (the same for the same seed). The store
    compresses its batches, so a test that must fill a disk cannot use repeated text."""
    chooser = random.Random(str(seed))
    return "".join(chr(chooser.randrange(0x4E00, 0x9FA6)) for _ in range(length))


def stored_figures(path: Path) -> pd.DataFrame:
    """Every figure stored at `path`, of every upload (withdrawn ones too): upload_id, row_no,
    indicator_id, period, value, note, reporter ("" when empty), by upload_id and row_no.
    Read in one snapshot with a raw connection (outside the store) and decoded with the
    store's batch codec, which refuses a damaged batch."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        found = conn.execute(
            "SELECT upload_id, format, row_count, batch FROM figure_batches ORDER BY upload_id"
        ).fetchall()
        conn.execute("COMMIT")
    finally:
        conn.close()
    return _decoded_figures(found)


def stored_figures_of(store: ProgressStore) -> pd.DataFrame:
    """`stored_figures` of a store on either engine (a SQLite file or a PostgreSQL
    database): read in one snapshot through the store's engine, not its reader, and decoded
    with the store's batch codec."""
    with store.engine.read_snapshot() as conn:
        found = conn.execute(
            "SELECT upload_id, format, row_count, batch FROM figure_batches ORDER BY upload_id"
        ).fetchall()
    return _decoded_figures(found)


def _decoded_figures(found: Sequence[Sequence[object]]) -> pd.DataFrame:
    decoded = [decoded_batch(*row) for row in found]
    table = pa.concat_tables(decoded) if decoded else empty_decoded_batches()
    columns = ["upload_id", "row_no", "indicator_id", "period", "value", "note", "reporter"]
    return figures_frame(table, columns)


STORE_TABLES = {
    "meta": "key",
    "uploads": "id",
    "figure_batches": "upload_id",
    "cycle_events": "id",
}


def every_stored_row(store: ProgressStore) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of a store on either engine, table by table in key order,
    read in one snapshot through its engine (what `dump` is for a SQLite file): two reads
    are equal only if nothing was stored or changed in between."""
    with store.engine.read_snapshot() as conn:
        return {
            table: [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in conn.execute(f"SELECT * FROM {table} ORDER BY {key}").fetchall()
            ]
            for table, key in STORE_TABLES.items()
        }


def dump(path: Path) -> list[str]:
    """Every table of a SQLite file row for row (read with a raw connection, outside the
    store)."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def mixed_status_matrix(plan: Plan) -> pd.DataFrame:
    """The whole plan's responsibility matrix at 2014Q2 with a mix of statuses: figures at
    cycling shares of their target, every fifth indicator unreported."""
    rows = []
    for i, ind in enumerate(plan.indicators.itertuples(index=False)):
        if i % 5 == 0:
            continue
        share = (0.1, 0.35, 0.5, 1.0, 0.45, 0.2)[i % 6]
        value = ind.baseline + (ind.target - ind.baseline) * share
        rows.append({"indicator_id": ind.indicator_id, "period": "2014Q2", "value": value})
    status = indicator_status(plan, pd.DataFrame(rows).assign(upload_id=1), "2014Q2")
    return responsibility_matrix(plan, task_completion(plan, status))
