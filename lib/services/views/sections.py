"""分项进展 Sections: each section's tasks with completion bars, and one task in full."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.core.labels import RESPONSIBILITY_ROLES, pick, tr
from lib.output import charts
from lib.output.tables import (
    basis_notes,
    figure_role_labels,
    indicator_rows,
    local_dates,
    task_rows,
    unit_names,
)
from lib.plan.model import Plan
from lib.plan.reporting import BREAKDOWN, HEADLINE, OTHER
from lib.services.views.elements import (
    ChartView,
    Choices,
    TableView,
    chart_stamp,
    percent,
    table_view,
    with_confirmation_key,
)

# A city's plan has about ten sections, each opened on its own; beyond this many sections
# (a province's plan has hundreds) the tasks go into one table with a section column.
SECTION_EXPANDERS_MAX = 20

TASK_KEYS = ["task_id", "title", "lead_unit", "indicator_count", "completion_pct", "status_label"]
DETAIL_KEYS = [
    "indicator_id", "name", "target", "unit", "value", "value_period", "progress_pct",
    "expected_pct", "status_label", "note", "reason", "deadline", "source", "upload_id",
]  # fmt: skip
BREAKDOWN_KEYS = [
    "indicator_id", "name", "reported_by", "role", "period", "value", "basis", "upload_date",
    "note",
]  # fmt: skip
_ROLE_ORDER = {HEADLINE: 0, BREAKDOWN: 1, OTHER: 2}


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
    # each reporting unit's latest figure per indicator (None when the figures by unit were
    # not given); `breakdown_note` is said instead of the table when there is none
    breakdown_label: str = ""
    breakdown_intro: str = ""
    breakdown: TableView | None = None
    breakdown_note: str | None = None


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
    unit_figures: pd.DataFrame | None = None,
) -> SectionsView:
    """Sections and tasks in view; the detail of `requested_task` (the URL's ?task=) when it
    is in view, else of the first task. `unit_figures`: every unit's latest figures with
    their role (a HeadlineFigures' `by_unit`), for the task's breakdown by unit."""
    if tasks.empty:
        return SectionsView(
            notice=tr("empty_scope", lang), chart=None, section_parts=(),
            all_tasks_heading=None, all_tasks=None, detail=None,
        )  # fmt: skip
    chart = None
    if has_figures:
        stamp = chart_stamp(plan, status, as_of, lang, sample_in_use)
        chart = ChartView(
            charts.completion_by_section_figure(sections, lang, plan.thresholds),
            "sections_chart",
            stamp,
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
    detail = task_detail_view(
        plan, status, tasks, requested_task, lang, unit_figures=unit_figures, as_of=as_of
    )
    return SectionsView(
        notice=None, chart=chart, section_parts=parts, all_tasks_heading=heading,
        all_tasks=everything, detail=detail,
    )  # fmt: skip


def task_detail_view(
    plan: Plan,
    status: pd.DataFrame,
    tasks: pd.DataFrame,
    requested_task: str | None,
    lang: str,
    *,
    unit_figures: pd.DataFrame | None = None,
    as_of: str | None = None,
) -> TaskDetailView:
    """The task chooser over `tasks` and the detail of the requested task (else the first),
    with its indicators' figures by reporting unit up to `as_of` when `unit_figures` (every
    unit's latest figures with their role) is given."""
    titles = dict(zip(tasks["task_id"], tasks["title"], strict=True))
    task_id = requested_task if requested_task in titles else next(iter(titles))
    task = plan.tasks.set_index("task_id").loc[task_id]
    resp = plan.responsibilities
    units = resp[resp["task_id"] == task_id].sort_values("position")
    lead = pick(RESPONSIBILITY_ROLES["lead"], lang)
    units_text = "、".join(
        f"★{u.unit}（{lead}）" if u.role == "lead" else u.unit for u in units.itertuples()
    )
    of_task = status[status["task_id"] == task_id]
    indicators = indicator_rows(of_task, plan, lang)
    breakdown, breakdown_note = None, None
    if unit_figures is not None:
        rows = breakdown_rows(plan, of_task, unit_figures, as_of, lang)
        if rows.empty:
            breakdown_note = tr("breakdown_none", lang)
        else:
            keys = (
                BREAKDOWN_KEYS
                if rows["basis"].ne("").any()
                else [key for key in BREAKDOWN_KEYS if key != "basis"]
            )
            breakdown = table_view(rows, keys, lang, key="task_breakdown")
    return TaskDetailView(
        heading=tr("task_detail", lang),
        choice_label=tr("choose_task", lang),
        choices=Choices(tuple(titles), {t: f"{t} {title}" for t, title in titles.items()}, task_id),
        text_label=tr("task_text", lang),
        text=task["text"],
        units_label=tr("units_label", lang),
        units_text=units_text,
        indicators_label=tr("indicators_label", lang),
        indicators=table_view(
            indicators, with_confirmation_key(DETAIL_KEYS, indicators), lang, key="task_indicators"
        ),
        breakdown_label=tr("breakdown_heading", lang, period=as_of or "-"),
        breakdown_intro=tr("breakdown_intro", lang),
        breakdown=breakdown,
        breakdown_note=breakdown_note,
    )


def breakdown_rows(
    plan: Plan, status: pd.DataFrame, unit_figures: pd.DataFrame, as_of: str | None, lang: str
) -> pd.DataFrame:
    """Per indicator of `status` (in its order) each reporting unit's latest figure at or
    before `as_of`: the whole-area figure first, then the areas' breakdown, then other
    units', each in registry order. Where the headline figure at `as_of` is a sum of the
    areas' figures, a row of that sum leads, its basis saying so and naming the areas
    missing. Columns: BREAKDOWN_KEYS, the role and units in words, the upload date as the
    offices' date."""
    order = {indicator: i for i, indicator in enumerate(status["indicator_id"])}
    figures = unit_figures[unit_figures["indicator_id"].isin(order) & unit_figures["value"].notna()]
    if as_of:  # canonical periods (2014Q3) sort as text
        figures = figures[figures["period"] <= as_of]
    reporters = figures["reporter"] if "reporter" in figures else pd.Series("", figures.index)
    figures = figures.assign(reporter=reporters.fillna("").astype("str"))
    figures = figures.sort_values(["period"], kind="stable")
    latest = figures.drop_duplicates(["indicator_id", "reporter"], keep="last")
    roles = latest["role"] if "role" in latest else pd.Series(HEADLINE, latest.index)
    dates = local_dates(latest["uploaded_at"]) if "uploaded_at" in latest else ""
    units = pd.DataFrame(
        {
            "indicator_id": latest["indicator_id"],
            "reported_by": unit_names(latest["reporter"], lang),
            "role_code": roles.astype("str"),
            "period": latest["period"],
            "value": latest["value"],
            "basis": "",
            "upload_date": dates,
            "note": latest["note"].fillna("") if "note" in latest else "",
            "_unit": latest["reporter"].map(registry_order(plan)).fillna(-1),
        }
    )
    sums = _sum_rows(status, figures, lang)
    parts = [frame for frame in (sums, units) if not frame.empty]
    if not parts:
        return pd.DataFrame(columns=BREAKDOWN_KEYS)
    rows = pd.concat(parts, ignore_index=True)
    names = dict(zip(status["indicator_id"], status["name"], strict=True))
    rows = rows.assign(
        name=rows["indicator_id"].map(names),
        _indicator=rows["indicator_id"].map(order),
        _role=rows["role_code"].map(_ROLE_ORDER).fillna(len(_ROLE_ORDER)),
        _unit_row=rows["basis"].eq(""),  # the sum of the areas before the units' rows
    )
    rows = rows.sort_values(["_indicator", "_unit_row", "_role", "_unit"], kind="stable")
    rows["role"] = figure_role_labels(rows["role_code"], lang)
    return rows[BREAKDOWN_KEYS].reset_index(drop=True)


def registry_order(plan: Plan) -> dict[str, int]:
    """Each registered unit's position in the registry (the order people know them in)."""
    return {unit: position for position, unit in enumerate(plan.units["unit"])}


def _sum_rows(status: pd.DataFrame, figures: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A row per indicator whose headline figure in `status` is a sum of the areas' figures:
    its value, period and basis, dated by the newest of the parts."""
    if "basis" not in status.columns:
        return pd.DataFrame()
    summed = status[status["basis"].eq("sum_of_parts") & status["value"].notna()]
    if summed.empty:
        return pd.DataFrame()
    dates = []
    for indicator, period in summed[["indicator_id", "value_period"]].itertuples(index=False):
        parts = figures[(figures["indicator_id"] == indicator) & (figures["period"] == period)]
        newest = parts["uploaded_at"].max() if "uploaded_at" in parts and len(parts) else None
        dates.append(newest)
    return pd.DataFrame(
        {
            "indicator_id": summed["indicator_id"].to_numpy(),
            "reported_by": tr("all_areas", lang),
            "role_code": HEADLINE,
            "period": summed["value_period"].to_numpy(),
            "value": summed["value"].to_numpy(),
            "basis": basis_notes(summed["basis"], summed["parts_missing"], lang).to_numpy(),
            "upload_date": local_dates(pd.Series(dates, dtype="object")).to_numpy(),
            "note": "",
            "_unit": -1,
        }
    )
