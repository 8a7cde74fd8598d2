"""The deadline a clause of a plan document states, resolved to a date in the plan's period.

Plans word their deadlines in a handful of ways: 上半年 (30 June), 下半年 / 年内 / 年底前
(31 December), X月底前 (the last day of month X), 一季度 (a quarter's end), a dated one
(2012年10月底前, 到2014年底, 到2020年), a span from a start (2012年起5年内) and none at all
(持续推进, 每年). `deadline_of` returns the date with a review note when a person should
look: the phrase states no date (持续推进), the date falls outside the plan period, or the
year a 上半年 belongs to is not clear because the period spans several years.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}
_CN_DIGITS |= {"九": 9, "十": 10, "十一": 11, "十二": 12}

# A year that is a comparison base or a starting point, not a deadline: 比2011年底, 较2013年,
# 自2012年起, 2013年以来, 2013年同期.
_BASE_BEFORE = re.compile(r"(?:比|较|自|从|同|截至|截止)$")
_BASE_AFTER = re.compile(r"^(?:底|末|初)?(?:起|以来|同期|水平|基础)")
# Text in book-title marks or quotation marks names a document or a slogan
# (《广佛肇经济圈建设2013-2014年度重点工作计划》, “十二五”): its years are not deadlines.
_NAMED = re.compile(r"《[^》]*》|“[^”]*”|〔\d{4}〕")

_MONTH = r"(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_YEAR = r"(?:(?P<y>(?:19|20)\d{2})年)"

_SPECIFIC_DAY = re.compile(_YEAR + r"?" + _MONTH + r"月(?P<d>[0-3]?\d)日(?:前|之前|以前)")
_MONTH_END = re.compile(_YEAR + r"?" + _MONTH + r"月(?:底|末|份)?(?:前|之前|以前|底|末)")
# 前三季度 ends with the third quarter too
_QUARTER = re.compile(_YEAR + r"?前?第?(?P<q>[一二三四1-4])季度")
_FIRST_HALF = re.compile(_YEAR + r"?上半年")
_SECOND_HALF = re.compile(_YEAR + r"?下半年")
_SPAN = re.compile(
    r"(?:(?P<y>(?:19|20)\d{2})年起)?(?P<n>[1-9]\d?|[一二两三四五六七八九十])年(?:内|之内|时间)"
)
_YEAR_END = re.compile(
    r"(?:到|至|于|在)?(?P<y>(?:19|20)\d{2})年(?!\d{1,2}月|[一二三四五六七八九十]{1,2}月)"
    r"(?:底|末|年底)?(?:前|之前|以前)?"
)
# not the 年底 of a stated year (比2011年底: a base, left to _YEAR_END)
_THIS_YEAR = re.compile(r"(?<!\d)(?:年内|年底前|年底|年末)|今年|本年度?|当年|全年")
_ONGOING = re.compile(r"持续推进|持续开展|持续抓好|长期坚持|长期推进|常态化")
_EVERY_YEAR = re.compile(r"每年|逐年")


@dataclass(frozen=True)
class StatedDeadline:
    """A clause's deadline: `kind` "date" for a point in time the text names (上半年,
    10月底前, 2014年), "span" for a length of time from the period's start (5年内), "none"
    when the text names no date but says why (持续推进, 每年: the period end is used)."""

    when: date
    note: str | None
    kind: str


def review_note(zh: str, en: str) -> str:
    """A note for the person reviewing a draft, in Chinese and English."""
    return f"{zh} / {en}"


def same_length_normalised(text: str) -> str:
    """`text` with full-width digits, letters and punctuation as ASCII, one character for one,
    so that offsets found in the result are offsets in `text`."""
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch)
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


def plan_year(period_start: date, period_end: date) -> tuple[int, str | None]:
    """The year an undated 上半年 / 年内 belongs to, and a note when the period spans years."""
    if period_start.year == period_end.year:
        return period_end.year, None
    first, last = period_start.year, period_end.year
    return first, review_note(
        f"计划期跨 {first}–{last} 年，未写年份的时限按 {first} 年",
        f"the plan period spans {first}–{last}: which year is meant? {first} assumed",
    )


def _month(text: str) -> int:
    return int(text) if text.isdigit() else _CN_DIGITS[text]


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _masked(clause: str) -> str:
    """`clause` with named documents and slogans blanked (same length)."""
    return _NAMED.sub(lambda m: "\u3000" * len(m.group()), clause)


def _year_is_base(text: str, start: int, end: int) -> bool:
    return bool(_BASE_BEFORE.search(text[:start]) or _BASE_AFTER.match(text[end:]))


def _found_in(
    text: str, period_start: date, year: int, year_note: str | None
) -> StatedDeadline | None:
    """The first deadline phrase in `text`, most specific form first."""

    def in_year(match: re.Match[str]) -> tuple[int, str | None]:
        stated = match.groupdict().get("y")
        return (int(stated), None) if stated else (year, year_note)

    if match := _SPECIFIC_DAY.search(text):
        y, note = in_year(match)
        month, day = _month(match["m"]), int(match["d"])
        if day <= calendar.monthrange(y, month)[1]:
            return StatedDeadline(date(y, month, day), note, "date")
    if match := _MONTH_END.search(text):
        y, note = in_year(match)
        return StatedDeadline(_last_day(y, _month(match["m"])), note, "date")
    if match := _QUARTER.search(text):
        y, note = in_year(match)
        quarter = int(match["q"]) if match["q"].isdigit() else _CN_DIGITS[match["q"]]
        return StatedDeadline(_last_day(y, quarter * 3), note, "date")
    if match := _FIRST_HALF.search(text):
        y, note = in_year(match)
        return StatedDeadline(date(y, 6, 30), note, "date")
    if match := _SECOND_HALF.search(text):
        y, note = in_year(match)
        return StatedDeadline(date(y, 12, 31), note, "date")
    if match := _SPAN.search(text):
        # 5年内 counts from the stated start year, or else from the period's start
        start = int(match["y"]) if match["y"] else period_start.year
        span = int(match["n"]) if match["n"].isdigit() else _CN_DIGITS[match["n"]]
        return StatedDeadline(date(start + span - 1, 12, 31), None, "span")
    for match in _YEAR_END.finditer(text):
        if not _year_is_base(text, match.start("y"), match.end()):
            return StatedDeadline(date(int(match["y"]), 12, 31), None, "date")
    if _THIS_YEAR.search(text):
        return StatedDeadline(date(year, 12, 31), year_note, "date")
    return None


def stated_deadline(clause: str, *, period_start: date, period_end: date) -> StatedDeadline | None:
    """The deadline `clause` states, or None when it states none (see `deadline_of`)."""
    text = _masked(same_length_normalised(clause))
    year, year_note = plan_year(period_start, period_end)
    found = _found_in(text, period_start, year, year_note)
    if found is None:
        if match := _ONGOING.search(text):
            note = review_note(
                f"{match.group()}：原文未写时限，取计划期末",
                f"{match.group()}: the text states no deadline; period end used",
            )
            return StatedDeadline(period_end, note, "none")
        if match := _EVERY_YEAR.search(text):
            note = review_note(
                f"{match.group()}：逐年重复的目标，取计划期末，请核对是每年还是合计",
                f"{match.group()}: a yearly target repeated over the period; "
                "period end used — check whether it is per year or in total",
            )
            return StatedDeadline(period_end, note, "none")
        return None
    if not period_start <= found.when <= period_end:
        outside = review_note(
            f"原文时限 {found.when.isoformat()} 不在计划期 "
            f"{period_start.isoformat()}~{period_end.isoformat()} 内",
            f"the text's deadline {found.when.isoformat()} is outside the plan period "
            f"{period_start.isoformat()}–{period_end.isoformat()}",
        )
        note = f"{found.note}；{outside}" if found.note else outside
        return StatedDeadline(found.when, note, found.kind)
    return found


def deadline_of(
    clause: str, *, period_start: date, period_end: date
) -> tuple[date | None, str | None]:
    """The deadline `clause` states and a review note, or (None, None) when it states none.

    上半年 -> 30 June and 下半年 / 年内 / 年底前 -> 31 December of the plan's year (of the
    period's first year, with a note, when the period spans several years); X月底前 -> the
    last day of month X; 一季度 -> 31 March; 2012年10月底前 and 到2014年底 as dated;
    5年内 -> the end of the fifth year from the period's start (2012年起5年内 from 2012).
    持续推进 and 每年 state no date: the period end with a note. A date outside the period
    is returned as stated, with a note saying so; the caller decides whether to keep it
    (`lib.drafting.targets` sets the period end and keeps the note).
    """
    found = stated_deadline(clause, period_start=period_start, period_end=period_end)
    return (found.when, found.note) if found else (None, None)
