"""The supervision office's documents as real files: a 催报通知 and a 督办单 opened with
python-docx (page, fonts, text, table), the 督办回复表 opened with openpyxl, and the zip."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from openpyxl import load_workbook

from lib.core.errors import UserInputError
from lib.output.notices import (
    SAMPLE_LINE,
    due_day,
    notices_zip,
    number_text,
    percent_text,
    reminder_docx,
    reminder_file_name,
    reply_form_bytes,
    reply_form_file_name,
    supervision_notice_docx,
    supervision_notice_file_name,
)
from lib.plan.loader import load_plan
from lib.status.indicators import at_risk_indicators, indicator_status
from lib.status.submissions import due_at
from lib.store.repository import CURRENT_COLUMNS

REAL_PLAN = Path(__file__).resolve().parents[3] / "data" / "tasks_2014.yaml"
UNIT, PERIOD, OFFICE = "市编办", "2014Q3", "肇庆市人民政府督查室"
ISSUED = date(2014, 10, 12)
# 市编办's figures for 2014Q3: T01-3 (a milestone due 2014-06-30) half done, so overdue;
# T01-2 at 10 of 40 (behind); T01-1 at 60% (watch); T01-4 not reported; T01-5/6 on track
FIGURES = {"T01-1": 60.0, "T01-2": 10.0, "T01-3": 50.0, "T01-5": 75.0, "T01-6": 70.0}


@pytest.fixture(scope="module")
def plan():
    return load_plan(REAL_PLAN)


@pytest.fixture(scope="module")
def at_risk(plan) -> pd.DataFrame:
    """The unit's at-risk indicators at 2014Q3, computed by the status model from figures."""
    count = len(FIGURES)
    figures = pd.DataFrame(
        {
            "indicator_id": pd.Series(list(FIGURES), dtype="str"),
            "period": pd.Series([PERIOD] * count, dtype="str"),
            "value": np.array(list(FIGURES.values())),
            "note": pd.Series([""] * count, dtype="str"),
            "reporter": pd.Series([UNIT] * count, dtype="str"),
            "upload_id": np.arange(1, count + 1, dtype=np.int64),
            "uploaded_at": pd.Timestamp("2014-10-09"),
            "uploaded_by": pd.Series(["analyst"] * count, dtype="str"),
        }
    )[CURRENT_COLUMNS]
    risky = at_risk_indicators(indicator_status(plan, figures, PERIOD))
    return risky[risky["lead_unit"] == UNIT].reset_index(drop=True)


@pytest.fixture(scope="module")
def missing(plan) -> pd.DataFrame:
    indicators = plan.indicators[plan.indicators["indicator_id"].isin(["T01-4", "T01-2"])]
    titles = plan.tasks.set_index("task_id")["title"]
    frame = indicators[["indicator_id", "name", "task_id"]].reset_index(drop=True)
    return frame.assign(task_title=frame["task_id"].map(titles))


def _reminder(plan, missing) -> bytes:
    return reminder_docx(
        plan,
        unit=UNIT,
        period=PERIOD,
        missing=missing,
        due=due_at(plan, PERIOD),
        office=OFFICE,
        issued_on=ISSUED,
        number="督催〔2014〕Q3-05号",
    )


def _notice(plan, indicators, *, sample: bool) -> bytes:
    return supervision_notice_docx(
        plan,
        unit=UNIT,
        period=PERIOD,
        indicators=indicators,
        reply_by=date(2014, 10, 31),
        office=OFFICE,
        issued_on=date(2014, 10, 15),
        number="督办〔2014〕Q3-01号",
        sample=sample,
    )


def _open(content: bytes):
    return Document(io.BytesIO(content))


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def _table_cells(document) -> list[list[str]]:
    (table,) = document.tables
    return [[cell.text for cell in row.cells] for row in table.rows]


def _runs(document):
    for paragraph in document.paragraphs:
        yield from paragraph.runs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    yield from paragraph.runs


def _assert_official_page(document) -> None:
    (section,) = document.sections
    assert round(section.page_width.mm) == 210
    assert round(section.page_height.mm) == 297
    margins = [section.top_margin, section.bottom_margin, section.left_margin]
    margins.append(section.right_margin)
    assert [round(m.mm, 1) for m in margins] == [37.0, 35.0, 28.0, 26.0]


