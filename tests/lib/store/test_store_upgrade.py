"""Opening a version-1 store (one SQLite row per figure) converts it to one batch per upload
without losing or changing anything a reader sees; a conversion that fails changes nothing.

The version-1 store is built here with the version-1 schema, copied verbatim from
lib/store/ as it was, and what it held is read back with version-1 semantics in SQL.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

import lib.store.schema
from lib.core.errors import StoreError
from lib.store.repository import ProgressStore
from lib.store.schema import SCHEMA_VERSION
from lib.store.trail import TrailEntry
from tests.support import dump, stored_figures

# The store's schema at SCHEMA_VERSION 1, verbatim. It repeats lib/store/schema.py on purpose:
# that schema moves on with each version, and the upgrade must be tested on exactly what
# version 1 wrote, so this copy is never imported from there nor edited.
V1_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('data_version', 0);
CREATE TABLE IF NOT EXISTS uploads (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256       TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL,
    row_count    INTEGER NOT NULL,
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'withdrawn')),
    withdrawn_by TEXT,
    withdrawn_at TEXT,
    is_sample    INTEGER NOT NULL DEFAULT 0 CHECK (is_sample IN (0, 1))
);
CREATE UNIQUE INDEX IF NOT EXISTS uploads_one_active_sha256
    ON uploads (sha256) WHERE status = 'active';
CREATE TABLE IF NOT EXISTS figures (
    upload_id    INTEGER NOT NULL REFERENCES uploads (id),
    row_no       INTEGER NOT NULL,
    indicator_id TEXT NOT NULL,
    period       TEXT NOT NULL,
    value        REAL NOT NULL,
    note         TEXT,
    reporter     TEXT,
    PRIMARY KEY (upload_id, row_no)
);
CREATE INDEX IF NOT EXISTS figures_by_key ON figures (indicator_id, period, upload_id);
CREATE TRIGGER IF NOT EXISTS figures_no_update BEFORE UPDATE ON figures
    BEGIN SELECT RAISE(ABORT, 'figures are append-only'); END;
CREATE TRIGGER IF NOT EXISTS figures_no_delete BEFORE DELETE ON figures
    BEGIN SELECT RAISE(ABORT, 'figures are append-only'); END;
CREATE TRIGGER IF NOT EXISTS uploads_no_delete BEFORE DELETE ON uploads
    BEGIN SELECT RAISE(ABORT, 'uploads are never deleted'); END;
"""

# (file_name, uploaded_by, is_sample, withdrawn, rows: (row_no, indicator_id, period, value,
# note, reporter)) - rows listed out of row order where it matters; None is NULL. Written out
# in full (so the uploads look alike): each is a case a version-1 store could hold.
UPLOADS = [
    (
        "progress.csv",
        "示例数据 / sample",
        1,
        False,
        [
            (2, "T01-1", "2014Q1", 100.0, "示例数据：进展顺利", "市林业局"),
            (3, "T01-1", "2014Q2", 200.0, None, "市林业局"),
            (4, "T01-2", "2014Q1", 1500.5, "森林面积，含\n换行", None),
            (5, "T02-1", "2014Q1", 0.0, None, None),
        ],
    ),
    (
        "二季度.csv",
        "王分析员",
        0,
        False,
        [
            (3, "T01-1", "2014Q2", 250.0, "修订：完成值上调", "市林业局"),
            (2, "T01-1", "2014Q3", 300.0, "<script>alert(1)</script>", "区政府"),
        ],
    ),
    (
        "撤回.csv",
        "张分析员",
        0,
        True,
        [
            (2, "T01-1", "2014Q1", 999.0, "错误数据，已撤回", "市林业局"),
            (3, "T03-1", "2014Q4", 7.0, None, None),
        ],
    ),
    (
        "重复.xlsx",
        "王分析员",
        0,
        False,
        [
            (7, "T01-2", "2014Q1", 1600.0, "同一文件内的后一行", "市林业局"),
            (4, "T01-2", "2014Q1", 1550.0, "同一文件内的前一行", "市林业局"),
            (5, "T10-1", "2014Q2", 1e-9, "", ""),  # empty text as a v1 store could hold it
        ],
    ),
]


