"""Whether the figure each status row shows is confirmed (核准), for marking it where
unconfirmed figures are shown too.

Per status row (lib/status/indicators.py STATUS_COLUMNS) the state of the figure shown:
"not_required" for an indicator whose figures need no confirmation, else "confirmed",
"pending" or "returned" under the confirmers' decisions, and "" where no figure is shown.
The figure is named by the upload it came from, its indicator, its period (`value_period`)
and the unit that sent it (`reported_by`). A sum of the areas' figures (basis
"sum_of_parts") was not sent by one unit: it takes the state of the upload of its newest
part as a whole (a decision on that one upload), so it reads "pending" until that upload is
confirmed, even if each part was confirmed figure by figure.

Which decision applies to a figure is the store's rule (lib/store/confirmations.py
`confirmation_states`); this package may not import the store, so the caller hands that
function in as `states_of`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

FIGURE_CONFIRMATION_STATES = ("not_required", "confirmed", "pending", "returned")
# (figures: upload_id, indicator_id, period, reporter; decisions) -> a state per figure
StatesOf = Callable[[pd.DataFrame, pd.DataFrame], np.ndarray]


def figure_confirmation(
    status: pd.DataFrame,
    decisions: pd.DataFrame,
    needing: frozenset[str],
    *,
    states_of: StatesOf,
) -> pd.Series:
    """Per row of `status` (indicator_id, value_period, reported_by, upload_id of the figure
    shown: NA or 0 without one), its figure's state in FIGURE_CONFIRMATION_STATES, or ""
    without a figure; `needing` are the indicators whose figures need confirmation
    (Plan.confirmed_indicator_ids), `decisions` the confirmers' decisions (the store's
    DECISION_COLUMNS), `states_of` the store's `confirmation_states`. Indexed like
    `status`."""
    upload_ids = pd.to_numeric(status["upload_id"], errors="coerce")
    shown = (upload_ids.notna() & upload_ids.gt(0)).to_numpy(dtype=bool)
    needs = status["indicator_id"].astype(object).isin(needing).to_numpy(dtype=bool)
    states = np.full(len(status), "", dtype=object)
    states[shown & ~needs] = "not_required"
    decided = shown & needs
    if decided.any():
        figures = pd.DataFrame(
            {
                "upload_id": upload_ids[decided].to_numpy(dtype=np.int64),
                "indicator_id": _texts(status["indicator_id"][decided]),
                "period": _texts(status["value_period"][decided]),
                "reporter": _texts(_reporters(status)[decided]),
            }
        )
        states[decided] = states_of(figures, decisions)
    return pd.Series(states, index=status.index, dtype="str", name="confirmation")


def _reporters(status: pd.DataFrame) -> pd.Series:
    """Who sent each figure shown ("" not recorded; a frame without the column: none)."""
    if "reported_by" in status.columns:
        return status["reported_by"]
    return pd.Series("", index=status.index, dtype="str")


def _texts(values: pd.Series) -> np.ndarray:
    """Text with missing values as "", as the store records an absent key part."""
    return values.astype(object).where(values.notna(), "").astype(str).to_numpy(dtype=object)
