"""责任单位 Units: workload table, unit x section responsibility heatmap, a unit's scorecard."""

import streamlit as st

from lib.core.labels import column_labels, tr
from lib.output import charts
from lib.output.tables import unit_task_rows, workload_rows
from lib.status import metrics
from lib.ui.chrome import page_setup, present_view_footer
from lib.ui.components import chart, table

# Units in the heatmap: the heaviest first. 60 shows every unit of a city's plan (the 2014
# plan names 55); a province's hundreds of units x sections need a part at a time.
HEATMAP_UNIT_CHOICES = [60, 30, 120, 0]  # 0: every unit
HEATMAP_MAX_SECTIONS = 40

ctx = page_setup("units")
lang = ctx.lang
tasks = ctx.tasks()
if tasks.empty:
    st.info(tr("empty_scope", lang))
    st.stop()

options = st.columns(3)
color_by = (
    options[0].segmented_control(
        tr("heatmap_color", lang),
        options=["load", "status"],
        format_func=lambda o: tr("color_load" if o == "load" else "color_status", lang),
        default="load",
        key="heat_color",
    )
    or "load"
)
max_units = options[1].selectbox(
    tr("heatmap_units", lang),
    options=HEATMAP_UNIT_CHOICES,
    format_func=lambda n: str(n) if n else tr("all_units", lang),
    key="heat_units",
)
expand = options[2].toggle(tr("expand_groups", lang), key="expand_groups")

matrix = metrics.responsibility_matrix(ctx.plan, tasks, expand_groups=expand)
cells = metrics.heaviest_heatmap_cells(matrix, max_units or None, HEATMAP_MAX_SECTIONS)
stamp = ctx.chart_stamp(ctx.status())
heatmap = charts.responsibility_heatmap_figure(
    cells.matrix, ctx.plan.sections, lang, color_by, part_of=cells
)
chart(heatmap, "responsibility_heatmap", stamp)
if cells.is_partial:
    st.caption(tr("heatmap_part_note", lang, **cells.counts()))

workload = metrics.unit_workload(ctx.plan, tasks, expand_groups=expand)
chart(charts.unit_workload_figure(workload, lang), "unit_workload", stamp)
st.subheader(tr("workload_table", lang))
rows = workload_rows(workload, lang)
table(rows, column_labels(list(rows.columns), lang), key="workload")

st.subheader(tr("scorecard", lang))
units = list(workload["unit"])
chosen = st.selectbox(tr("choose_unit", lang), units, key="scorecard_unit")
card = workload.set_index("unit").loc[chosen]
cells = st.columns(4)
cells[0].metric(column_labels(["tasks_led"], lang)["tasks_led"], int(card["tasks_led"]))
cells[1].metric(column_labels(["tasks_partner"], lang)["tasks_partner"], int(card["tasks_partner"]))
cells[2].metric(
    column_labels(["weighted_load"], lang)["weighted_load"], f"{card['weighted_load']:g}"
)
cells[3].metric(
    column_labels(["tasks_behind_or_overdue"], lang)["tasks_behind_or_overdue"],
    int(card["tasks_behind_or_overdue"]),
)
mine = unit_task_rows(ctx.plan, tasks, chosen, lang)
keys = ["task_id", "title", "role_label", "completion_pct", "expected_pct", "status_label"]
table(mine, column_labels(keys, lang), key="scorecard_tasks")
present_view_footer(ctx, "units")
