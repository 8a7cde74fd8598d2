"""Who carries the tasks in view: per unit workload (tasks led and as partner, weighted
load, lagging tasks), the unit x section responsibility matrix, and the part of it a
heatmap shows. Groups may be expanded to their members; inputs are never changed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.plan.model import Plan
from lib.status.codes import STATUS_ORDER, worst_status
from lib.status.frames import values_in

WORKLOAD_COLUMNS = [
    "unit",
    "kind",
    "tasks_led",
    "tasks_partner",
    "indicators_led",
    "weighted_load",
    "tasks_behind_or_overdue",
    "worst_status",
    "full_name",
]
MATRIX_COLUMNS = [
    "unit",
    "section_id",
    "lead_count",
    "partner_count",
    "load",
    "worst_status",
    "task_ids",
    "lead_task_ids",
    "partner_task_ids",
    "unit_load",
]


def _responsibilities(plan: Plan, tasks: pd.DataFrame, expand_groups: bool) -> pd.DataFrame:
    """Unit-task pairs for the tasks in view with each task's status and indicator count,
    in task order (plan order within a task).

    With `expand_groups`, a group with members is replaced by its members; a member named
    on the same task in its own right keeps one row with the stronger role (lead).
    Each pair finds its task by one index lookup (`get_indexer`), not one `map` per column:
    a province has 35,000 pairs.
    """
    columns = ["task_id", "section_id", "unit", "role"]
    resp = plan.responsibilities[columns]
    if expand_groups and len(plan.group_members):
        members = resp.merge(plan.group_members, left_on="unit", right_on="group")
        members = members.assign(unit=members["member"])[columns]
        direct = resp[~values_in(resp["unit"], plan.group_members["group"])]
        resp = pd.concat([direct, members], ignore_index=True)
        lead_first = resp.assign(_order=(resp["role"] != "lead").astype(int))
        resp = lead_first.sort_values("_order", kind="stable").drop_duplicates(["task_id", "unit"])
        resp = resp.drop(columns="_order")
    at = pd.Index(tasks["task_id"].astype(object)).get_indexer(resp["task_id"].astype(object))
    in_view = at >= 0
    resp, at = resp[in_view], at[in_view]
    order = np.argsort(tasks["task_no"].to_numpy()[at], kind="stable")
    resp, at = resp.take(order).reset_index(drop=True), at[order]
    task_rank = pd.Index(STATUS_ORDER).get_indexer(tasks["status"].astype(object))
    picked = tasks[["status", "indicator_count", "task_no"]].take(at).reset_index(drop=True)
    return resp.assign(
        is_lead=(resp["role"] == "lead").to_numpy(),
        status=picked["status"],
        indicator_count=picked["indicator_count"],
        _rank=task_rank[at],
        _task_no=picked["task_no"],
    )


def _registry_order(plan: Plan, units: pd.Series) -> np.ndarray:
    """Position of each unit in the plan's unit registry (unknown names last)."""
    position = pd.Index(plan.units["unit"].astype(object)).get_indexer(units.astype(object))
    return np.where(position < 0, len(plan.units), position)


def unit_workload(plan: Plan, tasks: pd.DataFrame, expand_groups: bool = False) -> pd.DataFrame:
    """Per unit with a task in view: tasks led / as partner, weighted load, lagging tasks."""
    resp = _responsibilities(plan, tasks, expand_groups)
    weights = plan.thresholds
    lagging = resp["status"].isin(["behind", "overdue"])
    grouped = resp.assign(
        _led_indicators=resp["indicator_count"].where(resp["is_lead"], 0),
        _lagging=lagging,
    ).groupby("unit", sort=False)
    load = grouped.agg(
        tasks_led=("is_lead", "sum"),
        _tasks=("task_id", "size"),
        indicators_led=("_led_indicators", "sum"),
        tasks_behind_or_overdue=("_lagging", "sum"),
        _rank=("_rank", "min"),
    ).reset_index()
    load["tasks_partner"] = load.pop("_tasks") - load["tasks_led"]
    load["weighted_load"] = (
        weights.lead_weight * load["tasks_led"] + weights.partner_weight * load["tasks_partner"]
    ).astype(float)
    load["worst_status"] = worst_status(load.pop("_rank"))
    registry = plan.units.set_index("unit")
    load["kind"] = load["unit"].map(registry["kind"])
    load["full_name"] = load["unit"].map(registry["full_name"])
    load = load.astype(
        {c: "int64" for c in ("tasks_led", "tasks_partner", "indicators_led")}
        | {"tasks_behind_or_overdue": "int64"}
    )
    load["_order"] = _registry_order(plan, load["unit"])
    load = load.sort_values(
        ["weighted_load", "tasks_led", "_order"], ascending=[False, False, True], kind="stable"
    )
    return load[WORKLOAD_COLUMNS].reset_index(drop=True)


