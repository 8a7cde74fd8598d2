"""总览 Overview: KPIs, completion by section, status mix, trend, and this period's changes."""

from datetime import date

import streamlit as st

from lib.core.labels import column_labels, tr
from lib.core.periods import periods_between
from lib.output import charts
from lib.output.briefing import briefing_deck
from lib.status import metrics
from lib.ui import data
from lib.ui.chrome import page_setup, present_view_footer
from lib.ui.components import chart, percent, status_counts_row, table, with_status_labels

ctx = page_setup("overview")
lang, store_path = ctx.lang, str(ctx.settings.store_file)
status = ctx.status()
tasks = metrics.task_completion(ctx.plan, status)
summary = metrics.overall_summary(status, tasks)

kpis = st.columns(5)
kpis[0].metric(tr("kpi_tasks", lang), summary["task_count"])
kpis[1].metric(tr("kpi_indicators", lang), summary["indicator_count"])
if not ctx.has_figures:
    st.stop()
if status.empty:
    st.info(tr("empty_scope", lang))
    st.stop()

gap_points = (summary["completion"] - summary["expected"]) * 100
kpis[2].metric(tr("kpi_completion", lang), percent(summary["completion"]), f"{gap_points:+.1f}")
kpis[3].metric(tr("kpi_expected", lang), percent(summary["expected"]))
kpis[4].metric(tr("kpi_at_risk", lang), len(metrics.at_risk_indicators(status)))
status_counts_row(summary["counts"], lang)

stamp = ctx.chart_stamp(status)
sections = metrics.section_completion(ctx.plan, tasks)
chart(charts.completion_by_section_figure(sections, lang), "completion_by_section", stamp)
left, right = st.columns(2)
with left:
    chart(charts.status_distribution_figure(status, lang), "status_distribution", stamp)
with right:
    scope = (ctx.filters.sections, ctx.filters.unit, ctx.filters.lead_only)
    trend = data.trend_at(ctx.plan, ctx.plan_key, store_path, ctx.version, *scope)
    chart(charts.completion_trend_figure(trend, lang), "completion_trend", stamp)

st.subheader(tr("status_changes", lang))
first_period = periods_between(ctx.plan.meta.period_start, ctx.plan.meta.period_end)[0]
changes = data.status_changes_at(ctx.plan, ctx.plan_key, store_path, ctx.version, ctx.as_of)
# object dtype: pandas 3's str isin converts each of 30,000 ids on its own (160 ms)
changes = changes[
    changes["indicator_id"].astype(object).isin(status["indicator_id"].astype(object))
]
if ctx.as_of == first_period:
    st.caption(tr("no_previous", lang))
elif changes.empty:
    st.caption(tr("no_status_changes", lang))
else:
    shown = with_status_labels(changes, lang, "previous_status").rename(
        columns={"status_label": "previous_status_label"}
    )
    shown = with_status_labels(shown, lang)
    keys = ["indicator_id", "name", "previous_status_label", "status_label"]
    table(shown, column_labels(keys, lang), key="changes")

st.download_button(
    tr("brief_pptx", lang),
    data=lambda: briefing_deck(
        ctx.plan, ctx.figures, ctx.as_of, made_on=date.today(), lang=lang, sample=ctx.sample_in_use
    ),
    file_name=f"briefing_{ctx.as_of}.pptx",
    mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
    key="brief_pptx",
    on_click="ignore",
    icon=":material/slideshow:",
)
present_view_footer(ctx, "overview")
