"""分项进展 Sections: each section's tasks with completion bars, and one task in full."""

import streamlit as st

from lib.services.views.sections import sections_view
from lib.ui.chrome import page_setup, present_view_footer
from lib.ui.components import chart, table

ctx = page_setup("sections")
view = sections_view(
    ctx.plan, ctx.status(), ctx.tasks(), ctx.sections(),
    has_figures=ctx.has_figures, requested_task=st.query_params.get("task"), as_of=ctx.as_of,
    lang=ctx.lang, sample_in_use=ctx.sample_in_use,
    unit_figures=ctx.current_figures.headline(ctx.plan).by_unit,
)  # fmt: skip
if view.notice:
    st.info(view.notice)
    st.stop()
if view.chart is not None:
    chart(view.chart)

for part in view.section_parts:
    with st.expander(part.label, expanded=part.expanded):
        table(part.tasks)
if view.all_tasks is not None:  # hundreds of sections: one sortable, searchable table
    st.subheader(view.all_tasks_heading)
    table(view.all_tasks)

detail = view.detail
st.subheader(detail.heading)
st.session_state["_w_task"] = detail.choices.default
st.selectbox(
    detail.choice_label,
    options=list(detail.choices.options),
    format_func=detail.choices.label_of,
    key="_w_task",
    on_change=lambda: st.query_params.update(task=st.session_state["_w_task"]),
)
st.markdown(f"**{detail.text_label}**")
st.text(detail.text)
st.markdown(f"**{detail.units_label}**")
st.text(detail.units_text)
st.markdown(f"**{detail.indicators_label}**")
table(detail.indicators)
st.markdown(f"**{detail.breakdown_label}**")
st.caption(detail.breakdown_intro)
if detail.breakdown is not None:
    table(detail.breakdown)
elif detail.breakdown_note:
    st.caption(detail.breakdown_note)
present_view_footer(ctx, "sections")
