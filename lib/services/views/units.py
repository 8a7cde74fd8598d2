"""责任单位 Units: workload table, unit x section responsibility heatmap, a unit's scorecard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from lib.core.labels import column_labels, tr
from lib.output import charts
from lib.output.tables import unit_task_rows, workload_rows
from lib.plan.model import Plan
from lib.services.views.elements import (
    ChartView,
    Choices,
    Kpi,
    TableView,
    chart_stamp,
    table_view,
)
from lib.status.units import heaviest_heatmap_cells, responsibility_matrix, unit_workload

# Units in the heatmap: the heaviest first. 60 shows every unit of a city's plan (the 2014
# plan names 55); a province's hundreds of units x sections need a part at a time.
HEATMAP_UNIT_CHOICES = (60, 30, 120, 0)  # 0: every unit
HEATMAP_MAX_SECTIONS = 40
COLOR_BY_CHOICES = ("load", "status")
SCORECARD_KEYS = ["task_id", "title", "role_label", "completion_pct", "expected_pct"]
SCORECARD_KEYS += ["status_label"]


@dataclass(frozen=True)
class UnitsControls:
    """The heatmap's options, shown above it: colour, how many units, expand groups."""

    notice: str | None  # shown instead of the page when no task is in view
    color_label: str
    color_by: Choices
    units_label: str
    units: Choices
    expand_label: str


@dataclass(frozen=True)
class ScorecardView:
    """One unit's counts and the tasks it answers for, with its role in each."""

    kpis: tuple[Kpi, ...]
    tasks: TableView


@dataclass(frozen=True, eq=False)
class UnitsView:
    """Heatmap, workload chart and table, and the units a scorecard can be shown for."""

    heatmap: ChartView
    heatmap_note: str | None  # says what the heatmap leaves out
    workload_chart: ChartView
    workload_heading: str
    workload_table: TableView
    scorecard_heading: str
    unit_label: str
    units: tuple[str, ...]  # heaviest load first
    scorecard: Callable[[str], ScorecardView]  # of one of `units`


def units_controls(tasks: pd.DataFrame, lang: str) -> UnitsControls:
    """Labels and choices of the heatmap's options, or the notice that no task is in view."""
    return UnitsControls(
        notice=tr("empty_scope", lang) if tasks.empty else None,
        color_label=tr("heatmap_color", lang),
        color_by=Choices(
            COLOR_BY_CHOICES,
            {"load": tr("color_load", lang), "status": tr("color_status", lang)},
            "load",
        ),
        units_label=tr("heatmap_units", lang),
        units=Choices(
            HEATMAP_UNIT_CHOICES,
            {n: str(n) if n else tr("all_units", lang) for n in HEATMAP_UNIT_CHOICES},
            HEATMAP_UNIT_CHOICES[0],
        ),
        expand_label=tr("expand_groups", lang),
    )


def units_view(
    plan: Plan,
    status: pd.DataFrame,
    tasks: pd.DataFrame,
    *,
    color_by: str | None,
    max_units: int | None,
    expand_groups: bool,
    as_of: str | None,
    lang: str,
    sample_in_use: bool,
) -> UnitsView:
    """The units of the tasks in view (at least one task). `color_by` None (nothing chosen)
    colours by load; `max_units` 0 or None draws every unit."""
    matrix = responsibility_matrix(plan, tasks, expand_groups=expand_groups)
    cells = heaviest_heatmap_cells(matrix, max_units or None, HEATMAP_MAX_SECTIONS)
    stamp = chart_stamp(plan, status, as_of, lang, sample_in_use)
    heatmap = charts.responsibility_heatmap_figure(
        cells.matrix, plan.sections, lang, color_by or "load", part_of=cells
    )
    workload = unit_workload(plan, tasks, expand_groups=expand_groups)
    rows = workload_rows(workload, lang)
    return UnitsView(
        heatmap=ChartView(heatmap, "responsibility_heatmap", stamp),
        heatmap_note=tr("heatmap_part_note", lang, **cells.counts()) if cells.is_partial else None,
        workload_chart=ChartView(
            charts.unit_workload_figure(workload, lang), "unit_workload", stamp
        ),
        workload_heading=tr("workload_table", lang),
        workload_table=table_view(rows, list(rows.columns), lang, key="workload"),
        scorecard_heading=tr("scorecard", lang),
        unit_label=tr("choose_unit", lang),
        units=tuple(workload["unit"]),
        scorecard=lambda unit: _scorecard(plan, tasks, workload, unit, lang),
    )


def _scorecard(
    plan: Plan, tasks: pd.DataFrame, workload: pd.DataFrame, unit: str, lang: str
) -> ScorecardView:
    card = workload.set_index("unit").loc[unit]
    labels = column_labels(
        ["tasks_led", "tasks_partner", "weighted_load", "tasks_behind_or_overdue"], lang
    )
    kpis = (
        Kpi(labels["tasks_led"], int(card["tasks_led"])),
        Kpi(labels["tasks_partner"], int(card["tasks_partner"])),
        Kpi(labels["weighted_load"], f"{card['weighted_load']:g}"),
        Kpi(labels["tasks_behind_or_overdue"], int(card["tasks_behind_or_overdue"])),
    )
    rows = unit_task_rows(plan, tasks, unit, lang)
    return ScorecardView(kpis, table_view(rows, SCORECARD_KEYS, lang, key="scorecard_tasks"))
