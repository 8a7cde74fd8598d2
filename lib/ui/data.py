"""Cached loaders: the plan by file mtime, figures and statuses by the store's data version.

Streamlit reruns a page on every click; these caches make a rerun cost a dictionary
lookup. Keys include the store's `data_version` (bumped in the same transaction as each
import or withdrawal), so an upload invalidates exactly the entries built from old data.
Every cache is bounded. The current figures (a million rows at province scale) and the
statuses are held once per key and shared, not copied per rerun as `st.cache_data` would:
callers only read them (lib.status.metrics never changes its inputs).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import streamlit as st

from lib.plan.catalog import Plan, load_plan
from lib.services.settings import SAMPLE_PROGRESS_FILE, Settings, cache_dir_for
from lib.status import metrics
from lib.store.progress_store import ProgressStore, ensure_demo_store

# Arrow buffers of the app process come from the system allocator unless the operator chose
# one (ARROW_DEFAULT_MEMORY_POOL). pyarrow's default, mimalloc, kept the buffers freed by
# earlier reruns: at province scale the process peaked at 475-493 MB instead of 427-438 MB,
# with reruns equally fast (`make bench`, 2026-11-28).
if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
    pa.set_memory_pool(pa.system_memory_pool())


@st.cache_resource(max_entries=4)
def _plan_at(path: str, mtime_ns: int, cache_dir: str) -> Plan:
    return load_plan(path, cache_dir=cache_dir)


def current_plan(settings: Settings) -> Plan:
    """The plan file, re-read only when the file changes (validated once, see load_plan)."""
    path = Path(settings.plan_file)
    return _plan_at(str(path), path.stat().st_mtime_ns, str(settings.cache_dir))


@st.cache_resource(max_entries=4)
def _opened_store(
    store_path: str, demo: bool, plan_path: str, plan_mtime: int, cache_dir: str
) -> ProgressStore:
    store = ProgressStore(Path(store_path))
    if demo:
        plan = _plan_at(plan_path, plan_mtime, cache_dir)
        ensure_demo_store(store, plan, SAMPLE_PROGRESS_FILE, datetime.now(UTC))
    return store


def current_store(settings: Settings) -> ProgressStore:
    """The store (the demo store is seeded from the sample file once per process)."""
    plan_path = Path(settings.plan_file)
    return _opened_store(
        str(settings.store_file),
        settings.is_demo_store,
        str(plan_path),
        plan_path.stat().st_mtime_ns,
        str(settings.cache_dir),
    )


@st.cache_resource(max_entries=2, show_spinner=False)
def figures_at(store_path: str, version: int) -> pd.DataFrame:
    """Current values of every (indicator, period) at a store version (shared: read only;
    kept on disk too, so a restarted app does not read them through SQLite again)."""
    store_file = Path(store_path)
    return ProgressStore(store_file).current_values(cache_dir=cache_dir_for(store_file))


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def latest_period_at(store_path: str, version: int) -> str | None:
    """The latest period with any figure at a store version."""
    return metrics.latest_reported_period(figures_at(store_path, version))


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def uploads_at(store_path: str, version: int) -> pd.DataFrame:
    """The upload ledger at a store version."""
    return ProgressStore(Path(store_path)).uploads()


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def sample_in_use_at(store_path: str, version: int) -> bool:
    """Whether any active upload is the bundled demonstration data."""
    return ProgressStore(Path(store_path)).has_sample_data()


# Statuses are shared like the figures (callers only read them): st.cache_data would keep
# a pickled copy and hand each rerun another 14 MB copy of a province's 30,000 rows.
@st.cache_resource(max_entries=4, ttl=3600, show_spinner=False)  # ~14 MB each at province scale
def status_at(
    _plan: Plan, plan_key: str, store_path: str, version: int, as_of: str
) -> pd.DataFrame:
    """Indicator statuses for the whole plan at an as-of period."""
    return metrics.indicator_status(_plan, figures_at(store_path, version), as_of)


@st.cache_resource(max_entries=4, ttl=3600, show_spinner=False)  # shared, read only
def status_changes_at(
    _plan: Plan, plan_key: str, store_path: str, version: int, as_of: str
) -> pd.DataFrame:
    """Indicators whose status changed since the previous period (statuses from the cache)."""
    return metrics.status_changes(
        _plan,
        figures_at(store_path, version),
        as_of,
        status_at=lambda period: status_at(_plan, plan_key, store_path, version, period),
    )


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def trend_at(
    _plan: Plan,
    plan_key: str,
    store_path: str,
    version: int,
    sections: tuple[str, ...],
    unit: str | None,
    lead_only: bool,
) -> pd.DataFrame:
    """Completion and expected pace per reported period over the tasks the filters select.

    Keyed by the filters, not by the task ids they select: hashing 10,000 ids for the
    cache key took 40 ms per rerun.
    """
    task_ids = scope_at(_plan, plan_key, sections, unit, lead_only)
    return metrics.completion_trend(_plan, figures_at(store_path, version), task_ids)


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def scope_at(
    _plan: Plan, plan_key: str, sections: tuple[str, ...], unit: str | None, lead_only: bool
) -> frozenset[str]:
    """Task ids in view for the section/unit filters."""
    return frozenset(metrics.filter_scope(_plan, list(sections) or None, unit, lead_only))
