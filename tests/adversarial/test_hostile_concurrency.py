"""Eight imports from eight processes at once, with a ninth process reading all the while,
on a SQLite file and on a PostgreSQL database.

One scenario per engine (module fixture) serves both cases: the importers validate and import
distinct 3,000-row files of the generated 3,000-indicator plan, released together by a
start file; the reader loops over the store's `current_values()` and every stored figure
(decoded by the store's codec) and checks, in one SQL snapshot per loop, that every
upload's stored rows equal its declared row count.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

# The same helpers as test_hostile_faults.py imports: both run store_worker.py processes on a
# store holding a baseline of the big plan.
from adversarial_support import (
    csv_content,
    expect_line,
    import_baseline,
    integrity,
    rows_per_upload,
    spawn,
)

from lib.store.repository import ProgressStore
from tests.postgres import ENGINES, drop_database, new_database

IMPORTERS = 8
PERIODS = ("2014Q1", "2014Q2", "2014Q3", "2014Q4")
BASE_ROWS = 200


@pytest.fixture(scope="module", params=ENGINES)
def location(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[str]:
    """The scenario's store: a SQLite file, then a database of its own on the test server."""
    if request.param == "sqlite":
        yield str(tmp_path_factory.mktemp("concurrent-store") / "progress.sqlite3")
        return
    server = request.getfixturevalue("postgres_server")
    url = new_database(server)
    try:
        yield url
    finally:
        drop_database(server, url)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory, location, big_plan, big_plan_files) -> dict:
    folder = tmp_path_factory.mktemp("concurrent")
    store = ProgressStore(location)
    ids = list(big_plan.indicators["indicator_id"])
    import_baseline(store, big_plan, BASE_ROWS)
    files = []
    for k in range(IMPORTERS):
        file = folder / f"并发-{k}.csv"
        period = PERIODS[k % len(PERIODS)]
        file.write_bytes(csv_content([[i, period, str(10 + k), f"并发 {k}", ""] for i in ids]))
        files.append((file, period, 10 + k))
    start, stop, out = folder / "start", folder / "stop", folder / "reads.json"
    reader = spawn("read-loop", location, stop, out)
    importers = []
    try:
        expect_line(reader, "reading", timeout=180)
        plan_pickle = big_plan_files[1]
        importers = [spawn("validate-import", location, plan_pickle, f, start) for f, _, _ in files]
        for importer in importers:
            expect_line(importer, "waiting", timeout=180)
        start.touch()
        finished = [importer.communicate(timeout=180) for importer in importers]
        stop.touch()
        reader.communicate(timeout=120)
    finally:
        start.touch()
        stop.touch()
        for process in [reader, *importers]:
            if process.poll() is None:
                process.kill()
                process.wait()
    return {
        "store": store,
        "ids": ids,
        "files": files,
        "codes": [importer.returncode for importer in importers],
        "results": [json.loads(stdout.strip() or "{}") for stdout, _ in finished],
        "stderr": [stderr for _, stderr in finished],
        "reads": json.loads(out.read_text(encoding="utf-8")),
    }


def test_eight_concurrent_imports_all_land_with_exact_row_counts(scenario):
    assert scenario["codes"] == [0] * IMPORTERS, (scenario["results"], scenario["stderr"])
    assert not any("locked" in text.lower() for text in scenario["stderr"])
    upload_ids = [result["upload_id"] for result in scenario["results"]]
    assert len(set(upload_ids)) == IMPORTERS
    counts = rows_per_upload(scenario["store"])
    rows = len(scenario["ids"])
    assert counts == {1: (BASE_ROWS, BASE_ROWS)} | {u: (rows, rows) for u in upload_ids}
    assert sorted(upload_ids) == list(range(2, 2 + IMPORTERS))  # numbered on, no gaps
    assert integrity(scenario["store"]) == "ok"
    # the newest upload for each period is current; nothing else leaks in
    current = scenario["store"].current_values()
    assert len(current) == rows * len(PERIODS)
    by_file = dict(zip((f.name for f, _, _ in scenario["files"]), upload_ids, strict=True))
    for period in PERIODS:
        mine = [(by_file[f.name], value) for f, p, value in scenario["files"] if p == period]
        expected = max(mine)[1]
        assert set(current.loc[current["period"] == period, "value"]) == {expected}


def test_reads_during_imports_never_fail_nor_see_half_an_upload(scenario):
    reads = scenario["reads"]
    assert reads["failures"] == []
    assert reads["mismatches"] == []
    rows = len(scenario["ids"])
    for upload_id, counts in reads["seen"].items():
        assert counts == ([BASE_ROWS] if upload_id == "1" else [rows]), (upload_id, counts)
    states = reads["states"]
    assert states[0] == 1 and states[-1] == 1 + IMPORTERS
    # the reader really overlapped the imports: it saw some of them done, not all
    assert any(1 < state < 1 + IMPORTERS for state in states), states
