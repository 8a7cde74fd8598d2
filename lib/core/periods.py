"""Reporting periods: quarters like `2014Q2`, the forms people type, and their end dates.

A period names the quarter whose end date the cumulative figures are measured at:
`2014Q2` means "as of 2014-06-30". Offices also write that moment as a half year (上半年),
a span from January (1-6月), a quarter's last month (2014年6月) or its last day
(2014/6/30, or a date cell); each of these names exactly one quarter end. Anything that does
not (May, 4-6月 which is one quarter alone, 下半年, a year alone) is refused, never rounded
to a nearby quarter, and `period_hint` says why.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

import pandas as pd

from lib.core.text import clean_text, compact_text

QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}

_QUARTER_NUMBER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER_ZH = "一二三四"
# Cumulative spans, each ending at a quarter end; 年度 (after the year) is the whole year.
_SPAN_QUARTER = {"上半年": 2, "前三季": 3, "前三季度": 3, "全年": 4}
_MONTH_EN = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Range separators after NFKC: ASCII and typographic dashes, tildes, 至/到.
_RANGE = "[-\u2010-\u2015\u2212~\u301c至到]"

# Matched against the compact text (NFKC, no white space at all).
_QUARTER = re.compile(r"^(?P<year>\d{4})年?[-_/]?Q(?P<quarter>[1-4])$", re.IGNORECASE)
_QUARTER_ZH_FORM = re.compile(r"^(?P<year>\d{4})年?第?(?P<quarter>[一二三四1-4])季度?(?:末|底)?$")
_SPAN = re.compile(r"^(?P<year>\d{4})(?:年?(?P<span>上半年|前三季度?|全年)|年度)$")
_MONTH_SPAN = re.compile(
    rf"^(?P<year>\d{{4}})年(?P<first>\d{{1,2}})月?{_RANGE}(?P<last>\d{{1,2}})月份?$"
)
_MONTH = re.compile(
    r"^(?P<year>\d{4})(?:年(?P<month>\d{1,2})月(?:份|末|底)?|[-./](?P<month_digits>\d{1,2}))$"
)
_DAY = re.compile(
    r"^(?P<year>\d{4})(?:(?P<sep>[-./])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})"
    r"|年(?P<month_zh>\d{1,2})月(?P<day_zh>\d{1,2})[日号]?)$"
)
# Matched against the cleaned text with its spaces: a date cell read as text carries a time
# ("2014-06-30 00:00:00", Excel's "2014/6/30 0:00"). Once spaces are removed "2014/6/3 00:00"
# and "2014/6/30 0:00" would read alike, so the time goes first.
_DAY_AND_TIME = re.compile(
    r"^(?P<day>\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}[日号]?)"
    r"(?:T|\s+)(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?$"
)
# Only for explaining a refusal.
_NO_YEAR = re.compile(
    rf"^(?:上半年|下半年|前三季度?|全年|第?[一二三四1-4]季度?|Q[1-4]|\d{{1,2}}月份?"
    rf"|\d{{1,2}}月?{_RANGE}\d{{1,2}}月份?)$",
    re.IGNORECASE,
)
_SECOND_HALF = re.compile(r"^(?P<year>\d{4})年?下半年$")
_YEAR_ONLY = re.compile(r"^(?P<year>\d{4})年?$")

Hint = tuple[str, str]


def parse_period(text: object) -> str | None:
    """Canonical `YYYYQn` for a text naming one quarter end: '2014Q2', '2014-Q2',
    '2014年第二季度', '2014年二季度', '2014年上半年', '2014年1-6月', '2014年6月', '2014/6/30',
    '2014-06-30 00:00:00'; None for anything else, including a month or a day that is not
    a quarter's last."""
    return _read(text)[0]


def period_hint(text: object) -> Hint | None:
    """(zh, en) saying why `text` is not a period, for a near miss (a month or a day that is
    not a quarter's last, a span not counted from January, 下半年, no year, a year alone);
    None when `text` is a period or nothing more specific than "not recognised" can be said."""
    period, hint = _read(text)
    return None if period else hint


