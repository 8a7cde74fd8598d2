"""The units page's heatmap as a leader uses it, in Chromium: a click on a unit's row opens
that unit's scorecard at the top of the page with its name in the URL (`?unit=`), the way
back shows every unit again, a shared link opens the card directly; and scrolling the
heatmap keeps its column headings and legend in view."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlparse

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_browser import WAIT_MS, wait_for_app

SCREENS = [{"width": 1600, "height": 1000}, {"width": 1280, "height": 800}]
CARD = {"zh": "{} · 单位记分卡", "en": "{} · unit scorecard"}
BACK = {"zh": "返回全部单位", "en": "Back to all units"}
GROUPS = {
    "市直部门", "县(市、区)", "驻肇单位", "牵头部门泛称", "Municipal departments",
    "Counties and districts", "Central and provincial agencies", "Generic lead units",
}  # fmt: skip
MOST_ON_SCREEN_PX = 1000


def open_units(page, server: str, query: str) -> None:
    page.goto(f"{server}/units?{query}")
    wait_for_app(page)
    page.wait_for_selector(".st-key-heatmap_scroll .js-plotly-plot .nsewdrag", timeout=WAIT_MS)


def rows_chart(page):
    """The heatmap's rows: the second chart in its box, under the header's."""
    return page.locator(".st-key-heatmap_scroll .stPlotlyChart").nth(1)


def unit_labels(page) -> list[tuple[str, dict]]:
    """(name, box) of the rows' unit labels, top to bottom (group headings left out)."""
    labels = rows_chart(page).locator(".yaxislayer-above .ytick text")
    found = [(label.text_content(), label.bounding_box()) for label in labels.all()]
    return sorted(((t, b) for t, b in found if t not in GROUPS), key=lambda item: item[1]["y"])


def on_screen(box: dict | None, screen: dict) -> bool:
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= screen["height"]


def chosen_unit(url: str) -> str | None:
    return parse_qs(urlparse(url).query).get("unit", [None])[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_click_on_a_row_opens_that_units_scorecard_in_the_url(server, page, lang):
    screen = SCREENS[1]
    page.set_viewport_size(screen)
    open_units(page, server, f"lang={lang}")
    assert chosen_unit(page.url) is None
    name, label = unit_labels(page)[2]  # a unit row, not a group's heading
    grid = rows_chart(page).locator(".nsewdrag").first.bounding_box()
    page.mouse.click(grid["x"] + grid["width"] * 0.95, label["y"] + label["height"] / 2)
    page.wait_for_url(re.compile(r"[?&]unit="), timeout=WAIT_MS)
    assert chosen_unit(page.url) == name
    heading = page.get_by_role("heading", name=CARD[lang].format(name))
    heading.wait_for(timeout=WAIT_MS)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stMain\"]').scrollTop === 0",
        timeout=WAIT_MS,
    )  # the page goes to its top, where the card is
    assert on_screen(heading.bounding_box(), screen), heading.bounding_box()
    back = page.get_by_role("button", name=BACK[lang])
    assert on_screen(back.bounding_box(), screen)
    # the sidebar's unit filter is the same choice
    unit_filter = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"] input')
    assert unit_filter.nth(1).input_value() == name
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"units_scorecard_{lang}.png"))

    back.click()
    page.wait_for_function("() => !location.search.includes('unit=')", timeout=WAIT_MS)
    heading.wait_for(state="detached", timeout=WAIT_MS)
    # the same row again, on the heatmap of every unit: a new choice, not a deselection
    page.wait_for_selector(".st-key-heatmap_scroll .js-plotly-plot .nsewdrag", timeout=WAIT_MS)
    name, label = unit_labels(page)[2]
    grid = rows_chart(page).locator(".nsewdrag").first.bounding_box()
    page.mouse.click(grid["x"] + 10, label["y"] + label["height"] / 2)
    page.wait_for_url(re.compile(r"[?&]unit="), timeout=WAIT_MS)
    assert chosen_unit(page.url) == name
    page.get_by_role("heading", name=CARD[lang].format(name)).wait_for(timeout=WAIT_MS)
    assert not page.dialogs


def test_a_shared_link_opens_the_scorecard_on_the_first_screen(server, page):
    screen = SCREENS[1]
    page.set_viewport_size(screen)
    unit = "市发展改革局"
    open_units(page, server, f"lang=zh&unit={quote(unit)}")
    heading = page.get_by_role("heading", name=CARD["zh"].format(unit))
    heading.wait_for(timeout=WAIT_MS)
    assert on_screen(heading.bounding_box(), screen)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.wait_for(timeout=WAIT_MS)
    assert grid.bounding_box()["y"] < screen["height"]  # the card's tasks start on screen


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: f"{s['width']}x{s['height']}")
def test_the_column_headings_and_legend_stay_in_view_while_the_rows_scroll(
    server, page, screen, lang
):
    page.set_viewport_size(screen)
    open_units(page, server, f"lang={lang}")
    size = f"{screen['width']}x{screen['height']}"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"units_{size}_{lang}.png"))
    box = page.locator(".st-key-heatmap_scroll")
    assert box.bounding_box()["height"] <= MOST_ON_SCREEN_PX
    # the heatmap's top to the top of the screen, then the wheel over its rows
    main = page.locator('[data-testid="stMain"]')
    main.evaluate("(main, y) => main.scrollBy(0, y)", box.bounding_box()["y"] - 8)
    top = box.bounding_box()
    first_name, first_label = unit_labels(page)[0]
    page.mouse.move(top["x"] + top["width"] / 2, top["y"] + top["height"] - 40)
    page.mouse.wheel(0, 900)
    page.wait_for_function(
        "() => document.querySelector('.st-key-heatmap_scroll').scrollTop > 300",
        timeout=WAIT_MS,
    )
    header = page.locator(".st-key-heatmap_header")
    column = header.locator(".xaxislayer-above .xtick text").first
    assert "S01" in column.text_content()
    assert on_screen(column.bounding_box(), screen), column.bounding_box()
    assert header.bounding_box()["y"] == pytest.approx(box.bounding_box()["y"], abs=2)
    legend = header.locator(".legend, .colorbar").first
    assert on_screen(legend.bounding_box(), screen)
    # the first unit's row went up under the header
    header_bottom = header.bounding_box()["y"] + header.bounding_box()["height"]
    _, moved = next(item for item in unit_labels(page) if item[0] == first_name)
    assert moved["y"] < first_label["y"] and moved["y"] < header_bottom
    page.screenshot(path=str(SCREENSHOTS / f"units_heatmap_scrolled_{size}_{lang}.png"))
    assert not page.dialogs