def responsibility_matrix(
    plan: Plan, tasks: pd.DataFrame, expand_groups: bool = False
) -> pd.DataFrame:
    """Long unit x section table: lead/partner task counts, load, worst status, task ids.

    Rows come ordered by the unit's total load (descending, then registry order) and then
    by section; `unit_load` is that total.
    """
    resp = _responsibilities(plan, tasks, expand_groups)
    weights = plan.thresholds
    grouped = resp.groupby(["unit", "section_id"], sort=False)
    matrix = grouped.agg(
        lead_count=("is_lead", "sum"),
        _tasks=("task_id", "size"),
        _rank=("_rank", "min"),
    ).reset_index()
    cell = grouped.ngroup().to_numpy()
    task_ids = pa.array(resp["task_id"])
    is_lead = resp["is_lead"].to_numpy(dtype=bool)
    lead_ids, partner_ids = task_ids.filter(is_lead), task_ids.filter(~is_lead)
    matrix["task_ids"] = _joined_per_cell(cell, task_ids, len(matrix))
    matrix["lead_task_ids"] = _joined_per_cell(cell[is_lead], lead_ids, len(matrix))
    matrix["partner_task_ids"] = _joined_per_cell(cell[~is_lead], partner_ids, len(matrix))
    matrix["lead_count"] = matrix["lead_count"].astype("int64")
    matrix["partner_count"] = (matrix.pop("_tasks") - matrix["lead_count"]).astype("int64")
    matrix["load"] = (
        weights.lead_weight * matrix["lead_count"]
        + weights.partner_weight * matrix["partner_count"]
    ).astype(float)
    matrix["worst_status"] = worst_status(matrix.pop("_rank"))
    matrix["unit_load"] = matrix.groupby("unit")["load"].transform("sum")
    section_at = pd.Index(plan.sections["section_id"].astype(object))
    matrix = matrix.assign(
        _order=_registry_order(plan, matrix["unit"]),
        _section=section_at.get_indexer(matrix["section_id"].astype(object)),
    ).sort_values(["unit_load", "_order", "_section"], ascending=[False, True, True])
    return matrix[MATRIX_COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class HeatmapCells:
    """The part of a responsibility matrix a heatmap shows, and how much it leaves out."""

    matrix: pd.DataFrame
    units_shown: int
    units_total: int
    sections_shown: int
    sections_total: int

    @property
    def is_partial(self) -> bool:
        return self.units_shown < self.units_total or self.sections_shown < self.sections_total

    def counts(self) -> dict[str, int]:
        """units, units_total, sections, sections_total: what the title and caption say."""
        return {
            "units": self.units_shown,
            "units_total": self.units_total,
            "sections": self.sections_shown,
            "sections_total": self.sections_total,
        }


def heaviest_heatmap_cells(
    matrix: pd.DataFrame, max_units: int | None, max_sections: int | None
) -> HeatmapCells:
    """The `max_units` units with the heaviest load (None: all) and, among them, the
    `max_sections` sections they carry most load in (None: all), matrix order kept.

    A province has hundreds of units and sections; a grid of all of them is neither
    readable nor quick to draw, so the heatmap shows the heaviest part and says so.
    """
    units = matrix["unit"].drop_duplicates()  # the matrix is ordered by unit load
    kept_units = units if max_units is None else units.head(max_units)
    rows = matrix[values_in(matrix["unit"], kept_units)]
    sections_total = matrix["section_id"].nunique()
    if max_sections is not None and rows["section_id"].nunique() > max_sections:
        load = rows.groupby("section_id", sort=False)["load"].sum()
        heaviest = load.sort_values(ascending=False, kind="stable").head(max_sections).index
        rows = rows[values_in(rows["section_id"], heaviest)]
    return HeatmapCells(
        matrix=rows.reset_index(drop=True),
        units_shown=rows["unit"].nunique(),
        units_total=len(units),
        sections_shown=rows["section_id"].nunique(),
        sections_total=sections_total,
    )


def _joined_per_cell(cells: np.ndarray, ids: pa.Array, count: int) -> pd.Series:
    """Comma-joined ids per cell number 0..count-1, in row order ("" for a cell without any).

    Rows are grouped by cell into one Arrow list array and joined in Arrow: the matrix has
    a cell per unit and section, 30,000 of them at province scale.
    """
    order = np.argsort(cells, kind="stable")
    offsets = np.r_[0, np.cumsum(np.bincount(cells, minlength=count))].astype(np.int64)
    values = pc.take(ids.cast(pa.large_string()), pa.array(order))
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), values)
    return pd.Series(pd.array(pc.binary_join(lists, pa.scalar(",", pa.large_string())), "str"))
