"""Fixtures for the adversarial suite: the real plan, real stores.

`store` is a fresh SQLite store in tmp_path already holding the bundled sample figures (so
"unchanged" is a real claim), `snapshot` is what it held before the case ran: the hostile
files, cells and values are refused before the store is written, the same on either engine.
`engine_store` and `engine_snapshot` are the same on each engine in turn, a SQLite file and
a PostgreSQL database, for the cases about the store itself. `big_plan` is a generated plan
with 3,000 indicators (the real plan's header and units, one generated section), written
as YAML and also pickled so worker processes need not parse 500 KB of YAML each.
"""

from __future__ import annotations

import pickle
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest
import yaml
from adversarial_support import NOW, StoreSnapshot

from lib.plan.loader import load_plan, parse_plan
from lib.plan.model import Plan
from lib.services.settings import DEFAULT_PLAN_FILE
from lib.store.repository import ProgressStore
from tests.postgres import ENGINES
from tests.support import admin, sample_file_store

BIG_PLAN_TASKS, BIG_PLAN_INDICATORS_PER_TASK = 60, 50
BASELINE = "基线 baseline"  # who imported the sample every seeded store holds


@pytest.fixture(scope="session")
def plan() -> Plan:
    return load_plan(DEFAULT_PLAN_FILE)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, plan: Plan) -> Path:
    """One store file holding the sample figures (imported by an admin), checkpointed, for
    `store` to copy (seeding once is cheaper)."""
    path = tmp_path_factory.mktemp("template") / "progress.sqlite3"
    sample_file_store(path, plan, NOW, admin(BASELINE))
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def store(tmp_path: Path, seeded_template: Path) -> ProgressStore:
    """A store in tmp_path holding the sample progress file as upload 1."""
    path = tmp_path / "progress.sqlite3"
    shutil.copyfile(seeded_template, path)
    return ProgressStore(path)


@pytest.fixture
def snapshot(store: ProgressStore) -> StoreSnapshot:
    return StoreSnapshot.of(store)


@pytest.fixture(params=ENGINES)
def engine_store(request: pytest.FixtureRequest, tmp_path: Path, plan: Plan) -> ProgressStore:
    """A store holding the sample progress file as upload 1: a copy of the SQLite template,
    then a new PostgreSQL database the sample is imported into the same way."""
    if request.param == "sqlite":
        return request.getfixturevalue("store")
    store = sample_file_store(request.getfixturevalue("postgres_url"), plan, NOW, admin(BASELINE))
    assert store.uploads()["id"].tolist() == [1]
    return store


@pytest.fixture
def engine_snapshot(engine_store: ProgressStore) -> StoreSnapshot:
    return StoreSnapshot.of(engine_store)


@pytest.fixture(scope="session")
def big_plan_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(YAML, pickle) of a generated plan with 3,000 quantity indicators T01-1..T60-50."""
    real = yaml.safe_load(DEFAULT_PLAN_FILE.read_text(encoding="utf-8"))
    text = "完成生成的测试任务"
    tasks = [
        {
            "id": f"T{t:02d}",
            "title": f"生成任务 {t}",
            "text": text,
            "units": [real["units"][0]["name"]],
            "indicators": [
                {
                    "id": f"T{t:02d}-{i}",
                    "name": f"生成指标 {t}-{i}",
                    "kind": "quantity",
                    "target": 1000,
                    "unit": "个",
                    "direction": "increase",
                    "deadline": date(2014, 12, 31),
                    "source": text,
                }
                for i in range(1, BIG_PLAN_INDICATORS_PER_TASK + 1)
            ],
        }
        for t in range(1, BIG_PLAN_TASKS + 1)
    ]
    document = {key: real[key] for key in ("schema_version", "plan", "thresholds", "units")}
    document["sections"] = [{"id": "S01", "title": "生成分节", "tasks": tasks}]
    folder = tmp_path_factory.mktemp("big_plan")
    yaml_path, pickle_path = folder / "tasks_big.yaml", folder / "tasks_big.pickle"
    yaml_path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    big = parse_plan(yaml_path.read_text(encoding="utf-8"))
    assert len(big.indicators) == BIG_PLAN_TASKS * BIG_PLAN_INDICATORS_PER_TASK
    pickle_path.write_bytes(pickle.dumps(big))
    return yaml_path, pickle_path


@pytest.fixture(scope="session")
def big_plan(big_plan_files: tuple[Path, Path]) -> Plan:
    return pickle.loads(big_plan_files[1].read_bytes())
