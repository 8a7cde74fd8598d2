"""Which registered unit a name stands for: the lookup of every name, full name and alias
(compared as lib.core.text.compact_text compares them) and `resolve_unit`."""

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


def resolve_unit(plan: Plan, name: str) -> str | None:
    """Canonical unit name for what a person wrote (alias, full name, width variants)."""
    return plan.unit_lookup.get(compact_text(name))
