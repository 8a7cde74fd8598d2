"""风险预警 At risk: indicators on watch, behind, overdue or unreported, worst first, with each
one's 督办 state and its unit's latest reply; 督办清单."""

import streamlit as st

from lib.services.views.risks import risk_controls, risks_view
from lib.ui.chrome import page_setup, present_view_footer
from lib.ui.components import download, table

ctx = page_setup("risks")
if not ctx.has_figures:
    st.stop()
controls = risk_controls(ctx.lang, st.query_params.get("statuses"))
st.caption(controls.intro)
chosen = st.pills(
    controls.status_label,
    list(controls.statuses.options),
    selection_mode="multi",
    default=list(controls.statuses.default),
    format_func=controls.statuses.label_of,
    key="risk_statuses",
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
present_view_footer(ctx, "risks")
