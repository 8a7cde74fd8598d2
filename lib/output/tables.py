"""Display-ready tables: status frames turned into translated rows for pages and exports.

Percentages become 0-100 numbers, codes become labels in the chosen language, dates become
ISO strings. The same rows feed the on-screen tables and the downloadable 督办清单, so what
a leader sees and what staff export are the same figures.
"""

from __future__ import annotations

from datetime import timedelta, timezone

import pandas as pd

from lib.core.labels import (
    CONFIRMATION_LABELS,
    FIGURE_BASIS_LABELS,
    FIGURE_ROLE_LABELS,
    KIND_LABELS,
    NOT_RECORDED_UNIT,
    RESPONSIBILITY_ROLES,
    UNIT_KIND_LABELS,
    pick,
    status_label,
    tr,
)
from lib.plan.model import Plan

# Upload times are stored in UTC; the plan's offices read dates in China Standard Time
# (UTC+8, no daylight saving), so an upload at 07:00 local time is dated that day.
OFFICE_TIMEZONE = timezone(timedelta(hours=8))

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
    """One translated row per indicator of a status frame, in INDICATOR_COLUMNS order, and
    a last column `confirmation` (CONFIRMATION_LABELS: whether the figure shown is
    confirmed, "" without a figure) when the status frame carries one, as it does where
    unconfirmed figures are shown (lib/status/confirmation.py)."""
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
            "reason": _with_basis(
                status, status["reason_en" if lang == "en" else "reason_zh"], lang
            ),
            "needed_per_quarter": status["needed_per_quarter"].round(2),
            "forecast": status["forecast"].round(2),
            "source": status["source"],
            "note": status["note"],
            "upload_id": status["upload_id"].astype("Int64"),
        }
    )
    if "confirmation" in status.columns:
        labels = {state: pick(pair, lang) for state, pair in CONFIRMATION_LABELS.items()}
        rows["confirmation"] = status["confirmation"].map(labels).fillna("").astype("str")
    return rows.reset_index(drop=True)


def _with_basis(status: pd.DataFrame, reasons: pd.Series, lang: str) -> pd.Series:
    """The reasons, each followed by how its figure was made where it is not a reported one:
    "（各县区合计，缺：X）" for a sum of the areas' figures (lib/status/headline.py)."""
    if "basis" not in status.columns:
        return reasons
    summed = status["basis"].eq("sum_of_parts").to_numpy()
    if not summed.any():
        return reasons
    notes = basis_notes(status["basis"], status["parts_missing"], lang)
    opening, closing = (" (", ")") if lang == "en" else ("（", "）")
    return reasons.where(~summed, reasons.fillna("") + opening + notes + closing)


def basis_notes(basis: pd.Series, parts_missing: pd.Series, lang: str) -> pd.Series:
    """Per figure what its basis says: "" for a reported figure, "各县区合计" for a sum of
    all the areas' figures, "各县区合计，缺：X、Y" for a sum with areas missing."""
    missing = parts_missing.fillna("").astype(str)
    if lang == "en":
        missing = missing.str.replace("、", ", ", regex=False)
    summed = basis.eq("sum_of_parts")
    whole = pick(FIGURE_BASIS_LABELS["sum_of_parts"], lang)
    notes = pd.Series("", index=basis.index, dtype="str")
    notes[summed & missing.eq("")] = whole
    partial = summed & missing.ne("")
    notes[partial] = [tr("sum_of_parts_missing", lang, missing=m) for m in missing[partial]]
    return notes


def local_dates(uploaded_at: pd.Series) -> pd.Series:
    """Upload times (the store's ISO text in UTC, or times) as the offices' dates,
    YYYY-MM-DD ("" where there is none)."""
    times = pd.to_datetime(uploaded_at, utc=True, errors="coerce", format="ISO8601")
    dates = times.dt.tz_convert(OFFICE_TIMEZONE).dt.strftime("%Y-%m-%d")
    return dates.fillna("").astype("str")


def unit_names(reporters: pd.Series, lang: str) -> pd.Series:
    """Reporting units as shown: "" (no unit recorded) as NOT_RECORDED_UNIT."""
    names = reporters.fillna("").astype("str")
    return names.where(names != "", pick(NOT_RECORDED_UNIT, lang))


def figure_role_labels(roles: pd.Series, lang: str) -> pd.Series:
    """Figure roles (headline, breakdown, other) as FIGURE_ROLE_LABELS in `lang`."""
    labels = {role: pick(pair, lang) for role, pair in FIGURE_ROLE_LABELS.items()}
    return roles.map(labels).fillna(roles).astype("str")


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
