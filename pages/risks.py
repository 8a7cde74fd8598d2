"""风险预警 At risk: indicators on watch, behind, overdue or unreported, worst first, with each
one's 督办 state and its unit's latest reply; 督办清单. The status filter lives in the URL
(`statuses=`), so a copied link opens on the same statuses."""

import streamlit as st

from lib.services.views.risks import risk_controls, risks_view, statuses_query
from lib.ui.chrome import page_setup
from lib.ui.components import download, table
from lib.ui.filters import bind_widget
from lib.ui.present import risks_panels

ctx = page_setup("risks")
if not ctx.has_figures:
    st.stop()
requested = st.query_params.get("statuses")
if ctx.filters.view == "present":
    risks_panels(ctx, requested)
    st.stop()
controls = risk_controls(ctx.lang, requested)
st.caption(controls.intro)
chosen = st.pills(
    controls.status_label,
    list(controls.statuses.options),
    selection_mode="multi",
    format_func=controls.statuses.label_of,
    key="risk_statuses",
    on_change=bind_widget(
        "statuses", "risk_statuses", list(controls.statuses.default), statuses_query
    ),
)
view = risks_view(
    ctx.plan, ctx.status(), chosen, as_of=ctx.as_of, lang=ctx.lang, trail=ctx.replies(),
    today=ctx.today,
)  # fmt: skip
if view.table is None:
    st.success(view.notice)
    st.stop()
table(view.table)
with st.expander(view.replies_heading, icon=":material/forum:"):
    if view.replies is None:
        st.caption(view.replies_note)
    else:  # the grid shows cell text as text: a reply cannot inject markup
        table(view.replies)
# the 督办清单 files are written when a button is clicked, not on every rerun
for column, item in zip(st.columns(len(view.downloads)), view.downloads, strict=True):
    download(item, column)
