"""Chart builders: figure data, colours, trace names and titles in both languages (no images)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from pandas.testing import assert_frame_equal

from lib.core.labels import STATUS_COLORS
from lib.output import charts
from lib.plan.loader import load_plan
from lib.plan.model import Thresholds
from lib.status.indicators import indicator_status
from lib.status.rollups import section_completion, task_completion
from lib.status.trend import completion_trend
from lib.status.units import HeatmapCells, responsibility_matrix, unit_workload

REPO = Path(__file__).resolve().parents[3]
NASTY = "<b>坏</b>&"
NASTY_ESCAPED = "&lt;b&gt;坏&lt;/b&gt;&amp;"


@pytest.fixture
def sections() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "section_id": ["S01", "S02", "S03"],
            "section_no": [1, 2, 3],
            "title": ["开拓创新,加大改革", NASTY, "改善民生"],
            "task_count": [2, 1, 3],
            "completion": [0.5, 0.25, 1.0],
            "expected": [0.6, 0.5, 0.5],
            "status": ["watch", "behind", "met"],
        }
    )


@pytest.fixture
def workload() -> pd.DataFrame:
    units = [f"单位{i:02d}" for i in range(30)]
    led = [i % 3 for i in range(30)]
    partner = [i % 4 for i in range(30)]
    frame = pd.DataFrame(
        {
            "unit": units,
            "kind": "municipal_department",
            "tasks_led": led,
            "tasks_partner": partner,
            "indicators_led": led,
            "weighted_load": [a + 0.5 * b for a, b in zip(led, partner, strict=True)],
            "tasks_behind_or_overdue": 0,
            "worst_status": "on_track",
        }
    )
    frame.loc[0, "unit"] = NASTY
    return frame.sort_values("weighted_load", ascending=False, kind="stable")


@pytest.fixture
def matrix() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": ["市财政局", "市财政局", NASTY, "市环保局"],
            "section_id": ["S01", "S02", "S01", "S02"],
            "lead_count": [2, 0, 0, 1],
            "partner_count": [1, 1, 1, 0],
            "load": [2.5, 0.5, 0.5, 1.0],
            "worst_status": ["behind", "met", "watch", "on_track"],
            "task_ids": ["T01,T02,T03", "T05", "T01", "T06"],
            "lead_task_ids": ["T01,T02", "", "", "T06"],
            "partner_task_ids": ["T03", "T05", "T01", ""],
        }
    )


@pytest.fixture
def plan_sections() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "section_id": ["S01", "S02", "S03"],
            "section_no": [1, 2, 3],
            "title": ["开拓创新,加大改革攻坚力度", "转型升级,加快经济结构调整", "其他"],
        }
    )


def title(fig: go.Figure) -> str:
    return fig.layout.title.text


# --- completion bars -------------------------------------------------------------------------


def test_section_bars_in_document_order_coloured_by_pace(sections):
    fig = charts.completion_by_section_figure(sections, "zh")
    bars, pace, worst = fig.data[0], fig.data[1], fig.data[2]
    assert title(fig) == "各分节完成度"
    assert (bars.type, bars.orientation) == ("bar", "h")
    assert list(bars.x) == [50.0, 25.0, 100.0]
    # the catalog's "开拓创新,加大…" as the document prints it, with a full-width comma
    assert list(bars.y) == ["开拓创新，加大改革", NASTY_ESCAPED, "改善民生"]
    # gaps 10, 25 and complete: on pace (10 is not over amber_gap), 10-25 behind, complete
    assert list(bars.marker.color) == [STATUS_COLORS[s] for s in ("on_track", "watch", "met")]
    assert [row[0] for row in bars.customdata] == ["S01", "S02", "S03"]
    assert [row[1] for row in bars.customdata] == ["关注", "落后", "已完成"]
    assert [row[4] for row in bars.customdata] == [
        "超前或落后不超过 10 个百分点",
        "落后 10–25 个百分点",
        "已全部完成",
    ]
    assert fig.layout.yaxis.autorange == "reversed"
    assert list(fig.layout.yaxis.categoryarray) == list(bars.y)
    assert (pace.type, pace.name, pace.marker.symbol) == ("scatter", "应达进度", "diamond")
    assert list(pace.x) == [60.0, 50.0, 50.0]
    # the worst status beside each bar, in its own colour and words
    assert list(worst.y) == list(bars.y)
    assert list(worst.marker.color) == [STATUS_COLORS[s] for s in ("watch", "behind", "met")]
    assert list(worst.text) == ["关注", "落后", "已完成"]
    assert list(worst.customdata) == ["S01", "S02", "S03"]
    assert fig.layout.legend.title.text == "条形颜色 = 与应达进度的差距："
    legend = [(t.name, t.marker.color) for t in fig.data[3:]]
    assert legend == [  # worst first, only the classes present
        ("落后 10–25 个百分点", STATUS_COLORS["watch"]),
        ("超前或落后不超过 10 个百分点", STATUS_COLORS["on_track"]),
        ("已全部完成", STATUS_COLORS["met"]),
    ]
    header = fig.layout.annotations[0]
    assert (header.name, header.text, header.x) == (
        "worst_status_header",
        "最差指标状态",
        worst.x[0],
    )
    assert fig.layout.font.family == charts.FONT_FAMILY
    assert fig.layout.paper_bgcolor == "white"


def test_section_bar_colour_is_the_gap_to_pace_not_the_worst_indicator():
    # S09 ahead of its pace with a behind indicator; S05 ahead with an overdue one; S07 on
    # track but 30 points behind pace as a whole; S08 with no figures at all (completion 0)
    sections = pd.DataFrame(
        {
            "section_id": ["S09", "S05", "S07", "S08"],
            "section_no": [9, 5, 7, 8],
            "title": ["开拓创新", "转型升级", "改善民生", "从严治政"],
            "task_count": [4, 3, 2, 1],
            "completion": [0.863, 0.525, 0.40, 0.0],
            "expected": [0.75, 0.496, 0.70, 0.496],
            "status": ["behind", "overdue", "on_track", "no_report"],
        }
    )
    fig = charts.completion_by_section_figure(sections, "en")
    bars, worst = fig.data[0], fig.data[2]
    assert list(bars.marker.color) == [
        STATUS_COLORS[s] for s in ("on_track", "on_track", "behind", "behind")
    ]
    assert list(worst.marker.color) == [
        STATUS_COLORS[s] for s in ("behind", "overdue", "on_track", "no_report")
    ]
    assert list(charts.pace_classes(sections, Thresholds())) == [
        "on_pace",
        "on_pace",
        "far_behind",
        "far_behind",
    ]
    pace_names = [t.name for t in fig.data if (t.legendgroup or "").startswith("pace:")]
    assert pace_names == ["Over 25 points behind", "Ahead or at most 10 points behind"]
    # the plan's own thresholds move the boundaries and the legend words with them
    strict = Thresholds(amber_gap=0.05, red_gap=0.2)
    assert list(charts.pace_classes(sections, strict)) == [
        "on_pace",
        "on_pace",
        "far_behind",
        "far_behind",
    ]
    tight = sections.assign(completion=[0.60, 0.525, 0.55, 1.0])  # gaps 15, -3, 15, complete
    assert list(charts.pace_classes(tight, strict)) == [
        "behind",
        "on_pace",
        "behind",
        "complete",
    ]
    fig = charts.completion_by_section_figure(tight, "zh", strict)
    assert list(fig.data[0].marker.color) == [
        STATUS_COLORS[s] for s in ("watch", "on_track", "watch", "met")
    ]
    assert [t.name for t in fig.data if (t.legendgroup or "").startswith("pace:")] == [
        "落后 5–20 个百分点",
        "超前或落后不超过 5 个百分点",
        "已全部完成",
    ]


def test_section_bar_text_reads_on_its_fill(sections):
    bars = charts.completion_by_section_figure(sections, "zh").data[0]
    for fill, ink in zip(bars.marker.color, bars.insidetextfont.color, strict=True):
        assert ink == charts.ink_on(fill)
    assert charts.ink_on(STATUS_COLORS["overdue"]) == "#FFFFFF"
    assert charts.ink_on(STATUS_COLORS["met"]) == "#222222"


def test_section_figure_in_english(sections):
    fig = charts.completion_by_section_figure(sections, "en")
    assert title(fig) == "Completion by section"
    assert fig.data[1].name == "Expected pace"
    assert list(fig.data[2].text) == ["Watch", "Behind", "Met"]
    assert fig.layout.legend.title.text == "Bar colour = gap to expected pace:"
    assert fig.layout.annotations[0].text == "Worst indicator status"
    assert "Expected pace" in fig.data[0].hovertemplate
    assert "Worst status" in fig.data[0].hovertemplate


# --- status mix and trend --------------------------------------------------------------------


def test_status_distribution_counts_in_status_order():
    status = pd.DataFrame({"status": ["met", "behind", "behind", "no_report", "met", "met"]})
    fig = charts.status_distribution_figure(status, "zh")
    bar = fig.data[0]
    assert title(fig) == "指标状态分布"
    assert list(bar.x) == ["已逾期", "落后", "未报送", "关注", "正常", "已完成"]
    assert list(bar.y) == [0, 2, 1, 0, 0, 3]
    assert list(bar.customdata) == ["overdue", "behind", "no_report", "watch", "on_track", "met"]
    assert list(bar.marker.color) == [STATUS_COLORS[s] for s in bar.customdata]
    assert fig.layout.title.subtitle.text == "颜色表示指标状态"
    english = charts.status_distribution_figure(status, "en")
    assert title(english) == "Indicators by status"
    assert english.layout.title.subtitle.text == "Colour shows indicator status"
    assert list(english.data[0].x)[:2] == ["Overdue", "Behind"]


def test_trend_lines_use_period_labels():
    trend = pd.DataFrame(
        {"period": ["2014Q1", "2014Q2"], "completion": [0.2, 0.45], "expected": [0.25, 0.5]}
    )
    fig = charts.completion_trend_figure(trend, "zh")
    assert title(fig) == "完成度走势"
    assert [t.name for t in fig.data] == ["完成度", "应达进度"]
    assert list(fig.data[0].x) == ["2014年第一季度", "2014年第二季度"]
    assert list(fig.data[0].y) == pytest.approx([20.0, 45.0])
    assert list(fig.data[1].y) == pytest.approx([25.0, 50.0])
    assert list(fig.data[0].customdata) == ["2014Q1", "2014Q2"]
    english = charts.completion_trend_figure(trend, "en")
    assert title(english) == "Completion over time"
    assert list(english.data[0].x) == ["2014 Q1", "2014 Q2"]
    assert [t.name for t in english.data] == ["Completion", "Expected pace"]


# --- units -----------------------------------------------------------------------------------


def test_workload_stacks_lead_and_partner_for_the_top_units(workload):
    fig = charts.unit_workload_figure(workload, "zh", top=25)
    lead, partner = fig.data
    assert title(fig) == "责任单位任务量（前 25 名）"
    assert (lead.name, partner.name) == ("牵头", "配合")
    assert fig.layout.barmode == "stack"
    top = workload.head(25)
    assert len(lead.y) == 25
    assert list(lead.x) == list(top["tasks_led"])
    assert list(partner.x) == list(top["tasks_partner"])
    assert [row[0] for row in lead.customdata] == list(top["weighted_load"])
    assert NASTY not in lead.y
    english = charts.unit_workload_figure(workload, "en", top=40)
    assert title(english) == "Unit workload"  # nothing cut off
    assert [t.name for t in english.data] == ["Lead", "Partner"]
    assert NASTY_ESCAPED in english.data[0].y


def test_heatmap_by_load(matrix, plan_sections):
    fig = charts.responsibility_heatmap_figure(matrix, plan_sections, "zh", "load")
    heat = fig.data[0]
    assert title(fig) == "责任单位 × 分节 责任分布（按加权工作量着色）"
    assert heat.type == "heatmap"
    assert list(heat.x) == ["S01", "S02"]  # only sections with responsibilities
    assert list(heat.y) == ["市财政局", "市环保局", NASTY_ESCAPED]  # by total load
    z = np.array(heat.z, dtype=float)
    assert z[0].tolist() == [2.5, 0.5]
    assert np.isnan(z[1, 0]) and z[1, 1] == 1.0
    assert [list(row) for row in heat.text] == [["牵2 配1", "配1"], ["", "牵1"], ["配1", ""]]
    assert [list(row) for row in heat.customdata] == [
        ["T01,T02,T03", "T05"],
        ["", "T06"],
        ["T01", ""],
    ]
    assert "牵头：T01,T02" in heat.hovertext[0][0] and "配合：T03" in heat.hovertext[0][0]
    assert NASTY_ESCAPED in heat.hovertext[2][0] and NASTY not in heat.hovertext[2][0]
    assert list(fig.layout.xaxis.ticktext) == ["S01<br>开拓创新", "S02<br>转型升级"]
    assert len(fig.data) == 1


def test_heatmap_of_a_part_says_how_much_it_shows(matrix, plan_sections):
    whole = HeatmapCells(matrix, 3, 3, 2, 2)
    fig = charts.responsibility_heatmap_figure(matrix, plan_sections, "zh", part_of=whole)
    assert title(fig) == "责任单位 × 分节 责任分布（按加权工作量着色）"
    part = HeatmapCells(matrix, 3, 313, 2, 303)
    fig = charts.responsibility_heatmap_figure(matrix, plan_sections, "zh", part_of=part)
    assert title(fig).endswith("：负荷最重的 3/313 个单位，2/303 个分节")
    fig = charts.responsibility_heatmap_figure(matrix, plan_sections, "en", part_of=part)
    assert title(fig).endswith(": heaviest 3 of 313 units, 2 of 303 sections")


def test_heatmap_orders_units_by_their_load_over_all_sections(matrix, plan_sections):
    # 市环保局 carries less in the sections drawn but more over all of them: it goes first
    totals = matrix.assign(
        unit_load=matrix["unit"].map({"市财政局": 3.0, NASTY: 0.5, "市环保局": 9.0})
    )
    fig = charts.responsibility_heatmap_figure(totals, plan_sections, "zh")
    assert list(fig.data[0].y) == ["市环保局", "市财政局", NASTY_ESCAPED]


def test_heatmap_by_status_in_english(matrix, plan_sections):
    fig = charts.responsibility_heatmap_figure(matrix, plan_sections, "en", "status")
    heat = fig.data[0]
    assert title(fig) == "Responsibilities by unit and section (colour: worst status)"
    z = np.array(heat.z, dtype=float)
    assert z[0].tolist() == [1.0, 5.0]  # behind, met (ranks in STATUS_ORDER)
    assert list(heat.text[0]) == ["L2 P1", "P1"]
    assert (heat.zmin, heat.zmax, heat.showscale) == (-0.5, 5.5, False)
    assert heat.colorscale[2][1] == STATUS_COLORS["behind"]
    assert [t.name for t in fig.data[1:]] == ["Behind", "Watch", "On track", "Met"]
    assert fig.layout.legend.title.text == "Cell colour = worst status:"
    with pytest.raises(ValueError, match="colour"):
        charts.responsibility_heatmap_figure(matrix, plan_sections, "en", "colour")


# --- empty frames, purity, the real plan ---------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "zh_title"),
    [
        (lambda f, lang: charts.completion_by_section_figure(f, lang), "各分节完成度"),
        (lambda f, lang: charts.status_distribution_figure(f, lang), "指标状态分布"),
        (lambda f, lang: charts.completion_trend_figure(f, lang), "完成度走势"),
        (lambda f, lang: charts.unit_workload_figure(f, lang), "责任单位任务量"),
        (
            lambda f, lang: charts.responsibility_heatmap_figure(f, pd.DataFrame(), lang),
            "责任单位 × 分节 责任分布（按加权工作量着色）",
        ),
    ],
)
def test_empty_frames_give_a_titled_no_data_figure(build, zh_title):
    empty = pd.DataFrame()
    zh, en = build(empty, "zh"), build(empty, "en")
    assert title(zh) == zh_title and title(en)
    assert zh.layout.annotations[0].text == "暂无数据"
    assert en.layout.annotations[0].text == "No data"
    assert not zh.data


def test_charts_do_not_change_their_inputs(sections, workload, matrix, plan_sections):
    frames = [sections, workload, matrix, plan_sections]
    before = [f.copy(deep=True) for f in frames]
    charts.completion_by_section_figure(sections, "zh")
    charts.unit_workload_figure(workload, "zh", top=5)
    charts.responsibility_heatmap_figure(matrix, plan_sections, "zh", "status")
    for frame, copy in zip(frames, before, strict=True):
        assert_frame_equal(frame, copy)


def test_every_chart_builds_on_the_real_plan():
    plan = load_plan(REPO / "data" / "tasks_2014.yaml")  # a plan that does not load fails here
    progress = pd.DataFrame(
        {
            "indicator_id": plan.indicators["indicator_id"],
            "period": "2014Q1",
            "value": plan.indicators["target"] * 0.2,
            "upload_id": 1,
        }
    )
    status = indicator_status(plan, progress, "2014Q2")
    tasks = task_completion(plan, status)
    sections = section_completion(plan, tasks)
    for lang in ("zh", "en"):
        figures = [
            charts.completion_by_section_figure(sections, lang),
            charts.status_distribution_figure(status, lang),
            charts.completion_trend_figure(completion_trend(plan, progress), lang),
            charts.unit_workload_figure(unit_workload(plan, tasks, True), lang),
            charts.responsibility_heatmap_figure(
                responsibility_matrix(plan, tasks), plan.sections, lang, "status"
            ),
        ]
        for fig in figures:
            assert title(fig) and fig.to_json()
        assert len(figures[0].data[0].y) == len(plan.sections)
