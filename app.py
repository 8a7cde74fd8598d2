"""总览 Overview: the conclusion, KPIs, status counts linking to the at-risk page, the
indicators most in need of follow-up; completion by section, status mix, trend, and this
period's changes below."""

import streamlit as st

from lib.core.labels import tr
from lib.services.views.overview import overview_view
from lib.ui.chrome import page_setup, present_view_footer
from lib.ui.components import (
    chart,
    download,
    metric,
    plain_markdown,
    status_links,
    table,
    table_or_note,
)

RISKS_PAGE = "pages/risks.py"

ctx = page_setup("overview")
view = overview_view(
    ctx.plan, ctx.status(), ctx.tasks(), ctx.sections(), ctx.current_figures,
    trend=ctx.trend, changes=ctx.status_changes, as_of=ctx.as_of, lang=ctx.lang,
    sample_in_use=ctx.sample_in_use, made_on=ctx.today,
    trail=ctx.replies(), figures_note=ctx.figures_note,
)  # fmt: skip

lead = st.container()  # the conclusion goes above the KPIs, once there is one
kpis = st.columns(view.kpi_widths)
for column, kpi in zip(kpis, view.headline, strict=False):
    metric(column, kpi)
if view.body is None:
    if view.notice:
        st.info(view.notice)
    st.stop()
body = view.body
lead.markdown(f"**{plain_markdown(body.conclusion)}**")
for column, kpi in zip(kpis[len(view.headline) :], body.kpis, strict=True):
    metric(column, kpi)
status_links(
    body.status_counts, RISKS_PAGE, ctx.filters.query_params(), tr("status_count_help", ctx.lang)
)

st.markdown(f"**{plain_markdown(body.top_risks_heading)}**")
table_or_note(body.top_risks, body.top_risks_note)
st.page_link(
    RISKS_PAGE,
    label=body.all_risks_link,
    icon=":material/arrow_forward:",
    query_params=ctx.filters.query_params(),
)

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
