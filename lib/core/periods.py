"""Reporting periods: quarters like `2014Q2`, the forms people type, and their end dates.

A period names the quarter whose end date the cumulative figures are measured at:
`2014Q2` means "as of 2014-06-30".
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from lib.core.text import compact_text

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PATTERNS = (
    re.compile(r"^(\d{4})\s*[-_/ ]?\s*Q([1-4])$", re.IGNORECASE),
    re.compile(r"^(\d{4})年?\s*第?([一二三四1-4])季度?$"),
    re.compile(r"^(\d{4})年?\s*([一二三四1-4])季$"),
)
QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


def parse_period(text: object) -> str | None:
    """Canonical `YYYYQn` for '2014Q2', '2014-Q2', '2014年第二季度', '2014年二季度'; else None."""
    if text is None:
        return None
    cleaned = compact_text(str(text))
    for pattern in _PATTERNS:
        match = pattern.match(cleaned)
        if match:
            return f"{match.group(1)}Q{_CN_DIGITS[match.group(2).upper()]}"
    return None


def period_end(period: str) -> date:
    """Last day of a canonical period: '2014Q2' -> 2014-06-30."""
    year, quarter = int(period[:4]), int(period[5])
    month, day = QUARTER_END[quarter]
    return date(year, month, day)


def period_label(period: str, lang: str = "zh") -> str:
    """'2014年第二季度' in Chinese, '2014 Q2' in English."""
    year, quarter = period[:4], int(period[5])
    if lang == "zh":
        return f"{year}年第{'一二三四'[quarter - 1]}季度"
    return f"{year} Q{quarter}"


def periods_between(start: date, end: date) -> list[str]:
    """Every quarter whose end date lies in [start, end], in order."""
    quarters = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="Q")
    return [f"{q.year}Q{q.quarter}" for q in quarters if start <= q.end_time.date() <= end]


def previous_period(period: str) -> str:
    """The quarter before: '2014Q1' -> '2013Q4'."""
    year, quarter = int(period[:4]), int(period[5])
    return f"{year - 1}Q4" if quarter == 1 else f"{year}Q{quarter - 1}"
