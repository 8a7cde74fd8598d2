"""Small helpers shared by tests."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

from lib.auth.accounts import Role, User

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


def dump(path: Path) -> list[str]:
    """Every table of a SQLite file row for row (read with a raw connection, outside the
    store)."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()
