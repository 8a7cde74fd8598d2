"""Which registered unit a name stands for: the lookup of every name, full name and alias
(compared as lib.core.text.compact_text compares them) and `resolve_unit`, which also reads
the short forms offices write (住建局, 鼎湖区)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lib.core.text import compact_text
from lib.plan.model import Plan

if TYPE_CHECKING:
    from lib.plan.schema import UnitEntry


def unit_lookup(units: Iterable[UnitEntry]) -> dict[str, str]:
    """Normalized name, full name or alias -> canonical unit name (the first unit wins)."""
    lookup: dict[str, str] = {}
    for unit in units:
        for name in (unit.name, unit.full_name, *unit.aliases):
            if name:
                lookup.setdefault(compact_text(name), unit.name)
    return lookup


# How offices shorten a unit's registered name: a city bureau without the city (住建局 for
# 市住建局), a county without 政府 (鼎湖区, 怀集县 for 鼎湖区政府).
_SHORT_FORMS = (("市", ""), ("", "政府"), ("", "人民政府"))


def resolve_unit(plan: Plan, name: str) -> str | None:
    """Canonical unit name for what a person wrote: a name, full name or alias (width and
    space variants alike), else its short form (住建局, 鼎湖区) when that stands for exactly
    one registered unit; None when nothing, or more than one unit, matches."""
    written = compact_text(name)
    found = plan.unit_lookup.get(written)
    if found is not None or not written:
        return found
    candidates = {
        plan.unit_lookup.get(f"{before}{written}{after}") for before, after in _SHORT_FORMS
    }
    candidates.discard(None)
    return candidates.pop() if len(candidates) == 1 else None
