"""Reading a document (.txt, .docx, .pdf, .html) into cleaned lines and its metadata; the
files refused and why. Built from the real documents in tests/data/documents/."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import date
from html import escape
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter

from lib.drafting import document as document_module
from lib.drafting.document import (
    DocumentError,
    chinese_date,
    document_from_bytes,
    read_document,
)
from lib.drafting.draft import draft_plan

DATA = Path(__file__).resolve().parents[2] / "data" / "documents"
PAGE_2014 = DATA / "zhaoqing_2014_zhongdian_renwu_anpai.txt"


def refusal(call) -> str:
    with pytest.raises(DocumentError) as caught:
        call()
    (problem,) = caught.value.problems
    assert problem.message_zh and problem.message_en
    return problem.code


# --- a text PDF written by hand: a Type0 font whose CIDs are the code points --------------------


def text_pdf(pages: list[list[str]]) -> bytes:
    """A minimal text PDF, each page a list of lines, drawn with a CJK font (not embedded)
    whose CIDs are the characters' code points and a ToUnicode map, so pypdf extracts the
    text as written."""
    codes = sorted({ord(c) for page in pages for line in page for c in line})
    cmap = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for i in range(0, len(codes), 100):
        chunk = codes[i : i + 100]
        cmap += [f"{len(chunk)} beginbfchar", *(f"<{c:04X}> <{c:04X}>" for c in chunk), "endbfchar"]
    cmap.append("endcmap CMapName currentdict /CMap defineresource pop end end")
    objects: list[bytes] = []

    def add(data: bytes) -> int:
        objects.append(data)
        return len(objects)

    def stream(data: bytes) -> bytes:
        return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

    catalog, tree = add(b""), add(b"")
    to_unicode = add(stream("\n".join(cmap).encode()))
    cid_font = add(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>"
    )
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cid_font, to_unicode)
    )
    kids = []
    for page in pages:
        ops = ["BT /F1 12 Tf 14 TL 40 800 Td"]
        ops += ["<" + "".join(f"{ord(c):04X}" for c in line) + "> Tj T*" for line in page]
        content = add(stream("\n".join([*ops, "ET"]).encode()))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Resources << /Font "
                b"<< /F1 %d 0 R >> >> /Contents %d 0 R >>" % (tree, font, content)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, data in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + data + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        xref,
    )
    return bytes(out)


def wrapped(lines: list[str], width: int) -> list[str]:
    """Lines cut at `width` characters, as a page cuts a paragraph."""
    return [line[i : i + width] for line in lines for i in range(0, max(len(line), 1), width)]


def body_lines(path: Path) -> list[str]:
    """The document's lines after its source line."""
    return path.read_text(encoding="utf-8").splitlines()[1:]


# --- .txt and the page furniture of the 2014 web page --------------------------------------------


def test_the_2014_page_loses_its_furniture_and_keeps_its_metadata():
    doc = read_document(PAGE_2014)
    reasons = {reason for _, reason in doc.removed}
    assert reasons == {
        "navigation",
        "information table",
        "page control",
        "page heading repeating 名称",
        "印发 line",
        "attachment list",
    }
    for furniture in ("无障碍", "索引号", "【打印】", "浏览次数", "附件", "目标表 .doc", "印发\n"):
        assert furniture not in doc.text
    assert doc.lines[0].text == "肇府办〔2014〕9号"
    assert doc.lines[-1].text.startswith("(三十九)确保完成重大项目建设进度要求。")
    assert doc.meta.source.startswith("the project's seed text ../shared/seeds/")
    assert (doc.meta.title, doc.meta.issuer, doc.meta.document_number) == (
        "实施珠三角规划纲要2014年重点工作任务安排",
        "肇庆市人民政府办公室",
        "肇府办〔2014〕9号",
    )
    # the page's 成文日期, not the notice's signature date (2014年6月27日), as the catalog
    assert doc.meta.issue_date == date(2014, 7, 9)
    assert (doc.meta.period_start, doc.meta.period_end, doc.meta.annual) == (
        date(2014, 1, 1),
        date(2014, 12, 31),
        True,
    )
    assert doc.meta.notes == ()


def test_line_offsets_point_into_the_text():
    doc = read_document(PAGE_2014)
    assert doc.text == "\n".join(line.text for line in doc.lines)
    for line in doc.lines:
        assert doc.text[line.start : line.end] == line.text


def test_without_a_source_line_the_page_reads_the_same(tmp_path):
    bare = tmp_path / "page.txt"
    bare.write_text("\n".join(body_lines(PAGE_2014)), encoding="utf-8")
    doc = read_document(bare)
    assert doc.meta.source is None
    assert doc.text == read_document(PAGE_2014).text


def test_gb18030_text_reads_as_the_utf8_text(tmp_path):
    source = DATA / "guofa2019-3_zonghe_baoshuiqu.txt"
    gbk = tmp_path / "guofa.txt"
    gbk.write_bytes(source.read_text(encoding="utf-8").encode("gb18030"))
    assert read_document(gbk).text == read_document(source).text