def build_v1_store(path: Path) -> None:
    """A version-1 store holding UPLOADS, as version 1 wrote it (WAL, checkpointed)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN IMMEDIATE")
        for statement in V1_SCHEMA.split(";\n"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        for n, (file_name, by, is_sample, withdrawn, rows) in enumerate(UPLOADS, start=1):
            upload_id = conn.execute(
                "INSERT INTO uploads (sha256, file_name, uploaded_by, uploaded_at, row_count,"
                " status, is_sample) VALUES (?, ?, ?, ?, ?, 'active', ?)",
                (f"{n:064x}", file_name, by, f"2014-10-0{n}T09:30:00+00:00", len(rows), is_sample),
            ).lastrowid
            conn.executemany(
                "INSERT INTO figures (upload_id, row_no, indicator_id, period, value, note,"
                " reporter) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(upload_id, *row) for row in rows],
            )
            conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'data_version'")
            if withdrawn:
                conn.execute(
                    "UPDATE uploads SET status = 'withdrawn', withdrawn_by = '组长',"
                    " withdrawn_at = '2014-10-09T10:00:00+00:00' WHERE id = ?",
                    (upload_id,),
                )
                conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'data_version'")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


# What a version-1 store holds, read with today's meaning: the current row of a key
# (indicator, period, reporting unit; no unit recorded is a unit of its own) is the one with
# the highest (upload_id, row_no) among active uploads; every figure is stored, of active
# and withdrawn uploads alike.
V1_NEWEST = """
    SELECT MAX(g.upload_id * 4294967296 + g.row_no) FROM figures AS g
    JOIN uploads AS w ON w.id = g.upload_id
    WHERE w.status = 'active' AND g.indicator_id = f.indicator_id AND g.period = f.period
      AND COALESCE(g.reporter, '') = COALESCE(f.reporter, '')
"""
V1_CURRENT = f"""
    SELECT f.indicator_id, f.period, f.value, COALESCE(f.note, ''), COALESCE(f.reporter, ''),
           f.upload_id, u.uploaded_at, u.uploaded_by
    FROM figures AS f JOIN uploads AS u ON u.id = f.upload_id
    WHERE u.status = 'active' AND f.upload_id * 4294967296 + f.row_no = ({V1_NEWEST})
    ORDER BY f.indicator_id, f.period, COALESCE(f.reporter, '')
"""
V1_FIGURES = """
    SELECT upload_id, row_no, indicator_id, period, value, COALESCE(note, ''),
           COALESCE(reporter, '')
    FROM figures ORDER BY upload_id, row_no
"""
V1_UPLOADS = """
    SELECT id, sha256, file_name, uploaded_by, uploaded_at, row_count, status,
           COALESCE(withdrawn_by, ''), COALESCE(withdrawn_at, ''), is_sample = 1
    FROM uploads ORDER BY id DESC
