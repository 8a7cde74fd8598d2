"""Task search: which tasks match what a user typed (id, title, text, unit or alias)."""

from __future__ import annotations

from lib.core.text import compact_text
from lib.plan.model import Plan
from lib.plan.units import resolve_unit


def matching_task_ids(plan: Plan, query: str) -> set[str]:
    """Ids of tasks whose id, title or text contains every word, or that a named unit serves.

    Words are split on white space; a word that names a unit (or its alias) matches the
    tasks that unit is listed on. An empty query matches every task.
    """
    words = [compact_text(w) for w in query.split() if w.strip()]
    tasks = plan.tasks
    if not words:
        return set(tasks["task_id"])
    haystack = (tasks["task_id"] + tasks["title"] + tasks["text"]).map(compact_text)
    units_by_task = plan.responsibilities.groupby("task_id")["unit"].agg(set)
    keep = set(tasks["task_id"])
    for word in words:
        unit = resolve_unit(plan, word)
        by_text = set(tasks.loc[haystack.str.contains(word, case=False, regex=False), "task_id"])
        by_unit = {
            t for t, units in units_by_task.items() if word in "".join(units) or unit in units
        }
        keep &= by_text | by_unit
    return keep