EXPECTED_METADATA = {
    # file: (title, issuer, document number, issue date, period, annual)
    "guangdong_2014-2015_zhusanjiao_yitihua_gongzuo_yaodian_PARTIAL.txt": (
        "推进珠三角一体化2014-2015年工作要点", "省府办公厅", None, date(2014, 10, 8),
        (date(2014, 1, 1), date(2015, 12, 31)), False,
    ),
    "guangzhou_2012_rencai_jiju_gongcheng_633.txt": (
        "关于推进人才集聚工程的实施意见", None, None, None,
        (date(2012, 1, 1), date(2016, 12, 31)), False,
    ),
    "guofa2018-42_nongye_jixiehua.txt": (
        "关于加快推进农业机械化和农机装备产业转型升级的指导意见", "国务院", "国发〔2018〕42号",
        date(2018, 12, 21), (date(2018, 1, 1), date(2025, 12, 31)), False,
    ),
    "guofa2019-3_zonghe_baoshuiqu.txt": (
        "关于促进综合保税区高水平开放高质量发展的若干意见", "国务院", "国发〔2019〕3号",
        date(2019, 1, 12), (date(2019, 1, 1), date(2019, 12, 31)), False,
    ),
    "zhaoqing_2012_gongzuo_jihua_PARTIAL.txt": (
        "肇庆市实施《珠三角规划纲要》2012年工作计划", "肇庆市人民政府办公室", "肇府办〔2012〕22号",
        date(2012, 4, 19), (date(2012, 1, 1), date(2012, 12, 31)), True,
    ),
    "zhaoqing_2014_zhongdian_renwu_anpai.txt": (
        "实施珠三角规划纲要2014年重点工作任务安排", "肇庆市人民政府办公室", "肇府办〔2014〕9号",
        date(2014, 7, 9), (date(2014, 1, 1), date(2014, 12, 31)), True,
    ),
    "zhaoqing_2016_zhongdian_renwu_anpai_PARTIAL.txt": (
        "实施珠三角规划纲要2016年重点工作任务安排", "肇庆市人民政府办公室", "肇府办〔2016〕9号",
        date(2016, 6, 20), (date(2016, 1, 1), date(2016, 12, 31)), True,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED_METADATA))
def test_metadata_of_every_document(name):
    meta = read_document(DATA / name).meta
    title, issuer, number, issued, period, annual = EXPECTED_METADATA[name]
    assert meta.title == title
    assert meta.issuer == issuer
    assert meta.document_number == number
    assert meta.issue_date == issued
    assert (meta.period_start, meta.period_end) == period
    assert meta.annual is annual
    assert meta.source == (DATA / name).read_text("utf-8").splitlines()[0].removeprefix("SOURCE: ")


def test_where_a_value_came_from_outside_the_text_is_noted():
    notes = read_document(DATA / "zhaoqing_2016_zhongdian_renwu_anpai_PARTIAL.txt").meta.notes
    assert any("文号 肇府办〔2016〕9号 取自来源说明" in note for note in notes)
    notes = read_document(DATA / "guofa2018-42_nongye_jixiehua.txt").meta.notes
    assert any("2018—2025 年" in note for note in notes)
    notes = read_document(DATA / "guangzhou_2012_rencai_jiju_gongcheng_633.txt").meta.notes
    assert any("2012年起5年内" in note for note in notes)


def test_excerpt_markers_are_not_text():
    doc = read_document(DATA / "zhaoqing_2016_zhongdian_renwu_anpai_PARTIAL.txt")
    assert "excerpt" not in doc.text
    assert ("[…excerpt ends here…]", "excerpt marker") in doc.removed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("二○一二年四月十九日", date(2012, 4, 19)),
        ("二〇一八年十二月二十一日", date(2018, 12, 21)),
        ("二○一九年一月十日", date(2019, 1, 10)),
        ("二○一九年二月三十日", None),
        ("2014年6月27日", None),
    ],
)
def test_dates_in_chinese_numerals(text, expected):
    assert chinese_date(text) == expected


# --- .docx ------------------------------------------------------------------------------------


def docx_bytes(lines: list[str], *, header: str | None = None) -> bytes:
    word = docx.Document()
    if header:
        word.sections[0].header.paragraphs[0].text = header
        word.sections[0].footer.paragraphs[0].text = "- 1 -"
    for line in lines:
        word.add_paragraph(line)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def test_a_word_file_reads_as_the_text_without_its_header_and_footer(tmp_path):
    path = tmp_path / "2014.docx"
    path.write_bytes(docx_bytes(body_lines(PAGE_2014), header="肇庆市人民政府门户网站"))
    doc = read_document(path)
    assert doc.kind == "docx"
    assert doc.text == read_document(PAGE_2014).text
    assert "门户网站" not in doc.text


