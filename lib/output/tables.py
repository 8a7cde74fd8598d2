"""Display-ready tables: status frames turned into translated rows for pages and exports.

Percentages become 0-100 numbers, codes become labels in the chosen language, dates become
ISO strings. The same rows feed the on-screen tables and the downloadable 督办清单, so what
a leader sees and what staff export are the same figures.
"""

from __future__ import annotations

import pandas as pd

from lib.core.labels import (
    KIND_LABELS,
    RESPONSIBILITY_ROLES,
    UNIT_KIND_LABELS,
    pick,
    status_label,
)
from lib.plan.model import Plan

INDICATOR_COLUMNS = [
    "indicator_id",
    "task_id",
    "task_title",
    "name",
    "kind_label",
    "target",
    "unit",
    "deadline",
    "lead_unit",
    "value",
    "value_period",
    "progress_pct",
    "expected_pct",
    "status_label",
    "reason",
    "needed_per_quarter",
    "forecast",
    "source",
    "note",
    "upload_id",
]


def _labels(series: pd.Series, lang: str) -> pd.Series:
    return series.map(lambda code: status_label(code, lang) if isinstance(code, str) else "")


def indicator_rows(status: pd.DataFrame, plan: Plan, lang: str) -> pd.DataFrame:
    """One translated row per indicator of a status frame, in INDICATOR_COLUMNS order."""
    titles = plan.tasks.set_index("task_id")["title"]
    rows = pd.DataFrame(
        {
            "indicator_id": status["indicator_id"],
            "task_id": status["task_id"],
            "task_title": status["task_id"].map(titles),
            "name": status["name"],
            "kind_label": status["kind"].map(lambda k: pick(KIND_LABELS[k], lang)),
            "target": status["target"],
            "unit": status["unit"],
            "deadline": pd.to_datetime(status["deadline"]).dt.strftime("%Y-%m-%d"),
            "lead_unit": status["lead_unit"],
            "value": status["value"],
            "value_period": status["value_period"],
            "progress_pct": (status["progress"] * 100).round(1),
            "expected_pct": (status["expected"] * 100).round(1),
            "status_label": _labels(status["status"], lang),
            "reason": status["reason_en" if lang == "en" else "reason_zh"],
            "needed_per_quarter": status["needed_per_quarter"].round(2),
            "forecast": status["forecast"].round(2),
            "source": status["source"],
            "note": status["note"],
            "upload_id": status["upload_id"].astype("Int64"),
        }
    )
    return rows.reset_index(drop=True)


def task_rows(tasks: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Translated task completion rows: id, title, lead, indicators, completion, status."""
    # Column by column like indicator_rows, but of the task frame (completion, not progress):
    # the few keys both share name columns of different frames.
    return pd.DataFrame(
        {
            "task_id": tasks["task_id"],
            "section_id": tasks["section_id"],
            "title": tasks["title"],
            "lead_unit": tasks["lead_unit"],
            "indicator_count": tasks["indicator_count"],
            "completion_pct": (tasks["completion"] * 100).round(1),
            "expected_pct": (tasks["expected"] * 100).round(1),
            "status_label": _labels(tasks["status"], lang),
        }
    ).reset_index(drop=True)


def workload_rows(workload: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Translated unit workload rows."""
    return pd.DataFrame(
        {
            "unit_name": workload["unit"],
            "kind": workload["kind"].map(
                lambda k: pick(UNIT_KIND_LABELS[k], lang) if k in UNIT_KIND_LABELS else k
            ),
            "tasks_led": workload["tasks_led"],
            "tasks_partner": workload["tasks_partner"],
            "indicators_led": workload["indicators_led"],
            "weighted_load": workload["weighted_load"].round(2),
            "tasks_behind_or_overdue": workload["tasks_behind_or_overdue"],
            "worst_status_label": _labels(workload["worst_status"], lang),
        }
    ).reset_index(drop=True)


def unit_task_rows(plan: Plan, tasks: pd.DataFrame, unit: str, lang: str) -> pd.DataFrame:
    """The tasks a unit answers for (directly or through a group) with its role in each."""
    resp = plan.responsibilities
    groups = set(plan.group_members.loc[plan.group_members["member"] == unit, "group"])
    mine = resp[(resp["unit"] == unit) | resp["unit"].isin(groups)]
    role = mine.sort_values("position").drop_duplicates("task_id").set_index("task_id")["role"]
    rows = task_rows(tasks[tasks["task_id"].isin(role.index)], lang)
    rows.insert(
        3,
        "role_label",
        rows["task_id"].map(role).map(lambda r: pick(RESPONSIBILITY_ROLES[r], lang)),
    )
    return rows


def status_change_rows(changes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Status changes with the previous and the current status translated
    (`previous_status_label`, `status_label`)."""
    return changes.assign(
        previous_status_label=_labels(changes["previous_status"], lang),
        status_label=_labels(changes["status"], lang),
    )
