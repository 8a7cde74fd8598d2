"""Presentation view: what each fixed 16:9 panel shows (lib/ui/present.py draws them).

A panel is one slide of a meeting, 1280x720 on screen: a title, the 数据截至 stamp, the
source line (the plan's document number, the upload batches, and 示例数据 whenever the
sample figures are in use, so invented figures are never shown as real), and no widgets.
Three kinds: the overview's KPIs and completion by section; the indicators needing
follow-up, a page of rows at a time; the units most at risk by section, or the scorecard of
the unit chosen in the URL (`?unit=`). Each panel holds only what fits its frame and says
what it leaves out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd
import plotly.graph_objects as go

from lib.core.labels import STATUS_LABELS, pick, tr
from lib.output import charts
from lib.output.tables import indicator_rows
from lib.plan.model import Plan
from lib.services.views.elements import Kpi, TableView, chart_stamp, table_view
from lib.services.views.overview import OverviewView, StatusCount
from lib.services.views.risks import risk_controls
from lib.services.views.units import units_view
from lib.status.codes import STATUS_ORDER
from lib.status.indicators import at_risk_indicators
from lib.status.units import HeatmapCells, responsibility_matrix

PANEL_WIDTH, PANEL_HEIGHT = 1280, 720  # px: a 13.33 in slide at 96 dpi
# Chart heights (px) that leave room in a panel for its title, stamp, source line and,
# on the overview panel, the conclusion, the KPI row and the status counts.
SECTION_CHART_HEIGHT = 330
HEATMAP_HEIGHT = 530
RISK_ROWS = 8  # rows of up to two lines each under the panel's heading, at 19 px text
SCORECARD_ROWS = 10  # one-line task rows under the unit's KPI row
HEATMAP_UNITS = 16  # 14 px rows and their group headings in HEATMAP_HEIGHT
RISK_KEYS = ["indicator_id", "name", "lead_unit", "status_label", "deadline", "reason"]
# the units page's own heatmap colouring, rows in groups and by risk (lib.output.charts)
HEATMAP_COLOR_BY = "status"


@dataclass(frozen=True)
class PanelHead:
    """What every panel carries: `key` names its element (present-panel-<key>)."""

    key: str
    title: str
    stamp: str  # '数据截至 2014年第三季度', and which figures count where confirmation applies
    source: str  # '来源：肇府办〔2014〕9号；数据批次 #1–#3；示例数据，非真实统计'
    sample: str | None  # '示例数据，非真实统计' when the sample figures are in use


@dataclass(frozen=True, eq=False)
class OverviewPanel:
    """KPIs, the status counts and completion by section."""

    head: PanelHead
    conclusion: str
    kpis: tuple[Kpi, ...]
    status_counts: tuple[StatusCount, ...]
    section_chart: go.Figure


@dataclass(frozen=True, eq=False)
class TablePanel:
    """Rows as a table (at-risk indicators, or a unit's tasks) under an optional KPI row;
    `note` says what is left out, or is said instead of an empty table."""

    head: PanelHead
    table: TableView | None
    kpis: tuple[Kpi, ...] = ()
    note: str | None = None


@dataclass(frozen=True, eq=False)
class ChartPanel:
    """One chart filling the panel; `note` says what it leaves out."""

    head: PanelHead
    figure: go.Figure
    note: str | None = None


Panel = OverviewPanel | TablePanel | ChartPanel


def panel_head(
    key: str,
    title: str,
    plan: Plan,
    status: pd.DataFrame,
    *,
    as_of: str | None,
    lang: str,
    sample_in_use: bool,
    figures_note: str = "",
) -> PanelHead:
    """Title, stamp and source line of a panel on the figures of `status` (their upload
    batches); `figures_note` (which figures count, e.g. confirmed only) joins the stamp."""
    stamp = chart_stamp(plan, status, as_of, lang, sample_in_use)
    when = tr("as_of_banner", lang, period=stamp.as_of_label)
    return PanelHead(
        key=key,
        title=title,
        stamp=f"{when} · {figures_note}" if figures_note else when,
        source=stamp.source_line,
        sample=tr("present_sample", lang) if sample_in_use else None,
    )


def overview_panel(view: OverviewView, head: PanelHead) -> OverviewPanel | None:
    """The overview's conclusion, KPI row, status counts and section chart, the chart sized
    for the panel without its own title (the panel's says it); None without figures."""
    body = view.body
    if body is None:
        return None
    figure = go.Figure(body.section_chart.figure)  # a copy: the page's figure stays as is
    # the pace legend under the bars, clear of the worst-status column's heading above them;
    # the bars' percentages no smaller than the axis labels
    figure.update_layout(
        title={"text": ""},
        height=SECTION_CHART_HEIGHT,
        margin={"t": 28, "b": 8, "l": 8, "r": 8},
        legend={"y": -0.1, "yanchor": "top", "title": {"side": "left"}},
        uniformtext={"minsize": 13, "mode": "show"},
    )
    figure.update_xaxes(title_text="")
    return OverviewPanel(
        head=head,
        conclusion=body.conclusion,
        kpis=(*view.headline, *body.kpis),
        status_counts=body.status_counts,
        section_chart=figure,
    )


def risk_panels(
    plan: Plan,
    status: pd.DataFrame,
    head: PanelHead,
    *,
    lang: str,
    statuses: str | None = None,
    pages: int | None = None,
) -> tuple[TablePanel, ...]:
    """The indicators needing follow-up whose status is one of `statuses` (the at-risk
    page's `statuses` query value; None: every risk status), worst first, RISK_ROWS a
    panel, at most `pages` panels (None: all), the last saying how many are left out; one
    panel saying so when none needs follow-up. Panel keys are `head.key`-1, -2, …"""
    chosen = risk_controls(lang, statuses).statuses.default
    risks = at_risk_indicators(status)
    risks = risks[risks["status"].isin(list(chosen))].reset_index(drop=True)
    if risks.empty:
        return (TablePanel(replace(head, key=f"{head.key}-1"), None, note=tr("no_risks", lang)),)
    count = -(-len(risks) // RISK_ROWS)
    shown = count if pages is None else min(count, pages)
    rows = indicator_rows(risks.head(shown * RISK_ROWS), plan, lang)
    panels = []
    for page in range(shown):
        part = rows.iloc[page * RISK_ROWS : (page + 1) * RISK_ROWS].reset_index(drop=True)
        left_out = len(risks) - (page + 1) * RISK_ROWS
        panels.append(
            TablePanel(
                replace(
                    head,
                    key=f"{head.key}-{page + 1}",
                    title=tr("present_risks_title", lang, page=page + 1, pages=count)
                    if pages is None and count > 1
                    else head.title,
                ),
                table_view(part, RISK_KEYS, lang, key=f"present_risks_{page + 1}"),
                note=tr("present_risks_more", lang, n=left_out)
                if page == shown - 1 and left_out > 0
                else None,
            )
        )
    return tuple(panels)


def units_panel(
    plan: Plan,
    status: pd.DataFrame,
    tasks: pd.DataFrame,
    *,
    unit: str | None,
    as_of: str | None,
    lang: str,
    sample_in_use: bool,
    figures_note: str = "",
) -> ChartPanel | TablePanel:
    """The scorecard of `unit` (the URL's `unit`), or without one the heatmap of the units
    most at risk, coloured by status and grouped as the units page draws it."""

    def head(key: str, title: str) -> PanelHead:
        return panel_head(
            key, title, plan, status, as_of=as_of, lang=lang, sample_in_use=sample_in_use,
            figures_note=figures_note,
        )  # fmt: skip

    if unit is not None:
        return _scorecard_panel(plan, status, tasks, unit, head, as_of, lang, sample_in_use)
    matrix = responsibility_matrix(plan, tasks)
    cells = riskiest_heatmap_cells(matrix, HEATMAP_UNITS)
    figure = charts.responsibility_heatmap_figure(
        cells.matrix,
        plan.sections,
        lang,
        HEATMAP_COLOR_BY,
        row_groups=charts.heatmap_row_groups(plan),
    )
    title = figure.layout.title.text  # the units page's words, said once by the panel
    figure.update_layout(
        title={"text": ""}, height=HEATMAP_HEIGHT, margin={"t": 64, "b": 8, "l": 8, "r": 8}
    )
    note = tr("present_heatmap_part", lang, **cells.counts()) if cells.is_partial else None
    return ChartPanel(head("units", title), figure, note)


def riskiest_heatmap_cells(matrix: pd.DataFrame, max_units: int) -> HeatmapCells:
    """The `max_units` units the units page's status heatmap puts first (worst status,
    then most cells at risk, then load), every section of theirs."""
    # the heatmap's own row order, so the panel shows the top of the units page's grid
    units = charts.units_by_risk(matrix)[:max_units]
    rows = matrix[matrix["unit"].isin(units)].reset_index(drop=True)
    return HeatmapCells(
        matrix=rows,
        units_shown=rows["unit"].nunique(),
        units_total=matrix["unit"].nunique(),
        sections_shown=matrix["section_id"].nunique(),
        sections_total=matrix["section_id"].nunique(),
    )


def _scorecard_panel(
    plan: Plan,
    status: pd.DataFrame,
    tasks: pd.DataFrame,
    unit: str,
    head: Callable[[str, str], PanelHead],
    as_of: str | None,
    lang: str,
    sample_in_use: bool,
) -> TablePanel:
    """The units page's scorecard of `unit` under its title: its counts and its tasks,
    worst first, SCORECARD_ROWS of them (saying how many more), or why there is none."""
    if tasks.empty:
        title = tr("scorecard_of", lang, unit=unit)
        return TablePanel(
            head("units", title), None, note=tr("scorecard_no_tasks", lang, unit=unit)
        )
    view = units_view(
        plan, status, tasks, color_by=HEATMAP_COLOR_BY, max_units=None, expand_groups=False,
        as_of=as_of, lang=lang, sample_in_use=sample_in_use, chosen_unit=unit,
    )  # fmt: skip
    chosen = view.chosen
    if chosen.card is None:
        return TablePanel(head("units", chosen.title), None, note=chosen.note)
    table = chosen.card.tasks
    rank = {pick(STATUS_LABELS[s], lang): i for i, s in enumerate(STATUS_ORDER)}
    worst_first = table.frame.sort_values(
        table.status_columns[0], key=lambda labels: labels.map(rank), kind="stable"
    )
    left_out = len(worst_first) - SCORECARD_ROWS
    shown = replace(table, frame=worst_first.head(SCORECARD_ROWS).reset_index(drop=True))
    note = tr("present_scorecard_more", lang, n=left_out) if left_out > 0 else None
    return TablePanel(head("units", chosen.title), shown, kpis=chosen.card.kpis, note=note)
