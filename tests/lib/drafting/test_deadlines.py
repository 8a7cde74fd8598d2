"""The deadline a clause states, resolved in the plan's period (lib.drafting.deadlines).

Every expected date below was worked out by hand from the clause and the period.
"""

from __future__ import annotations

from datetime import date

import pytest

from lib.drafting.deadlines import deadline_of, same_length_normalised, stated_deadline

YEAR_2014 = {"period_start": date(2014, 1, 1), "period_end": date(2014, 12, 31)}
YEARS_2014_2015 = {"period_start": date(2014, 1, 1), "period_end": date(2015, 12, 31)}
YEARS_2012_2016 = {"period_start": date(2012, 1, 1), "period_end": date(2016, 12, 31)}


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        # zhaoqing 2014 (肇府办〔2014〕9号)
        ("上半年建成乡镇(街道)网上办事站", date(2014, 6, 30)),
        ("下半年公布试点单位权责清单", date(2014, 12, 31)),
        ("12月底前每个镇(街)开通2个以上村(居)网上办事点", date(2014, 12, 31)),
        ("力争汕昆、汕湛高速肇庆段年内动工", date(2014, 12, 31)),
        ("到2014年底,实现省教育强镇100%覆盖", date(2014, 12, 31)),
        ("确保2014年“九年大跨越”各项指标完成", date(2014, 12, 31)),
        ("力争部分指标在上半年取得突破性进展", date(2014, 6, 30)),
        # forms other documents use
        ("9月底前完成清理", date(2014, 9, 30)),
        ("十月底前出台实施细则", date(2014, 10, 31)),
        ("10月15日前报送", date(2014, 10, 15)),
        ("一季度完成招标", date(2014, 3, 31)),
        ("前三季度完成投资", date(2014, 9, 30)),
        ("年底前完成验收", date(2014, 12, 31)),
        ("１２月底前完成", date(2014, 12, 31)),  # full-width digits as typed
    ],
)
def test_deadline_in_a_one_year_plan(clause: str, expected: date) -> None:
    assert deadline_of(clause, **YEAR_2014) == (expected, None)


def test_month_end_respects_leap_years() -> None:
    period = {"period_start": date(2016, 1, 1), "period_end": date(2016, 12, 31)}
    assert deadline_of("2月底前完成", **period) == (date(2016, 2, 29), None)


def test_dated_deadlines_in_a_five_year_programme() -> None:
    # guangzhou 2012 (633 人才工程), task 43
    assert deadline_of(
        "会同配合单位于2012年10月底前牵头制定完成具体实施细则", **YEARS_2012_2016
    ) == (
        date(2012, 10, 31),
        None,
    )
    assert deadline_of(
        "各区（县级市）要于2012年底前制定完成具体贯彻落实意见", **YEARS_2012_2016
    ) == (
        date(2012, 12, 31),
        None,
    )


def test_a_span_counts_from_its_stated_start_or_from_the_period_start() -> None:
    # 2012年起5年内: 2012, 2013, 2014, 2015, 2016
    found = stated_deadline("2012年起5年内,大力实施六大人才行动计划", **YEARS_2012_2016)
    assert found is not None
    assert (found.when, found.note, found.kind) == (date(2016, 12, 31), None, "span")
    assert deadline_of("5年内重点引进100名市管企业中高级经营管理人才", **YEARS_2012_2016) == (
        date(2016, 12, 31),
        None,
    )


def test_a_deadline_after_the_period_is_kept_with_a_note() -> None:
    # guofa 2018-42: 到2020年 in a plan whose period is 2014
    when, note = deadline_of("到2020年,全国农机总动力超过10亿千瓦", **YEAR_2014)
    assert when == date(2020, 12, 31)
    assert note is not None
    assert "2020-12-31" in note and "outside the plan period" in note


def test_half_year_in_a_two_year_plan_names_the_year_assumed() -> None:
    # guangdong 2014-2015 工作要点: an undated 上半年 could be either year's
    when, note = deadline_of("上半年建成投产", **YEARS_2014_2015)
    assert when == date(2014, 6, 30)
    assert note is not None and "2014–2015" in note
    # a stated year removes the doubt
    assert deadline_of("2015年上半年建成投产", **YEARS_2014_2015) == (date(2015, 6, 30), None)


@pytest.mark.parametrize(
    ("clause", "word"),
    [
        ("持续推进“营改增”试点", "持续推进"),
        ("推动“留交会”海外人才引进工作常态化", "常态化"),
        ("每年选拔资助不少于100名青年科技人员", "每年"),
    ],
)
def test_no_date_in_the_text_gives_the_period_end_and_says_why(clause: str, word: str) -> None:
    when, note = deadline_of(clause, **YEARS_2012_2016)
    assert when == date(2016, 12, 31)
    assert note is not None and note.startswith(word)
    found = stated_deadline(clause, **YEARS_2012_2016)
    assert found is not None and found.kind == "none"


@pytest.mark.parametrize(
    "clause",
    [
        "实现县级以上政府行政审批事项比2011年底减少40%以上",  # a base, not a deadline
        "重点落实《广佛肇经济圈建设2013-2014年度重点工作计划》",  # a title
        "落实“十二五”后半期主要污染物总量减排行动计划",  # a slogan
        "根据粤办发〔2013〕13号确定的有关工作任务",  # a document number
        "尽快实现年主营业务收入超百亿元企业“零”的突破",  # 尽快 names no date
        "2013年以来进展顺利",  # a starting point
        "2014年10月8日",  # a date, with no 前 / 底: not a deadline
        "PM2.5年均浓度下降到35微克/立方米",  # 年均 is a measure, not 每年
    ],
)
def test_no_deadline(clause: str) -> None:
    assert deadline_of(clause, **YEAR_2014) == (None, None)


def test_same_length_normalised_keeps_offsets() -> None:
    text = "新建农村公路１２０公里，（牵头）"
    folded = same_length_normalised(text)
    assert folded == "新建农村公路120公里,(牵头)"
    assert len(folded) == len(text)
