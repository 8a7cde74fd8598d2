"""任务清单 Tasks: all tasks, searchable by id, title, text or unit, with status."""

import streamlit as st

from lib.core.labels import tr
from lib.services.views.tasks import tasks_view
from lib.ui.chrome import page_setup, present_view_footer
from lib.ui.components import table

ctx = page_setup("tasks")
query = st.text_input(tr("search", ctx.lang), key="task_search")
view = tasks_view(ctx.plan, ctx.tasks(), query, ctx.lang)
if view.table is None:
    st.info(view.notice)
    st.stop()
table(view.table)
present_view_footer(ctx, "tasks")
