"""总览 Overview: KPIs, completion by section, status mix, trend, this period's changes and the
briefing deck."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from lib.core.labels import status_label, tr
from lib.core.periods import periods_between
from lib.output import charts
from lib.output.briefing import briefing_deck
from lib.output.tables import status_change_rows
from lib.plan.model import Plan
from lib.services.views.elements import (
    PPTX_MIME,
    ChartView,
    Download,
    Kpi,
    TableView,
    chart_stamp,
    percent,
    table_view,
)
from lib.status.codes import STATUS_ORDER
from lib.status.figures import CurrentFigures
from lib.status.indicators import at_risk_indicators
from lib.status.replies import supervision_by_indicator
from lib.status.rollups import overall_summary

KPI_SLOTS = 5  # tasks, indicators, completion, expected, at risk: one row


@dataclass(frozen=True)
class OverviewBody:
    """What the overview shows once there are figures and tasks in view."""

    kpis: tuple[Kpi, ...]  # completion, expected, at risk: slots 3-5 of the KPI row
    status_counts: tuple[Kpi, ...]  # one per status, worst first
    section_chart: ChartView
    status_chart: ChartView
    trend_chart: ChartView
    changes_heading: str
    changes_note: str | None  # said instead of the changes table
    changes_table: TableView | None
    briefing: Download


@dataclass(frozen=True)
class OverviewView:
    """The KPI row's first two values, and the rest of the page (None: nothing to show)."""

    kpi_slots: int
    headline: tuple[Kpi, ...]  # tasks, indicators: shown even without figures
    notice: str | None  # shown instead of the body when no task is in view
    body: OverviewBody | None


def overview_view(
    plan: Plan,
    status: pd.DataFrame,
    tasks: pd.DataFrame,
    sections: pd.DataFrame,
    figures: CurrentFigures,
    *,
    trend: Callable[[], pd.DataFrame],
    changes: Callable[[], pd.DataFrame],
    as_of: str,
    lang: str,
    sample_in_use: bool,
    made_on: date,
    trail: pd.DataFrame | None = None,
    figures_note: str = "",
) -> OverviewView:
    """The overview of the tasks in view. `trend` and `changes` (completion per period, and
    the statuses changed since the previous period, for the whole plan) are asked for only
    when the page shows them. The deck's at-risk slides show the replies to the 督办单 of
    `trail` (lib/store/trail.py rows; None: no reply column), overdue as of `made_on`; its
    sources slide says which figures it counts (`figures_note`, e.g. confirmed only)."""
    summary = overall_summary(status, tasks)
    headline = (
        Kpi(tr("kpi_tasks", lang), summary["task_count"]),
        Kpi(tr("kpi_indicators", lang), summary["indicator_count"]),
    )
    if figures.frame.empty:
        return OverviewView(KPI_SLOTS, headline, None, None)
    if status.empty:
        return OverviewView(KPI_SLOTS, headline, tr("empty_scope", lang), None)

    gap_points = (summary["completion"] - summary["expected"]) * 100
    kpis = (
        Kpi(tr("kpi_completion", lang), percent(summary["completion"]), f"{gap_points:+.1f}"),
        Kpi(tr("kpi_expected", lang), percent(summary["expected"])),
        Kpi(tr("kpi_at_risk", lang), len(at_risk_indicators(status))),
    )
    counts = summary["counts"]
    status_counts = tuple(Kpi(status_label(s, lang), int(counts.get(s, 0))) for s in STATUS_ORDER)
    stamp = chart_stamp(plan, status, as_of, lang, sample_in_use)
    note, changes_table = _changes(plan, status, changes, as_of, lang)
    body = OverviewBody(
        kpis=kpis,
        status_counts=status_counts,
        section_chart=ChartView(
            charts.completion_by_section_figure(sections, lang), "completion_by_section", stamp
        ),
        status_chart=ChartView(
            charts.status_distribution_figure(status, lang), "status_distribution", stamp
        ),
        trend_chart=ChartView(
            charts.completion_trend_figure(trend(), lang), "completion_trend", stamp
        ),
        changes_heading=tr("status_changes", lang),
        changes_note=note,
        changes_table=changes_table,
        briefing=Download(
            tr("brief_pptx", lang),
            lambda: briefing_deck(
                plan,
                figures,
                as_of,
                made_on=made_on,
                lang=lang,
                sample=sample_in_use,
                replies=None if trail is None else supervision_by_indicator(trail, as_of, made_on),
                figures_note=figures_note,
            ),
            file_name=f"briefing_{as_of}.pptx",
            mime=PPTX_MIME,
            key="brief_pptx",
            icon=":material/slideshow:",
            rerun_on_click=False,
        ),
    )
    return OverviewView(KPI_SLOTS, headline, None, body)


def _changes(
    plan: Plan,
    status: pd.DataFrame,
    changes: Callable[[], pd.DataFrame],
    as_of: str,
    lang: str,
) -> tuple[str | None, TableView | None]:
    """The note or the table of indicators in view whose status changed this period."""
    if as_of == periods_between(plan.meta.period_start, plan.meta.period_end)[0]:
        return tr("no_previous", lang), None
    changed = changes()
    # object dtype: pandas 3's str isin converts each of 30,000 ids on its own (160 ms)
    changed = changed[
        changed["indicator_id"].astype(object).isin(status["indicator_id"].astype(object))
    ]
    if changed.empty:
        return tr("no_status_changes", lang), None
    rows = status_change_rows(changed, lang)
    keys = ["indicator_id", "name", "previous_status_label", "status_label"]
    return None, table_view(rows, keys, lang, key="changes")
