"""What the app and the command line work on: the plan and the store the settings name.

`open_workspace` loads the plan (through its on-disk cache beside the store), opens the
store and, for the demonstration store, seeds it with the bundled sample figures the first
time; the pages (through lib/ui/data.py's caches) and the `status`, `brief` and
`chart-png` commands all start from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from lib.core.errors import StoreError
from lib.plan.loader import load_plan
from lib.plan.model import Plan
from lib.services.settings import SAMPLE_PROGRESS_FILE, Settings
from lib.services.uploads import checked_upload, import_sample, sample_confirmer
from lib.store.confirmations import DECISION_KINDS
from lib.store.repository import ProgressStore
from lib.store.trail import TrailEntry


@dataclass(frozen=True)
class Workspace:
    """The settings, the plan they name and the store they name (opened)."""

    settings: Settings
    plan: Plan
    store: ProgressStore


def open_workspace(settings: Settings, *, now: datetime) -> Workspace:
    """Load the plan, open the store and seed an empty demo store with the sample file
    (recorded at `now`). PlanError for an invalid plan, StoreError for a store that
    cannot be opened or seeded."""
    plan = load_plan(settings.plan_file, cache_dir=settings.cache_dir)
    store = ProgressStore(settings.store_file)
    if settings.is_demo_store and SAMPLE_PROGRESS_FILE.exists():
        ensure_demo_store(store, plan, SAMPLE_PROGRESS_FILE, now)
    return Workspace(settings, plan, store)


def ensure_demo_store(store: ProgressStore, plan: Plan, sample_csv: Path, now: datetime) -> None:
    """Seed a store that has never had an upload with the sample file, marked as sample
    data and, where the plan requires confirmation, confirmed (import_sample); a store with
    any history (even all withdrawn) keeps its figures, but an active sample upload that no
    confirmer has decided on yet (a demo store seeded before confirmation existed) is
    confirmed as a new one would be, so the demo's leaders' views still show it."""
    uploads = store.uploads()
    if not uploads.empty:
        _confirm_undecided_samples(store, plan, uploads, now)
        return
    content = Path(sample_csv).read_bytes()
    report = checked_upload(plan, content, Path(sample_csv).name, stored=None)
    try:
        import_sample(
            store, report, content=content, file_name=Path(sample_csv).name, now=now, plan=plan
        )
    except StoreError as exc:
        if exc.problems[0].code != "duplicate_upload":  # another process seeded it first
            raise


def _confirm_undecided_samples(
    store: ProgressStore, plan: Plan, uploads: pd.DataFrame, now: datetime
) -> None:
    """Confirm, in the name of `sample_confirmer`, every active sample upload of `uploads`
    with no confirmer's decision at all (one returned or confirmed stays as decided)."""
    confirmer = sample_confirmer(plan)
    samples = uploads[uploads["is_sample"] & (uploads["status"] == "active")]
    if confirmer is None or samples.empty:
        return
    decided = set(store.trail(DECISION_KINDS)["upload_id"].dropna().astype(int))
    for upload_id in sorted(set(samples["id"].astype(int)) - decided):
        try:
            store.record(TrailEntry("confirmed", confirmer, upload_id=upload_id), now=now)
        except StoreError as exc:
            if exc.problems[0].code != "upload_withdrawn":  # withdrawn meanwhile: nothing to do
                raise
