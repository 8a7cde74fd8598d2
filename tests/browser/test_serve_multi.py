"""Two dashboard processes on one PostgreSQL store behind nginx (tools/serve_multi.py): a
browser stays on one process, new browsers spread over both, and an import shows in the
other process on its next rerun."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import ACTION_TIMEOUT_MS, REPO
from tests.postgres import drop_database, new_database
from tools.serve_multi import Stack, running_stack

WAIT_MS = 90_000
# A fourth-quarter figure: the sample's latest period is 2014Q3, so the as-of stamp of a view
# that counts unconfirmed figures moves to 2014Q4 once this is imported.
Q4_FILE = "指标编号,报告期,完成值,进展情况,填报单位\nT21-5,2014Q4,31,全部建成,市民政局\n"
LOG_LINE = re.compile(r'"(?P<request>[^"]*)" \d+ \d+ backend=(?P<backend>\S+) session=(?P<key>\S+)')


@pytest.fixture(scope="module")
def stack(postgres_server, tmp_path_factory) -> Iterator[Stack]:
    url = new_database(postgres_server)
    folder = tmp_path_factory.mktemp("serve-multi")
    env = {k: v for k, v in os.environ.items() if k not in ("PLAN_FILE", "PLANS_DIR", "PLAN_ID")}
    try:
        with running_stack(2, database_url=url, folder=folder, sample=True, env=env) as running:
            yield running
    finally:
        drop_database(postgres_server, url)


def wait_for_app(page) -> None:
    """The page's heading is drawn and its script has finished running."""
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=WAIT_MS)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'",
        timeout=WAIT_MS,
    )


def as_of_stamp(page) -> str:
    """The caption under the page title: plan, document and "data as of" period."""
    return page.locator(
        '[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"]'
    ).first.inner_text()


def backends_by_key(access_log: Path) -> dict[str, list[tuple[str, str]]]:
    """Each routing key's (request, backend) pairs from nginx's access log."""
    seen: dict[str, list[tuple[str, str]]] = {}
    for line in access_log.read_text("utf-8").splitlines():
        found = LOG_LINE.search(line)
        if found:
            seen.setdefault(found["key"], []).append((found["request"], found["backend"]))
    return seen


def routing_key(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "dash_backend")


def new_context(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1600})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context


def test_one_browser_stays_on_one_process_and_new_ones_spread(stack, browser):
    context = new_context(browser)
    page = context.new_page()
    page.goto(f"{stack.proxy_url}/")
    wait_for_app(page)
    assert page.locator("h1").first.inner_text() == "总览"
    page.reload()  # the page, its scripts and a new websocket again
    wait_for_app(page)
    key = routing_key(context)
    context.close()  # nginx logs a websocket when it closes
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        requests = backends_by_key(stack.access_log).get(key, [])
        if sum("/_stcore/stream" in request for request, _ in requests) >= 2:
            break
        time.sleep(0.2)
    assert sum("/_stcore/stream" in request for request, _ in requests) >= 2, requests
    assert len(requests) >= 6  # the page twice, its host config, health, both websockets
    assert len({backend for _, backend in requests}) == 1, requests

    # browsers without the cookie: each keeps to the process it was given, and they spread
    landed: dict[str, str] = {}
    for _ in range(16):
        fresh = new_context(browser)
        for _ in range(3):
            assert fresh.request.get(f"{stack.proxy_url}/_stcore/health").text() == "ok"
        key = routing_key(fresh)
        fresh.close()
        used = {backend for _, backend in backends_by_key(stack.access_log)[key]}
        assert len(used) == 1, used
        landed[key] = used.pop()
        if len(set(landed.values())) == 2:
            break
    assert set(landed.values()) == {u.removeprefix("http://") for u in stack.backend_urls}


def test_an_import_shows_in_the_other_process_on_its_next_rerun(stack, browser, tmp_path):
    first_url, second_url = stack.backend_urls
    contexts = [new_context(browser) for _ in range(3)]  # one browser each: none in background
    first, second, through_proxy = (context.new_page() for context in contexts)
    # the leaders' view with unconfirmed figures too: an imported file counts at once (both
    # pages load together, one in each process)
    for page, url in ((first, first_url), (second, second_url)):
        page.goto(f"{url}/?unconfirmed=1", wait_until="commit")
    for page in (first, second):
        wait_for_app(page)
        assert "数据截至 2014年第三季度" in as_of_stamp(page)

    q4 = tmp_path / "四季度.csv"
    q4.write_bytes(Q4_FILE.encode("utf-8-sig"))
    done = subprocess.run(
        [sys.executable, "-m", "lib", "import", str(q4), "--by", "市民政局 王芳"],
        cwd=REPO, env={**os.environ, "PROGRESS_DB": stack.database_url},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr

    # the second process's open session, on its next rerun (a sidebar control clicked); the
    # first process reloaded, and a browser arriving through nginx, meanwhile
    second.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    first.reload(wait_until="commit")
    through_proxy.goto(f"{stack.proxy_url}/?unconfirmed=1&lang=en", wait_until="commit")
    second.wait_for_function(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"] h1')"
        "?.innerText === 'Overview'",
        timeout=WAIT_MS,
    )
    wait_for_app(second)
    assert "Data as of 2014 Q4" in as_of_stamp(second)
    wait_for_app(first)
    assert "数据截至 2014年第四季度" in as_of_stamp(first)
    wait_for_app(through_proxy)
    assert "Data as of 2014 Q4" in as_of_stamp(through_proxy)
    for page in (first, second, through_proxy):
        assert page.locator('[data-testid="stException"]').count() == 0
    for context in contexts:
        context.close()
