"""current_values with a cache directory: always the same frame as without one, whatever
was imported or withdrawn in between, on both engines; a damaged or unwritable cache is only
slower."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from lib.ingest.report import validate_progress
from lib.plan.loader import load_plan
from lib.services.settings import DEFAULT_PLAN_FILE, SAMPLE_PROGRESS_FILE
from lib.store.figures_cache import FIGURES_CACHE_KEEP
from lib.store.repository import ProgressStore

NOW = datetime(2014, 10, 15, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def plan():
    return load_plan(DEFAULT_PLAN_FILE)


def upload(store: ProgressStore, plan, content: bytes) -> int:
    report = validate_progress(content, "x.csv", plan, stored=store.current_values())
    return store.import_rows(
        report.rows, file_name="x.csv", content=content, uploaded_by="a", now=NOW
    )


def revised(content: bytes, factor: float) -> bytes:
    """The sample with every plain number scaled (new bytes, overlapping keys)."""
    lines = content.decode("utf-8-sig").splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if cells[2].replace(".", "", 1).isdigit():
            cells[2] = f"{float(cells[2]) * factor:g}"
        out.append(",".join(cells))
    return ("\n".join(out) + "\n").encode("utf-8-sig")


def assert_cached_equals_uncached(store: ProgressStore, cache_dir) -> None:
    uncached = store.current_values()
    for _ in range(2):  # the first call may write the cache, the second reads it
        pd.testing.assert_frame_equal(store.current_values(cache_dir=cache_dir), uncached)


def test_cache_follows_imports_and_withdrawals(tmp_path, store_location, plan):
    store, cache = ProgressStore(store_location), tmp_path / "cache"
    assert_cached_equals_uncached(store, cache)  # empty store
    sample = SAMPLE_PROGRESS_FILE.read_bytes()
    first = upload(store, plan, sample)
    assert_cached_equals_uncached(store, cache)
    second = upload(store, plan, revised(sample, 0.9))
    assert_cached_equals_uncached(store, cache)
    store.withdraw(second, withdrawn_by="a", now=NOW)
    assert_cached_equals_uncached(store, cache)
    store.withdraw(first, withdrawn_by="a", now=NOW)
    assert_cached_equals_uncached(store, cache)
    assert len(list(cache.glob("figures-*.arrow"))) == FIGURES_CACHE_KEEP


def test_damaged_cache_file_is_ignored(tmp_path, store_location, plan):
    store, cache = ProgressStore(store_location), tmp_path / "cache"
    upload(store, plan, SAMPLE_PROGRESS_FILE.read_bytes())
    store.current_values(cache_dir=cache)
    (saved,) = cache.glob("figures-*.arrow")
    saved.write_bytes(b"ARROW1 not really")
    assert_cached_equals_uncached(store, cache)


def test_unwritable_cache_is_only_slower(tmp_path, store_location, plan):
    store = ProgressStore(store_location)
    upload(store, plan, SAMPLE_PROGRESS_FILE.read_bytes())
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("", encoding="utf-8")
    assert_cached_equals_uncached(store, blocked)
