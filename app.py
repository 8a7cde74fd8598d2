"""总览 Overview: KPIs, completion by section, status mix, trend, and this period's changes."""

import streamlit as st

from lib.services.views.overview import overview_view
from lib.ui.chrome import page_setup, present_view_footer
from lib.ui.components import chart, download, metric, metric_row, table

ctx = page_setup("overview")
view = overview_view(
    ctx.plan, ctx.status(), ctx.tasks(), ctx.sections(), ctx.current_figures,
    trend=ctx.trend, changes=ctx.status_changes, as_of=ctx.as_of, lang=ctx.lang,
    sample_in_use=ctx.sample_in_use, made_on=ctx.today,
    trail=ctx.replies(), figures_note=ctx.figures_note,
)  # fmt: skip

kpis = st.columns(view.kpi_slots)
for column, kpi in zip(kpis, view.headline, strict=False):
    metric(column, kpi)
if view.body is None:
    if view.notice:
        st.info(view.notice)
    st.stop()
body = view.body
for column, kpi in zip(kpis[len(view.headline) :], body.kpis, strict=True):
    metric(column, kpi)
metric_row(body.status_counts)

chart(body.section_chart)
left, right = st.columns(2)
with left:
    chart(body.status_chart)
with right:
    chart(body.trend_chart)

st.subheader(body.changes_heading)
if body.changes_table is None:
    st.caption(body.changes_note)
else:
    table(body.changes_table)

download(body.briefing)
present_view_footer(ctx, "overview")
