"""任务清单 Tasks: all tasks, searchable by id, title, text or unit, with status."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.core.labels import tr
from lib.output.tables import task_rows
from lib.plan.model import Plan
from lib.plan.search import matching_task_ids
from lib.services.views.elements import TableView, table_view

TASK_LIST_KEYS = ["task_id", "section_id", "title", "lead_unit", "indicator_count"]
TASK_LIST_KEYS += ["completion_pct", "expected_pct", "status_label"]


@dataclass(frozen=True)
class TasksView:
    """The tasks in view matching the search, or what to say when none does."""

    notice: str | None
    table: TableView | None


def tasks_view(plan: Plan, tasks: pd.DataFrame, query: str, lang: str) -> TasksView:
    """Tasks in view whose id, title or text contains every word of `query` (or that a unit
    it names serves); every task in view for an empty query."""
    hits = matching_task_ids(plan, query)
    # object dtype: pandas 3's str isin converts each of 10,000 ids on its own
    rows = task_rows(tasks[tasks["task_id"].astype(object).isin(hits)], lang)
    if rows.empty:
        return TasksView(tr("no_search_hits", lang) if query else tr("empty_scope", lang), None)
    return TasksView(None, table_view(rows, TASK_LIST_KEYS, lang, key="task_list"))
