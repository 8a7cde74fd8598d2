"""任务清单 Tasks: all tasks, searchable by id, title, text or unit, with status."""

import streamlit as st

from lib.core.labels import column_labels, tr
from lib.output.tables import task_rows
from lib.plan.search import matching_task_ids
from lib.ui.chrome import page_setup, present_view_footer
from lib.ui.components import table

ctx = page_setup("tasks")
lang = ctx.lang
tasks = ctx.tasks()
query = st.text_input(tr("search", lang), key="task_search")
hits = matching_task_ids(ctx.plan, query)
rows = task_rows(tasks[tasks["task_id"].astype(object).isin(hits)], lang)  # see chrome.status
if rows.empty:
    st.info(tr("no_search_hits", lang) if query else tr("empty_scope", lang))
    st.stop()
keys = ["task_id", "section_id", "title", "lead_unit", "indicator_count", "completion_pct"]
keys += ["expected_pct", "status_label"]
table(rows, column_labels(keys, lang), key="task_list", height=700)
present_view_footer(ctx, "tasks")