def test_the_reminder_is_an_a4_notice_to_the_unit_listing_what_is_missing(plan, missing):
    document = _open(_reminder(plan, missing))
    texts = _texts(document)

    _assert_official_page(document)
    assert texts[0] == "关于报送2014年第三季度重点工作进展数据的催报通知"
    assert texts[1] == "督催〔2014〕Q3-05号"
    assert f"{UNIT}：" in texts
    body = next(t for t in texts if t.startswith("按照"))
    assert "《实施珠三角规划纲要2014年重点工作任务安排》（肇府办〔2014〕9号）" in body
    # due_at is the end of the 10th day after the quarter: the notice names that day
    assert "应于2014年10月10日前报送" in body
    assert "截至2014年10月12日，你单位以下2项指标的数据尚未收到" in body
    assert any("请于接到本通知后3个工作日内报送" in t for t in texts)
    assert texts[-2:] == [OFFICE, "2014年10月12日"]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.RIGHT for p in document.paragraphs[-2:])
    cells = _table_cells(document)
    assert cells[0] == ["序号", "指标编号", "指标名称", "所属任务"]
    assert [row[:3] for row in cells[1:]] == [
        ["1", "T01-2", "县级以上政府行政审批事项比2011年底减少比例"],
        ["2", "T01-4", "每个镇(街)开通村(居)网上办事点数"],
    ]
    assert cells[1][3] == "T01 加快转变政府职能"


def test_every_run_names_its_chinese_face_beside_a_latin_one(plan, missing):
    document = _open(_reminder(plan, missing))
    title = document.paragraphs[0].runs[0]

    def east_asian(run) -> str:
        return run._element.rPr.rFonts.get(qn("w:eastAsia"))

    assert east_asian(title) == "黑体"
    assert title.font.size.pt == 22
    body = [run for run in _runs(document) if run._element is not title._element]
    assert body and all(east_asian(run) == "仿宋" for run in body)
    assert all(run.font.name == "Times New Roman" for run in _runs(document))
    paragraph_runs = [run for p in document.paragraphs[1:] for run in p.runs]
    assert {run.font.size.pt for run in paragraph_runs} == {16}
    # the document's own defaults name no theme font, which would win over 仿宋
    defaults = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    assert defaults.get(qn("w:eastAsia")) == "仿宋"
    assert defaults.get(qn("w:eastAsiaTheme")) is None


def test_the_supervision_notice_lists_exactly_the_at_risk_indicators(plan, at_risk):
    document = _open(_notice(plan, at_risk, sample=False))
    texts = _texts(document)
    cells = _table_cells(document)

    _assert_official_page(document)
    assert texts[0] == "督办单"
    assert SAMPLE_LINE not in texts
    assert "督办〔2014〕Q3-01号" in texts
    assert f"督办单位：{OFFICE}" in texts
    assert f"承办单位（牵头）：{UNIT}" in texts
    assert any(
        t.startswith("督办事项：《实施珠三角规划纲要2014年重点工作任务安排》")
        and "2014年第三季度进度落后、已逾期或未报送的指标（共4项）" in t
        for t in texts
    )
    assert cells[0] == [
        "指标编号", "指标名称", "目标", "当前值", "应达进度", "实际进度", "情况",
        "每季度还需完成", "完成时限",
    ]  # fmt: skip
    assert [row[0] for row in cells[1:]] == at_risk["indicator_id"].tolist()
    assert at_risk["indicator_id"].tolist() == ["T01-3", "T01-2", "T01-4", "T01-1"]
    rows = {row[0]: row for row in cells[1:]}
    assert rows["T01-2"] == [
        "T01-2", "县级以上政府行政审批事项比2011年底减少比例", "40%", "10%", "74.8%", "25%",
        "落后预期 50 个百分点", "30%", "2014-12-31",
    ]  # fmt: skip
    # not reported: no value and no progress, never a zero
    assert rows["T01-4"][2:6] == ["2个", "—", "74.8%", "—"]
    assert rows["T01-4"][6:] == ["本期未报送", "2个", "2014-12-31"]
    # overdue: nothing left per quarter to compute
    assert rows["T01-3"][6:] == ["已逾期（时限 2014-06-30）", "—", "2014-06-30"]
    reply = next(t for t in texts if t.startswith("办理要求"))
    assert "请于2014年10月31日前" in reply
    assert "原因分析、整改措施、预计完成时间" in reply and "督办回复表" in reply
    assert texts[-2:] == [OFFICE, "2014年10月15日"]


def test_the_supervision_table_is_bordered_with_a_bold_heading_row_repeated(plan, at_risk):
    document = _open(_notice(plan, at_risk, sample=False))
    (table,) = document.tables

    assert table.style.name == "Table Grid"
    heading, *rows = table.rows
    assert heading._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in rows)
    assert all(run.bold for cell in heading.cells for run in cell.paragraphs[0].runs)
    widths = [column.width.mm for column in table.columns]
    assert sum(widths) == pytest.approx(210 - 28 - 26, abs=0.5)


def test_a_notice_from_sample_figures_says_so_under_its_title(plan, at_risk):
    document = _open(_notice(plan, at_risk, sample=True))
    texts = _texts(document)

    assert texts[:2] == ["督办单", "（示例数据，非真实统计）"]
    line = document.paragraphs[1]
    assert line.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert line.runs[0].bold


