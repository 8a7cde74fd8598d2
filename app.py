"""总览 Overview: the conclusion, the indicators most in need of follow-up, KPIs and status
counts linking to the at-risk page; completion by section, status mix, trend, and this
period's changes below. In presentation view, its 16:9 panels instead."""

import streamlit as st

from lib.core.labels import tr
from lib.services.views.overview import overview_view
from lib.ui.chrome import page_setup
from lib.ui.components import (
    chart,
    download,
    metric,
    plain_markdown,
    status_links,
    table,
    table_or_note,
)
from lib.ui.present import overview_panels

RISKS_PAGE = "pages/risks.py"

ctx = page_setup("overview")
view = overview_view(
    ctx.plan, ctx.status(), ctx.tasks(), ctx.sections(), ctx.current_figures,
    trend=ctx.trend, changes=ctx.status_changes, as_of=ctx.as_of, lang=ctx.lang,
    sample_in_use=ctx.sample_in_use, made_on=ctx.today,
    trail=ctx.replies(), figures_note=ctx.figures_note,
)  # fmt: skip
if ctx.filters.view == "present":
    overview_panels(ctx, view)
    st.stop()

# the conclusion and the top risks first: on a 1280x800 screen they are what fits
lead = st.container()
kpis = st.container()
if view.body is None:
    for column, kpi in zip(kpis.columns(view.kpi_widths), view.headline, strict=False):
        metric(column, kpi)
    if view.notice:
        st.info(view.notice)
    st.stop()
body = view.body
with lead:
    st.markdown(f"**{plain_markdown(body.conclusion)}**")
    st.markdown(f"**{plain_markdown(body.top_risks_heading)}**")
    table_or_note(body.top_risks, body.top_risks_note)
    st.page_link(
        RISKS_PAGE,
        label=body.all_risks_link,
        icon=":material/arrow_forward:",
        query_params=ctx.filters.query_params(),
    )
with kpis:
    columns = st.columns(view.kpi_widths)
    for column, kpi in zip(columns, (*view.headline, *body.kpis), strict=True):
        metric(column, kpi)
    status_links(
        body.status_counts, RISKS_PAGE, ctx.filters.query_params(),
        tr("status_count_help", ctx.lang),
    )  # fmt: skip

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
