"""What the app and the command line work on: a plan of the library and the store the
settings name.

`open_workspace` loads the plan library (each plan through its on-disk cache beside the
store), opens the store for the chosen plan (lib/store/scope.py: its uploads and trail only)
and, for the demonstration store, seeds the home plan with the bundled sample figures the
first time; the pages (through lib/ui/data.py's caches) and the `status`, `brief` and
`chart-png` commands all start from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd

from lib.core.errors import StoreError
from lib.plan.model import Plan
from lib.services.plans import LibraryPlan, PlanLibrary, plan_library
from lib.services.settings import SAMPLE_PROGRESS_FILE, Settings
from lib.services.uploads import checked_upload, import_sample, sample_confirmer
from lib.store.confirmations import DECISION_KINDS
from lib.store.repository import ProgressStore
from lib.store.trail import TrailEntry


@dataclass(frozen=True)
class Workspace:
    """The settings, the library, the chosen plan and the store opened for it."""

    settings: Settings
    plan: Plan
    store: ProgressStore
    library: PlanLibrary | None = None


def open_workspace(settings: Settings, *, now: datetime, plan_id: str | None = None) -> Workspace:
    """Load the library, choose `plan_id` (default: the only or the newest plan), open the
    store for it and seed an empty demo store's home plan with the sample file (recorded at
    `now`). PlanError for an invalid home plan or an unknown id, StoreError for a store that
    cannot be opened or seeded."""
    library = plan_library(settings)
    chosen = library.chosen(plan_id or settings.plan_id)
    store = _store_for(settings, library, chosen)
    if settings.is_demo_store and chosen.is_home and SAMPLE_PROGRESS_FILE.exists():
        ensure_demo_store(store, chosen.plan, SAMPLE_PROGRESS_FILE, now)
    return Workspace(settings, chosen.plan, store, library)


def chosen_plan_and_store(settings: Settings) -> tuple[Plan, ProgressStore]:
    """The settings' plan (its `plan_id`, or the default) and the store opened for it,
    without seeding the demo store: what a command that imports or checks a file needs.
    PlanError, StoreError as for open_workspace."""
    library = plan_library(settings)
    chosen = library.chosen(settings.plan_id)
    return chosen.plan, _store_for(settings, library, chosen)


def _store_for(settings: Settings, library: PlanLibrary, chosen: LibraryPlan) -> ProgressStore:
    home = library.home
    return ProgressStore(
        settings.store, plan_id=chosen.plan_id, home_plan_id=home.plan_id if home else None
    )


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
