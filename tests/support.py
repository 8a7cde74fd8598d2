"""Small helpers shared by tests."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pandas as pd
import pyarrow as pa

from lib.auth.accounts import Role, User
from lib.store.batches import decoded_batch, empty_decoded_batches
from lib.store.current import figures_frame

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
    decoded = [decoded_batch(*row) for row in found]
    table = pa.concat_tables(decoded) if decoded else empty_decoded_batches()
    columns = ["upload_id", "row_no", "indicator_id", "period", "value", "note", "reporter"]
    return figures_frame(table, columns)


def dump(path: Path) -> list[str]:
    """Every table of a SQLite file row for row (read with a raw connection, outside the
    store)."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
