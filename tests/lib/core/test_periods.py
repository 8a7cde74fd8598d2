"""Periods as offices write them: each accepted form names exactly one quarter end, and a
near miss is refused with the reason, never rounded to a nearby quarter."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.core.periods import (
    QUARTER_END,
    parse_period,
    period_end,
    period_hint,
    period_label,
    periods_between,
    previous_period,
)

CANONICAL = re.compile(r"^\d{4}Q[1-4]$")
NO_DEADLINE = settings(max_examples=300, deadline=None)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        # quarters
        ("2014Q2", "2014Q2"),
        ("2014q2", "2014Q2"),
        ("2014-Q2", "2014Q2"),
        ("2014 Q2", "2014Q2"),
        ("2014年Q2", "2014Q2"),
        ("2014年第二季度", "2014Q2"),
        ("2014年第2季度", "2014Q2"),
        ("2014年二季度", "2014Q2"),
        ("2014年一季度", "2014Q1"),
        ("2014年二季度末", "2014Q2"),
        ("２０１４年 第四季度", "2014Q4"),
        # cumulative spans
        ("2014年上半年", "2014Q2"),
        ("2014上半年", "2014Q2"),
        ("2014年前三季度", "2014Q3"),
        ("2014前三季", "2014Q3"),
        ("2014年全年", "2014Q4"),
        ("2014年度", "2014Q4"),
        # months from January
        ("2014年1-3月", "2014Q1"),
        ("2014年1-6月", "2014Q2"),
        ("2014年1—6月", "2014Q2"),
        ("2014年1–6月", "2014Q2"),
        ("2014年1~6月", "2014Q2"),
        ("2014年1～6月", "2014Q2"),
        ("2014年1〜6月", "2014Q2"),
        ("2014年1至6月", "2014Q2"),
        ("2014年1月-6月", "2014Q2"),
        ("2014年1-6月份", "2014Q2"),
        ("2014年 1 - 6 月", "2014Q2"),
        ("2014年1-9月", "2014Q3"),
        ("2014年1-12月", "2014Q4"),
        # a quarter's last month
        ("2014年3月", "2014Q1"),
        ("2014年6月", "2014Q2"),
        ("2014年06月", "2014Q2"),
        ("2014年6月份", "2014Q2"),
        ("2014年6月底", "2014Q2"),
        ("2014年9月末", "2014Q3"),
        ("2014年12月", "2014Q4"),
        ("2014.6", "2014Q2"),
        ("2014.12", "2014Q4"),
        ("2014-06", "2014Q2"),
        ("2014/6", "2014Q2"),
        # a quarter's last day
        ("2014/6/30", "2014Q2"),
        ("2014-06-30", "2014Q2"),
        ("2014-6-30", "2014Q2"),
        ("2014.6.30", "2014Q2"),
        ("2014年6月30日", "2014Q2"),
        ("2014年6月30号", "2014Q2"),
        ("2014-03-31", "2014Q1"),
        ("2014-09-30", "2014Q3"),
        ("2014/12/31", "2014Q4"),
        ("２０１４／６／３０", "2014Q2"),
        # a date cell read as text
        ("2014-06-30 00:00:00", "2014Q2"),
        ("2014-06-30T00:00:00", "2014Q2"),
        ("2014-12-31 00:00:00.000", "2014Q4"),
        ("2014/6/30 0:00", "2014Q2"),
        ("2014-06-30\u300000:00", "2014Q2"),
        (datetime(2014, 6, 30), "2014Q2"),
        (date(2014, 9, 30), "2014Q3"),
        (pd.Timestamp("2014-12-31"), "2014Q4"),
    ],
)
def test_each_form_offices_write_names_its_quarter(text, period):
    assert parse_period(text) == period
    assert period_hint(text) is None


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "nan",
        "2014",
        "2014年",
        "上半年",
        "第二季度",
        "Q2",
        "6月",
        "2014年下半年",
        "2014年第五季度",
        "2014Q5",
        "2014Q0",
        "20142",
        "201406",
        "20140630",
        "14Q2",
        "2014年半年",
        # not a quarter's last month
        "2014年5月",
        "2014.5",
        "2014-04",
        "2014/1",
        "2014.1",  # also what the number 2014.10 becomes
        "2014年13月",
        "2014年0月",
        # spans that are not cumulative from January, or do not end at a quarter end
        "2014年4-6月",
        "2014年7-9月",
        "2014年7-12月",
        "2014年1-5月",
        "2014年6-1月",
        "2014年1-13月",
        "2014年1-6",
        # not a quarter's last day, or not a date
        "2014-06-29",
        "2014/6/15",
        "2014年7月1日",
        "2014-06-31",
        "2014-02-30",
        "2014-13-31",
        "2014-06/30",  # mixed separators
        "2014/6/3 00:00",  # the 3rd, whatever the spaces
        "2014-06-30 25:00",
        datetime(2014, 7, 1),
        "2014Q2 00:00",
    ],
)
def test_anything_not_naming_one_quarter_end_is_refused(text):
    assert parse_period(text) is None


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        (
            "2014年5月",
            "5月不是季度末月份：请填写季度（如 2014年第二季度）",
            "May is not a quarter's last month: give the quarter, e.g. 2014Q2",
        ),
        (
            "2014.1",
            "1月不是季度末月份：请填写季度（如 2014年第一季度）",
            "January is not a quarter's last month: give the quarter, e.g. 2014Q1",
        ),
        (
            "2014年1-11月",
            "11月不是季度末月份：请填写季度（如 2014年第四季度）",
            "November is not a quarter's last month: give the quarter, e.g. 2014Q4",
        ),
        (
            "2014年4-6月",
            "4-6月是单季数，需填自1月起的累计数（如 2014年1-6月）",
            "4-6月 is one quarter alone; give the cumulative figure from January "
            "(e.g. 2014年1-6月)",
        ),
        (
            "2014年4至5月",
            "4-5月只是这几个月的数，需填自1月起的累计数（如 2014年1-6月）",
            "4-5月 counts those months alone; give the cumulative figure from January "
            "(e.g. 2014年1-6月)",
        ),
        (
            "2014/6/15",
            "2014年6月15日不是季度末（3月31日、6月30日、9月30日、12月31日）："
            "请填写季度（如 2014年第二季度）",
            "2014-06-15 is not a quarter's last day (31 March, 30 June, 30 September, "
            "31 December): give the quarter, e.g. 2014Q2",
        ),
        ("2014-06-31", "2014年6月没有31日", "2014-06-31 is not a date"),
        ("2015-02-29", "2015年2月没有29日", "2015-02-29 is not a date"),
        (
            "2014年下半年",
            "下半年是7-12月的数，需填全年累计数（如 2014年全年）",
            "下半年 counts July to December alone; give the cumulative figure for the whole "
            "year (e.g. 2014年全年 or 2014Q4)",
        ),
        ("上半年", "报告期缺少年份（如 2014年第二季度）", "the period has no year (e.g. 2014Q2)"),
        ("第二季度", "报告期缺少年份（如 2014年第二季度）", "the period has no year (e.g. 2014Q2)"),
        ("4-6月", "报告期缺少年份（如 2014年第二季度）", "the period has no year (e.g. 2014Q2)"),
        (
            "2014年",
            "只有年份不是报告期：全年累计数请填 2014年全年 或 2014Q4",
            "a year alone is not a period: for the whole year write 2014年全年 or 2014Q4",
        ),
    ],
)
def test_a_near_miss_is_explained_in_both_languages(text, zh, en):
    assert parse_period(text) is None
    assert period_hint(text) == (zh, en)


def test_a_leap_day_is_a_date_but_not_a_quarter_end():
    zh, en = period_hint("2016-02-29")
    assert "不是季度末" in zh and "not a quarter's last day" in en


@pytest.mark.parametrize("text", [None, "", "abc", "2014年第五季度", "2014年13月", "2014Q2x"])
def test_no_hint_when_nothing_specific_can_be_said(text):
    assert period_hint(text) is None


# --- properties ---------------------------------------------------------------------------

TRICKY = list("0123456789QqＱ年第季度一二三四五上下半前全月日号份末底至到-—~～/.: T\u3000\u200b")
PERIOD_TEXT = st.text(
    alphabet=st.one_of(st.sampled_from(TRICKY), st.characters(codec="utf-8")), max_size=24
)


@NO_DEADLINE
@given(st.one_of(PERIOD_TEXT, st.from_regex(r"\A20\d\d[-./年]\d{1,2}([-./月]\d{1,2})?\Z")))
def test_whatever_is_read_is_a_canonical_period_that_reads_as_itself(text):
    period = parse_period(text)
    if period is not None:
        assert CANONICAL.match(period)
        assert parse_period(period) == period
        assert period_hint(text) is None


@NO_DEADLINE
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)), st.booleans())
def test_a_date_is_its_quarter_exactly_when_it_is_the_quarters_last_day(day, as_cell):
    quarter = (day.month - 1) // 3 + 1
    expected = f"{day.year}Q{quarter}" if (day.month, day.day) == QUARTER_END[quarter] else None
    text = str(datetime.combine(day, datetime.min.time())) if as_cell else day.isoformat()
    assert parse_period(text) == expected
    assert parse_period(f"{day.year}年{day.month}月{day.day}日") == expected
    assert parse_period(f"{day.year}/{day.month}/{day.day}") == expected
    if expected:
        assert period_end(expected) == day
        assert parse_period(day + timedelta(days=1)) is None


@NO_DEADLINE
@given(st.integers(1900, 2099), st.integers(1, 12))
def test_a_month_is_its_quarter_exactly_when_it_is_the_quarters_last_month(year, month):
    expected = f"{year}Q{month // 3}" if month % 3 == 0 else None
    for text in (f"{year}年{month}月", f"{year}.{month}", f"{year}-{month:02}", f"{year}/{month}"):
        assert parse_period(text) == expected
        assert (period_hint(text) is None) == (expected is not None)


@NO_DEADLINE
@given(st.integers(1900, 2099), st.integers(1, 12), st.integers(1, 12))
def test_a_month_span_is_a_quarter_only_from_january_to_a_quarters_last_month(year, first, last):
    text = f"{year}年{first}-{last}月"
    if first == 1 and last % 3 == 0:
        assert parse_period(text) == f"{year}Q{last // 3}"
    else:
        assert parse_period(text) is None
        assert period_hint(text) is not None or first > last


# --- the rest of the module ---------------------------------------------------------------


def test_end_label_range_and_previous_quarter():
    assert period_end("2014Q2") == date(2014, 6, 30)
    assert period_label("2014Q2") == "2014年第二季度"
    assert period_label("2014Q2", "en") == "2014 Q2"
    assert periods_between(date(2014, 1, 1), date(2014, 12, 31)) == [
        "2014Q1",
        "2014Q2",
        "2014Q3",
        "2014Q4",
    ]
    assert previous_period("2014Q1") == "2013Q4"
    assert previous_period("2014Q3") == "2014Q2"


@pytest.mark.parametrize("period", ["2014Q1", "2014Q2", "2014Q3", "2014Q4"])
def test_a_label_and_an_end_date_read_back_as_their_period(period):
    assert parse_period(period_label(period)) == period
    assert parse_period(period_end(period)) == period
    assert parse_period(period_end(period).isoformat()) == period