"""


def v1_view(path: Path) -> dict[str, object]:
    """Current values, every figure, ledger and data version read with version-1 semantics."""
    conn = sqlite3.connect(path)
    try:
        return {
            "current": conn.execute(V1_CURRENT).fetchall(),
            "figures": conn.execute(V1_FIGURES).fetchall(),
            "uploads": [(*row[:-1], bool(row[-1])) for row in conn.execute(V1_UPLOADS)],
            "plans": [""],  # no plan recorded: the uploads belong to the store's home plan
            "data_version": conn.execute("SELECT value FROM meta").fetchone()[0],
        }
    finally:
        conn.close()


def store_view(store: ProgressStore) -> dict[str, object]:
    def rows(frame):
        return list(frame.itertuples(index=False, name=None))

    return {
        "current": rows(store.current_values()),
        "figures": rows(stored_figures(store.path)),
        # a store older than version 4 records no plan: its uploads belong to the home plan
        "uploads": rows(store.uploads().drop(columns="plan_id")),
        "plans": sorted(set(store.uploads()["plan_id"])),
        "data_version": store.data_version(),
    }


def schema_of(path: Path) -> tuple[int, set[str]]:
    conn = sqlite3.connect(path)
    try:
        names = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        return conn.execute("PRAGMA user_version").fetchone()[0], names
    finally:
        conn.close()


@pytest.fixture
def v1_path(tmp_path: Path) -> Path:
    path = tmp_path / "v1.sqlite3"
    build_v1_store(path)
    return path


def test_v1_store_is_converted_without_losing_anything(v1_path):
    before = v1_view(v1_path)
    assert len(before["figures"]) == sum(len(rows) for *_, rows in UPLOADS)
    store = ProgressStore(v1_path)
    assert store_view(store) == before
    assert store.has_sample_data()
    version, names = schema_of(v1_path)
    assert version == SCHEMA_VERSION == 5 and {"figure_batches", "cycle_events"} <= names
    assert not names & {"figures", "figures_by_key", "figures_no_update", "figures_no_delete"}
    assert {"figure_batches_no_update", "figure_batches_no_delete", "uploads_no_delete"} <= names
    conn = sqlite3.connect(v1_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        counts = conn.execute("SELECT upload_id, row_count FROM figure_batches").fetchall()
    finally:
        conn.close()
    assert counts == [(n, len(rows)) for n, (*_, rows) in enumerate(UPLOADS, start=1)]
    assert store_view(ProgressStore(v1_path)) == before  # opening again changes nothing


def test_values_typed_as_before_after_conversion(v1_path):
    current = ProgressStore(v1_path).current_values()
    of_forestry = (current["indicator_id"] == "T01-2") & (current["reporter"] == "市林业局")
    assert current.loc[of_forestry, "note"].tolist() == [
        "同一文件内的后一行"  # within one upload the highest row number wins
    ]
    assert str(current["note"].dtype) == "str" and current["value"].dtype == "float64"
    assert current["upload_id"].dtype == "int64"


def test_conversion_failing_midway_leaves_the_v1_store_as_it_was(v1_path, monkeypatch):
    before_bytes, before_dump, before = v1_path.read_bytes(), dump(v1_path), v1_view(v1_path)
    real_batch, built = lib.store.schema.encoded_batch, []

    def failing_after_the_first_upload(rows):
        if built:
            raise RuntimeError("simulated failure while converting")
        built.append(len(rows))
        return real_batch(rows)

    monkeypatch.setattr(lib.store.schema, "encoded_batch", failing_after_the_first_upload)
    with pytest.raises(RuntimeError, match="simulated failure"):
        ProgressStore(v1_path)
    assert built == [len(UPLOADS[0][-1])]  # the first upload's batch was written, then undone
    assert v1_path.read_bytes() == before_bytes
    assert dump(v1_path) == before_dump and schema_of(v1_path)[0] == 1
    monkeypatch.undo()
    assert store_view(ProgressStore(v1_path)) == before  # a later open converts it


def test_conversion_refuses_a_v1_store_whose_ledger_disagrees(v1_path):
    conn = sqlite3.connect(v1_path)
    conn.execute("UPDATE uploads SET row_count = row_count + 1 WHERE id = 2")
    conn.commit()
    conn.close()
    before_bytes = v1_path.read_bytes()
    with pytest.raises(StoreError) as caught:
        ProgressStore(v1_path)
    (problem,) = caught.value.problems
    assert (problem.code, problem.value) == ("store_upgrade_failed", "2")
    assert "第 2 批上传" in problem.message_zh and "nothing was changed" in problem.message_en
    assert v1_path.read_bytes() == before_bytes and schema_of(v1_path)[0] == 1


def test_v2_store_gains_the_trail_and_keeps_its_figures(tmp_path, v1_path):
    """A version-2 store (today's tables without the trail) opens with an empty trail."""
    before = store_view(ProgressStore(v1_path))  # v1 -> current, then back to version 2
    conn = sqlite3.connect(v1_path, isolation_level=None)
    try:
        for statement in (
            "DROP TRIGGER cycle_events_no_update",
            "DROP TRIGGER cycle_events_no_delete",
            "DROP INDEX cycle_events_by_kind",
            "DROP TABLE cycle_events",
            "PRAGMA user_version = 2",
        ):
            conn.execute(statement)
    finally:
        conn.close()
    store = ProgressStore(v1_path)
    assert store_view(store) == before
    version, names = schema_of(v1_path)
    assert version == SCHEMA_VERSION and {"cycle_events", "cycle_events_no_update"} <= names
    assert store.trail().empty
    store.record(
        TrailEntry("confirmed", "统计局", upload_id=1), now=datetime(2014, 10, 1, tzinfo=UTC)
    )
    assert store.trail()["upload_id"].tolist() == [1]


def test_v4_store_gains_the_withdrawal_only_rule(v1_path):
    """A version-4 store (no rule on uploads' rows) opens at version 5, whose trigger lets an
    upload change once, from active to withdrawn, and in nothing else, whoever writes."""
    store = ProgressStore(v1_path)
    conn = sqlite3.connect(v1_path, isolation_level=None)
    try:
        conn.execute("DROP TRIGGER uploads_withdrawal_only")
        conn.execute("PRAGMA user_version = 4")
    finally:
        conn.close()
    store = ProgressStore(v1_path)
    assert schema_of(v1_path)[0] == 5 and "uploads_withdrawal_only" in schema_of(v1_path)[1]
    store.withdraw(1, withdrawn_by="组长", now=datetime(2014, 10, 2, tzinfo=UTC))
    conn = sqlite3.connect(v1_path, isolation_level=None)
    try:
        for change in (
            "UPDATE uploads SET status = 'active' WHERE id = 1",  # no un-withdrawing
            "UPDATE uploads SET withdrawn_by = '别人' WHERE id = 1",  # nor rewriting who did
            "UPDATE uploads SET sha256 = 'x', status = 'withdrawn' WHERE id = 2",
            "UPDATE uploads SET row_count = 0 WHERE id = 2",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="can only be withdrawn"):
                conn.execute(change)
    finally:
        conn.close()
    ledger = store.uploads().set_index("id")
    assert ledger.loc[1, ["status", "withdrawn_by"]].tolist() == ["withdrawn", "组长"]
    assert ledger.loc[2, "status"] == "active" and len(ledger.loc[2, "sha256"]) == 64
