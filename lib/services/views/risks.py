"""风险预警 At risk: indicators on watch, behind, overdue or unreported, worst first; 督办清单."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from lib.core.labels import status_label, tr
from lib.core.periods import period_label
from lib.output.tables import indicator_rows
from lib.output.tabular_export import csv_bytes, xlsx_bytes
from lib.plan.model import Plan
from lib.services.views.elements import XLSX_MIME, Choices, Download, TableView, table_view
from lib.status.codes import RISK_STATUSES
from lib.status.indicators import at_risk_indicators

RISK_KEYS = [
    "indicator_id", "task_title", "name", "lead_unit", "status_label", "reason", "value",
    "target", "unit", "progress_pct", "expected_pct", "needed_per_quarter", "deadline",
]  # fmt: skip
EXPORT_KEYS = [*RISK_KEYS, "source", "upload_id"]


# Each view returns its own frozen record of what its page shows; the records of other views
# (sections.py) share their shape, not their fields, so each stays its own type.
@dataclass(frozen=True)
class RiskControls:
    """The page's introduction and its status filter (every risk status chosen at first)."""

    intro: str
    status_label: str
    statuses: Choices


@dataclass(frozen=True)
class RisksView:
    """The indicators needing follow-up and the 督办清单 downloads, or the all-clear."""

    notice: str | None  # said instead of the table when nothing needs follow-up
    table: TableView | None
    downloads: tuple[Download, ...]  # xlsx, csv


def risk_controls(lang: str) -> RiskControls:
    """Text above the list and the choices of its status filter."""
    statuses = tuple(RISK_STATUSES)
    return RiskControls(
        intro=tr("risk_intro", lang),
        status_label=tr("status_filter", lang),
        statuses=Choices(statuses, {s: status_label(s, lang) for s in statuses}, statuses),
    )


def risks_view(
    plan: Plan, status: pd.DataFrame, chosen: Iterable[str] | None, *, as_of: str, lang: str
) -> RisksView:
    """Indicators in view whose status is one of `chosen`, worst first, and the 督办清单."""
    risks = at_risk_indicators(status)
    risks = risks[risks["status"].isin(list(chosen or []))]
    if risks.empty:
        return RisksView(tr("no_risks", lang), None, ())
    rows = indicator_rows(risks, plan, lang)
    export = table_view(rows, EXPORT_KEYS, lang, key="follow_up").frame
    stem = f"督办清单_{period_label(as_of, 'zh')}" if lang == "zh" else f"follow-up_{as_of}"
    sheet = "督办清单" if lang == "zh" else "follow-up"
    downloads = (
        Download(
            tr("download_xlsx", lang),
            lambda: xlsx_bytes({sheet: export}),
            file_name=f"{stem}.xlsx",
            mime=XLSX_MIME,
        ),
        Download(
            tr("download_csv", lang), lambda: csv_bytes(export), f"{stem}.csv", mime="text/csv"
        ),
    )
    return RisksView(
        None, table_view(rows, RISK_KEYS, lang, key="risk_table", height=600), downloads
    )
