"""Unit brackets as documents word them, the lead rule, inherited units and unit kinds."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lib.drafting.document import document_from_lines
from lib.drafting.structure import outline_of
from lib.drafting.units import (
    FIRST_LISTED,
    MARKED,
    NO_RULE,
    attributions_in,
    inherit_rules_in,
    lead_rule_in,
    looks_like_unit,
    unit_kind,
)

REPO = Path(__file__).resolve().parents[3]
CATALOG = yaml.safe_load((REPO / "data" / "tasks_2014.yaml").read_text(encoding="utf-8"))


def units_of(text: str) -> list[tuple[str, ...]]:
    found, _ = attributions_in(text)
    return [a.names for a in found]


def leads_of(text: str) -> list[tuple[bool, ...]]:
    found, _ = attributions_in(text)
    return [tuple(m.lead for m in a.mentions) for a in found]


@pytest.mark.parametrize(
    ("text", "names", "leads"),
    [
        # 〔〕 with 等负责 and the document's rule inside (2014 (一))
        (
            "去垄断化。〔市编办、市社工委、各县(市、区)政府、肇庆高新区管委会等负责,列为第一的为牵头单位,下同〕",
            ("市编办", "市社工委", "各县(市、区)政府", "肇庆高新区管委会"),
            (False, False, False, False),
        ),
        # half-width () with one unit
        ("开发建设。(肇庆新区管委会负责)", ("肇庆新区管委会",), (False,)),
        # （X牵头，Y参与）
        (
            "基础设施建设方面。(省发展改革委牵头,省经济和信息化委、交通运输厅、水利厅等参与)",
            ("省发展改革委", "省经济和信息化委", "交通运输厅", "水利厅"),
            (True, False, False, False),
        ),
        # （牵头单位：X，配合单位：Y、Z，各区、县级市）
        (
            "定期向社会公布。（牵头单位：市发展改革委，配合单位：市委组织部、市人力资源和社会保障局，各区、县级市）",
            ("市发展改革委", "市委组织部", "市人力资源和社会保障局", "各区、县级市"),
            (True, False, False, False),
        ),
        (
            "服务。（牵头单位：市农业局，配合单位：市科协，各有关区、县级市）",
            ("市农业局", "市科协", "各有关区、县级市"),
            (True, False, False),
        ),
        (
            "服务。（牵头单位：市留交办，配合单位：市委组织部、各有关单位，各区、县级市）",
            ("市留交办", "市委组织部", "各有关单位", "各区、县级市"),
            (True, False, False, False),
        ),
        # 牵头负责: every listed unit leads
        (
            "报告。（农业农村部、工业和信息化部牵头负责）",
            ("农业农村部", "工业和信息化部"),
            (True, True),
        ),
        # 等有关部门 is the open end of the list, not a unit
        ("发展。（商务部、海关总署等有关部门负责）", ("商务部", "海关总署"), (False, False)),
        # 牵头 inside a name (各项目牵头部门) is no mark
        (
            "推进。(市重点项目办、各项目牵头部门等负责)",
            ("市重点项目办", "各项目牵头部门"),
            (False, False),
        ),
        ("推进。(各指标监测落实部门负责)", ("各指标监测落实部门",), (False,)),
        # a closing sentence without brackets
        (
            "完善机制。市发展改革局牵头，市财政局、市国土资源局按职责分工负责。",
            ("市发展改革局", "市财政局", "市国土资源局"),
            (True, False, False),
        ),
    ],
)
def test_attribution_forms(text, names, leads):
    assert units_of(text) == [names]
    assert leads_of(text) == [leads]


def test_mention_offsets_point_at_the_names():
    text = "去垄断化。〔市编办、各县(市、区)政府等负责,列为第一的为牵头单位,下同〕"
    (attribution,), _ = attributions_in(text)
    assert [text[m.start : m.end] for m in attribution.mentions] == ["市编办", "各县(市、区)政府"]
    assert attribution.rule == "列为第一的为牵头单位,下同"
    assert text[attribution.start : attribution.end] == text[text.index("〔") :]


def test_a_bracket_inside_a_sentence_is_not_an_attribution():
    text = "加快培育现代金融集聚区(肇庆端州国际金融中心)。(市金融局、端州区政府等负责)"
    assert units_of(text) == [("市金融局", "端州区政府")]


@pytest.mark.parametrize(
    "bracket", ["（试行）", "（含县级市）", "（广州、深圳、珠海）", "(2014—2016年)"]
)
def test_a_closing_bracket_that_is_not_units_is_noted_and_left(bracket):
    found, notes = attributions_in(f"制定管理办法{bracket}")
    assert found == []
    assert notes == [
        f"末尾括注“{bracket}”不像责任单位，未作单位处理 / the closing bracket does not read as "
        "units and was not taken as units"
    ]


def test_a_bracket_of_bare_names_is_taken_with_a_note():
    found, _ = attributions_in("推进改革。（市财政局、市税务局）")
    assert [a.names for a in found] == [("市财政局", "市税务局")]
    assert "without 负责 or 牵头" in found[0].review[0]


def test_a_bracket_after_a_sentence_without_units_wording_is_no_attribution():
    # mid-text, a bracket needs 负责/牵头 wording to be units
    assert units_of("完成立项。（市财政局）继续推进。") == []


@pytest.mark.parametrize(
    ("text", "rule", "evidence"),
    [
        ("…等负责,列为第一的为牵头单位,下同〕", FIRST_LISTED, "列为第一的为牵头单位,下同"),
        ("…等负责。列第一位者为牵头单位，下同）", FIRST_LISTED, "列第一位者为牵头单位，下同"),
        (
            "…负责，排在第一位的部门为牵头部门，下同）",
            FIRST_LISTED,
            "排在第一位的部门为牵头部门，下同",
        ),
    ],
)
def test_the_stated_lead_rule_is_quoted(text, rule, evidence):
    found = lead_rule_in(text, [])
    assert (found.rule, found.evidence) == (rule, evidence)
    assert text[found.start :].startswith(evidence)


def test_units_marked_lead_make_the_rule_marked():
    text = "方面。(省发展改革委牵头,交通运输厅等参与)"
    found, _ = attributions_in(text)
    rule = lead_rule_in(text, found)
    assert rule.rule == MARKED
    assert rule.evidence == "(省发展改革委牵头,交通运输厅等参与)"


def test_no_rule_and_no_mark_is_no_rule():
    text = "推进。(各指标监测落实部门负责)"
    found, _ = attributions_in(text)
    rule = lead_rule_in(text, found)
    assert rule.rule == NO_RULE
    assert "states no lead rule" in rule.evidence


def test_several_brackets_in_one_task_are_joined_in_order_with_a_note():
    outline = outline_of(
        document_from_lines(
            [
                "一、任务",
                "（一）推进改革。制定方案。（市发展改革局负责）开展试点。（市财政局、市发展改革局负责）",
            ]
        )
    )
    (task,) = outline.tasks
    assert [u.name for u in task.units] == ["市发展改革局", "市财政局"]
    assert any("2 unit brackets inside the task" in note for note in task.review)
    assert task.text == "制定方案。（市发展改革局负责）开展试点。"


def test_units_a_rule_says_every_later_item_carries_are_inherited_with_a_note():
    text_lines = [
        "试点工作方案",
        "一、重点任务",
        "以下均需试点城市政府落实，不再列出。",
        "（一）建立制度。制定办法。（省发展改革委牵头，省财政厅参与）",
        "（二）完善机制。开展评估。",
    ]
    document = document_from_lines(text_lines)
    (rule,) = inherit_rules_in(document.text)
    assert rule.names == ("试点城市政府",)
    first, second = outline_of(document).tasks
    assert [u.name for u in first.units] == ["省发展改革委", "省财政厅", "试点城市政府"]
    assert [u.name for u in second.units] == ["试点城市政府"]
    for task in (first, second):
        assert any("以下均需试点城市政府落实，不再列出" in note for note in task.review)


@pytest.mark.parametrize(
    ("name", "unit"),
    [
        ("市编办", True),
        ("各区、县级市", True),
        ("越秀区", True),
        ("海关总署", True),
        ("广州", False),
        ("试行", False),
        ("含县级市", False),
        ("2014年", False),
    ],
)
def test_what_looks_like_a_unit(name, unit):
    assert looks_like_unit(name) is unit


def test_unit_kinds_agree_with_the_catalog_for_every_2014_unit():
    for unit in CATALOG["units"]:
        kind, note = unit_kind(unit["name"])
        assert kind == unit["kind"], unit["name"]
        assert note is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("各省级人民政府", "group"),
        ("各有关单位", "group"),
        ("粤桂合作特别试验区(肇庆)管委会", "zone_committee"),
        ("越秀区", "county_government"),
        ("团市委", "party_department"),
        ("市委组织部", "party_department"),
        ("海关总署", "municipal_department"),
        ("肇庆海关", "central_agency"),
        ("肇庆银监分局", "central_agency"),
    ],
)
def test_unit_kinds_by_rule(name, kind):
    assert unit_kind(name)[0] == kind


def test_a_kind_the_name_does_not_tell_is_noted():
    kind, note = unit_kind("南方国际人才研究")
    assert kind == "municipal_department"
    assert note and "cannot be told from the name" in note
