"""A validated plan document as frames: one row per section, task, indicator, unit,
unit-task responsibility and group member, in plan order (lib.plan.model.FRAME_COLUMNS)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from lib.core.text import compact_text
from lib.plan.model import (
    INDICATOR_COLUMNS,
    RESPONSIBILITY_COLUMNS,
    Confirmation,
    Plan,
    PlanMeta,
    ReportingCalendar,
    Thresholds,
)
from lib.plan.units import unit_lookup

if TYPE_CHECKING:
    from lib.plan.schema import PlanDocument


def tabulated_plan(doc: PlanDocument, key: str) -> Plan:
    """The frames of a validated document, as a Plan whose key is `key`."""
    section_rows, task_rows, indicator_rows, resp_rows = [], [], [], []
    for s_no, section in enumerate(doc.sections, start=1):
        section_rows.append({"section_id": section.id, "section_no": s_no, "title": section.title})
        for task in section.tasks:
            task_rows.append(
                {
                    "task_id": task.id,
                    "task_no": len(task_rows) + 1,
                    "section_id": section.id,
                    "title": task.title,
                    "text": task.text,
                    "lead_unit": task.units[0],
                    "unit_count": len(task.units),
                }
            )
            # tuples, not a dict per row: a province has 40,000 of these and 30,000 below
            for position, unit in enumerate(task.units, start=1):
                role = "lead" if position == 1 else "partner"
                resp_rows.append((task.id, section.id, unit, role, position))
            for seq, ind in enumerate(task.indicators, start=1):
                indicator_rows.append(
                    (
                        ind.id,
                        task.id,
                        section.id,
                        seq,
                        ind.name,
                        ind.kind,
                        float(ind.target),
                        ind.unit,
                        ind.direction,
                        float(ind.baseline or 0.0),
                        ind.baseline_note,
                        pd.Timestamp(ind.deadline),
                        ind.source,
                        task.units[0],
                        ind.reporter or task.units[0],
                        ind.breakdown,
                    )
                )
    units = pd.DataFrame(
        [
            {
                "unit": u.name,
                "full_name": u.full_name or u.name,
                "kind": u.kind,
                "aliases": tuple(u.aliases),
                "members": tuple(u.members or ()),
            }
            for u in doc.units
        ]
    )
    members = pd.DataFrame(
        [(u.name, m) for u in doc.units for m in (u.members or [])], columns=["group", "member"]
    )
    return Plan(
        meta=PlanMeta(**doc.plan.model_dump()),
        thresholds=Thresholds(**doc.thresholds.model_dump()),
        sections=pd.DataFrame(section_rows),
        tasks=pd.DataFrame(task_rows),
        indicators=pd.DataFrame(indicator_rows, columns=INDICATOR_COLUMNS),
        units=units,
        responsibilities=pd.DataFrame(resp_rows, columns=RESPONSIBILITY_COLUMNS),
        group_members=members,
        unit_lookup=unit_lookup(doc.units),
        key=key,
        calendar=ReportingCalendar(**doc.reporting.model_dump()),
        confirmation=_confirmation(doc, unit_lookup(doc.units)),
    )


def _confirmation(doc: PlanDocument, lookup: dict[str, str]) -> Confirmation:
    """The confirmation setting with the confirmer under its registry name (the rules have
    checked it is registered)."""
    entry = doc.confirmation
    confirmer = (
        lookup.get(compact_text(entry.confirmer), entry.confirmer) if entry.confirmer else ""
    )
    return Confirmation(entry.required, confirmer, tuple(entry.kinds))
