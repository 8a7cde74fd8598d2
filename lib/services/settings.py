"""Where the plan and the store live: the only place that reads environment variables.

`PLAN_FILE` names the plan YAML (default data/tasks_2014.yaml) and `PROGRESS_DB` the SQLite
store. Without `PROGRESS_DB` the app uses a demonstration store under var/ seeded from the
sample data/progress.csv; a store named by `PROGRESS_DB` starts empty.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PLAN_FILE = REPO_ROOT / "data" / "tasks_2014.yaml"
SAMPLE_PROGRESS_FILE = REPO_ROOT / "data" / "progress.csv"
DEMO_STORE = REPO_ROOT / "var" / "demo_progress.sqlite3"


@dataclass(frozen=True)
class Settings:
    """Paths the app and CLI work on, and whether the store is the demo one."""

    plan_file: Path
    store_file: Path
    is_demo_store: bool

    @property
    def cache_dir(self) -> Path:
        """Data derived from the plan and the store (see `cache_dir_for`)."""
        return cache_dir_for(self.store_file)


def cache_dir_for(store_file: Path) -> Path:
    """Where derived data (the validated plan, current figures) is kept: beside the store."""
    return Path(store_file).parent / "cache"


def settings_from_env(env: dict[str, str] | None = None) -> Settings:
    """Resolve PLAN_FILE and PROGRESS_DB (or the demo store) from an environment mapping."""
    env = dict(os.environ) if env is None else env
    plan_file = Path(env.get("PLAN_FILE") or DEFAULT_PLAN_FILE)
    store = env.get("PROGRESS_DB")
    if store:
        return Settings(plan_file, Path(store), is_demo_store=False)
    return Settings(plan_file, DEMO_STORE, is_demo_store=True)