def _read(text: object) -> tuple[str | None, Hint | None]:
    """The period `text` names, or None with the reason when one can be given."""
    if text is None:
        return None, None
    cleaned = clean_text(str(text))
    with_time = _DAY_AND_TIME.match(cleaned)
    compact = compact_text(with_time["day"] if with_time else cleaned)

    for pattern in (_QUARTER, _QUARTER_ZH_FORM):
        if match := pattern.match(compact):
            return _period(match["year"], _QUARTER_NUMBER[match["quarter"].upper()]), None
    if match := _SPAN.match(compact):
        return _period(match["year"], _SPAN_QUARTER[match["span"]] if match["span"] else 4), None
    if match := _MONTH_SPAN.match(compact):
        return _month_span(match["year"], int(match["first"]), int(match["last"]))
    if match := _MONTH.match(compact):
        return _month(match["year"], int(match["month"] or match["month_digits"]))
    if match := _DAY.match(compact):
        month, day = match["month"] or match["month_zh"], match["day"] or match["day_zh"]
        return _day(match["year"], int(month), int(day))
    return None, _refusal_hint(compact)


def _period(year: str, quarter: int) -> str:
    return f"{year}Q{quarter}"


def _month(year: str, month: int) -> tuple[str | None, Hint | None]:
    """The quarter `month` is the last month of; a reason when it is not one."""
    if not 1 <= month <= 12:
        return None, None
    if month % 3 == 0:
        return _period(year, month // 3), None
    quarter = (month - 1) // 3 + 1
    return None, (
        f"{month}月不是季度末月份：请填写季度（如 {year}年第{_QUARTER_ZH[quarter - 1]}季度）",
        f"{_MONTH_EN[month]} is not a quarter's last month: give the quarter, e.g. "
        f"{year}Q{quarter}",
    )


def _month_span(year: str, first: int, last: int) -> tuple[str | None, Hint | None]:
    """A span counted from January is cumulative up to its last month; any other span counts
    those months alone."""
    if not 1 <= first <= last <= 12:
        return None, None
    if first == 1:
        return _month(year, last)
    span = f"{first}-{last}月"
    cumulative = f"{year}年1-{-(-last // 3) * 3}月"
    if last - first == 2 and first % 3 == 1:
        return None, (
            f"{span}是单季数，需填自1月起的累计数（如 {cumulative}）",
            f"{span} is one quarter alone; give the cumulative figure from January "
            f"(e.g. {cumulative})",
        )
    return None, (
        f"{span}只是这几个月的数，需填自1月起的累计数（如 {cumulative}）",
        f"{span} counts those months alone; give the cumulative figure from January "
        f"(e.g. {cumulative})",
    )


def _day(year: str, month: int, day: int) -> tuple[str | None, Hint | None]:
    """The quarter `year-month-day` is the last day of; a reason when it is not one."""
    if not 1 <= month <= 12:
        return None, None
    if not 1 <= day <= _days_in_month(int(year), month):
        return None, (f"{year}年{month}月没有{day}日", f"{year}-{month:02}-{day:02} is not a date")
    quarter = (month - 1) // 3 + 1
    if (month, day) == QUARTER_END[quarter]:
        return _period(year, quarter), None
    return None, (
        f"{year}年{month}月{day}日不是季度末（3月31日、6月30日、9月30日、12月31日）："
        f"请填写季度（如 {year}年第{_QUARTER_ZH[quarter - 1]}季度）",
        f"{year}-{month:02}-{day:02} is not a quarter's last day (31 March, 30 June, "
        f"30 September, 31 December): give the quarter, e.g. {year}Q{quarter}",
    )


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if calendar.isleap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _refusal_hint(compact: str) -> Hint | None:
    """Why a text that matched no period form is refused, when a reason can be given."""
    if match := _SECOND_HALF.match(compact):
        whole = f"{match['year']}年全年"
        return (
            f"下半年是7-12月的数，需填全年累计数（如 {whole}）",
            f"下半年 counts July to December alone; give the cumulative figure for the whole "
            f"year (e.g. {whole} or {match['year']}Q4)",
        )
    if _NO_YEAR.match(compact):
        return ("报告期缺少年份（如 2014年第二季度）", "the period has no year (e.g. 2014Q2)")
    if match := _YEAR_ONLY.match(compact):
        year = match["year"]
        return (
            f"只有年份不是报告期：全年累计数请填 {year}年全年 或 {year}Q4",
            f"a year alone is not a period: for the whole year write {year}年全年 or {year}Q4",
        )
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
