"""One colour per status wherever a person sees it: the status chips of the at-risk page,
the status counts and the section chart's worst-status dots on the overview, the heatmap's
cells and legend on the units page, the presentation panels, and a slide PNG. Each is read
from what is drawn (computed styles, SVG fills, screenshot pixels, PNG pixels) and must be
lib.core.labels.STATUS_COLORS of its status."""

from __future__ import annotations

import io
import re
from itertools import pairwise

import pytest
from PIL import Image

from lib.core.labels import STATUS_COLORS, STATUS_LABELS
from lib.output import charts
from lib.output.images import figure_png, slide_figure
from lib.plan.loader import load_plan
from lib.services.settings import DEFAULT_PLAN_FILE
from lib.status.codes import STATUS_ORDER
from lib.status.figures import CurrentFigures
from lib.status.indicators import indicator_status
from tests.browser.conftest import _seed_sample
from tests.browser.test_browser import WAIT_MS, wait_for_app

# each status label, in both languages, to its status code
STATUS_OF_LABEL = {label: code for code, pair in STATUS_LABELS.items() for label in pair}
MIN_CHIP_PIXELS = 30  # a chip in a grid row is about 50 x 20 px of its colour


def as_hex(css: str) -> str:
    """'rgb(127, 18, 18)' (a computed style or an SVG fill) as '#7F1212'."""
    numbers = [int(n) for n in re.findall(r"\d+", css)[:3]]
    return "#{:02X}{:02X}{:02X}".format(*numbers)


def pixel_hex(rgb: tuple[int, ...]) -> str:
    return "#{:02X}{:02X}{:02X}".format(*rgb[:3])


def expected(seen: dict[str, str]) -> dict[str, str]:
    return {status: STATUS_COLORS[status].upper() for status in seen}


def wait_for_charts(page) -> None:
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=WAIT_MS)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].every(gd => gd._fullLayout)",
        timeout=WAIT_MS,
    )


def row_bands(shot: Image.Image) -> list[tuple[int, int]]:
    """(top, bottom) of each whole body row of a data grid's canvas: between the grid's
    horizontal rules (rows of pixels most of which are its light grey border colour)."""
    rules = []
    for y in range(shot.height):
        line = [shot.getpixel((x, y)) for x in range(0, shot.width, 4)]
        greys = sum(1 for r, g, b in line if 220 <= r <= 240 and abs(r - g) + abs(g - b) <= 6)
        if greys > 0.6 * len(line):
            if rules and rules[-1][1] == y - 1:
                rules[-1] = (rules[-1][0], y)
            else:
                rules.append((y, y))
    return [(a[1] + 1, b[0]) for a, b in pairwise(rules) if b[0] - a[1] > 10]


def test_the_risk_page_chips_have_their_status_colour(server, page):
    """Each row of the risk grid (drawn on a canvas) holds chip pixels of its status's
    colour and of no other status's."""
    page.set_viewport_size({"width": 1600, "height": 1400})
    page.goto(f"{server}/risks")
    wait_for_app(page)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
            .some(grid => grid.innerHTML.includes('已逾期'))""",
        timeout=WAIT_MS,
    )
    grid = page.locator('[data-testid="stDataFrame"]').first
    # the rows the grid draws, as its accessible table lists them: status in column 4
    statuses = grid.evaluate(
        """grid => [...grid.querySelectorAll('table[role=grid] tbody tr')]
            .map(row => [Number(row.getAttribute('aria-rowindex')), row.children[3].textContent])"""
    )
    canvas = grid.locator("canvas").first.bounding_box()
    shot = Image.open(io.BytesIO(page.screenshot(clip=canvas))).convert("RGB")
    bands = row_bands(shot)
    colours = {value.upper(): status for status, value in STATUS_COLORS.items()}
    seen: dict[str, str] = {}
    for index, label in statuses:
        if index - 2 >= len(bands):
            continue  # below the grid's visible part
        top, bottom = bands[index - 2]  # aria-rowindex 1 is the header
        counts: dict[str, int] = {}
        for rgb in shot.crop((0, top, shot.width, bottom)).get_flattened_data():
            status = colours.get(pixel_hex(rgb))
            if status:
                counts[status] = counts.get(status, 0) + 1
        found = {status for status, n in counts.items() if n >= MIN_CHIP_PIXELS}
        assert found == {STATUS_OF_LABEL[label]}, (index, label, counts)
        seen[STATUS_OF_LABEL[label]] = STATUS_COLORS[STATUS_OF_LABEL[label]].upper()
    assert len(bands) >= 10 and set(seen) >= {"overdue", "behind", "no_report"}, bands


def test_the_overview_counts_and_section_dots_have_their_status_colour(server, page):
    page.set_viewport_size({"width": 1600, "height": 2400})
    page.goto(f"{server}/?lang=zh")
    wait_for_app(page)
    wait_for_charts(page)
    # the status counts: chips whose text is '<n> <status>'
    chips = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stMain"] span')]
            .filter(s => /^\\d+\\s\\S+$/.test(s.textContent.trim()) && s.style.backgroundColor)
            .filter(s => !s.closest('.js-plotly-plot'))
            .map(s => [s.textContent.trim().split(/\\s/)[1],
                       getComputedStyle(s).backgroundColor])"""
    )
    counts = {STATUS_OF_LABEL[label]: as_hex(colour) for label, colour in chips}
    assert set(counts) == set(STATUS_COLORS), chips
    assert counts == expected(counts)
    # the section chart's worst-status dots: each drawn point's fill by its status word
    dots = page.evaluate(
        """() => {
          for (const gd of document.querySelectorAll('.js-plotly-plot')) {
            const at = gd._fullData.findIndex(t => t.mode === 'markers+text');
            if (at < 0) continue;
            // the scatter layer holds the scatter traces only, in data order
            const nth = gd._fullData.slice(0, at).filter(t => t.type === 'scatter').length;
            const trace = gd.querySelectorAll('.scatterlayer .trace')[nth];
            const fills = [...trace.querySelectorAll('path.point')].map(p => p.style.fill);
            return gd._fullData[at].text.map((word, i) => [word, fills[i]]);
          }
          return [];
        }"""
    )
    assert dots, "no worst-status dots drawn"
    drawn: dict[str, str] = {}
    for word, fill in dots:
        drawn.setdefault(STATUS_OF_LABEL[word], as_hex(fill))
        assert as_hex(fill) == drawn[STATUS_OF_LABEL[word]], (word, fill)  # one per status
    assert {"overdue", "behind", "on_track"} <= set(drawn)
    assert drawn == expected(drawn)


