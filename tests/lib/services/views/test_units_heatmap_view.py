"""The units view's heatmap as the page draws it and exports it: a box of at most ~1,000 px,
its slide images (one PNG, or a ZIP of the parts rendered on click), and the chosen unit's
scorecard."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from lib.plan.loader import load_plan
from lib.plan.model import Plan
from lib.services.views.units import HEATMAP_VIEW_PX, units_view
from lib.status.indicators import indicator_status
from lib.status.rollups import task_completion

REPO = Path(__file__).resolve().parents[4]


@pytest.fixture(scope="module")
def city() -> Plan:
    return load_plan(REPO / "data" / "tasks_2014.yaml")


@pytest.fixture(scope="module")
def city_status(city: Plan) -> pd.DataFrame:
    rows = [
        {"indicator_id": ind.indicator_id, "period": "2014Q2", "value": ind.target * 0.4}
        for ind in city.indicators.itertuples(index=False)
    ]
    return indicator_status(city, pd.DataFrame(rows).assign(upload_id=1), "2014Q2")


def view_of(plan, status, tasks, lang="zh", chosen_unit=None):
    return units_view(
        plan, status, tasks, color_by="status", max_units=60, expand_groups=False,
        as_of="2014Q2", lang=lang, sample_in_use=True, chosen_unit=chosen_unit,
    )  # fmt: skip


def test_the_city_heatmap_takes_at_most_its_box_and_exports_three_images(city, city_status):
    view = view_of(city, city_status, task_completion(city, city_status))
    panes = view.heatmap_panes
    assert panes.header_height + panes.body_height > 1_500  # 58 rows: too tall for a page
    assert view.heatmap_height == HEATMAP_VIEW_PX <= 1_000
    download = view.heatmap_download
    assert download.label == "下载幻灯片图片（3 张，ZIP）"
    assert (download.file_name, download.mime) == (
        "responsibility_heatmap_2014Q2.zip",
        "application/zip",
    )
    assert callable(download.data) and download.rerun_on_click is False  # drawn on click
    archive = zipfile.ZipFile(io.BytesIO(download.data()))
    assert archive.namelist() == ["heatmap-1.png", "heatmap-2.png", "heatmap-3.png"]
    sizes = {Image.open(io.BytesIO(archive.read(name))).size for name in archive.namelist()}
    assert sizes == {(1920, 1080)}


def test_a_small_heatmap_is_one_png_in_a_box_of_its_own_height(plan, frames_at):
    frames = frames_at("2014Q2")
    view = view_of(plan, frames.status, frames.tasks, lang="en")
    panes = view.heatmap_panes
    assert view.heatmap_height == panes.header_height + panes.body_height < HEATMAP_VIEW_PX
    download = view.heatmap_download
    assert download.label == "Download slide image (PNG)"
    assert (download.file_name, download.mime) == (
        "responsibility_heatmap_2014Q2.png",
        "image/png",
    )
    assert Image.open(io.BytesIO(download.data())).size == (1920, 1080)


def test_the_chosen_unit_has_its_card_or_says_why_not(plan, frames_at):
    frames = frames_at("2014Q2")
    assert view_of(plan, frames.status, frames.tasks).chosen is None
    view = view_of(plan, frames.status, frames.tasks, lang="en", chosen_unit="市发改局")
    chosen = view.chosen
    assert (chosen.unit, chosen.title, chosen.back_label) == (
        "市发改局",
        "市发改局 · unit scorecard",
        "Back to all units",
    )
    assert chosen.note is None
    assert chosen.card.tasks.frame["Task"].tolist() == ["T01", "T03"]
    shapes = [s.name for s in view.heatmap_panes.body.layout.shapes]
    assert "chosen_unit" in shapes
    # a unit of the registry with no task in view: no card, a note
    only_t02 = frames.tasks[frames.tasks["task_id"] == "T02"]
    none = view_of(plan, frames.status, only_t02, chosen_unit="市环保局").chosen
    assert none.card is None and none.note == "市环保局 在当前筛选条件下没有任务。"
