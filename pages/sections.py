"""分项进展 Sections: each section's tasks with completion bars, and one task in full."""

import streamlit as st

from lib.core.labels import RESPONSIBILITY_ROLES, column_labels, pick, tr
from lib.output import charts
from lib.output.tables import indicator_rows, task_rows
from lib.ui.chrome import page_setup, present_view_footer
from lib.ui.components import chart, percent, table

# A city's plan has about ten sections, each opened on its own; beyond this many sections
# (a province's plan has hundreds) the tasks go into one table with a section column.
SECTION_EXPANDERS_MAX = 20

ctx = page_setup("sections")
lang = ctx.lang
tasks = ctx.tasks()
if tasks.empty:
    st.info(tr("empty_scope", lang))
    st.stop()
sections = ctx.sections()
if ctx.has_figures:
    stamp = ctx.chart_stamp(ctx.status())
    chart(charts.completion_by_section_figure(sections, lang), "sections_chart", stamp)

rows = task_rows(tasks, lang)
task_keys = ["task_id", "title", "lead_unit", "indicator_count", "completion_pct", "status_label"]
if len(sections) <= SECTION_EXPANDERS_MAX:
    rows_by_section = dict(list(rows.groupby("section_id", sort=False)))
    for section in sections.itertuples():
        label = f"{section.section_id} {section.title} · {percent(section.completion)}"
        with st.expander(label, expanded=len(sections) == 1):
            mine = rows_by_section.get(section.section_id, rows.iloc[:0])
            table(mine, column_labels(task_keys, lang), key=f"tasks_{section.section_id}")
else:  # hundreds of sections: one sortable, searchable table with a section column
    st.subheader(tr("tasks_of_sections", lang, tasks=len(rows), sections=len(sections)))
    table(rows, column_labels(["section_id", *task_keys], lang), key="tasks_all_sections")

st.subheader(tr("task_detail", lang))
titles = dict(zip(tasks["task_id"], tasks["title"], strict=True))
requested = st.query_params.get("task")
st.session_state["_w_task"] = requested if requested in titles else next(iter(titles))
task_id = st.selectbox(
    tr("choose_task", lang),
    options=list(titles),
    format_func=lambda t: f"{t} {titles[t]}",
    key="_w_task",
    on_change=lambda: st.query_params.update(task=st.session_state["_w_task"]),
)
task = ctx.plan.tasks.set_index("task_id").loc[task_id]
st.markdown(f"**{tr('task_text', lang)}**")
st.text(task["text"])
resp = ctx.plan.responsibilities
units = resp[resp["task_id"] == task_id].sort_values("position")
st.markdown(f"**{tr('units_label', lang)}**")
st.text(
    "、".join(
        f"★{u.unit}（{pick(RESPONSIBILITY_ROLES['lead'], lang)}）" if u.role == "lead" else u.unit
        for u in units.itertuples()
    )
)
st.markdown(f"**{tr('indicators_label', lang)}**")
status = ctx.status()
detail = indicator_rows(status[status["task_id"] == task_id], ctx.plan, lang)
keys = [
    "indicator_id", "name", "target", "unit", "value", "value_period", "progress_pct",
    "expected_pct", "status_label", "note", "reason", "deadline", "source", "upload_id",
]  # fmt: skip
table(detail, column_labels(keys, lang), key="task_indicators")
present_view_footer(ctx, "sections")
