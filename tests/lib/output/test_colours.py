"""One colour language: the status palette survives grey printing and red-green colour
blindness, status colours mean status only, every chart says what its colours mean, and a
figure keeps its colours on its way to a slide PNG."""

from __future__ import annotations

import colorsys
import itertools
import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from lib.core.labels import STATUS_COLORS
from lib.output import charts
from lib.output.images import slide_figure
from lib.status.codes import STATUS_ORDER

REPO = Path(__file__).resolve().parents[3]

# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear sRGB.
PROTANOPIA = np.array(
    [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ]
)
DEUTERANOPIA = np.array(
    [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ]
)
SRGB_TO_XYZ = np.array(
    [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
)
D65 = np.array([0.95047, 1.0, 1.08883])

MIN_LUMINANCE_STEP = 0.08  # grey print: each status a visibly different grey
MIN_DELTA_E = 15.0  # CIELAB dE76: clearly different side by side on a chart


def linear_rgb(color: str) -> np.ndarray:
    c = np.array([int(color.lstrip("#")[k : k + 2], 16) for k in (0, 2, 4)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def luminance(rgb: np.ndarray) -> float:
    return float(rgb @ np.array([0.2126, 0.7152, 0.0722]))


def cielab(rgb: np.ndarray) -> np.ndarray:
    t = SRGB_TO_XYZ @ rgb / D65
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def seen(color: str, deficiency: np.ndarray | None) -> np.ndarray:
    rgb = linear_rgb(color)
    return rgb if deficiency is None else np.clip(deficiency @ rgb, 0.0, 1.0)


# --- the palette ---------------------------------------------------------------------------


def test_every_status_has_a_colour():
    assert set(STATUS_COLORS) == set(STATUS_ORDER)
    assert len(set(STATUS_COLORS.values())) == len(STATUS_COLORS)


def test_grey_print_orders_statuses_by_severity():
    # worst darkest: printed in grey, a darker cell is always the worse status
    greys = [luminance(linear_rgb(STATUS_COLORS[s])) for s in STATUS_ORDER]
    assert greys == sorted(greys)
    assert min(np.diff(greys)) >= MIN_LUMINANCE_STEP, dict(zip(STATUS_ORDER, greys, strict=True))
    assert greys[0] < 0.1  # overdue near black
    # the calm statuses are light, so the risks stand out on a page of them
    assert luminance(linear_rgb(STATUS_COLORS["on_track"])) > 0.5
    assert luminance(linear_rgb(STATUS_COLORS["met"])) > 0.5


def test_helper_luminance_matches_the_test_formula():
    for color in STATUS_COLORS.values():
        assert charts.relative_luminance(color) == pytest.approx(luminance(linear_rgb(color)))


@pytest.mark.parametrize(
    ("vision", "deficiency"),
    [("normal", None), ("protanopia", PROTANOPIA), ("deuteranopia", DEUTERANOPIA)],
)
def test_statuses_stay_apart_under_red_green_colour_blindness(vision, deficiency):
    for a, b in itertools.combinations(STATUS_ORDER, 2):
        ca, cb = seen(STATUS_COLORS[a], deficiency), seen(STATUS_COLORS[b], deficiency)
        delta_e = float(np.linalg.norm(cielab(ca) - cielab(cb)))
        assert delta_e >= MIN_DELTA_E, (vision, a, b, round(delta_e, 1))
        assert abs(luminance(ca) - luminance(cb)) >= MIN_LUMINANCE_STEP, (vision, a, b)


def test_the_old_red_green_palette_would_fail():
    # the check has teeth: the previous behind red and met green merge for deuteranopes
    red, green = seen("#D62728", DEUTERANOPIA), seen("#2CA02C", DEUTERANOPIA)
    assert float(np.linalg.norm(cielab(red) - cielab(green))) < MIN_DELTA_E


def test_status_hues_keep_their_meaning():
    def hue(color: str) -> float:
        r, g, b = (int(color.lstrip("#")[k : k + 2], 16) / 255 for k in (0, 2, 4))
        h, s, _ = colorsys.rgb_to_hsv(r, g, b)
        return h * 360 if s > 0.1 else -1.0  # -1: a grey

    assert 0 <= hue(STATUS_COLORS["overdue"]) <= 30  # red
    assert 0 <= hue(STATUS_COLORS["behind"]) <= 30  # red-orange
    assert 30 < hue(STATUS_COLORS["watch"]) <= 50  # amber
    assert hue(STATUS_COLORS["no_report"]) == -1.0  # grey
    assert 190 <= hue(STATUS_COLORS["on_track"]) <= 230  # blue
    assert 80 <= hue(STATUS_COLORS["met"]) <= 150  # green


def test_theme_primary_colour_is_navy_not_a_status_or_alarm_red():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    primary = config["theme"]["primaryColor"].upper()
    assert primary not in {c.upper() for c in STATUS_COLORS.values()}
    r, g, b = (int(primary.lstrip("#")[k : k + 2], 16) for k in (0, 2, 4))
    assert b > r and b > g  # a blue, not a red: progress bars in tables read neutral
    assert primary == charts.NEUTRAL_COLOR.upper()


# --- the charts ----------------------------------------------------------------------------


@pytest.fixture
def sections() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "section_id": ["S01", "S02", "S03"],
            "section_no": [1, 2, 3],
            "title": ["开拓创新", "转型升级", "改善民生"],
            "task_count": [2, 1, 3],
            "completion": [0.9, 0.2, 0.45],
            "expected": [0.6, 0.5, 0.6],
            "status": ["overdue", "behind", "on_track"],
        }
    )


@pytest.fixture
def matrix() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": ["市财政局", "市财政局", "市环保局", "市环保局"],
            "section_id": ["S01", "S02", "S01", "S02"],
            "lead_count": [2, 0, 1, 1],
            "partner_count": [1, 1, 0, 0],
            "load": [2.5, 0.5, 1.0, 1.0],
            "worst_status": ["overdue", "met", "no_report", "on_track"],
            "task_ids": ["T01,T02,T03", "T05", "T01", "T06"],
        }
    )


