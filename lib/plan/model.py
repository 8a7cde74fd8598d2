"""What a validated plan is: its metadata, its thresholds, its frames and their constants.

The YAML's schema (lib.plan.schema), its rules (lib.plan.rules), the tabulation
(lib.plan.tabulate) and the cache (lib.plan.cache) all build on these definitions; this
module imports nothing else of the package.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd

UNIT_KINDS = (
    "municipal_department",
    "party_department",
    "county_government",
    "zone_committee",
    "central_agency",
    "group",
)
# Units that answer for an area of their own (a county, a development zone): their figure
# of an indicator is a breakdown of the plan area, never the whole-area figure.
AREA_UNIT_KINDS = ("county_government", "zone_committee")
SECTION_ID_RE = re.compile(r"^S\d{2,}$")
TASK_ID_RE = re.compile(r"^T\d{2,}$")
INDICATOR_ID_RE = re.compile(r"^(T\d{2,})-(\d+)$")
MILESTONE_TARGET = 100.0

META_DATES = ("issue_date", "period_start", "period_end")  # PlanMeta's date fields


@dataclass(frozen=True)
class PlanMeta:
    """What the document is: its id, title, issuer, number, date and the plan period."""

    id: str
    title: str
    issuer: str
    document_number: str
    issue_date: date
    period_start: date
    period_end: date

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            wanted = date if name in META_DATES else str
            if not isinstance(value, wanted) or isinstance(value, datetime):
                raise ValueError(f"plan metadata {name} = {value!r} is not a {wanted.__name__}")


# Allowed values of each threshold: (lower bound, whether it may equal it, upper bound).
# The YAML's schema (lib.plan.schema) words a breach for the planner; a Thresholds refuses it.
THRESHOLD_RANGES: dict[str, tuple[float, bool, float]] = {
    "amber_gap": (0.0, True, 1.0),
    "red_gap": (0.0, True, 1.0),
    "above_target_warning_ratio": (1.0, False, math.inf),
    "lead_weight": (0.0, True, math.inf),
    "partner_weight": (0.0, True, math.inf),
}


@dataclass(frozen=True)
class Thresholds:
    """Status-rule parameters a planner may tune without touching code (the YAML's
    `thresholds`), each within its THRESHOLD_RANGES."""

    amber_gap: float = 0.10
    red_gap: float = 0.25
    above_target_warning_ratio: float = 1.5
    lead_weight: float = 1.0
    partner_weight: float = 0.5

    def __post_init__(self) -> None:
        for name, (low, low_allowed, high) in THRESHOLD_RANGES.items():
            value = getattr(self, name)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not (low <= value if low_allowed else low < value) or value > high:
                raise ValueError(f"threshold {name} = {value!r} is outside its range")


@dataclass(frozen=True)
class ReportingCalendar:
    """The quarter's cycle (the YAML's `reporting`): figures are due `due_days` days after
    the quarter ends; a 督办单 asks for a reply within `reply_days` days; `office` issues
    reminders and 督办单 ("" = the document's issuer)."""

    due_days: int = 10
    reply_days: int = 10
    office: str = ""

    def __post_init__(self) -> None:
        for name in ("due_days", "reply_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"reporting {name} = {value!r} is not a whole number")
            if not 0 <= value <= 92:
                raise ValueError(f"reporting {name} = {value!r} is outside 0..92")


@dataclass(frozen=True)
class Confirmation:
    """Which figures count only once confirmed (核准) and by whom (the YAML's
    `confirmation`): when `required`, figures of indicators of the `kinds` wait for the
    `confirmer` unit before leaders' views use them."""

    required: bool = False
    confirmer: str = ""
    kinds: tuple[str, ...] = ("quantity",)

    def __post_init__(self) -> None:
        if self.required and not self.confirmer:
            raise ValueError("confirmation is required but no confirmer is named")


@dataclass(frozen=True)
class Plan:
    """A validated plan: metadata, thresholds and one frame per entity.

    `key` names the plan's content (the SHA-256 of the YAML it was read from), so a cache
    of anything computed from a plan can key on the plan itself.
    """

    meta: PlanMeta
    thresholds: Thresholds
    sections: pd.DataFrame
    tasks: pd.DataFrame
    indicators: pd.DataFrame
    units: pd.DataFrame
    responsibilities: pd.DataFrame
    group_members: pd.DataFrame
    unit_lookup: dict[str, str]
    key: str
    calendar: ReportingCalendar = ReportingCalendar()
    confirmation: Confirmation = Confirmation()

    @property
    def period_start(self) -> date:
        return self.meta.period_start

    @property
    def period_end(self) -> date:
        return self.meta.period_end

    @property
    def issuing_office(self) -> str:
        """Who signs reminders and 督办单: the plan's `reporting.office`, else its issuer."""
        return self.calendar.office or self.meta.issuer

    def confirmed_indicator_ids(self) -> frozenset[str]:
        """Ids of the indicators whose figures count only once confirmed (none when the
        plan does not require confirmation)."""
        if not self.confirmation.required:
            return frozenset()
        kinds = self.indicators["kind"].isin(self.confirmation.kinds)
        return frozenset(self.indicators.loc[kinds, "indicator_id"])


# --- the frames of a Plan ---------------------------------------------------------------------

INDICATOR_COLUMNS = [
    "indicator_id", "task_id", "section_id", "seq", "name", "kind", "target", "unit",
    "direction", "baseline", "baseline_note", "deadline", "source", "lead_unit", "reporter",
    "breakdown",
]  # fmt: skip
RESPONSIBILITY_COLUMNS = ["task_id", "section_id", "unit", "role", "position"]

# Every frame's columns and what they hold: "str" is pandas' "str" dtype (object if the
# column holds no text at all: no rows, or only None as `baseline_note` may), "tuple" an
# object column of tuples of text (Arrow keeps them as lists).
FRAME_COLUMNS: dict[str, dict[str, str]] = {
    "sections": {"section_id": "str", "section_no": "int64", "title": "str"},
    "tasks": {
        "task_id": "str", "task_no": "int64", "section_id": "str", "title": "str",
        "text": "str", "lead_unit": "str", "unit_count": "int64",
    },
    "indicators": {
        **dict.fromkeys(INDICATOR_COLUMNS, "str"),
        "seq": "int64", "target": "float64", "baseline": "float64",
        "deadline": "datetime64[s]",
    },
    "units": {
        "unit": "str", "full_name": "str", "kind": "str", "aliases": "tuple", "members": "tuple",
    },
    "responsibilities": {**dict.fromkeys(RESPONSIBILITY_COLUMNS, "str"), "position": "int64"},
    "group_members": {"group": "str", "member": "str"},
}  # fmt: skip


# --- where a problem is: YAML paths as text ----------------------------------------------------


def dotted_path(loc: tuple[Any, ...]) -> str:
    """A YAML path as a Problem names it: ("sections", 0, "id") -> "sections[0].id"."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def undotted_path(path: str) -> list[Any]:
    """The parts of a `dotted_path`: "sections[0].id" -> ["sections", 0, "id"]."""
    parts: list[Any] = []
    for token in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        parts.append(int(token[1:-1]) if token.startswith("[") else token)
    return parts


def short_value(value: Any) -> str | None:
    """A value as a Problem quotes it: text of at most 80 characters, None for containers."""
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."
