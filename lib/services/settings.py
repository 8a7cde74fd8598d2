"""Where the plan and the store live: the only place that reads environment variables.

`PLAN_FILE` names the home plan YAML (default data/tasks_2014.yaml), `PLANS_DIR` the folder
of further plans (default data/plans/; published drafts go there; lib/services/plans.py) and
`PROGRESS_DB` the store, which holds the figures of every plan: a SQLite file path, or a
`postgresql://` URL for a store that several app processes share (lib/store/engines.py;
`CACHE_DIR` says where such a store's caches go on this machine).
Without `PROGRESS_DB` the app uses a demonstration store under var/ seeded from the sample
data/progress.csv (the home plan's); a store named by `PROGRESS_DB` starts empty.
`PLAN_ID` (or a command's `--plan`, through `plan_chosen`) chooses the plan; otherwise the
only or the newest opens.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from lib.store.engines import is_postgres_url

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PLAN_FILE = REPO_ROOT / "data" / "tasks_2014.yaml"
DEFAULT_PLANS_DIR = REPO_ROOT / "data" / "plans"
SAMPLE_PROGRESS_FILE = REPO_ROOT / "data" / "progress.csv"
DEMO_STORE = REPO_ROOT / "var" / "demo_progress.sqlite3"


@dataclass(frozen=True)
class Settings:
    """What the app and CLI work on, and whether the store is the demo one. `plan_file`
    is the home plan (an older store's figures belong to it); `plans_dir`, when set, holds
    the library's other plans; `store` is a SQLite file path or a PostgreSQL URL."""

    plan_file: Path
    store: str
    is_demo_store: bool
    plans_dir: Path | None = None
    plan_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "store", str(self.store))  # a Path is accepted

    @property
    def cache_dir(self) -> Path:
        """Data derived from the plan and the store (see `cache_dir_for`)."""
        return cache_dir_for(self.store)

    @property
    def store_exists(self) -> bool:
        """False only for a SQLite file not made yet (a server's store is made on first
        use)."""
        return is_postgres_url(self.store) or Path(self.store).exists()


def cache_dir_for(store: str | Path) -> Path:
    """Where derived data (the validated plan, current figures) is kept: beside a SQLite
    store; for a PostgreSQL store, on this machine's disk under `CACHE_DIR` (default
    var/cache/), one folder per server and database (caches are per machine: each app
    process keeps its own, and deleting them only costs the next start its speed)."""
    if not is_postgres_url(str(store)):
        return Path(store).parent / "cache"
    parts = urlsplit(str(store))
    where = f"{parts.hostname}:{parts.port}/{parts.path.lstrip('/')}"
    digest = hashlib.sha256(where.encode("utf-8")).hexdigest()[:16]
    root = Path(os.environ.get("CACHE_DIR") or REPO_ROOT / "var" / "cache")
    return root / f"postgresql-{digest}"


# The plan a command line asked for with --plan, for the length of that command.
_CHOSEN_PLAN: ContextVar[str | None] = ContextVar("chosen_plan", default=None)


@contextmanager
def plan_chosen(plan_id: str | None) -> Iterator[None]:
    """Within the block, `settings_from_env` chooses `plan_id` (when given) over PLAN_ID."""
    token = _CHOSEN_PLAN.set(plan_id)
    try:
        yield
    finally:
        _CHOSEN_PLAN.reset(token)


def settings_from_env(env: dict[str, str] | None = None) -> Settings:
    """Resolve PLAN_FILE, PLANS_DIR and PROGRESS_DB (or the demo store) from an environment
    mapping."""
    env = dict(os.environ) if env is None else env
    plan_file = Path(env.get("PLAN_FILE") or DEFAULT_PLAN_FILE)
    plans_dir = Path(env.get("PLANS_DIR") or DEFAULT_PLANS_DIR)
    plan_id = _CHOSEN_PLAN.get() or env.get("PLAN_ID") or None
    store = env.get("PROGRESS_DB")
    if store:
        return Settings(plan_file, store, False, plans_dir, plan_id)
    return Settings(plan_file, str(DEMO_STORE), True, plans_dir, plan_id)
