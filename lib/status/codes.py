"""The status codes an indicator, task or section can have, worst first, and which of them
put an indicator on the at-risk list. Their words and colours are in lib.core.labels."""

from __future__ import annotations

import pandas as pd

# Worst first: the order risk lists and "worst status" use.
STATUS_ORDER = ("overdue", "behind", "no_report", "watch", "on_track", "met")
STATUS_RANK: dict[str, int] = {status: rank for rank, status in enumerate(STATUS_ORDER)}
RISK_STATUSES = ("overdue", "behind", "no_report", "watch")


def worst_status(ranks: pd.Series) -> pd.Series:
    """Status code of each rank (STATUS_RANK), e.g. the smallest rank of each group."""
    return ranks.map(dict(enumerate(STATUS_ORDER))).astype("str")
