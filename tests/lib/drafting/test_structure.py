"""Numbered items, sections and tasks of real documents, with titles and verbatim text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lib.drafting.document import document_from_lines, read_document
from lib.drafting.structure import chinese_ordinal, numbered, outline_of

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "tests" / "data" / "documents"
CATALOG = yaml.safe_load((REPO / "data" / "tasks_2014.yaml").read_text(encoding="utf-8"))


def outline(name: str):
    return outline_of(read_document(DATA / name))


def synthetic(*lines: str):
    return outline_of(document_from_lines(list(lines)))


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("三十九", 39),
        ("一百零一", 101),
        ("甲", None),
    ],
)
def test_chinese_ordinals(text, number):
    assert chinese_ordinal(text) == number


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("一、开拓创新", ("cn", 1, "一、")),
        ("(三十九)确保完成", ("paren_cn", 39, "(三十九)")),
        ("（二）发展目标。", ("paren_cn", 2, "（二）")),
        ("21.推广创新制度。", ("arabic", 21, "21.")),
        ("3．释放企业产能", ("arabic", 3, "3．")),
        ("（1）开展试点", ("paren_arabic", 1, "（1）")),
        ("1.5亿元用于…", None),
        ("2014年，开工建设", None),
        ("根据市委、市政府工作部署", None),
    ],
)
def test_numbered_lines(line, found):
    assert numbered(line) == found


def test_the_2014_document_is_the_catalog():
    result = outline("zhaoqing_2014_zhongdian_renwu_anpai.txt")
    assert result.task_style == "paren_cn"
    assert [s.title for s in result.sections] == [s["title"] for s in CATALOG["sections"]]
    assert [s.number for s in result.sections] == [
        "一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、", "十、",
    ]  # fmt: skip
    catalog_tasks = [t for s in CATALOG["sections"] for t in s["tasks"]]
    assert len(result.tasks) == len(catalog_tasks) == 39
    for drafted, task in zip(result.tasks, catalog_tasks, strict=True):
        assert drafted.title == task["title"]
        assert drafted.text == task["text"]
    assert result.tasks[0].number == "(一)"
    assert result.tasks[-1].number == "(三十九)"
    assert result.review == ()


def test_spans_point_into_the_document():
    doc = read_document(DATA / "zhaoqing_2014_zhongdian_renwu_anpai.txt")
    result = outline_of(doc)
    for section in result.sections:
        assert doc.text[section.span[0] :].startswith(section.number + section.title)
        for task in section.tasks:
            start, end = task.text_span
            assert doc.text[start:end] == task.text
            assert doc.text[task.span[0] :].startswith(task.number + task.title + "。")
            for unit in task.units:
                assert doc.text[unit.span[0] : unit.span[1]] == unit.name


def test_task_numbers_run_across_sections_and_may_be_followed_by_digits():
    result = outline("guangzhou_2012_rencai_jiju_gongcheng_633.txt")
    assert [t.number for t in result.tasks] == [f"{n}." for n in range(1, 46)]
    assert [len(s.tasks) for s in result.sections] == [1, 30, 8, 3, 3]
    # "11.121人才梯队项目": 11 is the task's number, 121 the start of its title
    assert result.tasks[10].title == "121人才梯队项目"
    # the headings （一）…行动计划 over the tasks are not tasks
    assert not any(t.number.startswith("（") for t in result.tasks)


def test_headings_without_tasks_are_left_out_with_a_note():
    result = outline("guofa2019-3_zonghe_baoshuiqu.txt")
    assert [(s.number, s.title) for s in result.sections] == [("四、", "主要任务")]
    assert len(result.tasks) == 21
    assert result.task_style == "arabic"
    skipped = [note for note in result.review if "未作为任务" in note]
    assert [note.split("”")[0] for note in skipped] == [
        "“一、指导思想",
        "“二、基本原则",
        "“三、发展目标",
        "“五、有关要求",
    ]
    assert "含 4 个编号小项" in skipped[1]


def test_a_heading_line_of_its_own_is_the_title_and_its_paragraphs_the_text():
    result = outline("guofa2018-42_nongye_jixiehua.txt")
    goals = result.tasks[1]
    assert (goals.number, goals.title) == ("（二）", "发展目标")
    assert goals.text.startswith("到2020年，农机装备产业科技创新能力持续提升")
    assert "\n到2025年，农机装备品类基本齐全" in goals.text
    assert goals.text.endswith("农产品初加工机械化率总体达到50%左右。")


def test_the_signature_and_date_close_the_last_task():
    last = outline("guofa2018-42_nongye_jixiehua.txt").tasks[-1]
    assert last.number == "（二十）"
    assert last.text.endswith("努力营造加快推进农业机械化和农机装备产业转型升级的良好氛围。")
    assert "国务院\n" not in last.text and "此件公开发布" not in last.text


def test_units_stated_on_a_heading_are_inherited_with_a_note():
    result = outline("guangdong_2014-2015_zhusanjiao_yitihua_gongzuo_yaodian_PARTIAL.txt")
    assert result.task_style == "arabic"
    assert [t.number for t in result.tasks] == ["1.", "2."]
    for task in result.tasks:
        assert [u.name for u in task.units] == [
            "省发展改革委",
            "省经济和信息化委",
            "交通运输厅",
            "水利厅",
        ]
        assert task.units[0].marked_lead
        assert {u.inherited_from for u in task.units} == {"(一)基础设施建设方面"}
        assert any("承自上级标题" in note for note in task.review)


def test_sub_items_of_a_task_are_part_of_its_text():
    result = synthetic(
        "一、重点任务",
        "（一）推进试点。开展以下工作：",
        "1.建立制度。",
        "2.完善机制。（市发展改革局、市财政局负责）",
        "（二）加强督查。定期通报进展。（市政府办公室负责）",
    )
    assert result.task_style == "paren_cn"
    first, second = result.tasks
    assert first.text == "开展以下工作：\n1.建立制度。\n2.完善机制。"
    assert [u.name for u in first.units] == ["市发展改革局", "市财政局"]
    assert [u.name for u in second.units] == ["市政府办公室"]


def test_a_document_without_section_headings_is_one_section():
    result = synthetic(
        "关于做好年度重点工作的通知",
        "1.推进试点。开展试点工作。（市发展改革局负责）",
        "2.加强督查。定期通报。（市政府办公室负责）",
    )
    (section,) = result.sections
    assert section.number is None
    assert section.title == "关于做好年度重点工作的通知"
    assert "no section headings" in section.review[0]
    assert [t.title for t in section.tasks] == ["推进试点", "加强督查"]


def test_a_jump_in_task_numbers_is_noted():
    result = synthetic(
        "一、任务",
        "（一）推进试点。开展试点工作。（市发展改革局负责）",
        "（三）加强督查。定期通报。（市政府办公室负责）",
    )
    assert result.review == (
        "任务编号不连续：（一） 之后是 （三） / task numbers jump from （一） to （三）",
    )


def test_a_task_without_a_title_sentence_is_titled_by_its_first_clause():
    result = synthetic(
        "一、任务",
        "（一）加快推进南广高铁、贵广高铁、广佛肇高速、西江航道等交通大动脉建设，确保贵广和南广"
        "高铁肇庆段建成。（市交通运输局负责）",
    )
    (task,) = result.tasks
    assert task.title == "加快推进南广高铁、贵广高铁、广佛肇高速…"
    assert task.text.startswith("加快推进南广高铁")
    assert any("title is the task's first clause" in note for note in task.review)
