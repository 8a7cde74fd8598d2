"""Naive reference page for the benchmark: the overview built without any caching.

On every rerun it re-reads and re-validates the plan YAML, re-opens the store, re-queries
every current figure and re-joins everything, as a first Streamlit draft would. It computes
and shows what the overview page shows, so the benchmark can compare a rerun of each real
page against it. Lives in bench/ only; the app never links to it.
"""

import streamlit as st

from lib.core.periods import periods_between
from lib.output import charts
from lib.plan.loader import load_plan
from lib.services.settings import settings_from_env
from lib.status.indicators import (
    at_risk_indicators,
    indicator_status,
    latest_reported_period,
    status_changes,
)
from lib.status.rollups import filter_scope, overall_summary, section_completion, task_completion
from lib.status.trend import completion_trend
from lib.store.repository import ProgressStore

settings = settings_from_env()
plan = load_plan(settings.plan_file)
figures = ProgressStore(settings.store).current_values()
periods = periods_between(plan.meta.period_start, plan.meta.period_end)
latest = latest_reported_period(figures) or periods[0]

period = st.sidebar.selectbox("as of", periods, index=periods.index(latest), key="_w_period")
sections = st.sidebar.multiselect("sections", list(plan.sections["section_id"]), key="_w_sections")
in_view = filter_scope(plan, sections or None, None, lead_only=False)

status = indicator_status(plan, figures, period)
status = status[status["task_id"].isin(in_view)]
tasks = task_completion(plan, status)
summary = overall_summary(status, tasks)
columns = st.columns(4)
columns[0].metric("tasks", summary["task_count"])
columns[1].metric("indicators", summary["indicator_count"])
columns[2].metric("completion", f"{summary['completion']:.1%}")
columns[3].metric("at risk", len(at_risk_indicators(status)))
st.plotly_chart(charts.completion_by_section_figure(section_completion(plan, tasks), "zh"))
st.plotly_chart(charts.status_distribution_figure(status, "zh"))
trend = completion_trend(plan, figures, in_view)
st.plotly_chart(charts.completion_trend_figure(trend, "zh"))
st.dataframe(status_changes(plan, figures, period))
