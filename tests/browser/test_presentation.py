"""Presentation view on a 1280x720 screen: every panel is exactly one screen, scrolled to,
with its title, the 数据截至 stamp and the source line (示例数据 marked), nothing cut and no
widget; a screenshot of each lands in screenshots/. And on a 1280 px wide screen the
overview's top risks show every reason whole."""

from __future__ import annotations

import pytest

from lib.services.views.overview import TOP_RISK_WIDTHS
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_browser import WAIT_MS, wait_for_app
from tests.browser.test_leader_screen import grid_holding

SCREEN = {"width": 1280, "height": 720}
PANEL = '[class*="st-key-present-panel-"]'
WIDGETS = ", ".join(
    f'[data-testid="{testid}"]'
    for testid in (
        "stSelectbox", "stButton", "stDownloadButton", "stFileUploader", "stMultiSelect",
        "stButtonGroup", "stSegmentedControl", "stCheckbox", "stToggle", "stTextInput",
        "stElementToolbar",
    )
)  # fmt: skip
STAMP = {"zh": "数据截至 2014年第三季度", "en": "Data as of 2014 Q3"}
SOURCE = {"zh": "来源：肇府办〔2014〕9号", "en": "Source: 肇府办〔2014〕9号"}
SAMPLE = {"zh": "示例数据，非真实统计", "en": "sample data, not real statistics"}
LEAVE = {"zh": "退出演示视图", "en": "Leave presentation view"}
HEATMAP = {
    "zh": "责任单位 × 分节 责任分布（按最差状态着色）",
    "en": "Responsibilities by unit and section (colour: worst status)",
}
RISKS_ZH = [f"需督办的指标（{i}/3）" for i in (1, 2, 3)]
VIEWS = [
    ("", "zh", "", ["总体进展", "最需督办的指标", HEATMAP["zh"]]),
    ("", "en", "", ["Overall progress", "Indicators most in need of follow-up", HEATMAP["en"]]),
    ("risks", "zh", "", RISKS_ZH),
    ("risks", "en", "&statuses=overdue,behind", ["Indicators most in need of follow-up"]),
    ("units", "zh", "&unit=市发展改革局", ["市发展改革局 · 单位记分卡"]),
    ("units", "en", "", [HEATMAP["en"]]),
]


@pytest.mark.parametrize(("path", "lang", "query", "titles"), VIEWS)
def test_each_panel_is_one_16_9_screen_with_title_stamp_and_source(
    server, page, path, lang, query, titles
):
    page.set_viewport_size(SCREEN)
    page.goto(f"{server}/{path}?view=present&lang={lang}{query}")
    wait_for_app(page)
    # the way back is drawn last: once it is there, every panel is
    leave = page.get_by_role("link", name=LEAVE[lang])
    leave.wait_for(timeout=WAIT_MS)
    panels = page.locator(PANEL)
    assert panels.count() == len(titles)
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    bottom = 0.0
    for i, title in enumerate(titles):
        panel = panels.nth(i)
        charts = panel.locator(".js-plotly-plot")
        for k in range(charts.count()):
            charts.nth(k).locator(".main-svg").first.wait_for(timeout=WAIT_MS)
        panel.evaluate("element => element.scrollIntoView({block: 'start'})")
        box = panel.bounding_box()
        assert box["x"] == pytest.approx(0, abs=2) and box["y"] == pytest.approx(0, abs=2), box
        assert box["width"] == pytest.approx(1280, abs=2), box
        assert box["height"] == pytest.approx(720, abs=2), box
        # nothing runs past the frame (the frame hides what would)
        assert panel.evaluate("e => e.scrollHeight <= e.clientHeight + 1 && !e.scrollLeft")
        text = panel.inner_text()
        assert panel.locator("h1").first.inner_text() == title
        assert STAMP[lang] in text and SOURCE[lang] in text and SAMPLE[lang] in text, text
        assert panel.locator(WIDGETS).count() == 0
        for k in range(charts.count()):  # charts sized to the panel
            chart = charts.nth(k).bounding_box()
            assert chart["y"] + chart["height"] <= box["y"] + box["height"]
            assert chart["x"] + chart["width"] <= box["x"] + box["width"]
        page.screenshot(path=str(SCREENSHOTS / f"present_{path or 'overview'}_{lang}_{i + 1}.png"))
        bottom = box["y"] + box["height"]
    # the way back sits after the panels, outside them
    assert leave.count() == 1 and leave.bounding_box()["y"] >= bottom - 1
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not page.dialogs


# Greedy word wrap of each text at a width, with the grid's own font: how many lines.
LINES_NEEDED = """([texts, width, font]) => {
  const context = document.createElement('canvas').getContext('2d');
  context.font = font;
  return texts.map(text => {
    let lines = 1, line = '';
    for (const word of text.split(/(?<=\\s)|(?=[\\u3400-\\u9fff])/)) {
      const next = line + word;
      if (line && context.measureText(next.trimEnd()).width > width) { lines++; line = word; }
      else line = next;
    }
    return lines;
  });
}"""


def test_the_overview_reasons_are_whole_on_a_1280_screen(server, page):
    """In English at 1280x800 (sidebar open) the top-risks grid fits the page's width, so no
    column is cut at its right edge, and each reason fits its wrapped column's two lines."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{server}/?lang=en")
    wait_for_app(page)
    grid = grid_holding(page, "points behind expected pace")
    # the grid does not scroll sideways: every column, the reason last, is in view
    fits = grid.evaluate(
        """grid => { const box = grid.querySelector('.dvn-scroller');
                     return [box.scrollWidth, box.clientWidth]; }"""
    )
    assert fits[0] <= fits[1], fits
    reasons = grid.evaluate(
        """grid => [...grid.querySelectorAll('table[role=grid] tbody tr')]
            .map(row => row.children[4].textContent)"""
    )
    assert len(reasons) == 6 and all(reasons), reasons
    style = grid.evaluate(
        """grid => { const s = getComputedStyle(grid.querySelector('.stDataFrameGlideDataEditor'));
             return [s.getPropertyValue('--gdg-base-font-style'),
                     s.getPropertyValue('--gdg-font-family'),
                     s.getPropertyValue('--gdg-cell-horizontal-padding')]; }"""
    )
    font = f"{style[0].strip()} {style[1].strip()}"
    # the reason column is at least as wide as set (a wider page stretches it)
    width = TOP_RISK_WIDTHS["reason"] - 2 * int(style[2].strip().removesuffix("px"))
    lines = page.evaluate(LINES_NEEDED, [reasons, width, font])
    assert max(lines) <= 2, list(zip(reasons, lines, strict=True))
    box = grid.bounding_box()
    assert box["y"] + box["height"] <= 800  # and the whole table on the first screen
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "overview_1280x800_en.png"))
