"""The responsibility heatmap as slide images, on the real 2014 plan: split by row group into
images of at most 28 rows, each with every section column and text of 14 px or more at its
native 1920x1080; the page's two panes (a header over rows that scroll, a click on a row
choosing its unit); and `chart-png --chart heatmap` writing one PNG per part."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image

from lib.cli.main import main
from lib.core.labels import STATUS_COLORS
from lib.output import charts
from lib.output.images import (
    MIN_SLIDE_TEXT_PX,
    SLIDE_HEIGHT_PX,
    figure_png,
    numbered_names,
    pngs_zip,
    slide_figure,
)
from lib.plan.loader import load_plan
from lib.plan.model import Plan
from lib.services.settings import SAMPLE_PROGRESS_FILE
from lib.services.workspace import ensure_demo_store
from lib.store.repository import ProgressStore
from tests.support import mixed_status_matrix

REPO = Path(__file__).resolve().parents[3]
SECTIONS = [f"S{n:02d}" for n in range(1, 11)]
MUNICIPAL, COUNTY = "<b>市直部门</b>", "<b>县(市、区)</b>"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(REPO / "data" / "tasks_2014.yaml")


@pytest.fixture(scope="module")
def matrix(plan: Plan) -> pd.DataFrame:
    """The whole plan's matrix at 2014Q2 with a mix of statuses (tests.support)."""
    return mixed_status_matrix(plan)


@pytest.fixture(scope="module")
def groups(plan: Plan) -> dict[str, str]:
    return charts.heatmap_row_groups(plan)


def unit_rows(fig: go.Figure) -> list[str]:
    return [y for y in fig.data[0].y if not y.startswith("<b>")]


def text_sizes(fig: go.Figure) -> dict[str, float]:
    """Every text size a slide image of `fig` draws (unset sizes fall back to the layout's)."""
    layout = fig.layout
    base = layout.font.size
    sizes = {
        "body": base,
        "title": layout.title.font.size or base,
        "legend": layout.legend.font.size or base,
        "legend title": layout.legend.title.font.size or layout.legend.font.size or base,
        "columns": layout.xaxis.tickfont.size or base,
        "rows": layout.yaxis.tickfont.size or base,
        "cells": fig.data[0].textfont.size or base,
    }
    sizes |= {f"note {a.name}": a.font.size or base for a in layout.annotations}
    return sizes


# --- the parts --------------------------------------------------------------------------------


def test_the_2014_heatmap_splits_by_row_group_into_three_images(plan, matrix, groups):
    parts = charts.heatmap_part_units(matrix, "status", row_groups=groups)
    whole = charts.responsibility_heatmap_figure(
        matrix, plan.sections, "zh", "status", row_groups=groups
    )
    # every unit once, in the page's row order (grouped, the worst first)
    assert [unit for part in parts for unit in part] == unit_rows(whole)
    # 34 city departments (35 rows with their heading) are too many for one image of 28 rows:
    # spread evenly over two; the 9 counties fill the second; central agencies and the
    # generic names share the third
    assert [len(part) for part in parts] == [17, 26, 11]
    kinds = [[groups[u] for u in part] for part in parts]
    assert set(kinds[0]) == {"municipal"}
    assert kinds[1] == ["municipal"] * 17 + ["county"] * 9
    assert kinds[2] == ["central"] * 9 + ["generic"] * 2


def test_each_image_has_every_column_its_headings_and_at_most_28_rows(plan, matrix, groups):
    figs = charts.responsibility_heatmap_parts(
        matrix, plan.sections, "zh", "status", row_groups=groups
    )
    assert len(figs) == 3
    for k, fig in enumerate(figs, start=1):
        heat = fig.data[0]
        assert len(heat.y) <= charts.HEATMAP_ROWS_PER_PART
        assert list(heat.x) == SECTIONS  # every column, in the same place in every image
        assert len(heat.z[0]) == len(SECTIONS) and len(heat.text[0]) == len(SECTIONS)
        assert fig.layout.title.text.endswith(f"（{k}/3）")
        assert heat.y[0].startswith("<b>")  # each image opens with its group's heading
    # the city departments carried over to the second image are headed again
    assert [y for y in figs[1].data[0].y if y.startswith("<b>")] == [MUNICIPAL, COUNTY]
    # the third image's units have nothing in some sections: their columns stay, empty
    third = figs[2].data[0]
    empty = [c for j, c in enumerate(SECTIONS) if all(row[j] == "" for row in third.text)]
    assert empty, "the test needs a column the third image's units leave empty"
    assert sorted(u for fig in figs for u in unit_rows(fig)) == sorted(matrix["unit"].unique())


def test_english_parts_say_which_part_they_are(plan, matrix, groups):
    figs = charts.responsibility_heatmap_parts(
        matrix, plan.sections, "en", "status", row_groups=groups
    )
    assert [f.layout.title.text.rsplit(" ", 1)[-1] for f in figs] == ["(1/3)", "(2/3)", "(3/3)"]


