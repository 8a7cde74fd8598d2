"""风险预警 At risk: indicators on watch, behind, overdue or unreported, worst first; 督办清单."""

import streamlit as st

from lib.core.labels import STATUS_ORDER, column_labels, status_label, tr
from lib.core.periods import period_label
from lib.output.tables import indicator_rows
from lib.output.tabular_export import csv_bytes, xlsx_bytes
from lib.status import metrics
from lib.ui.chrome import page_setup, present_view_footer
from lib.ui.components import table

RISK_STATUSES = [s for s in STATUS_ORDER if s not in ("on_track", "met")]

ctx = page_setup("risks")
lang = ctx.lang
if not ctx.has_figures:
    st.stop()
st.caption(tr("risk_intro", lang))
chosen = st.pills(
    tr("status_filter", lang),
    RISK_STATUSES,
    selection_mode="multi",
    default=RISK_STATUSES,
    format_func=lambda s: status_label(s, lang),
    key="risk_statuses",
)
risks = metrics.at_risk_indicators(ctx.status())
risks = risks[risks["status"].isin(chosen or [])]
if risks.empty:
    st.success(tr("no_risks", lang))
    st.stop()

rows = indicator_rows(risks, ctx.plan, lang)
keys = [
    "indicator_id", "task_title", "name", "lead_unit", "status_label", "reason", "value",
    "target", "unit", "progress_pct", "expected_pct", "needed_per_quarter", "deadline",
]  # fmt: skip
table(rows, column_labels(keys, lang), key="risk_table", height=600)

export = rows[[*keys, "source", "upload_id"]].rename(
    columns=column_labels([*keys, "source", "upload_id"], lang)
)
stem = f"督办清单_{period_label(ctx.as_of, 'zh')}" if lang == "zh" else f"follow-up_{ctx.as_of}"
left, right = st.columns(2)
# Files are written when a button is clicked, not on every rerun: a province's 督办清单
# as xlsx takes seconds to write.
left.download_button(
    tr("download_xlsx", lang),
    lambda: xlsx_bytes({"督办清单" if lang == "zh" else "follow-up": export}),
    file_name=f"{stem}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
right.download_button(
    tr("download_csv", lang),
    lambda: csv_bytes(export),
    file_name=f"{stem}.csv",
    mime="text/csv",
)
present_view_footer(ctx, "risks")