# The viewport position of the first heatmap cell of status rank `rank`, scrolled into
# view (a marker in the plot at the cell, scrolled to: inner scrolling boxes move too),
# at the left of the cell, clear of its '牵1 配2' text; null when no cell has that rank.
CELL_OF_RANK = """rank => {
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    const at = gd._fullData.findIndex(t => t.type === 'heatmap');
    if (at < 0 || !gd.calcdata[at][0].z) continue;
    const z = gd.calcdata[at][0].z, xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
    for (let i = 0; i < z.length; i++) {
      const j = z[i].indexOf(rank);
      if (j < 0) continue;
      if (getComputedStyle(gd).position === 'static') gd.style.position = 'relative';
      const marker = document.createElement('div');
      Object.assign(marker.style, {
        position: 'absolute', width: '1px', height: '1px', pointerEvents: 'none',
        left: (xa._offset + xa.l2p(j) - 0.38 * xa._length / z[0].length) + 'px',
        top: (ya._offset + ya.l2p(i)) + 'px'});
      gd.appendChild(marker);
      marker.scrollIntoView({block: 'center', inline: 'nearest'});
      const box = marker.getBoundingClientRect();
      marker.remove();
      return {x: box.x, y: box.y};
    }
  }
  return null;
}"""


def test_the_heatmap_cells_and_legend_have_their_status_colour(server, page):
    page.set_viewport_size({"width": 1600, "height": 1200})
    page.goto(f"{server}/units")
    wait_for_app(page)
    wait_for_charts(page)
    legend = page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot .legend .traces')]
            .map(t => [t.textContent.trim(), t.querySelector('.legendpoints path').style.fill])"""
    )
    keyed = {
        STATUS_OF_LABEL[text]: as_hex(fill) for text, fill in legend if text in STATUS_OF_LABEL
    }
    assert set(keyed) == set(STATUS_COLORS), legend
    assert keyed == expected(keyed)
    # the cells are drawn as an image: a screenshot pixel of one cell of each status
    drawn: dict[str, str] = {}
    for rank, code in enumerate(STATUS_ORDER):  # the heatmap's z is the status rank
        point = page.evaluate(CELL_OF_RANK, rank)
        if point is None:
            continue
        shot = page.screenshot(clip={"x": point["x"], "y": point["y"], "width": 1, "height": 1})
        drawn[code] = pixel_hex(Image.open(io.BytesIO(shot)).convert("RGB").getpixel((0, 0)))
    assert {"overdue", "behind", "on_track"} <= set(drawn)
    assert drawn == expected(drawn)


def test_the_presentation_tables_have_their_status_colour(server, page):
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"{server}/risks?view=present&lang=en")
    wait_for_app(page)
    page.wait_for_selector('[class*="st-key-present-panel-"] table', timeout=WAIT_MS)
    cells = page.evaluate(
        """() => [...document.querySelectorAll('[class*="st-key-present-panel-"] td')]
            .filter(td => getComputedStyle(td).backgroundColor !== 'rgba(0, 0, 0, 0)')
            .map(td => [td.textContent.trim(), getComputedStyle(td).backgroundColor])"""
    )
    filled = {STATUS_OF_LABEL[text]: as_hex(c) for text, c in cells if text in STATUS_OF_LABEL}
    assert {"overdue", "behind", "no_report", "watch"} == set(filled), cells
    assert filled == expected(filled)
    for text, colour in cells:  # every filled cell is a status, in its own colour
        assert as_hex(colour) == STATUS_COLORS[STATUS_OF_LABEL[text]].upper(), (text, colour)


@pytest.fixture(scope="module")
def sample_status(tmp_path_factory):
    plan = load_plan(DEFAULT_PLAN_FILE)
    _, store = _seed_sample(tmp_path_factory.mktemp("colours") / "progress.sqlite3")
    figures = CurrentFigures(store.current_values(), "colours")
    return plan, indicator_status(plan, figures, "2014Q3")


def test_the_slide_png_has_the_status_colours(sample_status):
    """The status chart as its slide PNG (kaleido, Debian chromium): every status's bar is
    drawn in exactly its colour."""
    _, status = sample_status
    figure = charts.status_distribution_figure(status, "zh")
    png = figure_png(
        slide_figure(figure, as_of_label="2014年第三季度", source_line="来源", lang="zh")
    )
    image = Image.open(io.BytesIO(png)).convert("RGB")
    counts: dict[str, int] = {}
    for rgb in image.get_flattened_data():
        counts[pixel_hex(rgb)] = counts.get(pixel_hex(rgb), 0) + 1
    present = set(status["status"])
    for code in present:
        assert counts.get(STATUS_COLORS[code].upper(), 0) >= 500, (code, STATUS_COLORS[code])
    assert {"overdue", "behind", "on_track"} <= present