def test_parts_coloured_by_load_share_one_scale(plan, matrix, groups):
    figs = charts.responsibility_heatmap_parts(
        matrix, plan.sections, "zh", "load", row_groups=groups
    )
    assert len(figs) == 3
    assert {f.data[0].zmax for f in figs} == {float(matrix["load"].max())}
    assert {f.data[0].zmin for f in figs} == {0}


def test_a_heatmap_that_fits_is_one_image_without_a_part_number(plan, matrix, groups):
    counties = [u for u, g in groups.items() if g == "county"]
    small = matrix[matrix["unit"].isin(counties)]
    figs = charts.responsibility_heatmap_parts(
        small, plan.sections, "zh", "status", row_groups=groups
    )
    assert len(figs) == 1 and not re.search(r"（\d+/\d+）$", figs[0].layout.title.text)
    assert charts.heatmap_part_units(small.iloc[0:0], "status") == []
    with pytest.raises(ValueError, match="rows_per_part"):
        charts.heatmap_part_units(small, "status", rows_per_part=1)


def test_smaller_parts_still_cover_every_unit_once(plan, matrix, groups):
    parts = charts.heatmap_part_units(matrix, "load", row_groups=groups, rows_per_part=10)
    assert all(1 <= len(part) <= 9 for part in parts)  # 9 units and their heading
    units = [u for part in parts for u in part]
    assert sorted(units) == sorted(matrix["unit"].unique()) and len(units) == len(set(units))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_image_keeps_its_text_at_14_px_or_more(plan, matrix, groups, lang):
    figs = charts.responsibility_heatmap_parts(
        matrix, plan.sections, lang, "status", row_groups=groups
    )
    for fig in figs:
        slide = slide_figure(fig, as_of_label="2014Q2", source_line="来源：测试", lang=lang)
        sizes = text_sizes(slide)
        assert min(sizes.values()) >= MIN_SLIDE_TEXT_PX == 14, sizes
        # every row label has its row's height to itself: none is dropped or overlaps
        plot_h = SLIDE_HEIGHT_PX - slide.layout.margin.t - slide.layout.margin.b
        rows = len(slide.data[0].y)
        assert slide.layout.yaxis.tickfont.size * 1.2 <= plot_h / rows
    # the whole heatmap in one image would not have that room: why it is split
    whole = charts.responsibility_heatmap_figure(
        matrix, plan.sections, lang, "status", row_groups=groups
    )
    assert (SLIDE_HEIGHT_PX - 280) / len(whole.data[0].y) < MIN_SLIDE_TEXT_PX * 1.2


def test_a_part_renders_as_a_1920x1080_png(plan, matrix, groups):
    fig = charts.responsibility_heatmap_parts(
        matrix, plan.sections, "zh", "status", row_groups=groups
    )[1]
    png = figure_png(slide_figure(fig, as_of_label="2014年第二季度", source_line="", lang="zh"))
    assert Image.open(io.BytesIO(png)).size == (1920, 1080)


def test_numbered_names_and_the_zip_of_parts():
    assert numbered_names("heatmap.png", 1) == ["heatmap.png"]
    assert numbered_names("out/heatmap.png", 3) == [
        "out/heatmap-1.png",
        "out/heatmap-2.png",
        "out/heatmap-3.png",
    ]
    archive = zipfile.ZipFile(io.BytesIO(pngs_zip("heatmap.png", [b"one", b"two"])))
    assert archive.namelist() == ["heatmap-1.png", "heatmap-2.png"]
    assert archive.read("heatmap-2.png") == b"two"


# --- the page's panes ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def panes(plan, matrix, groups) -> charts.HeatmapPanes:
    fig = charts.responsibility_heatmap_figure(
        matrix, plan.sections, "zh", "status", row_groups=groups
    )
    return charts.heatmap_panes(fig, chosen="市发展改革局", click_hint="点击打开")


def test_the_header_and_the_rows_share_their_columns(panes):
    header, body = panes.header, panes.body
    for side in ("l", "r"):
        assert getattr(header.layout.margin, side) == getattr(body.layout.margin, side)
    assert header.layout.margin.autoexpand is False and body.layout.margin.autoexpand is False
    assert header.layout.xaxis.range == body.layout.xaxis.range == (-0.5, 9.5)
    assert list(header.layout.xaxis.categoryarray) == list(body.layout.xaxis.categoryarray)
    assert list(header.layout.xaxis.categoryarray) == SECTIONS
    # the header says the columns and the colours; the rows repeat neither
    assert header.layout.xaxis.side == "top" and header.layout.xaxis.tickangle == 0
    assert body.layout.xaxis.showticklabels is False
    legend = [(t.name, t.marker.color) for t in header.data if t.type == "scatter"]
    assert legend[:2] == [("落后", STATUS_COLORS["behind"]), ("未报送", STATUS_COLORS["no_report"])]
    assert body.layout.showlegend is False and not body.layout.title.text
    assert header.layout.title.text.startswith("责任单位 × 分节")