def test_the_signature_stays_on_the_page_of_the_text_above_it(plan, at_risk, missing):
    for content in (_reminder(plan, missing), _notice(plan, at_risk, sample=False)):
        paragraphs = _open(content).paragraphs
        kept = [p.paragraph_format.keep_with_next for p in paragraphs[-5:]]
        assert kept == [True, True, True, True, None]  # text, two blanks, office -> date
        assert paragraphs[-5].text and paragraphs[-2].text == OFFICE


def test_a_notice_with_nothing_to_list_is_refused(plan, at_risk, missing):
    with pytest.raises(UserInputError) as reminder:
        _reminder(plan, missing.iloc[:0])
    with pytest.raises(UserInputError) as notice:
        _notice(plan, at_risk.iloc[:0], sample=False)

    assert reminder.value.problems[0].code == "reminder_nothing_missing"
    assert notice.value.problems[0].code == "supervision_nothing_listed"


def test_the_reply_form_is_prefilled_with_the_notice_and_its_indicators(plan, at_risk):
    content = reply_form_bytes(plan, unit=UNIT, period=PERIOD, indicators=at_risk, notice_id=7)
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["回复"]
    rows = list(sheet.iter_rows(values_only=True))

    assert workbook.sheetnames == ["回复", "说明"]
    assert rows[0] == (
        "督办单编号",
        "指标编号",
        "指标名称",
        "情况",
        "原因分析",
        "整改措施",
        "预计完成时间",
    )
    assert [row[:2] for row in rows[1:]] == [(7, i) for i in at_risk["indicator_id"]]
    assert [row[2] for row in rows[1:]] == at_risk["name"].tolist()
    assert [row[3] for row in rows[1:]] == at_risk["reason_zh"].tolist()
    assert all(row[4:] == (None, None, None) for row in rows[1:])
    # the reply cells are open on the protected sheet, the prefilled ones locked
    assert sheet.protection.sheet
    assert not sheet["E2"].protection.locked and not sheet["G5"].protection.locked
    assert sheet["B2"].protection.locked
    assert sheet["G2"].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["E"].width >= 40
    notes = [row[1] for row in workbook["说明"].iter_rows(min_row=2, values_only=True)]
    assert any("YYYY-MM-DD" in note for note in notes)
    assert any("督办单（编号 7）" in note and UNIT in note for note in notes)


def test_prefilled_text_that_looks_like_a_formula_is_escaped(plan, at_risk):
    hostile = at_risk.assign(name=["=HYPERLINK(1)", *at_risk["name"].tolist()[1:]])
    content = reply_form_bytes(plan, unit=UNIT, period=PERIOD, indicators=hostile, notice_id=7)

    assert load_workbook(io.BytesIO(content))["回复"]["C2"].value == "'=HYPERLINK(1)"


def test_several_documents_go_in_one_zip_under_their_chinese_names(plan, at_risk, missing):
    files = {
        reminder_file_name(UNIT, PERIOD): _reminder(plan, missing),
        supervision_notice_file_name(UNIT, PERIOD): _notice(plan, at_risk, sample=False),
        reply_form_file_name(UNIT, PERIOD): b"form",
    }
    with zipfile.ZipFile(io.BytesIO(notices_zip(files))) as archive:
        names = archive.namelist()
        assert all(info.flag_bits & 0x800 for info in archive.infolist())  # UTF-8 names
        assert archive.read(names[0]) == files[names[0]]
    assert names == [
        "催报通知_市编办_2014Q3.docx",
        "督办单_市编办_2014Q3.docx",
        "督办回复表_市编办_2014Q3.xlsx",
    ]


def test_file_names_hold_no_character_windows_refuses():
    assert reminder_file_name('各县/区:"政府"?', "2014Q3") == "催报通知_各县_区__政府___2014Q3.docx"
    assert supervision_notice_file_name("a<b>c|d*e\\f", "2014Q4") == (
        "督办单_a_b_c_d_e_f_2014Q4.docx"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [(56.0, "56"), (1532.87, "1532.87"), (18.666666, "18.67"), (-0.001, "0"),
     (float("nan"), "—"), (None, "—"), (float("inf"), "—")],
)  # fmt: skip
def test_numbers_are_written_plainly(value, text):
    assert number_text(value) == text


@pytest.mark.parametrize(
    ("ratio", "text"),
    [(0.525, "52.5%"), (0.25, "25%"), (1.0, "100%"), (0.747945, "74.8%"),
     (float("nan"), "—"), (float("inf"), "—")],
)  # fmt: skip
def test_progress_is_written_as_a_percentage(ratio, text):
    assert percent_text(ratio) == text


def test_the_due_day_is_the_last_day_on_time_in_office_time(plan):
    office = timezone(timedelta(hours=8))
    assert due_day(due_at(plan, "2014Q3")) == date(2014, 10, 10)
    assert due_day(datetime(2014, 10, 10, 16, 0, tzinfo=UTC)) == date(2014, 10, 10)
    assert due_day(datetime(2014, 10, 10, 17, 30, tzinfo=office)) == date(2014, 10, 10)
    assert due_day(datetime(2014, 10, 11)) == date(2014, 10, 10)
