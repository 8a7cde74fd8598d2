"""责任单位 Units: a unit's scorecard (the unit filter, in the URL) on top, the unit x section
responsibility heatmap (a click on a row opens that unit's card), workload and reporting."""

from datetime import UTC, datetime

import streamlit as st

from lib.services.views.units import (
    REPORTED_FIGURE_COLUMNS,
    SUBMISSION_FIGURE_COLUMNS,
    submission_state_choices,
    submissions_view,
    units_controls,
    units_view,
)
from lib.ui.chrome import page_setup, present_view_footer
from lib.ui.components import chart, download, table
from lib.ui.present import units_panels
from lib.ui.unit_heatmap import back_to_all_units, chosen_scorecard, heatmap_with_rows

ctx = page_setup("units")
if ctx.filters.view == "present":  # a 16:9 panel: the units most at risk, or the URL's unit
    units_panels(ctx)
    st.stop()
lang = ctx.lang

top = st.container()  # the chosen unit's scorecard, filled in once the view is built
controls = units_controls(ctx.tasks(), lang)
if controls.notice:
    if ctx.filters.unit:
        back_to_all_units(controls.back_label)
    st.info(controls.notice)
    st.stop()

options = st.columns(3)
color_by = options[0].segmented_control(
    controls.color_label,
    options=list(controls.color_by.options),
    format_func=controls.color_by.label_of,
    default=controls.color_by.default,
    key="heat_color",
)
max_units = options[1].selectbox(
    controls.units_label,
    options=list(controls.units.options),
    format_func=controls.units.label_of,
    key="heat_units",
)
expand = options[2].toggle(controls.expand_label, key="expand_groups")

view = units_view(
    ctx.plan, ctx.status(), ctx.tasks(), color_by=color_by, max_units=max_units,
    expand_groups=expand, as_of=ctx.as_of, lang=lang, sample_in_use=ctx.sample_in_use,
    unit_figures=ctx.sent_figures.headline(ctx.plan).figures_of_period(
        ctx.as_of, REPORTED_FIGURE_COLUMNS
    ),
    uploads=ctx.uploads(), chosen_unit=ctx.filters.unit,
)  # fmt: skip
if view.chosen is not None:
    with top:
        chosen_scorecard(view.chosen)
        st.divider()
heatmap_with_rows(view, set(ctx.plan.units["unit"]), ctx.filters.unit)
if view.heatmap_note:
    st.caption(view.heatmap_note)

chart(view.workload_chart)
st.subheader(view.workload_heading)
table(view.workload_table)

st.subheader(view.reported_heading)
if view.reported is not None:
    table(view.reported)
elif view.reported_note:
    st.caption(view.reported_note)

state_label, every_state, state_choices = submission_state_choices(lang)
headline = ctx.sent_figures.headline(ctx.plan)  # 报送: what arrived, confirmed or not
chosen_states = st.session_state.get("submission_states") or None
reporting = submissions_view(
    ctx.plan, headline.figures_of_period(ctx.as_of, SUBMISSION_FIGURE_COLUMNS), ctx.uploads(),
    ctx.as_of, datetime.now(UTC), lang, states=chosen_states, sample_in_use=ctx.sample_in_use,
)  # fmt: skip
st.subheader(reporting.heading)
st.caption(reporting.caption)
st.multiselect(
    state_label,
    options=list(state_choices.options),
    format_func=state_choices.label_of,
    placeholder=every_state,
    key="submission_states",
)
if reporting.table is not None:
    table(reporting.table)
    download(reporting.download)
else:
    st.caption(reporting.note)

present_view_footer(ctx, "units")