def test_the_header_is_short_and_its_text_14_px(panes):
    header = panes.header
    assert panes.header_height == header.layout.height <= 200
    assert header.layout.xaxis.tickfont.size >= 14 and header.layout.legend.font.size >= 14
    # a short title wraps under its id, so ten columns fit beside the sidebar at 1280 px
    assert header.layout.xaxis.ticktext[0] == "S01<br>开拓<br>创新"
    assert all(t.count("<br>") <= 3 for t in header.layout.xaxis.ticktext)


def test_the_rows_keep_30_px_each_with_their_labels(panes, matrix):
    body = panes.body
    heat = body.data[0]
    assert panes.body_height == body.layout.height == 30 * len(heat.y) + 8
    assert body.layout.yaxis.range == (len(heat.y) - 0.5, -0.5)  # the first row on top
    assert heat.textfont.size >= 14 and body.layout.yaxis.tickfont.size >= 14
    assert heat.hoverinfo == "skip"  # the click layer says the cell's hover, once
    assert heat.hovertext is None and heat.customdata is None


def test_a_click_anywhere_in_a_row_names_its_unit(panes):
    body = panes.body
    heat, layer = body.data
    assert layer.type == "scatter" and layer.marker.opacity == 0
    assert len(layer.x) == len(heat.y) * len(heat.x)  # one marker per cell
    by_row = {}
    for y, unit, info in zip(layer.y, layer.customdata, layer.hoverinfo, strict=True):
        by_row.setdefault(y, set()).add((unit, info))
    assert by_row[MUNICIPAL] == {("", "none")}  # a heading row names no unit
    assert by_row["市发展改革局"] == {("市发展改革局", "text")}
    hovers = [h for y, h in zip(layer.y, layer.hovertext, strict=True) if y == "市财政局"]
    assert all(h.endswith("<br><i>点击打开</i>") for h in hovers)
    assert body.layout.dragmode is False and body.layout.yaxis.fixedrange is True


def test_the_chosen_unit_is_outlined(panes):
    chosen = [s for s in panes.body.layout.shapes if s.name == "chosen_unit"]
    assert len(chosen) == 1
    at = list(panes.body.data[0].y).index("市发展改革局")
    assert (chosen[0].y0, chosen[0].y1) == (at - 0.5, at + 0.5)


def test_names_with_markup_stay_text_and_come_back_unescaped(plan):
    nasty = "<b>坏</b>&单位"
    matrix = pd.DataFrame(
        {
            "unit": [nasty, "市财政局"],
            "section_id": ["S01", "S02"],
            "lead_count": [1, 0],
            "partner_count": [0, 1],
            "load": [1.0, 0.5],
            "worst_status": ["behind", "on_track"],
            "task_ids": ["T01", "T05"],
            "lead_task_ids": ["T01", ""],
            "partner_task_ids": ["", "T05"],
        }
    )
    fig = charts.responsibility_heatmap_figure(matrix, plan.sections, "en", "load")
    panes = charts.heatmap_panes(fig, chosen=nasty)
    layer = panes.body.data[1]
    assert "&lt;b&gt;坏&lt;/b&gt;&amp;单位" in panes.body.data[0].y
    assert nasty in set(layer.customdata)  # what the URL filter is given: the name itself
    assert [s.name for s in panes.body.layout.shapes] == ["chosen_unit"]
    # coloured by load: the colour bar is in the header, laid flat; the rows have none
    bar = panes.header.data[0]
    assert bar.showscale is True and bar.colorbar.orientation == "h"
    assert panes.body.data[0].showscale is False


def test_an_empty_heatmap_is_a_header_without_rows(plan):
    empty = charts.responsibility_heatmap_figure(pd.DataFrame(), plan.sections, "zh")
    panes = charts.heatmap_panes(empty)
    assert panes.body is None and panes.body_height == 0
    assert panes.header.layout.annotations[0].text == "暂无数据"


# --- the command line ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory, plan: Plan) -> Path:
    path = tmp_path_factory.mktemp("store") / "progress.sqlite3"
    ensure_demo_store(
        ProgressStore(path), plan, SAMPLE_PROGRESS_FILE, datetime(2026, 11, 28, tzinfo=UTC)
    )
    return path


def test_chart_png_writes_the_heatmap_in_numbered_parts(monkeypatch, tmp_path, sample_store):
    monkeypatch.setenv("PROGRESS_DB", str(sample_store))
    monkeypatch.delenv("PLAN_FILE", raising=False)
    out = tmp_path / "heatmap.png"
    args = ["chart-png", "--chart", "heatmap", "--period", "2014Q2", "-o", str(out)]
    assert main(args) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["heatmap-1.png", "heatmap-2.png", "heatmap-3.png"]
    assert {Image.open(tmp_path / name).size for name in written} == {(1920, 1080)}
