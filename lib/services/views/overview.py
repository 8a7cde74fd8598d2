"""总览 Overview: a conclusion in words, KPIs, status counts linking to the at-risk page, the
indicators most in need of follow-up, completion by section, status mix, trend, this period's
changes and the briefing deck."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from lib.core.labels import STATUS_COLORS, column_labels, status_label, tr
from lib.core.periods import periods_between
from lib.output import charts
from lib.output.briefing import briefing_deck
from lib.output.tables import indicator_rows, status_change_rows
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
from lib.status.codes import RISK_STATUSES, STATUS_ORDER
from lib.status.figures import CurrentFigures
from lib.status.indicators import at_risk_indicators
from lib.status.replies import supervision_by_indicator
from lib.status.rollups import overall_summary

KPI_SLOTS = 5  # tasks, indicators, completion, expected, at risk: one row
# their relative widths: completion's delta says what it is compared with, in one line
KPI_WIDTHS = (1.0, 1.0, 1.8, 1.0, 1.4)
TOP_RISK_ROWS = 6  # what fits under the conclusion on a 1280x800 screen
# what a leader acts on: who, how bad, by when and why
TOP_RISK_KEYS = ["name", "lead_unit", "status_label", "deadline", "reason"]
# Widths (px) that add up to the 820 px the page has on a 1280 px screen with the sidebar
# open, so no column runs past the edge; name and reason wrap onto a second line (a wider
# screen stretches every column in proportion).
TOP_RISK_WIDTHS = {"name": 220, "lead_unit": 160, "status_label": 80, "deadline": 95}
TOP_RISK_WIDTHS |= {"reason": 240}
TOP_RISK_ROW_HEIGHT = 65  # two lines: the grid wraps cell text only in rows above 4rem (64 px)
BEHIND = ("overdue", "behind")  # what the conclusion counts as behind
CONCLUSION_SECTIONS = 3  # sections named in the conclusion, most behind tasks first


@dataclass(frozen=True)
class StatusCount:
    """Indicators of one status in view, in the status's colour; `link` is the at-risk page's
    `statuses` query value that lists them (None: a status the at-risk page does not list)."""

    status: str
    label: str
    count: int
    color: str
    link: str | None
    text_color: str = "#000000"  # of its text on `color` (lib.output.charts.ink_on)


@dataclass(frozen=True)
class OverviewBody:
    """What the overview shows once there are figures and tasks in view."""

    conclusion: str  # one sentence in words: how many tasks are behind, and where
    kpis: tuple[Kpi, ...]  # completion, expected, at risk: slots 3-5 of the KPI row
    status_counts: tuple[StatusCount, ...]  # one per status, worst first
    top_risks_heading: str
    top_risks: TableView | None  # the worst indicators first (None: `top_risks_note`)
    top_risks_note: str | None
    all_risks_link: str  # the link text to the at-risk page with all of them
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
    kpi_widths: tuple[float, ...] = KPI_WIDTHS  # one per slot


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
    risks = at_risk_indicators(status)
    kpis = (
        Kpi(
            tr("kpi_completion", lang),
            percent(summary["completion"]),
            tr("kpi_gap_delta", lang, gap=f"{gap_points:+.1f}"),
        ),
        Kpi(tr("kpi_expected", lang), percent(summary["expected"])),
        Kpi(tr("kpi_at_risk", lang), len(risks)),
    )
    counts = summary["counts"]
    status_counts = tuple(
        StatusCount(
            s,
            status_label(s, lang),
            int(counts.get(s, 0)),
            STATUS_COLORS[s],
            s if s in RISK_STATUSES else None,
            charts.ink_on(STATUS_COLORS[s]),
        )
        for s in STATUS_ORDER
    )
    stamp = chart_stamp(plan, status, as_of, lang, sample_in_use)
    note, changes_table = _changes(plan, status, changes, as_of, lang)
    top = risks.head(TOP_RISK_ROWS)
    body = OverviewBody(
        conclusion=conclusion(plan, status, tasks, lang),
        kpis=kpis,
        status_counts=status_counts,
        top_risks_heading=tr("top_risks", lang),
        top_risks=None if top.empty else _top_risks_table(top, plan, lang),
        top_risks_note=tr("no_risks", lang) if top.empty else None,
        all_risks_link=tr("top_risks_all", lang, n=len(risks)),
        section_chart=ChartView(
            charts.completion_by_section_figure(sections, lang, plan.thresholds),
            "completion_by_section",
            stamp,
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


def conclusion(plan: Plan, status: pd.DataFrame, tasks: pd.DataFrame, lang: str) -> str:
    """One sentence from the statuses in view: how many tasks are behind or overdue and in
    which sections most of them are, then how many indicators have no report or are on
    watch, e.g. "39 项任务中 6 项落后或逾期，主要在 S01 开拓创新（2 项）…；73 项指标中 2 项
    未报送、12 项需关注。" Every number is a count of `status` or `tasks` rows."""
    behind = tasks[tasks["status"].isin(BEHIND)]
    if behind.empty:
        first = tr("conclusion_none_behind", lang, tasks=len(tasks))
    else:
        per_section = behind["section_id"].value_counts(sort=False)
        order = {s: i for i, s in enumerate(plan.sections["section_id"])}
        ranked = sorted(per_section.items(), key=lambda item: (-item[1], order.get(item[0], 0)))
        titles = dict(zip(plan.sections["section_id"], plan.sections["title"], strict=True))
        where = ("、" if lang == "zh" else ", ").join(
            tr("conclusion_section", lang, section=f"{s} {charts.short_title(titles[s])}", n=n)
            for s, n in ranked[:CONCLUSION_SECTIONS]
        )
        first = tr("conclusion_behind", lang, tasks=len(tasks), n=len(behind), where=where)
    counts = status["status"].value_counts()
    parts = [
        tr(key, lang, n=int(counts[s]))
        for s, key in (("no_report", "conclusion_no_report"), ("watch", "conclusion_watch"))
        if counts.get(s, 0)
    ]
    if not parts:
        return first + ("。" if lang == "zh" else ".")
    joined = ("、" if lang == "zh" else " and ").join(parts)
    second = tr("conclusion_indicators", lang, indicators=len(status), parts=joined)
    return f"{first}；{second}。" if lang == "zh" else f"{first}; {second}."


def _top_risks_table(top: pd.DataFrame, plan: Plan, lang: str) -> TableView:
    """The worst indicators with lead unit, status, deadline and reason, in columns that fit
    a 1280 px screen, name and reason wrapped onto two lines, so that the whole of each
    row is on the first screen."""
    rows = indicator_rows(top, plan, lang)
    shown = table_view(rows, TOP_RISK_KEYS, lang, key="top_risks")
    headings = column_labels(TOP_RISK_KEYS, lang)
    return replace(
        shown,
        wrapped_columns=(headings["reason"],),  # (every text wraps in rows this tall)
        row_height=TOP_RISK_ROW_HEIGHT,
        column_widths={headings[key]: width for key, width in TOP_RISK_WIDTHS.items()},
    )


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
