"""报送情况: for a quarter, every unit expected to report, what it sent, what is missing, and
whether it came on time, late or not yet.

Who reports what is the plan's (lib/plan/reporting.py `reported_indicators`): a unit owes
the whole-area figure of the indicators it reports for and, for an additive indicator, a
county or zone owes its own area's figure. A figure with no unit recorded counts as sent by
the unit that owes the whole-area figure. A quarter's figures are due `plan.calendar.due_days`
days after the quarter ends, to the end of that day in the office's time (UTC+8); a unit's
submission time is that of its latest upload holding figures of the quarter.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd

from lib.core.periods import period_end
from lib.plan.model import Plan
from lib.plan.reporting import reported_indicators

OFFICE_TIME = timezone(timedelta(hours=8))  # China Standard Time, where the deadlines fall
SUBMISSION_COLUMNS = [
    "reporter", "expected", "sent", "missing", "missing_ids", "state", "last_upload", "due",
]  # fmt: skip
# worst first: how the office reads the list
SUBMISSION_STATES = ("overdue", "not_yet", "partial", "late", "on_time")


def due_at(plan: Plan, period: str) -> datetime:
    """The moment a quarter's figures are due: the end of the plan's `due_days`-th day
    after the quarter ends, office time."""
    day = period_end(period) + timedelta(days=plan.calendar.due_days)
    return datetime(day.year, day.month, day.day, tzinfo=OFFICE_TIME) + timedelta(days=1)


def submissions(plan: Plan, unit_figures: pd.DataFrame, period: str, now: datetime) -> pd.DataFrame:
    """One row per unit (`reporter`) expected to report for `period` (SUBMISSION_COLUMNS): how many
    figures it owes and sent, the ids still missing, its state (SUBMISSION_STATES: overdue
    = nothing or not all sent after the deadline, not_yet = nothing sent before it, partial
    = some sent, the deadline not passed, late = all sent after it, on_time), the time of
    its latest upload of the quarter and the deadline. `unit_figures`: every unit's latest
    figures (indicator_id, period, value, reporter, uploaded_at), any periods."""
    owed = reported_indicators(plan)
    due = due_at(plan, period)
    figures = unit_figures[(unit_figures["period"] == period) & unit_figures["value"].notna()]
    sent = _sent_by(plan, figures)
    merged = owed.merge(sent, on=["unit", "indicator_id"], how="left")
    merged["is_sent"] = merged["uploaded_at"].notna()
    rows = []
    for unit, part in merged.groupby("unit", sort=False):
        missing = part.loc[~part["is_sent"], "indicator_id"].tolist()
        last = part["uploaded_at"].max() if part["is_sent"].any() else pd.NaT
        rows.append(
            {
                "reporter": unit,
                "expected": len(part),
                "sent": int(part["is_sent"].sum()),
                "missing": len(missing),
                "missing_ids": "、".join(missing),
                "state": _state(len(part), len(missing), last, due, now),
                "last_upload": last,
                "due": due,
            }
        )
    frame = pd.DataFrame(rows, columns=SUBMISSION_COLUMNS)
    rank = frame["state"].map({state: i for i, state in enumerate(SUBMISSION_STATES)})
    return (
        frame.assign(_rank=rank)
        .sort_values(["_rank", "missing"], ascending=[True, False], kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


def _sent_by(plan: Plan, figures: pd.DataFrame) -> pd.DataFrame:
    """(unit, indicator_id, uploaded_at) of the figures sent: each figure's reporter, and a
    figure with no unit recorded as the indicator's named reporter's."""
    named = plan.indicators.set_index("indicator_id")["reporter"]
    reporter = figures["reporter"].fillna("").to_numpy(dtype=object, copy=True)
    unrecorded = reporter == ""
    reporter[unrecorded] = named.reindex(figures["indicator_id"][unrecorded]).fillna("").to_numpy()
    times = pd.to_datetime(figures["uploaded_at"], utc=True, errors="coerce", format="ISO8601")
    sent = pd.DataFrame(
        {
            "unit": reporter,
            "indicator_id": figures["indicator_id"].to_numpy(dtype=object),
            "uploaded_at": times.to_numpy(),
        }
    )
    sent["uploaded_at"] = pd.to_datetime(sent["uploaded_at"], utc=True)
    return sent.groupby(["unit", "indicator_id"], as_index=False)["uploaded_at"].max()


def _state(expected: int, missing: int, last: pd.Timestamp, due: datetime, now: datetime) -> str:
    past_due = now >= due
    if missing == expected:
        return "overdue" if past_due else "not_yet"
    if missing:
        return "overdue" if past_due else "partial"
    return "late" if last > pd.Timestamp(due) else "on_time"
