"""Indicator statuses rolled up: per task, per section, the overview's KPIs, and the task
ids a section/unit filter selects. Aggregates work on any subset of rows the pages pass in
and never change their inputs."""

from __future__ import annotations

import pandas as pd

from lib.plan.model import Plan
from lib.plan.units import resolve_unit
from lib.status.codes import STATUS_ORDER, STATUS_RANK, worst_status
from lib.status.frames import values_in

COUNT_COLUMNS = [f"n_{status}" for status in STATUS_ORDER]
TASK_COLUMNS = [
    "task_id",
    "task_no",
    "section_id",
    "title",
    "lead_unit",
    "indicator_count",
    "completion",
    "expected",
    "status",
    *COUNT_COLUMNS,
]
SECTION_COLUMNS = [
    "section_id",
    "section_no",
    "title",
    "task_count",
    "completion",
    "expected",
    "status",
    *COUNT_COLUMNS,
]


def _rollup(frame: pd.DataFrame, key: str, completion: str, count_name: str) -> pd.DataFrame:
    """Per key: row count, mean completion, mean expected, worst status and n_<status>."""
    ranked = frame.assign(_rank=frame["status"].map(STATUS_RANK))
    summary = ranked.groupby(key, sort=False).agg(
        **{count_name: ("status", "size")},
        completion=(completion, "mean"),
        expected=("expected", "mean"),
        _rank=("_rank", "min"),
    )
    summary["status"] = worst_status(summary.pop("_rank"))
    counts = (
        frame.groupby([key, "status"], sort=False).size().unstack(fill_value=0)
        if len(frame)
        else pd.DataFrame()
    )
    counts = counts.reindex(index=summary.index, columns=list(STATUS_ORDER), fill_value=0)
    counts.columns = COUNT_COLUMNS
    return summary.join(counts.astype("int64")).reset_index()


def task_completion(plan: Plan, status: pd.DataFrame) -> pd.DataFrame:
    """Per task with indicators in `status` (plan order): mean capped progress, worst status."""
    rolled = _rollup(status, "task_id", "progress_capped", "indicator_count")
    columns = ["task_id", "task_no", "section_id", "title", "lead_unit"]
    tasks = plan.tasks.loc[values_in(plan.tasks["task_id"], rolled["task_id"]), columns]
    return tasks.merge(rolled, on="task_id", how="left")[TASK_COLUMNS].reset_index(drop=True)


def section_completion(plan: Plan, tasks: pd.DataFrame) -> pd.DataFrame:
    """Per section with tasks in `tasks` (plan order): mean task completion, worst status."""
    rolled = _rollup(tasks, "section_id", "completion", "task_count")
    columns = ["section_id", "section_no", "title"]
    sections = plan.sections.loc[plan.sections["section_id"].isin(rolled["section_id"]), columns]
    return sections.merge(rolled, on="section_id", how="left")[SECTION_COLUMNS].reset_index(
        drop=True
    )


def overall_summary(status: pd.DataFrame, tasks: pd.DataFrame) -> dict[str, object]:
    """KPIs: task/indicator counts, mean task completion and expected, indicators per status.

    `task_counts` counts tasks per status; completion and expected are NaN when no task is
    in view.
    """
    counts = status["status"].value_counts()
    task_counts = tasks["status"].value_counts()
    return {
        "task_count": len(tasks),
        "indicator_count": len(status),
        "completion": float(tasks["completion"].mean()) if len(tasks) else float("nan"),
        "expected": float(tasks["expected"].mean()) if len(tasks) else float("nan"),
        "counts": {s: int(counts.get(s, 0)) for s in STATUS_ORDER},
        "task_counts": {s: int(task_counts.get(s, 0)) for s in STATUS_ORDER},
    }


def filter_scope(
    plan: Plan, section_ids: list[str] | None, unit: str | None, lead_only: bool
) -> set[str]:
    """Ids of the tasks in view: in the chosen sections and, if a unit is chosen, on its list.

    A unit answers for tasks that name it or a group it belongs to; with `lead_only` only
    those it leads (directly or as a member of the leading group). The unit may be written
    as its name, full name or alias. Unknown sections or units raise ValueError.
    """
    tasks = plan.tasks
    keep = pd.Series(True, index=tasks.index)
    if section_ids:
        unknown = sorted(set(section_ids) - set(plan.sections["section_id"]))
        if unknown:
            raise ValueError(f"unknown section ids: {unknown}")
        keep &= tasks["section_id"].isin(section_ids)
    if unit:
        canonical = resolve_unit(plan, unit)
        if canonical is None:
            raise ValueError(f"unknown unit: {unit!r}")
        members = plan.group_members
        names = {canonical, *members.loc[members["member"] == canonical, "group"]}
        resp = plan.responsibilities
        mine = resp[resp["unit"].isin(names)]
        if lead_only:
            mine = mine[mine["role"] == "lead"]
        keep &= values_in(tasks["task_id"], mine["task_id"])
    return set(tasks.loc[keep, "task_id"])
