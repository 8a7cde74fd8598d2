"""One normaliser: periods, ids, unit names and cells agree on what a person typed."""

from __future__ import annotations

import pytest

from lib.core.periods import parse_period
from lib.core.text import clean_id, clean_text, compact_text
from lib.plan.loader import load_plan
from lib.plan.units import resolve_unit
from lib.services.settings import DEFAULT_PLAN_FILE

# What offices paste: zero-width characters from web pages, full-width forms, NBSP, U+3000,
# control characters from other systems.
NOISE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\x07"]


@pytest.mark.parametrize("noise", NOISE)
def test_a_period_with_invisible_characters_is_the_period(noise):
    assert parse_period(f"2014Q2{noise}") == "2014Q2"
    assert parse_period(f"{noise}2014年第二季度") == "2014Q2"


@pytest.mark.parametrize("noise", NOISE)
def test_an_id_with_invisible_characters_is_the_id(noise):
    assert clean_id(f"ｔ16{noise}－1 ") == "T16-1"


@pytest.mark.parametrize("noise", NOISE)
def test_a_unit_name_with_invisible_characters_is_the_unit(noise):
    plan = load_plan(DEFAULT_PLAN_FILE)
    assert resolve_unit(plan, f"市 发改{noise}局\u3000") == "市发展改革局"


def test_cells_keep_inner_spaces_and_notes_keep_chinese_punctuation():
    assert clean_text("\u3000１２３ 万元\xa0") == "123 万元"
    assert compact_text("\u3000１２３ 万元\xa0") == "123万元"
    assert clean_text("进展顺利，已完成：80%\u200b", nfkc=False) == "进展顺利，已完成：80%"
