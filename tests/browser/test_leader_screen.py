"""What a leader sees on opening the overview at 1280x800, without scrolling: the conclusion
in words and the indicators most in need of follow-up with their lead units; no "None"."""

from __future__ import annotations

import re

import pytest

from lib.plan.loader import load_plan
from lib.services.settings import DEFAULT_PLAN_FILE
from lib.services.views.overview import TOP_RISK_ROWS
from lib.status.figures import CurrentFigures
from lib.status.indicators import at_risk_indicators, indicator_status
from lib.store.repository import ProgressStore
from tests.browser.conftest import SCREENSHOTS, _seed
from tests.browser.test_browser import WAIT_MS, wait_for_app

SCREEN = {"width": 1280, "height": 800}
CONCLUSION = {"zh": "39 项任务中", "en": "of 39 tasks are behind or overdue"}


@pytest.fixture(scope="module")
def top_risks(tmp_path_factory) -> list[tuple[str, str]]:
    """(name, lead unit) of the indicators the overview should put first, worked out here
    from a store seeded as the server's is, on the figures leaders count (confirmed)."""
    path = tmp_path_factory.mktemp("leader") / "progress.sqlite3"
    _seed(path)
    plan = load_plan(DEFAULT_PLAN_FILE)
    frame = ProgressStore(path).current_values(confirmed_only=plan.confirmed_indicator_ids())
    status = indicator_status(plan, CurrentFigures(frame, "leader"), "2014Q3")
    worst = at_risk_indicators(status).head(TOP_RISK_ROWS)
    return list(zip(worst["name"], worst["lead_unit"], strict=True))


def grid_holding(page, text: str):
    """The data grid whose markup holds `text`, once it does (grids fill in after render)."""
    page.wait_for_function(
        """text => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
            .some(grid => grid.innerHTML.includes(text))""",
        arg=text,
        timeout=WAIT_MS,
    )
    grids = page.locator('[data-testid="stDataFrame"]')
    return next(grids.nth(i) for i in range(grids.count()) if text in grids.nth(i).inner_html())


def within_first_screen(box: dict | None) -> bool:
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= SCREEN["height"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_first_screen_shows_what_is_at_risk_and_who_leads_it(server, page, top_risks, lang):
    page.set_viewport_size(SCREEN)
    page.goto(f"{server}/?lang={lang}")
    wait_for_app(page)
    name, unit = top_risks[0]
    grid = grid_holding(page, name)
    markup = grid.inner_html()
    for name, unit in top_risks:
        assert name in markup and unit in markup, (name, unit)
    assert page.evaluate("window.scrollY") == 0
    main = page.locator('[data-testid="stMain"]')
    assert main.evaluate("element => element.scrollTop") == 0
    assert within_first_screen(grid.bounding_box()), grid.bounding_box()
    conclusion = page.get_by_text(CONCLUSION[lang]).first
    assert within_first_screen(conclusion.bounding_box()), conclusion.bounding_box()
    # the sample-data notice stays on the first screen too
    notice = page.locator('[data-testid="stAlert"]').first
    assert within_first_screen(notice.bounding_box())
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"overview_first_screen_{lang}.png"))
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=WAIT_MS)
    text = page.locator("body").inner_text()
    grids = page.locator('[data-testid="stDataFrame"]')
    cells = " ".join(grids.nth(i).inner_text() for i in range(grids.count()))
    assert not re.search(r"\bNone\b", text + " " + cells)
    assert not page.dialogs


def test_a_status_count_opens_the_risk_page_on_that_status(server, page):
    page.set_viewport_size(SCREEN)
    page.goto(f"{server}/?lang=en")
    wait_for_app(page)
    page.get_by_role("link", name=re.compile(r"\d+ Overdue")).click()
    page.wait_for_url(re.compile(r"/risks\?.*statuses=overdue"), timeout=WAIT_MS)
    wait_for_app(page)
    assert page.locator("h1").first.inner_text() == "At risk"
    pills = page.locator('[data-testid="stMain"] [data-testid="stButtonGroup"] button')
    pills.first.wait_for(timeout=WAIT_MS)
    chosen = [
        pills.nth(i).inner_text()
        for i in range(pills.count())
        if pills.nth(i).get_attribute("aria-pressed") == "true"
    ]
    assert chosen == ["Overdue"]