def figures(sections: pd.DataFrame, matrix: pd.DataFrame, lang: str) -> dict[str, go.Figure]:
    status = pd.DataFrame({"status": ["overdue", "behind", "watch", "met", "met"]})
    trend = pd.DataFrame(
        {"period": ["2014Q1", "2014Q2"], "completion": [0.2, 0.45], "expected": [0.25, 0.5]}
    )
    workload = pd.DataFrame(
        {
            "unit": ["市财政局", "市环保局"],
            "tasks_led": [2, 1],
            "tasks_partner": [1, 0],
            "weighted_load": [2.5, 1.0],
            "tasks_behind_or_overdue": [1, 0],
            "worst_status": ["overdue", "on_track"],
        }
    )
    return {
        "sections": charts.completion_by_section_figure(sections, lang),
        "status": charts.status_distribution_figure(status, lang),
        "trend": charts.completion_trend_figure(trend, lang),
        "workload": charts.unit_workload_figure(workload, lang),
        "heatmap_load": charts.responsibility_heatmap_figure(matrix, sections, lang, "load"),
        "heatmap_status": charts.responsibility_heatmap_figure(matrix, sections, lang, "status"),
    }


def colour_key(fig: go.Figure) -> list[str]:
    """What the figure says its colours mean: the legend's title and entries, colour bar
    titles, the caption under the title and headings written on the plot."""
    words = []
    for trace in fig.data:
        if trace.showlegend is not False and trace.name:
            words.append(trace.name)
        if trace.type == "heatmap" and trace.showscale is not False:
            words.append(trace.colorbar.title.text)
    if fig.layout.legend.title.text:
        words.append(fig.layout.legend.title.text)
    if fig.layout.title.subtitle.text:
        words.append(fig.layout.title.subtitle.text)
    words += [a.text for a in fig.layout.annotations]
    return words


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_says_what_its_colours_mean(sections, matrix, lang):
    built = figures(sections, matrix, lang)
    for name, fig in built.items():
        assert colour_key(fig), name
    zh = lang == "zh"
    assert ("颜色表示指标状态" if zh else "Colour shows indicator status") in colour_key(
        built["status"]
    )
    assert ("加权工作量" if zh else "Weighted load") in colour_key(built["heatmap_load"])
    assert ("单元格颜色 = 最差状态：" if zh else "Cell colour = worst status:") in colour_key(
        built["heatmap_status"]
    )
    assert ("已逾期" if zh else "Overdue") in colour_key(built["heatmap_status"])
    section_key = colour_key(built["sections"])
    assert ("条形颜色 = 与应达进度的差距：" if zh else "Bar colour = gap to expected pace:") in (
        section_key
    )
    assert ("应达进度" if zh else "Expected pace") in section_key
    assert ("落后 25 个百分点以上" if zh else "Over 25 points behind") in section_key
    assert ("最差指标状态" if zh else "Worst indicator status") in section_key
    # the dots name their status in words beside them
    assert list(built["sections"].data[2].text) == (
        ["已逾期", "落后", "正常"] if zh else ["Overdue", "Behind", "On track"]
    )
    assert set(colour_key(built["trend"])) >= {
        "完成度" if zh else "Completion",
        "应达进度" if zh else "Expected pace",
    }


def test_status_colours_only_mean_status(sections, matrix):
    # charts of quantities that are not a status (completion line, lead/partner load) use
    # none of the status colours
    built = figures(sections, matrix, "zh")
    status_colours = {c.upper() for c in STATUS_COLORS.values()}
    for name in ("trend", "workload"):
        for trace in built[name].data:
            colours = {str(trace.marker.color).upper()}
            if trace.type == "scatter":
                colours.add(str(trace.line.color).upper())
            assert not colours & status_colours, (name, trace.name, colours)


def test_heatmap_mutes_calm_statuses_and_marks_the_risks(sections, matrix):
    heat = figures(sections, matrix, "zh")["heatmap_status"].data[0]
    by_rank = {round(stop * len(STATUS_ORDER)): colour for stop, colour in heat.colorscale[::2]}
    assert [by_rank[rank] for rank in range(len(STATUS_ORDER))] == [
        STATUS_COLORS[s] for s in STATUS_ORDER
    ]
    calm = [charts.relative_luminance(STATUS_COLORS[s]) for s in ("on_track", "met")]
    risk = [charts.relative_luminance(STATUS_COLORS[s]) for s in ("overdue", "behind", "watch")]
    assert min(calm) > max(risk)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_status_has_the_same_colour_on_the_page_and_in_the_png(sections, matrix, lang):
    for name, page in figures(sections, matrix, lang).items():
        slide = slide_figure(page, as_of_label="2014Q2", source_line="来源", lang=lang)
        assert json.loads(slide.to_json())["data"] == json.loads(page.to_json())["data"], name
    page = charts.completion_by_section_figure(sections, lang)
    slide = slide_figure(page, as_of_label="2014Q2", source_line="来源", lang=lang)
    assert list(slide.data[2].marker.color) == [
        STATUS_COLORS[s] for s in ("overdue", "behind", "on_track")
    ]
    # pace: S01 ahead, S02 30 points behind, S03 15 points behind
    assert list(slide.data[0].marker.color) == [
        STATUS_COLORS[s] for s in ("on_track", "behind", "watch")
    ]
