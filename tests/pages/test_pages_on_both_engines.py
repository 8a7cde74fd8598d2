"""The pages read the same figures from either engine, and an app process sees another
process's import on its next rerun (the caches key on the store's data version, which every
process reads from the store). AppTest against a real SQLite file and a real PostgreSQL
database (tests/postgres.py), both holding the bundled sample and one unit's figures."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.plan.loader import load_plan
from lib.services.settings import DEFAULT_PLAN_FILE
from tests.support import analyst, sample_store_in_env, unit_upload

REPO = Path(__file__).resolve().parents[2]
APP = str(REPO / "app.py")
NOW = datetime(2014, 10, 15, 9, 0, tzinfo=UTC)
PAGES = [None, "pages/risks.py", "pages/units.py", "pages/sections.py"]


def seen(location: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """What a person reads on the leaders' pages of the store at `location`: every metric,
    table and markdown text, page by page."""
    plan = load_plan(DEFAULT_PLAN_FILE)
    store = sample_store_in_env(monkeypatch, location, plan, NOW)
    unit_upload(store, plan, [("T16-1", "2014Q3", 83)], "市住房城乡建设局", analyst("填报员"), NOW)
    shown: dict[str, object] = {}
    for page in PAGES:
        at = AppTest.from_file(APP, default_timeout=90)
        at.query_params["unconfirmed"] = "1"  # the unit's figure too, not only confirmed ones
        at.run()
        if page:
            at.switch_page(page).run()
        assert not at.exception, at.exception
        shown[page or "app.py"] = {
            "metrics": [(m.label, m.value) for m in at.metric],
            "tables": [frame.value.astype(str).to_numpy().tolist() for frame in at.dataframe],
            "texts": [m.value for m in at.markdown],
        }
    return shown


def test_every_leaders_page_shows_the_same_on_both_engines(tmp_path, postgres_url, monkeypatch):
    on_sqlite = seen(str(tmp_path / "progress.sqlite3"), monkeypatch)
    on_postgres = seen(postgres_url, monkeypatch)
    assert on_sqlite["app.py"]["metrics"]  # a real comparison: the pages hold figures
    assert any(on_sqlite[page]["tables"] for page in on_sqlite)
    for page in on_sqlite:
        assert on_postgres[page] == on_sqlite[page], page


def test_an_import_by_another_process_shows_on_the_next_rerun(postgres_url, monkeypatch):
    plan = load_plan(DEFAULT_PLAN_FILE)
    sample_store_in_env(monkeypatch, postgres_url, plan, NOW)
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["unconfirmed"] = "1"
    at.run().switch_page("pages/upload.py").run()
    assert not at.exception, at.exception
    before = [frame.value for frame in at.dataframe]
    history_rows = max(len(frame) for frame in before)
    # another process (the command line, as a second app process would) imports a file
    upload = Path(os.environ.get("TMPDIR", "/tmp")) / f"q4-{os.getpid()}.csv"
    upload.write_text(
        "指标编号,报告期,完成值,填报单位\nT16-1,2014Q4,84,市住房城乡建设局\n", encoding="utf-8"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-m", "lib", "import", str(upload), "--by", "分析员"],
            cwd=REPO, env={**os.environ, "PROGRESS_DB": postgres_url},
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        upload.unlink(missing_ok=True)
    assert done.returncode == 0, done.stderr
    at.run()  # the next rerun of the same session
    assert not at.exception, at.exception
    after = [frame.value for frame in at.dataframe]
    assert max(len(frame) for frame in after) == history_rows + 1
    assert any((frame.astype(str) == f"q4-{os.getpid()}.csv").any().any() for frame in after), (
        "the other process's upload is listed in this process's history"
    )
