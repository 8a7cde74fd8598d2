"""Which plan's uploads and trail a store handle sees: one store holds every plan's figures.

Each upload and each trail step records the plan it belongs to (`plan_id`). A store made
before stores told plans apart has rows with an empty `plan_id`; they belong to the *home*
plan, the one plan that store served (the settings name it, see lib/services/plans.py), so
an upgraded store keeps every figure where it was without rewriting a row.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlanScope:
    """`plan_id` None reads every plan's rows (maintenance and tests) and writes rows of no
    plan; `home_plan_id` is the plan that rows of no plan belong to."""

    plan_id: str | None = None
    home_plan_id: str | None = None

    @property
    def recorded_id(self) -> str:
        """The plan id written on new rows."""
        return self.plan_id or ""

    def condition(self, column: str) -> tuple[str, tuple[str, ...]]:
        """An SQL condition on `column` (a plan_id column) selecting this scope's rows,
        and its parameters."""
        if self.plan_id is None:
            return "1 = 1", ()
        ids = (self.plan_id, "") if self.plan_id == self.home_plan_id else (self.plan_id,)
        return f"{column} IN ({', '.join('?' * len(ids))})", ids

    def cache_key(self) -> list[str]:
        """What distinguishes this scope's derived data from another's."""
        return [self.plan_id or "", self.home_plan_id or ""]
