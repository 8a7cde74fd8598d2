"""A real dashboard server on a free port against a temporary store, and a real Chromium.

The store holds the sample figures (marked as sample) and one upload whose note and
reporter carry HTML, so the browser tests can check that nothing from data runs as markup.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lib.ingest.report import validate_progress
from lib.plan.loader import load_plan
from lib.plan.model import Plan
from lib.services.settings import DEFAULT_PLAN_FILE, SAMPLE_PROGRESS_FILE
from lib.services.uploads import import_sample, import_upload
from lib.store.repository import ProgressStore
from lib.store.trail import TrailEntry
from tests.support import admin
from tools.local_postgres import free_port
from tools.serve_multi import wait_healthy

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = REPO / "screenshots"
XSS_NOTE = "<img src=x onerror=alert(1)>"
# How long a click or a fill may wait for its element. Playwright's 30 s default is too short
# on a loaded 2-core machine (two test workers, the app server and Chromium share it).
ACTION_TIMEOUT_MS = 90_000


def _seed_sample(store_path: Path) -> tuple[Plan, ProgressStore]:
    """A store holding the sample figures as the demo store does (sample, confirmed)."""
    plan = load_plan(DEFAULT_PLAN_FILE)
    store = ProgressStore(store_path)
    content = SAMPLE_PROGRESS_FILE.read_bytes()
    report = validate_progress(content, SAMPLE_PROGRESS_FILE.name, plan)
    now = datetime(2014, 10, 15, tzinfo=UTC)
    import_sample(store, report, content=content, file_name="progress.csv", now=now, plan=plan)
    return plan, store


def _seed(store_path: Path) -> None:
    plan, store = _seed_sample(store_path)
    now = datetime(2014, 10, 15, tzinfo=UTC)
    hostile = f"指标编号,报告期,完成值,进展情况,填报单位\nT16-1,2014Q3,70,{XSS_NOTE},市住建局\n"
    content = hostile.encode("utf-8-sig")
    report = validate_progress(content, "xss.csv", plan, stored=store.current_values())
    assert report.ok, report.problems
    hostile_upload = import_upload(
        store, report, content=content, file_name="xss.csv", user=admin("<b>tester</b>"), now=now
    )
    # confirmed, so the leaders' pages count it and show its note
    store.record(TrailEntry("confirmed", "市统计局 核准", upload_id=hostile_upload), now=now)


def _wait_until_healthy(proc: subprocess.Popen, url: str) -> None:
    """Poll the health endpoint until it answers "ok"; fail at once if the server exits.

    The deadline is only a backstop against a hung server: on a loaded machine a cold start
    can take far longer than the usual few seconds, and polling costs nothing meanwhile.
    """
    try:
        wait_healthy(url, proc, "streamlit")
    except RuntimeError as exc:
        pytest.fail(str(exc))


@contextmanager
def running_app(store_path: Path, *options: str) -> Iterator[str]:
    """The dashboard served on a free port from `store_path` (with streamlit `options`),
    healthy; its URL. Stopped with its whole process group afterwards."""
    port = free_port()
    env = {**os.environ, "PROGRESS_DB": str(store_path)}
    env.pop("PLAN_FILE", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
         "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", *options],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(proc, url)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[str]:
    store_path = tmp_path_factory.mktemp("browser") / "progress.sqlite3"
    _seed(store_path)
    with running_app(store_path) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    # A failure, not a skip: `make test` installs chromium, so its absence is a broken setup.
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian chromium is not installed at {CHROMIUM} (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update"],
        )  # fmt: skip
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 2400}, accept_downloads=True)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()