def test_a_word_table_reads_row_by_row():
    word = docx.Document()
    word.add_paragraph("一、任务分工")
    table = word.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "任务", "责任单位"
    table.cell(1, 0).text, table.cell(1, 1).text = "加快转变政府职能", "市编办"
    out = io.BytesIO()
    word.save(out)
    doc = document_from_bytes(out.getvalue(), "table.docx")
    assert [line.text for line in doc.lines] == [
        "一、任务分工",
        "任务\t责任单位",
        "加快转变政府职能\t市编办",
    ]


# --- .pdf -------------------------------------------------------------------------------------


def test_a_text_pdf_reads_without_page_numbers_and_with_its_paragraphs_joined():
    lines = body_lines(DATA / "guofa2019-3_zonghe_baoshuiqu.txt")
    cut = wrapped(lines, 38)
    pages = [[*cut[i : i + 50], f"- {n} -"] for n, i in enumerate(range(0, len(cut), 50), 1)]
    doc = document_from_bytes(text_pdf(pages), "guofa.pdf")
    assert doc.kind == "pdf"
    assert doc.text == "\n".join(lines)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_pdf_printed_by_libreoffice_drafts_as_the_text(tmp_path):
    # LibreOffice sets “ ” and digits in a Latin font, as Word does: runs of their own
    path = tmp_path / "2014.docx"
    path.write_bytes(docx_bytes(body_lines(PAGE_2014)[12:]))
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    doc = read_document(tmp_path / "2014.pdf")
    assert doc.kind == "pdf"
    assert "统筹推进“九年大跨越”工作方案" in doc.text
    assert "肇府办〔2014〕9号" in doc.text
    drafted = draft_plan(doc)
    expected = draft_plan(PAGE_2014)
    assert [len(s["tasks"]) for s in drafted["sections"]] == [4, 6, 2, 5, 6, 4, 3, 3, 4, 2]
    assert [t["units"] for s in drafted["sections"] for t in s["tasks"]] == [
        t["units"] for s in expected["sections"] for t in s["tasks"]
    ]


# --- .html ------------------------------------------------------------------------------------


def test_a_gbk_web_page_reads_as_the_text(tmp_path):
    lines = body_lines(DATA / "guofa2018-42_nongye_jixiehua.txt")
    paragraphs = "".join(f"<p>{escape(line)}</p>\n" for line in lines)
    page = (
        '<!DOCTYPE html><html><head><meta charset="gb2312"><title>国务院</title>'
        '<script>var menu = "一、首页";</script><style>p {margin: 0}</style></head><body>'
        "<div>首页 &gt; 政策 &gt; 国务院文件</div>"
        "<table><tr><td>索引号：</td><td>000014349/2018-00215</td></tr></table>"
        f"<div class='article'>{paragraphs}</div>"
        "<div>【打印本页】【关闭窗口】</div><select><option>一、友情链接</option></select>"
        "</body></html>"
    )
    path = tmp_path / "guofa.html"
    path.write_bytes(page.encode("gb18030"))
    doc = read_document(path)
    assert doc.kind == "html"
    assert doc.text == "\n".join(lines)


# --- refused ----------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(document_module, "MAX_DOCUMENT_BYTES", 1000)
    big = tmp_path / "big.txt"
    big.write_text("一、" + "字" * 1000, encoding="utf-8")
    assert refusal(lambda: read_document(big)) == "document_too_large"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"  \r\n\t ", "document_empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "document_type"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "document_type"),
        (b"{\\rtf1\\ansi hello}", "document_type"),
        (b"text\x00\x01\x02\x03 with binary", "document_type"),
        (b"\xff\xfe\xfd\xff\xff\xff\xff", "document_encoding"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "document_corrupt"),
    ],
)
def test_hostile_or_wrong_files_are_refused(content, code):
    assert refusal(lambda: document_from_bytes(content, "document.txt")) == code


def test_a_zip_that_is_not_a_word_file_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "一、")
    assert refusal(lambda: document_from_bytes(out.getvalue(), "a.docx")) == "document_type"


def test_a_word_zip_bomb_is_refused(monkeypatch):
    content = docx_bytes(["一、任务"])
    monkeypatch.setattr(document_module, "MAX_DOCX_UNCOMPRESSED", 1000)
    assert refusal(lambda: document_from_bytes(content, "a.docx")) == "document_bomb"


def test_a_word_file_declaring_entities_is_refused():
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx_bytes(["一、任务"]))) as source,
        zipfile.ZipFile(out, "w") as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE w [<!ENTITY lol "lol">]>', 1)
            target.writestr(info, data)
    assert refusal(lambda: document_from_bytes(out.getvalue(), "a.docx")) == "document_dtd"


def test_an_encrypted_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    assert refusal(lambda: document_from_bytes(out.getvalue(), "a.pdf")) == "document_encrypted"


def test_a_pdf_without_text_is_refused_as_a_scan():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    assert refusal(lambda: document_from_bytes(out.getvalue(), "scan.pdf")) == "document_no_text"


def test_a_missing_file_is_refused(tmp_path):
    assert refusal(lambda: read_document(tmp_path / "none.txt")) == "document_unreadable"
