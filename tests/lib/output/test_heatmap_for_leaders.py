"""The responsibility heatmap as a leader reads it, on the real 2014 plan: rows grouped by
kind of unit (generic names last, set apart), the worst rows first within each group, and
text that stays legible on the page and on a slide."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from lib.output import charts
from lib.output.images import slide_figure
from lib.plan.loader import load_plan
from lib.plan.model import Plan
from lib.status.codes import RISK_STATUSES, STATUS_RANK
from tests.support import mixed_status_matrix

REPO = Path(__file__).resolve().parents[3]
ZH_GROUPS = ["市直部门", "县(市、区)", "驻肇单位", "牵头部门泛称"]
EN_GROUPS = [
    "Municipal departments",
    "Counties and districts",
    "Central and provincial agencies",
    "Generic lead units",
]
PLACEHOLDERS = {"各指标监测落实部门", "各项目牵头部门"}


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(REPO / "data" / "tasks_2014.yaml")


@pytest.fixture(scope="module")
def matrix(plan: Plan) -> pd.DataFrame:
    """The whole plan's matrix at 2014Q2 with a mix of statuses (tests.support)."""
    return mixed_status_matrix(plan)


def heading_rows(fig: go.Figure) -> list[tuple[int, str]]:
    return [(i, y) for i, y in enumerate(fig.data[0].y) if y.startswith("<b>")]


def groups_of_rows(fig: go.Figure) -> dict[str, list[str]]:
    """Heading text -> the units under it, in row order."""
    groups: dict[str, list[str]] = {}
    current = None
    for y in fig.data[0].y:
        if y.startswith("<b>"):
            current = y.removeprefix("<b>").removesuffix("</b>")
            groups[current] = []
        else:
            groups[current].append(y)
    return groups


def risk_keys(matrix: pd.DataFrame) -> pd.DataFrame:
    """Per unit: worst status rank, cells at risk, total load (the order's three keys)."""
    return (
        matrix.assign(
            rank=matrix["worst_status"].map(STATUS_RANK),
            risk=matrix["worst_status"].isin(RISK_STATUSES),
        )
        .groupby("unit")
        .agg(rank=("rank", "min"), risk=("risk", "sum"), load=("unit_load", "first"))
    )


def test_units_fall_in_the_row_group_of_their_kind(plan):
    groups = charts.heatmap_row_groups(plan)
    assert set(groups) == set(plan.units["unit"])
    assert {groups[u] for u in ("市编办", "市委宣传部", "市财政局")} == {"municipal"}
    assert {groups[u] for u in ("怀集县政府", "端州区政府", "肇庆新区管委会")} == {"county"}
    assert {groups[u] for u in ("市国税局", "肇庆海关", "市公路局")} == {"central"}
    # a group of counties goes with the counties; a generic name has no members
    assert groups["各县(市、区)政府"] == groups["各县(市)政府"] == "county"
    assert {groups[u] for u in PLACEHOLDERS} == {"generic"}


@pytest.mark.parametrize(("lang", "names"), [("zh", ZH_GROUPS), ("en", EN_GROUPS)])
def test_groups_in_order_with_generic_names_last_and_ruled_apart(plan, matrix, lang, names):
    fig = charts.responsibility_heatmap_figure(
        matrix, plan.sections, lang, "status", row_groups=charts.heatmap_row_groups(plan)
    )
    headings = heading_rows(fig)
    assert [text for _, text in headings] == [f"<b>{name}</b>" for name in names]
    assert headings[0][0] == 0
    groups = groups_of_rows(fig)
    assert set(groups[names[-1]]) == PLACEHOLDERS & set(matrix["unit"])
    assert "各县(市、区)政府" in groups[names[1]] and "肇庆海关" in groups[names[2]]
    units = [u for members in groups.values() for u in members]
    assert sorted(units) == sorted(matrix["unit"].unique())  # every unit once
    # a rule above every group but the first
    rules = [s for s in fig.layout.shapes if s.type == "line"]
    assert [(s.y0, s.y1, s.xref, s.x0, s.x1) for s in rules] == [
        (at - 0.5, at - 0.5, "paper", 0, 1) for at, _ in headings[1:]
    ]
    # heading rows have no cells: nothing to colour, read, hover or click
    heat = fig.data[0]
    for at, _ in headings:
        assert np.isnan(np.array(heat.z[at], dtype=float)).all()
        assert set(heat.text[at]) == set(heat.customdata[at]) == set(heat.hovertext[at]) == {""}


