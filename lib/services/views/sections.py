"""分项进展 Sections: each section's tasks with completion bars, and one task in full."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.core.labels import RESPONSIBILITY_ROLES, pick, tr
from lib.output import charts
from lib.output.tables import indicator_rows, task_rows
from lib.plan.model import Plan
from lib.services.views.elements import (
    ChartView,
    Choices,
    TableView,
    chart_stamp,
    percent,
    table_view,
)

# A city's plan has about ten sections, each opened on its own; beyond this many sections
# (a province's plan has hundreds) the tasks go into one table with a section column.
SECTION_EXPANDERS_MAX = 20

TASK_KEYS = ["task_id", "title", "lead_unit", "indicator_count", "completion_pct", "status_label"]
DETAIL_KEYS = [
    "indicator_id", "name", "target", "unit", "value", "value_period", "progress_pct",
    "expected_pct", "status_label", "note", "reason", "deadline", "source", "upload_id",
]  # fmt: skip


# Each view returns its own frozen record of what its page shows; the records of other views
# (risks.py) share their shape, not their fields, so each stays its own type.
@dataclass(frozen=True)
class SectionPart:
    """One section opened on its own: its label and its tasks."""

    label: str
    expanded: bool
    tasks: TableView


@dataclass(frozen=True)
class TaskDetailView:
    """One task in full: its text, its units (lead starred) and its indicators."""

    heading: str
    choice_label: str
    choices: Choices  # every task in view; `default` is the one shown
    text_label: str
    text: str
    units_label: str
    units_text: str
    indicators_label: str
    indicators: TableView


@dataclass(frozen=True)
class SectionsView:
    """Sections of the tasks in view, or the notice that no task is in view."""

    notice: str | None
    chart: ChartView | None  # None without figures
    section_parts: tuple[SectionPart, ...]  # one per section, when there are few
    all_tasks_heading: str | None  # with many sections: one table of every task
    all_tasks: TableView | None
    detail: TaskDetailView | None


def sections_view(
    plan: Plan,
    status: pd.DataFrame,
    tasks: pd.DataFrame,
    sections: pd.DataFrame,
    *,
    has_figures: bool,
    requested_task: str | None,
    as_of: str | None,
    lang: str,
    sample_in_use: bool,
) -> SectionsView:
    """Sections and tasks in view; the detail of `requested_task` (the URL's ?task=) when it
    is in view, else of the first task."""
    if tasks.empty:
        return SectionsView(
            notice=tr("empty_scope", lang), chart=None, section_parts=(),
            all_tasks_heading=None, all_tasks=None, detail=None,
        )  # fmt: skip
    chart = None
    if has_figures:
        stamp = chart_stamp(plan, status, as_of, lang, sample_in_use)
        chart = ChartView(
            charts.completion_by_section_figure(sections, lang), "sections_chart", stamp
        )
    rows = task_rows(tasks, lang)
    parts: tuple[SectionPart, ...] = ()
    heading, everything = None, None
    if len(sections) <= SECTION_EXPANDERS_MAX:
        rows_by_section = dict(list(rows.groupby("section_id", sort=False)))
        parts = tuple(
            SectionPart(
                label=f"{section.section_id} {section.title} · {percent(section.completion)}",
                expanded=len(sections) == 1,
                tasks=table_view(
                    rows_by_section.get(section.section_id, rows.iloc[:0]),
                    TASK_KEYS,
                    lang,
                    key=f"tasks_{section.section_id}",
                ),
            )
            for section in sections.itertuples()
        )
    else:  # hundreds of sections: one sortable, searchable table with a section column
        heading = tr("tasks_of_sections", lang, tasks=len(rows), sections=len(sections))
        everything = table_view(rows, ["section_id", *TASK_KEYS], lang, key="tasks_all_sections")
    detail = task_detail_view(plan, status, tasks, requested_task, lang)
    return SectionsView(
        notice=None, chart=chart, section_parts=parts, all_tasks_heading=heading,
        all_tasks=everything, detail=detail,
    )  # fmt: skip


def task_detail_view(
    plan: Plan, status: pd.DataFrame, tasks: pd.DataFrame, requested_task: str | None, lang: str
) -> TaskDetailView:
    """The task chooser over `tasks` and the detail of the requested task (else the first)."""
    titles = dict(zip(tasks["task_id"], tasks["title"], strict=True))
    task_id = requested_task if requested_task in titles else next(iter(titles))
    task = plan.tasks.set_index("task_id").loc[task_id]
    resp = plan.responsibilities
    units = resp[resp["task_id"] == task_id].sort_values("position")
    lead = pick(RESPONSIBILITY_ROLES["lead"], lang)
    units_text = "、".join(
        f"★{u.unit}（{lead}）" if u.role == "lead" else u.unit for u in units.itertuples()
    )
    indicators = indicator_rows(status[status["task_id"] == task_id], plan, lang)
    return TaskDetailView(
        heading=tr("task_detail", lang),
        choice_label=tr("choose_task", lang),
        choices=Choices(tuple(titles), {t: f"{t} {title}" for t, title in titles.items()}, task_id),
        text_label=tr("task_text", lang),
        text=task["text"],
        units_label=tr("units_label", lang),
        units_text=units_text,
        indicators_label=tr("indicators_label", lang),
        indicators=table_view(indicators, DETAIL_KEYS, lang, key="task_indicators"),
    )
