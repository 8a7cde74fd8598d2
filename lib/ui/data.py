"""Cached loaders: the plan by file mtime, figures and statuses by the store's data version.

Streamlit reruns a page on every click; these caches make a rerun cost a dictionary
lookup. Keys include the store's `data_version` (bumped in the same transaction as each
import or withdrawal), so an upload invalidates exactly the entries built from old data.
Every cache is bounded. The current figures (a million rows at province scale) and the
statuses are held once per key and shared, not copied per rerun as `st.cache_data` would:
callers only read them (lib.status never changes its inputs). The statuses, changes, trend
and scope are keyed by the plan and the figures themselves (`Plan.key`, the hash of the
plan's YAML; `CurrentFigures.key`, the store and its version), never by object identity.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import streamlit as st

from lib.plan.model import Plan
from lib.services.settings import Settings, cache_dir_for
from lib.services.workspace import Workspace, open_workspace
from lib.status.figures import CurrentFigures
from lib.status.indicators import indicator_status, latest_reported_period, status_changes
from lib.status.rollups import filter_scope
from lib.status.trend import completion_trend
from lib.store.repository import ProgressStore


@st.cache_resource(max_entries=4)
def _workspace_at(
    plan_file: str, plan_mtime_ns: int, store_file: str, is_demo_store: bool
) -> Workspace:
    settings = Settings(Path(plan_file), Path(store_file), is_demo_store)
    return open_workspace(settings, now=datetime.now(UTC))


def current_workspace(settings: Settings) -> Workspace:
    """The plan and the store of the settings: the plan re-read only when its file changes
    (validated once, see load_plan), the demo store seeded from the sample file once per
    process."""
    path = Path(settings.plan_file)
    return _workspace_at(
        str(path), path.stat().st_mtime_ns, str(settings.store_file), settings.is_demo_store
    )


def current_plan(settings: Settings) -> Plan:
    """The plan of `current_workspace`."""
    return current_workspace(settings).plan


def current_store(settings: Settings) -> ProgressStore:
    """The store of `current_workspace`."""
    return current_workspace(settings).store


# The statuses' caches hash a plan or figures by their key, not by pickling their frames.
_BY_KEY = {Plan: lambda plan: plan.key, CurrentFigures: lambda figures: figures.key}


@st.cache_resource(max_entries=2, show_spinner=False)
def figures_at(store_path: str, version: int) -> CurrentFigures:
    """Current values of every (indicator, period) at a store version (shared: read only;
    kept on disk too, so a restarted app does not read them through SQLite again), with
    their row keys built once for every status computed from them."""
    store_file = Path(store_path)
    frame = ProgressStore(store_file).current_values(cache_dir=cache_dir_for(store_file))
    return CurrentFigures(frame, key=f"{store_file}@{version}")


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def latest_period_at(store_path: str, version: int) -> str | None:
    """The latest period with any figure at a store version."""
    return latest_reported_period(figures_at(store_path, version))


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
# ~14 MB each at province scale
@st.cache_resource(max_entries=4, ttl=3600, show_spinner=False, hash_funcs=_BY_KEY)
def status_at(plan: Plan, figures: CurrentFigures, as_of: str) -> pd.DataFrame:
    """Indicator statuses for the whole plan at an as-of period."""
    return indicator_status(plan, figures, as_of)


@st.cache_resource(max_entries=4, ttl=3600, show_spinner=False, hash_funcs=_BY_KEY)
def status_changes_at(plan: Plan, figures: CurrentFigures, as_of: str) -> pd.DataFrame:
    """Indicators whose status changed since the previous period (statuses from the cache;
    shared, read only)."""
    return status_changes(
        plan, figures, as_of, status_at=lambda period: status_at(plan, figures, period)
    )


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False, hash_funcs=_BY_KEY)
def trend_at(
    plan: Plan,
    figures: CurrentFigures,
    sections: tuple[str, ...],
    unit: str | None,
    lead_only: bool,
) -> pd.DataFrame:
    """Completion and expected pace per reported period over the tasks the filters select.

    Keyed by the filters, not by the task ids they select: hashing 10,000 ids for the
    cache key took 40 ms per rerun.
    """
    task_ids = scope_at(plan, sections, unit, lead_only)
    return completion_trend(plan, figures, task_ids)


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False, hash_funcs=_BY_KEY)
def scope_at(
    plan: Plan, sections: tuple[str, ...], unit: str | None, lead_only: bool
) -> frozenset[str]:
    """Task ids in view for the section/unit filters."""
    return frozenset(filter_scope(plan, list(sections) or None, unit, lead_only))
