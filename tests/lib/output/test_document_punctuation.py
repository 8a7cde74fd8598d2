"""Section titles on charts as the document prints them: the catalog keeps ASCII commas
('开拓创新,加大改革攻坚力度'), the labels people read show the full-width '，'."""

from __future__ import annotations

import pytest

from lib.core.text import document_text
from lib.output import charts
from lib.plan.loader import load_plan
from lib.services.settings import DEFAULT_PLAN_FILE
from lib.status.codes import STATUS_ORDER


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ("开拓创新,加大改革攻坚力度", "开拓创新，加大改革攻坚力度"),
        ("目标:建成;完成", "目标：建成；完成"),
        ("乡镇(街道)网上办事站", "乡镇（街道）网上办事站"),
        ("S01 开拓创新,加大", "S01 开拓创新，加大"),
        # Latin text and numbers keep ASCII punctuation
        ("1,000 units; PRD (2014): done", "1,000 units; PRD (2014): done"),
        ("建成3,000个", "建成3,000个"),
    ],
)
def test_document_text_puts_full_width_punctuation_beside_chinese(text, printed):
    assert document_text(text) == printed


@pytest.fixture(scope="module")
def plan():
    return load_plan(DEFAULT_PLAN_FILE)


def sections_frame(plan):
    sections = plan.sections[["section_id", "title"]].copy()
    return sections.assign(
        completion=0.5, expected=0.6, status=STATUS_ORDER[1], task_count=3, indicator_count=5
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_section_bars_show_the_titles_as_printed(plan, lang):
    assert "开拓创新,加大改革攻坚力度" in set(plan.sections["title"])  # the catalog's form
    fig = charts.completion_by_section_figure(sections_frame(plan), lang)
    labels = list(fig.data[0].y)
    assert labels[0] == "开拓创新，加大改革攻坚力度"
    assert not any("," in label for label in labels)
    assert all("，" in label for label in labels)
    assert list(fig.layout.yaxis.categoryarray) == labels


def test_short_titles_are_the_printed_words_before_the_comma(plan):
    shorts = [charts.short_title(t) for t in plan.sections["title"]]
    assert shorts[:3] == ["开拓创新", "转型升级", "全力推进"]
    assert charts.short_title("目标(一期),建成") == "目标（一期）"
