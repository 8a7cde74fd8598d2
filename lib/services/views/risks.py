"""风险预警 At risk: indicators on watch, behind, overdue or unreported, worst first, each with
its 督办 state and its unit's latest reply; 督办清单."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from lib.core.labels import SUPERVISION_STATE_LABELS, pick, status_label, tr
from lib.core.periods import period_label
from lib.output.tables import indicator_rows, local_dates
from lib.output.tabular_export import csv_bytes, xlsx_bytes
from lib.plan.model import Plan
from lib.services.views.elements import (
    XLSX_MIME,
    Choices,
    Download,
    TableView,
    table_view,
    with_confirmation_key,
)
from lib.status.codes import RISK_STATUSES
from lib.status.indicators import at_risk_indicators
from lib.status.replies import SUPERVISION_COLUMNS, supervision_by_indicator

# what a leader acts on first (who, what, why, by when, how much a quarter), then the
# reply, then the figures behind it
RISK_KEYS = [
    "indicator_id", "name", "lead_unit", "status_label", "reason", "needed_per_quarter",
    "deadline", "supervision_label", "reply_reason", "reply_measures", "reply_expected_by",
    "progress_pct", "expected_pct", "value", "target", "unit", "task_title",
]  # fmt: skip
EXPORT_KEYS = [*RISK_KEYS, "reply_by", "replied_by", "replied_at", "source", "upload_id"]
REPLY_KEYS = [
    "indicator_id", "name", "lead_unit", "supervision_label", "reply_by", "reply_reason",
    "reply_measures", "reply_expected_by", "replied_by", "replied_at",
]  # fmt: skip
NO_REPLY = "—"  # said in a reply's cells where there is none


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
    """The indicators needing follow-up and the 督办清单 downloads, or the all-clear; and the
    replies in full, of those indicators with a 督办单 or a reply (None: `replies_note`)."""

    notice: str | None  # said instead of the table when nothing needs follow-up
    table: TableView | None
    downloads: tuple[Download, ...]  # xlsx, csv
    replies_heading: str = ""
    replies: TableView | None = None
    replies_note: str | None = None


NO_STATUS = "none"  # the `statuses` query value when the user has chosen none


def risk_controls(lang: str, requested: str | None = None) -> RiskControls:
    """Text above the list and the choices of its status filter, chosen at first: the
    statuses `requested` (the URL's `statuses=behind,overdue`, as the overview's status
    counts link here) that are risk statuses, none for NO_STATUS, or every risk status."""
    statuses = tuple(RISK_STATUSES)
    asked = set((requested or "").split(","))
    chosen = tuple(s for s in statuses if s in asked)
    if not chosen and requested != NO_STATUS:
        chosen = statuses
    return RiskControls(
        intro=tr("risk_intro", lang),
        status_label=tr("status_filter", lang),
        statuses=Choices(statuses, {s: status_label(s, lang) for s in statuses}, chosen),
    )


def statuses_query(chosen: Iterable[str] | None) -> str | None:
    """The `statuses` query value of the statuses `chosen` in the filter, which
    `risk_controls` reads back: None (no parameter) for every risk status, NO_STATUS for
    none, else the chosen ones in RISK_STATUSES order ('overdue,behind')."""
    picked = set(chosen or ())
    if not picked:
        return NO_STATUS
    if picked >= set(RISK_STATUSES):
        return None
    return ",".join(s for s in RISK_STATUSES if s in picked)


def risks_view(
    plan: Plan,
    status: pd.DataFrame,
    chosen: Iterable[str] | None,
    *,
    as_of: str,
    lang: str,
    trail: pd.DataFrame | None = None,
    today: date | None = None,
) -> RisksView:
    """Indicators in view whose status is one of `chosen`, worst first, with the 督办 state
    and the latest reply of each at `as_of` read from the 督办单 `trail` (lib/store/trail.py
    rows; None: nothing issued), and the 督办清单. A reply is overdue once `today` is past
    its 督办单's reply day (None: no reply is counted overdue)."""
    risks = at_risk_indicators(status)
    risks = risks[risks["status"].isin(list(chosen or []))]
    if risks.empty:
        return RisksView(tr("no_risks", lang), None, ())
    supervision = (
        pd.DataFrame(columns=SUPERVISION_COLUMNS)
        if trail is None
        else supervision_by_indicator(trail, as_of, today or date.min)
    )
    rows, followed_up = with_supervision(indicator_rows(risks, plan, lang), supervision, lang)
    export = table_view(rows, with_confirmation_key(EXPORT_KEYS, rows), lang, key="follow_up").frame
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
    replies = (
        table_view(rows[followed_up], REPLY_KEYS, lang, key="risk_replies")
        if followed_up.any()
        else None
    )
    return RisksView(
        None,
        table_view(rows, with_confirmation_key(RISK_KEYS, rows), lang, key="risk_table"),
        downloads,
        replies_heading=tr("reply_details", lang),
        replies=replies,
        replies_note=None if replies is not None else tr("no_replies", lang),
    )


def with_supervision(
    rows: pd.DataFrame, supervision: pd.DataFrame, lang: str
) -> tuple[pd.DataFrame, pd.Series]:
    """Indicator rows with their 督办 state in words (`supervision_label`), the reply's
    `reply_reason`, `reply_measures`, `reply_expected_by`, `reply_by`, `replied_by` and
    `replied_at` (the office's date), "—" where there is none; and which rows have a
    督办单 or a reply. `supervision`: lib/status/replies.py supervision_by_indicator."""
    found = rows[["indicator_id"]].merge(
        supervision.astype({"indicator_id": "str"}), on="indicator_id", how="left"
    )
    followed_up = found["state"].notna().set_axis(rows.index)
    labels = {state: pick(words, lang) for state, words in SUPERVISION_STATE_LABELS.items()}
    texts = {
        "reply_reason": found["reason"],
        "reply_measures": found["measures"],
        "reply_expected_by": found["expected_by"],
        "reply_by": found["reply_by"],
        "replied_by": found["replied_by"],
        "replied_at": local_dates(found["replied_at"]),
    }
    shown = rows.assign(
        supervision_label=found["state"].fillna("none").map(labels).to_numpy(),
        **{key: _or_dash(values).to_numpy() for key, values in texts.items()},
    )
    return shown, followed_up


def _or_dash(values: pd.Series) -> pd.Series:
    text = values.astype(object).where(values.notna(), "").astype("str").str.strip()
    return text.where(text != "", NO_REPLY)
