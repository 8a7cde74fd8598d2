"""Which stored figures are confirmed (核准): the latest decision that applies to each.

A confirmer decides on a whole upload (`indicator_id` "" in the trail) or on one figure of
it (upload, indicator, period and reporting unit). The decision that applies to a figure is
the latest of the two, by trail id, so confirming a whole upload after returning one of its
figures confirms that figure too, and returning one figure after confirming the upload
returns only that figure. A figure with no decision is pending. Decisions never edit a
figure: they only say whether leaders' views may use it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

DECISION_KINDS = ("confirmed", "returned")
CONFIRMATION_STATES = ("confirmed", "pending", "returned")
DECISION_COLUMNS = ["id", "kind", "upload_id", "indicator_id", "period", "reporter"]
_FIGURE_KEY = ["upload_id", "indicator_id", "period", "reporter"]


def confirmation_states(figures: pd.DataFrame, decisions: pd.DataFrame) -> np.ndarray:
    """Per figure (upload_id, indicator_id, period, reporter: "" when not recorded), its
    state in CONFIRMATION_STATES under `decisions` (DECISION_COLUMNS, any order)."""
    upload_ids = figures["upload_id"].to_numpy(dtype=np.int64)
    upload_event, upload_ok = _upload_decisions(upload_ids, decisions)
    figure_event, figure_ok = _figure_decisions(figures, decisions)
    by_figure = figure_event > upload_event
    decided = np.maximum(figure_event, upload_event) >= 0
    ok = np.where(by_figure, figure_ok, upload_ok)
    return np.where(decided, np.where(ok, "confirmed", "returned"), "pending").astype(object)


def confirmed_figures(
    stored: pa.Table, decisions: pd.DataFrame, indicator_ids: frozenset[str]
) -> pa.Table:
    """`stored` (decoded batches) without the figures of `indicator_ids` that are not
    confirmed; the other indicators' figures count as they are."""
    if not indicator_ids or stored.num_rows == 0:
        return stored
    texts = stored["indicator_id"].cast(pa.large_string())
    needs = pc.is_in(texts, value_set=pa.array(sorted(indicator_ids), pa.large_string()))
    needing = np.flatnonzero(needs.to_numpy(zero_copy_only=False))
    if needing.size == 0:
        return stored
    rows = stored.select(_FIGURE_KEY).take(pa.array(needing)).to_pandas()
    for name in ("indicator_id", "period", "reporter"):
        rows[name] = rows[name].astype(object).where(rows[name].notna(), "").astype(str)
    keep = np.ones(stored.num_rows, dtype=bool)
    keep[needing] = confirmation_states(rows, decisions) == "confirmed"
    return stored.filter(pa.array(keep))


def _upload_decisions(
    upload_ids: np.ndarray, decisions: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the trail id of the latest whole-upload decision on its upload (-1: none)
    and whether it confirmed."""
    whole = decisions[decisions["indicator_id"] == ""].sort_values("id")
    if whole.empty:
        return np.full(len(upload_ids), -1, dtype=np.int64), np.zeros(len(upload_ids), dtype=bool)
    latest = whole.drop_duplicates("upload_id", keep="last").set_index("upload_id")
    position = latest.index.get_indexer(upload_ids)
    found = position >= 0
    event = np.where(found, latest["id"].to_numpy(dtype=np.int64)[position], -1)
    ok = np.where(found, (latest["kind"] == "confirmed").to_numpy()[position], False)
    return event, ok


def _figure_decisions(
    figures: pd.DataFrame, decisions: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the trail id of the latest decision on that very figure (-1: none) and
    whether it confirmed."""
    single = decisions[decisions["indicator_id"] != ""].sort_values("id")
    if single.empty:
        return np.full(len(figures), -1, dtype=np.int64), np.zeros(len(figures), dtype=bool)
    latest = single.drop_duplicates(_FIGURE_KEY, keep="last")
    keys = figures[_FIGURE_KEY].astype({"upload_id": "int64"}).reset_index(drop=True)
    matched = keys.merge(
        latest.astype({"upload_id": "int64"}), on=_FIGURE_KEY, how="left", sort=False
    )
    event = matched["id"].fillna(-1).to_numpy(dtype=np.int64)
    ok = (matched["kind"] == "confirmed").to_numpy()
    return event, ok
