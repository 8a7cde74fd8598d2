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

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import streamlit as st

from lib.plan.model import Plan
from lib.services.cycle import confirmation_queue
from lib.services.settings import Settings, cache_dir_for
from lib.services.workspace import Workspace, open_workspace
from lib.status.figures import CurrentFigures
from lib.status.indicators import indicator_status, latest_reported_period, status_changes
from lib.status.rollups import filter_scope
from lib.status.trend import completion_trend
from lib.store.confirmations import DECISION_COLUMNS, DECISION_KINDS
from lib.store.repository import ProgressStore


class StoreAddress(NamedTuple):
    """A store and the plan whose uploads and trail a page reads (lib/store/scope.py): the
    caches' key, and a handle opened on demand."""

    location: str
    plan_id: str | None
    home_plan_id: str | None

    def opened(self) -> ProgressStore:
        return ProgressStore(self.location, plan_id=self.plan_id, home_plan_id=self.home_plan_id)


def address_of(store: ProgressStore) -> StoreAddress:
    """The cache key of an opened store."""
    return StoreAddress(store.location, store.scope.plan_id, store.scope.home_plan_id)


@st.cache_resource(max_entries=8)
def _workspace_at(
    plan_file: str,
    store: str,
    is_demo_store: bool,
    plans_dir: str | None,
    library_stamp: tuple[tuple[str, int], ...],
    plan_id: str | None,
) -> Workspace:
    settings = Settings(
        Path(plan_file), store, is_demo_store, Path(plans_dir) if plans_dir else None
    )
    return open_workspace(settings, now=datetime.now(UTC), plan_id=plan_id)


def current_workspace(settings: Settings, plan_id: str | None = None) -> Workspace:
    """The library's plan `plan_id` (default: the only or newest) and the store opened for
    it: the plans re-read only when a plan file changes or one is added (validated once,
    see load_plan), the demo store seeded from the sample file once per process. PlanError
    for an unknown plan id."""
    return _workspace_at(
        str(settings.plan_file),
        settings.store,
        settings.is_demo_store,
        str(settings.plans_dir) if settings.plans_dir is not None else None,
        _library_stamp(settings),
        plan_id or settings.plan_id,
    )


def _library_stamp(settings: Settings) -> tuple[tuple[str, int], ...]:
    """The library's files and their modification times: a new or changed plan file makes
    a new key."""
    files = [Path(settings.plan_file)]
    if settings.plans_dir is not None and Path(settings.plans_dir).is_dir():
        files += sorted(Path(settings.plans_dir).glob("*.yaml"))
    return tuple((str(path), path.stat().st_mtime_ns) for path in files)


# The statuses' caches hash a plan or figures by their key, not by pickling their frames.
_BY_KEY = {Plan: lambda plan: plan.key, CurrentFigures: lambda figures: figures.key}


# A set of indicator ids hashes by its sorted ids: a frozenset's iteration order (hence a
# pickle of it) can differ between two equal sets.
_IDS = {frozenset: lambda ids: tuple(sorted(ids))}


@st.cache_resource(max_entries=2, show_spinner=False, hash_funcs=_IDS)
def figures_at(store: StoreAddress, version: int, confirmed_only: frozenset[str]) -> CurrentFigures:
    """Current values of every (indicator, period) at a store version (shared: read only;
    kept on disk too, so a restarted app does not read them through SQLite again), with
    their row keys built once for every status computed from them. Figures of the
    indicators in `confirmed_only` count only once confirmed (the leaders' views); empty:
    every unit's latest figure as sent."""
    frame = store.opened().current_values(
        cache_dir=cache_dir_for(store.location), confirmed_only=confirmed_only
    )
    return CurrentFigures(
        frame, key=f"{store.location}#{store.plan_id}@{version}|{_variant(confirmed_only)}"
    )


def _variant(confirmed_only: frozenset[str]) -> str:
    """What a CurrentFigures key says about which figures count: "all", or "confirmed:"
    and a digest of the ids, so two plans' confirmed figures never share a key."""
    if not confirmed_only:
        return "all"
    digest = hashlib.sha256("\n".join(sorted(confirmed_only)).encode("utf-8")).hexdigest()
    return f"confirmed:{digest[:16]}"


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False, hash_funcs=_IDS)
def latest_period_at(
    store: StoreAddress, version: int, confirmed_only: frozenset[str]
) -> str | None:
    """The latest period with any figure at a store version, of the figures that count
    (`figures_at`)."""
    return latest_reported_period(figures_at(store, version, confirmed_only))


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def decisions_at(store: StoreAddress, version: int) -> pd.DataFrame:
    """The confirmers' decisions (lib/store/confirmations.py DECISION_COLUMNS) at a store
    version (every decision bumps it)."""
    return store.opened().trail(DECISION_KINDS)[DECISION_COLUMNS]


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def uploads_at(store: StoreAddress, version: int) -> pd.DataFrame:
    """The upload ledger at a store version."""
    return store.opened().uploads()


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def sample_in_use_at(store: StoreAddress, version: int) -> bool:
    """Whether any active upload is the bundled demonstration data."""
    return store.opened().has_sample_data()


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


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def trail_at(store: StoreAddress, version: int) -> pd.DataFrame:
    """The quarter's trail (lib/store/trail.py) at a store version."""
    return store.opened().trail()


def leaders_status_at(plan: Plan, store: StoreAddress, version: int, as_of: str) -> pd.DataFrame:
    """The whole plan's statuses at `as_of` as leaders' views count them (confirmed figures
    only where the plan requires confirmation), whatever a page's own choice of figures:
    what a 督办单 is about (shared, read only)."""
    return status_at(plan, figures_at(store, version, plan.confirmed_indicator_ids()), as_of)


def figures_as_sent_at(store: StoreAddress, version: int) -> pd.DataFrame:
    """Every unit's latest figures as sent, confirmed or not: whether a unit has reported
    (shared, read only)."""
    return figures_at(store, version, frozenset()).frame


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False, hash_funcs=_BY_KEY)
def confirmation_queue_at(plan: Plan, store: StoreAddress, version: int) -> pd.DataFrame:
    """The uploads holding figures that need confirmation, with their states
    (lib/services/cycle.py confirmation_queue), at a store version (every decision bumps it)."""
    return confirmation_queue(plan, store.opened())
