"""The draft plan of each real document: the catalog reproduced from the 2014 document,
units and leads checked by hand on the others, the YAML, the schema's draft-only fields,
the review warnings of check-plan and the plan cache."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from lib.core.errors import PlanError
from lib.drafting.document import document_from_lines, read_document
from lib.drafting.draft import draft_counts, draft_plan, draft_yaml, plan_id
from lib.drafting.scoring import document_scores, read_expected
from lib.plan import loader as plan_loader
from lib.plan.loader import load_plan, parse_plan, plan_problems

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "tests" / "data" / "documents"
ANSWERS = REPO / "tests" / "data" / "drafting"
CATALOG = yaml.safe_load((REPO / "data" / "tasks_2014.yaml").read_text(encoding="utf-8"))
DOC_2014 = DATA / "zhaoqing_2014_zhongdian_renwu_anpai.txt"


def tasks_of(plan: dict) -> list[dict]:
    return [t for s in plan["sections"] for t in s["tasks"]]


@pytest.fixture(scope="module")
def draft_2014() -> dict:
    return draft_plan(DOC_2014)


# --- the 2014 document reproduces the catalog ---------------------------------------------------


def test_the_2014_draft_has_the_catalogs_sections_tasks_and_units(draft_2014):
    assert [s["title"] for s in draft_2014["sections"]] == [s["title"] for s in CATALOG["sections"]]
    assert [s["id"] for s in draft_2014["sections"]] == [f"S{n:02d}" for n in range(1, 11)]
    drafted, catalog = tasks_of(draft_2014), tasks_of(CATALOG)
    assert len(drafted) == len(catalog) == 39
    for task, expected in zip(drafted, catalog, strict=True):
        assert task["id"] == expected["id"]
        assert (task["title"], task["text"]) == (expected["title"], expected["text"])
        # printed order, the lead first, names as the registry has them
        assert task["units"] == expected["units"], task["id"]
    assert drafted[0]["units"][0] == "市编办"
    assert "各县(市、区)政府" in drafted[0]["units"]
    assert "各县(市)政府" in drafted[16]["units"]


def test_the_2014_lead_rule_is_first_listed_with_its_words(draft_2014):
    assert draft_2014["draft"]["lead_rule"] == {
        "rule": "first_listed",
        "evidence": "列为第一的为牵头单位,下同",
    }


def test_the_2014_metadata_and_defaults(draft_2014):
    assert draft_2014["plan"] == {
        "id": "plan-2014-9",
        "title": "实施珠三角规划纲要2014年重点工作任务安排",
        "issuer": "肇庆市人民政府办公室",
        "document_number": "肇府办〔2014〕9号",
        "issue_date": date(2014, 7, 9),
        "period_start": date(2014, 1, 1),
        "period_end": date(2014, 12, 31),
    }
    assert draft_2014["thresholds"] == CATALOG["thresholds"]
    assert draft_2014["reporting"] == {"due_days": 10, "reply_days": 10}
    # task (三十八): 各项考核数据由市统计局核准后上报
    assert draft_2014["confirmation"] == CATALOG["confirmation"]
    assert draft_2014["draft"]["source"].startswith("the project's seed text ../shared/seeds/")
    assert draft_2014["draft"]["file"] == DOC_2014.name


def test_the_2014_registry_is_the_units_as_printed_with_the_catalogs_kinds(draft_2014):
    kinds = {u["name"]: u["kind"] for u in CATALOG["units"]}
    names = [u["name"] for u in draft_2014["units"]]
    # the catalog lists three counties more: members of 各县(市、区)政府 no bracket names
    assert [n for n in kinds if n not in names] == ["鼎湖区政府", "四会市政府", "德庆县政府"]
    assert names == [n for n in kinds if n in names]
    for unit in draft_2014["units"]:
        assert unit["kind"] == kinds[unit["name"]]
        assert "full_name" not in unit and "aliases" not in unit  # nothing invented
    statistics = draft_2014["units"][-1]
    assert statistics["name"] == "市统计局"
    assert "核准单位" in statistics["review"][0]
    group = next(u for u in draft_2014["units"] if u["name"] == "各县(市、区)政府")
    assert group["members"] == [] and "members" in group["review"][0]


def test_the_2014_spans_and_sources_point_into_the_document(draft_2014):
    doc = read_document(DOC_2014)
    for task in tasks_of(draft_2014):
        start, end = task["span"]
        assert task["text"] in doc.text[start:end]
        for indicator in task["indicators"]:
            assert indicator["source"] in task["text"]
            i_start, i_end = indicator["span"]
            assert doc.text[i_start:i_end] == indicator["source"]
            assert indicator["id"].startswith(task["id"] + "-")
    for unit in draft_2014["units"]:
        start, end = unit["span"]
        assert unit["name"] in doc.text[start:end]


def test_the_2014_draft_passes_check_plan_with_review_warnings(draft_2014):
    text = draft_yaml(draft_2014)
    problems = plan_problems(text)
    assert [p for p in problems if p.severity == "error"] == []
    warnings = [p for p in problems if p.code == "review_pending"]
    assert warnings and all(p.severity == "warning" and p.line for p in warnings)
    assert len(warnings) == len({p.path for p in warnings})  # one per item
    paths = {p.path for p in warnings}
    assert "units[6]" in paths  # 各县(市、区)政府: members not listed
    group = next(p for p in warnings if p.path == "units[6]")
    assert group.value == "各县(市、区)政府"
    assert group.message_zh.startswith("草稿待人工核对：泛称单位")
    assert group.message_en.startswith("drafted item needs a person: a group")
    plan = parse_plan(text)
    assert (len(plan.sections), len(plan.tasks)) == (10, 39)
    assert plan.tasks["lead_unit"].tolist() == [t["units"][0] for t in tasks_of(CATALOG)]


# --- the YAML -------------------------------------------------------------------------------------


def test_the_yaml_keeps_chinese_and_the_catalogs_key_order(draft_2014):
    text = draft_yaml(draft_2014)
    assert "\\u" not in text and "&id" not in text
    assert "title: 实施珠三角规划纲要2014年重点工作任务安排" in text
    assert "  span: [" in text
    top = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
    assert top == [
        "schema_version", "plan", "thresholds", "reporting", "confirmation", "units",
        "sections", "draft",
    ]  # fmt: skip
    task = tasks_of(yaml.safe_load(text))[0]
    assert (
        list(task) == ["id", "title", "text", "units", "indicators", "span", "review"][: len(task)]
    )
    assert yaml.safe_load(text) == yaml.safe_load(yaml.safe_dump(draft_2014, allow_unicode=True))


def test_multi_line_text_is_a_block():
    text = draft_yaml(draft_plan(DATA / "guofa2018-42_nongye_jixiehua.txt"))
    assert "  text: |" in text
    goals = tasks_of(yaml.safe_load(text))[0]
    assert goals["title"] == "发展目标"
    assert "\n到2025年" in goals["text"]


# --- every other document, checked by hand --------------------------------------------------------


def test_guangdong_tasks_inherit_the_headings_units():
    plan = draft_plan(DATA / "guangdong_2014-2015_zhusanjiao_yitihua_gongzuo_yaodian_PARTIAL.txt")
    tasks = tasks_of(plan)
    assert [t["title"] for t in tasks] == [
        "推进交通基础设施建设一体化",
        "推进能源基础设施建设一体化",
    ]
    for task in tasks:
        assert task["units"] == ["省发展改革委", "省经济和信息化委", "交通运输厅", "水利厅"]
        assert any("承自上级标题" in note for note in task["review"])
    assert plan["draft"]["lead_rule"]["rule"] == "marked"


def test_guangzhou_leads_are_marked_and_groups_stay_whole():
    plan = draft_plan(DATA / "guangzhou_2012_rencai_jiju_gongcheng_633.txt")
    tasks = tasks_of(plan)
    assert len(tasks) == 45
    assert plan["draft"]["lead_rule"]["rule"] == "marked"
    by_title = {t["title"]: t for t in tasks}
    assert by_title["目标"]["units"] == []  # 1. names no unit: check-plan will say so
    assert by_title["战略性主导产业紧缺人才开发项目"]["units"] == [
        "市发展改革委", "市委组织部", "市人力资源和社会保障局", "各区、县级市",
    ]  # fmt: skip
    assert by_title["121人才梯队项目"]["units"] == ["市人力资源和社会保障局", "各区、县级市"]
    assert by_title["农村实用人才培养项目"]["units"] == ["市农业局", "市科协", "各有关区、县级市"]
    assert by_title["“千人计划”南方创业服务中心"]["units"][-1] == "越秀区"
    assert by_title["百名高端外国专家引进项目"]["units"] == ["市人力资源和社会保障局"]
    assert by_title["加强组织领导"]["units"] == ["市委组织部", "各项目牵头单位", "各区、县级市"]


def test_guofa2018_follows_its_first_listed_rule():
    plan = draft_plan(DATA / "guofa2018-42_nongye_jixiehua.txt")
    tasks = tasks_of(plan)
    # （一）指导思想 names no unit and sets no target: not a task
    assert len(tasks) == 19
    assert any("（一）指导思想" in note for note in plan["draft"]["review"])
    assert plan["draft"]["lead_rule"] == {
        "rule": "first_listed",
        "evidence": "列第一位者为牵头单位，下同",
    }
    by_title = {t["title"]: t for t in tasks}
    assert by_title["发展目标"]["units"] == []
    assert by_title["完善农机装备创新体系"]["units"] == [
        "工业和信息化部",
        "发展改革委",
        "科技部",
        "农业农村部",
    ]
    assert by_title["加强农机装备质量可靠性建设"]["units"][0] == "市场监管总局"
    assert by_title["健全组织实施机制"]["units"] == ["农业农村部", "工业和信息化部"]
    assert by_title["强化地方政府责任"]["units"] == ["各省级人民政府"]
    assert (plan["plan"]["period_start"], plan["plan"]["period_end"]) == (
        date(2018, 1, 1),
        date(2025, 12, 31),
    )


def test_guofa2019_tasks_and_units():
    plan = draft_plan(DATA / "guofa2019-3_zonghe_baoshuiqu.txt")
    tasks = tasks_of(plan)
    assert len(tasks) == 21
    assert plan["draft"]["lead_rule"]["evidence"] == "排在第一位的部门为牵头部门，下同"
    assert tasks[0]["units"] == ["税务总局", "财政部", "海关总署"]
    assert tasks[5]["units"] == ["海关总署", "商务部"]  # 等有关部门负责
    assert tasks[12]["units"] == ["海关总署", "文化和旅游部", "文物局"]
    assert tasks[19]["units"] == ["海关总署", "证监会"]


def test_zhaoqing_2012_and_2016_state_no_lead():
    plan = draft_plan(DATA / "zhaoqing_2012_gongzuo_jihua_PARTIAL.txt")
    assert [t["units"] for t in tasks_of(plan)] == [["各指标监测落实部门"], []]
    assert plan["draft"]["lead_rule"]["rule"] == "none"
    assert any("printed order only" in note for note in plan["draft"]["review"])
    plan = draft_plan(DATA / "zhaoqing_2016_zhongdian_renwu_anpai_PARTIAL.txt")
    assert [t["units"] for t in tasks_of(plan)] == [[]]
    assert plan["draft"]["lead_rule"]["rule"] == "none"


@pytest.mark.parametrize("answer", sorted(ANSWERS.glob("*.expected.yaml")), ids=lambda p: p.stem)
def test_tasks_units_and_leads_agree_with_the_answers_checked_by_hand(answer):
    expected = read_expected(answer)
    scores = document_scores(draft_plan(DATA / expected["document"]), expected)
    for name in ("tasks", "units", "leads"):
        measure = scores.measures()[name]
        assert (measure.precision, measure.recall) == (1.0, 1.0), name


# --- what check-plan says about a draft -----------------------------------------------------------


def test_a_task_without_a_target_has_no_indicator_and_check_plan_lists_it():
    # not a year's plan (no year in the title), so no task is due by a year's end
    document = document_from_lines(
        [
            "关于深化改革的若干意见",
            "一、重点任务",
            "（一）深化改革。研究完善相关政策。（市发展改革局负责）",
            "市人民政府",
            "2015年3月1日",
        ],
        file="plan.txt",
    )
    plan = draft_plan(document)
    (task,) = tasks_of(plan)
    assert task["indicators"] == []
    assert any("no indicator" in note for note in task["review"])
    problems = plan_problems(draft_yaml(plan))
    errors = [(p.code, p.path) for p in problems if p.severity == "error"]
    assert ("schema_too_short", "sections[0].tasks[0].indicators") in errors


def test_a_document_without_a_year_needs_one():
    document = document_from_lines(["一、任务", "（一）深化改革。完成方案。（市发展改革局负责）"])
    with pytest.raises(Exception) as caught:
        draft_plan(document)
    assert caught.value.problems[0].code == "document_no_year"
    plan = draft_plan(document, fallback_year=2015)
    assert plan["plan"]["period_end"] == date(2015, 12, 31)
    assert any("2015" in note for note in plan["draft"]["review"])


def test_the_plan_id_comes_from_the_document_number_else_the_file():
    doc = read_document(DATA / "guangzhou_2012_rencai_jiju_gongcheng_633.txt")
    assert plan_id(doc, date(2012, 1, 1)) == "guangzhou_2012_rencai_jiju_gongcheng_633"
    assert (
        plan_id(document_from_lines(["一、任务"], file="草稿.txt"), date(2015, 1, 1)) == "plan-2015"
    )


def test_counts(draft_2014):
    counts = draft_counts(draft_2014)
    assert counts["sections"] == 10 and counts["tasks"] == 39 and counts["units"] == 55
    assert counts["indicators"] == sum(len(t["indicators"]) for t in tasks_of(draft_2014))


# --- the schema's draft-only fields ---------------------------------------------------------------


def test_the_catalog_still_loads():
    plan = load_plan(REPO / "data" / "tasks_2014.yaml")
    assert (len(plan.tasks), len(plan.indicators)) == (39, 73)


def test_draft_fields_are_checked(draft_2014):
    bad = dict(draft_2014)
    bad["draft"] = {**draft_2014["draft"], "lead_rule": {"rule": "guessed", "evidence": ""}}
    bad["units"] = [{**draft_2014["units"][0], "span": [1]}, *draft_2014["units"][1:]]
    with pytest.raises(PlanError) as caught:
        parse_plan(draft_yaml(bad))
    found = {(p.code, p.path) for p in caught.value.problems if p.severity == "error"}
    assert ("schema_literal_error", "draft.lead_rule.rule") in found
    assert ("schema_too_short", "units[0].span") in found


def test_a_draft_is_cached_like_any_plan(tmp_path, monkeypatch, draft_2014):
    path = tmp_path / "draft.yaml"
    path.write_text(draft_yaml(draft_2014), encoding="utf-8")
    first = load_plan(path, cache_dir=tmp_path / "cache")

    def no_parse(text):
        raise AssertionError("parsed the YAML again")

    monkeypatch.setattr(plan_loader, "_checked_document", no_parse)
    second = load_plan(path, cache_dir=tmp_path / "cache")
    assert second.key == first.key
    assert second.tasks["task_id"].tolist() == first.tasks["task_id"].tolist()


def test_aliases_are_only_those_the_document_gives():
    document = document_from_lines(
        [
            "关于深化改革的若干意见",
            "由肇庆市发展和改革局（以下简称“市发展改革局”）会同有关部门组织实施。",
            "成立工作专班（简称专班）。",
            "一、重点任务",
            "（一）深化改革。研究完善相关政策。（市发展改革局、市财政局负责）",
            "市人民政府",
            "2015年3月1日",
        ]
    )
    units = {u["name"]: u for u in draft_plan(document)["units"]}
    assert units["市发展改革局"]["aliases"] == ["肇庆市发展和改革局"]
    assert "aliases" not in units["市财政局"]