def test_worst_rows_first_within_each_group(plan, matrix):
    fig = charts.responsibility_heatmap_figure(
        matrix, plan.sections, "zh", "status", row_groups=charts.heatmap_row_groups(plan)
    )
    keys = risk_keys(matrix)
    groups = groups_of_rows(fig)
    for members in groups.values():
        ordered = [(keys.at[u, "rank"], -keys.at[u, "risk"], -keys.at[u, "load"]) for u in members]
        assert ordered == sorted(ordered)
    municipal = groups["市直部门"]
    assert keys.loc[municipal, "rank"].iloc[0] == keys.loc[municipal, "rank"].min()
    # the first row of the first group is one of the worst of its group
    assert len(set(keys.loc[municipal, "rank"])) > 1  # the order is not vacuous
    # the cells follow their rows: the first unit's worst cell is its worst status
    first = fig.data[0].y.index(municipal[0])
    assert np.nanmin(np.array(fig.data[0].z[first], dtype=float)) == keys.at[municipal[0], "rank"]


def test_by_load_groups_too_and_keeps_the_heaviest_first(plan, matrix):
    fig = charts.responsibility_heatmap_figure(
        matrix, plan.sections, "zh", "load", row_groups=charts.heatmap_row_groups(plan)
    )
    keys = risk_keys(matrix)
    groups = groups_of_rows(fig)
    assert list(groups) == ZH_GROUPS
    for members in groups.values():
        loads = [keys.at[u, "load"] for u in members]
        assert loads == sorted(loads, reverse=True)


def test_without_groups_or_with_one_group_there_are_no_headings(plan, matrix):
    # the deck's parts come without groups: by risk over all units
    fig = charts.responsibility_heatmap_figure(matrix, plan.sections, "zh", "status")
    assert not heading_rows(fig) and not fig.layout.shapes
    keys = risk_keys(matrix)
    ordered = [
        (keys.at[u, "rank"], -keys.at[u, "risk"], -keys.at[u, "load"]) for u in fig.data[0].y
    ]
    assert ordered == sorted(ordered)
    municipal = [u for u, g in charts.heatmap_row_groups(plan).items() if g == "municipal"]
    part = matrix[matrix["unit"].isin(municipal)]
    one = charts.responsibility_heatmap_figure(
        part, plan.sections, "zh", "status", row_groups=charts.heatmap_row_groups(plan)
    )
    assert not heading_rows(one) and set(one.data[0].y) == set(part["unit"])


def test_text_is_at_least_14_px_on_the_page_and_on_a_slide(plan, matrix):
    groups = charts.heatmap_row_groups(plan)
    page = charts.responsibility_heatmap_figure(
        matrix, plan.sections, "zh", "status", row_groups=groups
    )
    assert page.data[0].textfont.size >= 14
    assert page.layout.xaxis.tickfont.size >= 14 and page.layout.yaxis.tickfont.size >= 14
    # a deck slide's part (the deck splits as the slide images do) on a 1920x1080 image
    for part in charts.responsibility_heatmap_parts(
        matrix, plan.sections, "zh", "status", row_groups=groups
    ):
        slide = slide_figure(part, as_of_label="2014Q2", source_line="", lang="zh", bare=True)
        assert slide.data[0].textfont.size >= 14
        assert slide.layout.xaxis.tickfont.size >= 14 and slide.layout.yaxis.tickfont.size >= 14
