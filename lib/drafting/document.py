"""A published document as cleaned text lines and the metadata found in it.

Reads .txt (UTF-8 or GB18030), .docx (python-docx), text .pdf (pypdf) and .html (lxml),
deciding the kind from the bytes (the name only breaks a tie), and refuses a file that is
too large, empty, damaged, encrypted, a scanned PDF without text, or another kind of file,
with a `DocumentError` carrying one bilingual Problem.

The text a draft is made from is the document's lines with the page furniture removed:
site navigation, the 索引号/发布机构/发布日期 table of a government page (its values kept
as metadata), 【打印】【关闭】, 来源/分享 lines, page numbers, the 印发/抄送 lines and the
attachment list at the end. Line 1 naming the document's source ("SOURCE: <url> ...", or a
bare URL) is kept as metadata, not text. Offsets into `Document.text` (lines joined by
"\\n") are what every drafted item's `span` points at.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NoReturn

from lib.core.errors import Problem, UserInputError

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_TEXT_CHARS = 5_000_000  # text extracted from one document
MAX_PDF_PAGES = 2_000
MAX_DOCX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_DOCX_RATIO = 100

DocumentKind = str  # "txt" | "docx" | "pdf" | "html"


class DocumentError(UserInputError):
    """A document cannot be read as a document to draft a plan from."""


def _refuse(code: str, zh: str, en: str, **where: object) -> NoReturn:
    raise DocumentError([Problem(code, zh, en, **where)])  # type: ignore[arg-type]


# --- the result ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One cleaned line (a paragraph) and where it starts in `Document.text`."""

    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True)
class DocumentMeta:
    """What the document says about itself; None where it does not say. `notes` are review
    notes on how a value was found when it was not found in the document's own text."""

    title: str | None = None
    issuer: str | None = None
    document_number: str | None = None
    issue_date: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    source: str | None = None
    notes: tuple[str, ...] = ()
    # the title names one year (2014年重点工作任务安排): an annual plan, every task due by
    # the year's end
    annual: bool = False


@dataclass(frozen=True)
class Document:
    """The cleaned text of a document, its lines with offsets, its metadata, and the lines
    removed as page furniture (each with the reason, for the reviewer)."""

    text: str
    lines: tuple[Line, ...]
    meta: DocumentMeta
    kind: DocumentKind
    file: str = ""
    removed: tuple[tuple[str, str], ...] = field(default=(), repr=False)


# --- reading ----------------------------------------------------------------------------------


def read_document(path: str | Path) -> Document:
    """The cleaned document at `path`; DocumentError if it cannot be read."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            _refuse_too_large(size)
        content = path.read_bytes()
    except OSError as exc:
        _refuse(
            "document_unreadable",
            f"无法读取文件：{exc.strerror or exc}",
            f"cannot read the file: {exc.strerror or exc}",
            value=str(path),
        )
    return document_from_bytes(content, path.name)


def document_from_bytes(content: bytes, name: str = "") -> Document:
    """The cleaned document of a file's bytes (`name` only breaks a tie between kinds)."""
    if len(content) > MAX_DOCUMENT_BYTES:
        _refuse_too_large(len(content))
    kind = document_kind(content, name)
    if kind == "pdf":
        raw = _pdf_lines(content)
    elif kind == "docx":
        raw = _docx_lines(content)
    elif kind == "html":
        raw = _html_lines(content)
    else:
        raw = _decoded(content).splitlines()
    if sum(len(line) for line in raw) > MAX_TEXT_CHARS:
        _refuse(
            "document_too_long",
            f"文件文字过多（超过 {MAX_TEXT_CHARS:,} 字），不像一份工作任务文件",
            f"the document holds more than {MAX_TEXT_CHARS:,} characters of text",
        )
    return document_from_lines(raw, kind=kind, file=name)


def document_from_lines(raw: list[str], *, kind: DocumentKind = "txt", file: str = "") -> Document:
    """The cleaned document of raw text lines (line 1 may name the source)."""
    source, raw = _source_line(raw)
    kept, fields, removed = _without_furniture(raw)
    if not kept:
        _refuse("document_empty", "文件中没有正文文字", "the document has no text")
    lines, offset = [], 0
    for text in kept:
        lines.append(Line(text, offset))
        offset += len(text) + 1
    text = "\n".join(kept)
    meta = _metadata(kept, fields, source)
    return Document(text, tuple(lines), meta, kind, file, tuple(removed))


def _refuse_too_large(size: int) -> NoReturn:
    _refuse(
        "document_too_large",
        f"文件过大（{size // 1024} KB），上限为 {MAX_DOCUMENT_BYTES // 1024 // 1024} MB",
        f"the file is too large ({size // 1024} KB); the limit is "
        f"{MAX_DOCUMENT_BYTES // 1024 // 1024} MB",
    )


_HTML_START = re.compile(
    rb"^\s*(?:\xef\xbb\xbf)?\s*<(?:!doctype\s+html|html|head|body|meta|div|p)\b", re.I
)
_SUFFIX_KINDS = {
    ".txt": "txt",
    ".text": "txt",
    ".docx": "docx",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
}


def document_kind(content: bytes, name: str = "") -> DocumentKind:
    """'pdf', 'docx', 'html' or 'txt', from the bytes; refuse anything else."""
    if not content.strip(b" \t\r\n\x00"):
        _refuse("document_empty", "文件为空", "the file is empty")
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
            _refuse_corrupt("zip")
        if "word/document.xml" in names:
            return "docx"
        _refuse(
            "document_type",
            "文件是压缩包（不是 Word .docx 文档）",
            "the file is a zip archive, not a Word .docx document",
        )
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        _refuse(
            "document_type",
            "文件是旧版 Word .doc 或加密的 Office 文件，请另存为 .docx（不设密码）或 PDF",
            "the file is an old Word .doc or an encrypted Office file; save it as .docx "
            "(without a password) or PDF",
        )
    for magic, zh, en in (
        (b"\x89PNG", "PNG 图片", "a PNG image"),
        (b"\xff\xd8\xff", "JPEG 图片", "a JPEG image"),
        (b"GIF8", "GIF 图片", "a GIF image"),
        (b"\x1f\x8b", "gzip 压缩文件", "a gzip archive"),
        (b"Rar!", "RAR 压缩文件", "a RAR archive"),
        (b"{\\rtf", "RTF 文档", "an RTF document"),
    ):
        if content.startswith(magic):
            _refuse(
                "document_type",
                f"文件是{zh}，不是 .txt/.docx/.pdf/.html 文档",
                f"the file is {en}, not a .txt/.docx/.pdf/.html document",
            )
    if _HTML_START.match(content[:4096]) or (
        _SUFFIX_KINDS.get(Path(name).suffix.lower()) == "html" and b"<" in content[:4096]
    ):
        return "html"
    return "txt"


def _refuse_corrupt(what: str, exc: Exception | None = None) -> NoReturn:
    detail = f"（{type(exc).__name__}）" if exc else ""
    _refuse(
        "document_corrupt",
        f"{what} 文件已损坏或不完整，无法读取{detail}",
        f"the {what} file is damaged or truncated{f' ({type(exc).__name__})' if exc else ''}",
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _decoded(content: bytes, declared: str | None = None) -> str:
    """Text of `content`: byte-order mark, then the declared charset, then strict UTF-8, then
    GB18030; refuse binary data and text in neither."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if content.startswith(bom):
            try:
                return _checked_text(content.decode(encoding))
            except UnicodeDecodeError:
                break
    if b"\x00" in content[:65536] and not content.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        _refuse_not_text()
    encodings = ["utf-8", "gb18030"]
    if declared and declared.lower().replace("-", "") in {"gbk", "gb2312", "gb18030", "cp936"}:
        encodings.reverse()
    for encoding in encodings:
        try:
            return _checked_text(content.decode(encoding))
        except UnicodeDecodeError:
            continue
    _refuse(
        "document_encoding",
        "无法识别文件编码（支持 UTF-8 与 GBK/GB18030）",
        "unknown text encoding (UTF-8 and GBK/GB18030 are supported)",
    )


def _checked_text(text: str) -> str:
    sample = text[:65536]
    if "\x00" in sample or len(_CONTROL.findall(sample)) > max(8, len(sample) // 100):
        _refuse_not_text()
    return _CONTROL.sub("", text)


def _refuse_not_text() -> NoReturn:
    _refuse(
        "document_type",
        "文件内容不是文字（是否把其他文件改了扩展名？）",
        "the file's content is not text (was another file renamed?)",
    )


# --- .docx ------------------------------------------------------------------------------------


def _docx_lines(content: bytes) -> list[str]:
    """Paragraphs and table rows of a .docx body in order (headers and footers are page
    furniture and not read); refuse a zip bomb and XML declaring a DTD or entities."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            total = sum(info.file_size for info in infos)
            ratio = total / max(len(content), 1)
            if total > MAX_DOCX_UNCOMPRESSED or (ratio > MAX_DOCX_RATIO and total > 1 << 20):
                _refuse(
                    "document_bomb",
                    f"Word 文件解压后过大（{total // 1024 // 1024} MB，压缩比 {ratio:.0f}），"
                    "疑似压缩炸弹",
                    f"the Word file expands to {total // 1024 // 1024} MB (ratio {ratio:.0f}); "
                    "refused as a possible zip bomb",
                )
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels")):
                    flat = archive.read(info).replace(b"\x00", b"").lower()
                    if b"<!doctype" in flat or b"<!entity" in flat:
                        _refuse(
                            "document_dtd",
                            "Word 文件的 XML 含 DTD/实体声明（正常文件不会有），已拒绝",
                            "the Word file's XML declares a DTD or entities; refused",
                            value=info.filename,
                        )
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        ValueError,
        OSError,
        EOFError,
    ) as exc:
        _refuse_corrupt("Word", exc)
    import docx  # python-docx: only for Word files
    from docx.oxml.ns import qn

    try:
        body = docx.Document(io.BytesIO(content)).element.body
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors ...
        _refuse_corrupt("Word", exc)
    lines: list[str] = []
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            lines.extend(_docx_paragraph_text(child, qn).split("\n"))
        elif child.tag == qn("w:tbl"):
            for row in child.iter(qn("w:tr")):
                cells = [
                    "".join(_docx_paragraph_text(p, qn) for p in cell.iter(qn("w:p")))
                    for cell in row.iter(qn("w:tc"))
                ]
                lines.append("\t".join(cells))
    return lines


def _docx_paragraph_text(paragraph, qn) -> str:  # type: ignore[no-untyped-def]
    """A paragraph's text: runs' text, tabs, and line breaks as new lines."""
    parts = []
    for node in paragraph.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")):
        if node.tag == qn("w:t"):
            parts.append(node.text or "")
        elif node.tag == qn("w:tab"):
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


# --- .pdf -------------------------------------------------------------------------------------


_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－~～]\s*\d{1,4}\s*[-—–－~～]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|"
    r"\d{1,4}\s*/\s*\d{1,4}|\d{1,3})$"
)
_NUMBERED_START = re.compile(
    r"^(?:[一二三四五六七八九十百]+、|[（(][一二三四五六七八九十百]+[）)]|\d{1,3}[.．、](?!\d)|[（(]\d{1,3}[）)])"
)


def _pdf_lines(content: bytes) -> list[str]:
    """The text lines of a text PDF, page numbers removed and lines the page width wrapped
    joined again; refuse an encrypted PDF and one without text (a scan)."""
    from pypdf import PdfReader  # only for PDF files
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            _refuse(
                "document_encrypted",
                "PDF 设有密码，无法读取",
                "the PDF is protected by a password and cannot be read",
            )
        if len(reader.pages) > MAX_PDF_PAGES:
            _refuse(
                "document_too_long",
                f"PDF 页数过多（{len(reader.pages)} 页，上限 {MAX_PDF_PAGES} 页）",
                f"the PDF has too many pages ({len(reader.pages)}; the limit is {MAX_PDF_PAGES})",
            )
        pages = [_page_lines(page) for page in reader.pages]
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, IndexError, AttributeError,
            OSError, RecursionError, zlib.error, NotImplementedError) as exc:  # fmt: skip
        _refuse_corrupt("PDF", exc)
    lines = [
        _without_layout_spaces(line.strip(_STRIP))
        for page in pages
        for line in page
        if line.strip(_STRIP) and not _PAGE_NUMBER.match(line.strip(_STRIP))
    ]
    if sum(len(line) for line in lines) < 10:
        _refuse(
            "document_no_text",
            "PDF 中没有可提取的文字（可能是扫描件），请提供文字版 PDF、Word 或网页",
            "the PDF holds no text to extract (a scan?); provide a text PDF, Word file or page",
        )
    return _unwrapped(lines)


_CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef“”‘’《》—"
_LAYOUT_SPACE = re.compile(rf"(?<=[{_CJK}])\s+(?=\S)|(?<=\S)\s+(?=[{_CJK}])")
_GAP_RUN = re.compile(r"\s+")


@dataclass
class _Run:
    """A piece of text a PDF draws in one operation, where it starts and its font size."""

    x: float
    y: float
    text: str
    size: float

    def advance(self, text: str) -> float:
        """How far `text` reaches: a Chinese character one em, anything else about half."""
        return sum(self.size if ord(ch) > 0x2E7F else self.size * 0.5 for ch in text)

    @property
    def end(self) -> float:
        return self.x + self.advance(self.text)


def _page_lines(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The text lines of a PDF page, each put together from the runs drawn on it in the
    order of their positions (pypdf returns runs in drawing order)."""
    runs: list[_Run] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        text = text.replace("\n", "")
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3] + tm[2] * cm[1]) or 1.0
        runs.append(_Run(x, y, text, (size or 10.0) * scale))

    page.extract_text(visitor_text=visit)
    lines: list[list[_Run]] = []
    for run in sorted(runs, key=lambda r: (-r.y, r.x)):
        if lines and abs(lines[-1][0].y - run.y) <= 0.5 * run.size:
            lines[-1].append(run)
        else:
            lines.append([run])
    return [_line_text(sorted(line, key=lambda r: r.x)) for line in lines]


_MARKS = frozenset("“”‘’—–")


def _line_text(runs: list[_Run]) -> str:
    """One line's text from its runs in the order of their positions. A word processor sets
    “ ” and — in a Latin font as runs of their own, drawn over gaps left for them in the
    Chinese runs: each such mark fills the gap nearest where its run starts, the run's next
    marks the gaps after it; a mark with no gap near it stands where it is drawn."""
    overlays = [
        r for r in runs
        if set(r.text.replace(" ", "")) <= _MARKS and any(o.x < r.x for o in runs if o is not r)
    ]  # fmt: skip
    segments: list[list] = []  # [x, text, is gap]
    for run in runs:
        if any(run is o for o in overlays):
            continue
        at = 0
        for gap in [*_GAP_RUN.finditer(run.text), None]:
            stop = gap.start() if gap else len(run.text)
            if stop > at:
                segments.append([run.x + run.advance(run.text[:at]), run.text[at:stop], False])
            if gap:
                segments.append([run.x + run.advance(run.text[: gap.start()]), gap.group(0), True])
                at = gap.end()
    for run in overlays:
        marks = run.text.replace(" ", "")
        gaps = [i for i, seg in enumerate(segments) if seg[2]]
        near = [i for i in gaps if abs(segments[i][0] - run.x) <= run.size * 1.5]
        if near:
            first = min(near, key=lambda i: abs(segments[i][0] - run.x))
            chosen = [i for i in gaps if i >= first][: len(marks)]
            if len(chosen) == len(marks):
                for i, mark in zip(chosen, marks, strict=True):
                    segments[i][1:] = [mark, False]
                continue
        segments.append([run.x, run.text, False])
    segments.sort(key=lambda seg: seg[0])
    return "".join(seg[1] for seg in segments)


def _without_layout_spaces(line: str) -> str:
    """A PDF line without the spaces text extraction puts beside Chinese characters (where
    a run of another font starts): Chinese text has none."""
    return _LAYOUT_SPACE.sub("", line)


def _width(text: str) -> int:
    """Display width: a CJK character counts two, anything else one."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _unwrapped(lines: list[str]) -> list[str]:
    """Lines a page's width wrapped joined back into paragraphs: a line as wide as the
    widest lines continues on the next unless that one starts with a number (一、（一）1.)."""
    if not lines:
        return lines
    widths = sorted(_width(line) for line in lines)
    full = widths[int(len(widths) * 0.9)] * 0.85  # most wrapped lines are the widest
    out = [lines[0]]
    last = lines[0]  # the physical line `out[-1]` ends with
    for line in lines[1:]:
        if _width(last) >= full and not _NUMBERED_START.match(line):
            out[-1] += line
        else:
            out.append(line)
        last = line
    return out


# --- .html ------------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    """The space-separated words of `text` (long word lists read best as one string)."""
    return frozenset(text.split())


_BLOCK_TAGS = _words(
    "p div br li ul ol dl dt dd tr table tbody thead tfoot h1 h2 h3 h4 h5 h6 section article "
    "header footer nav aside blockquote pre form center hr address figure figcaption main "
    "title caption"
)
_SKIPPED_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "select",
        "option",
        "button",
        "iframe",
        "object",
        "svg",
    }
)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)


def _html_lines(content: bytes) -> list[str]:
    """The text of a web page's body as lines, one per block element; scripts, styles and
    form controls are not text."""
    from lxml import etree, html  # lxml: only for web pages

    match = _CHARSET.search(content[:8192])
    text = _decoded(content, match.group(1).decode("ascii") if match else None)
    # the declaration is already applied; lxml refuses a str that still declares one
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    parser = html.HTMLParser(
        no_network=True, remove_comments=True, remove_pis=True, huge_tree=False, recover=True
    )
    try:
        root = html.document_fromstring(text, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        _refuse_corrupt("HTML", exc)
    parts: list[str] = []
    skipping = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower()
        if event == "start":
            if tag in _SKIPPED_TAGS:
                skipping += 1
            if skipping:
                continue
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            elif tag in {"td", "th"}:
                parts.append("\t")
            if element.text:
                parts.append(element.text)
        else:
            if tag in _SKIPPED_TAGS:
                skipping -= 1
            elif not skipping and tag in _BLOCK_TAGS:
                parts.append("\n")
            if not skipping and element.tail:
                parts.append(element.tail)
    return "".join(parts).replace("\xa0", " ").splitlines()


# --- page furniture ---------------------------------------------------------------------------


_SOURCE_LINE = re.compile(r"^(?:SOURCE|Source|来源|原文链接|原文地址)\s*[:：]\s*(.+)$")
_URL_LINE = re.compile(r"^https?://\S+")
_STRIP = " \t\r\n\u3000\xa0\u200b\ufeff"
_ICONS = re.compile(r"[\ue000-\uf8ff]")  # a page's icon font (private use area): never text

# the fields of a government page's information table (政府信息公开 目录项)
_FIELD_KEYS = (
    "索引号", "分类", "主题分类", "体裁分类", "组配分类", "服务对象分类", "发布机构", "发文机关",
    "成文日期", "发文日期", "名称", "标题", "文号", "发文字号", "发布日期", "公开日期", "主题词",
    "关键词", "浏览次数", "访问量", "来源", "信息来源", "时效", "有效性", "生效日期", "废止日期",
    "公开方式", "公开范围", "作者", "字号", "责任编辑", "点击数", "阅读次数",
)  # fmt: skip
_FIELD_KEY_RE = "|".join(sorted(_FIELD_KEYS, key=len, reverse=True))
_FIELD_LINE = re.compile(rf"^(?:{_FIELD_KEY_RE})\s*[:：]")
# within such a line every key starts a field (a PDF may lose the space before it)
_FIELD = re.compile(rf"({_FIELD_KEY_RE})\s*[:：]\s*")
_NAV_WORDS = _words(
    "首页 无障碍 长者助手 长者模式 关怀版 我的收藏 收藏 政府信息公开 规章库 网站地图 English "
    "繁体 繁體 简体 登录 注册 搜索 打印 关闭 返回顶部 返回 分享 分享到 微信 微博 扫一扫 移动版 "
    "手机版 RSS 订阅 "
    "政务公开 信息公开 政策文件 政策解读 互动交流 办事服务 走进 当前位置 位置 通知公告 政府文件 "
    "部门文件 上一篇 下一篇 相关链接 相关文件 相关阅读 字体 大 中 小 默认 "
    "政民互动 网上办事 专题专栏 数据开放 政务服务 用户登录"
)
_FURNITURE_STARTS = re.compile(
    r"^(?:【\s*(?:打印|关闭|字体|字号|收藏|返回|分享|大|中|小)|\[\s*(?:打印|关闭)|"
    r"分享到?\s*[:：]?|扫一扫|打印本页|关闭窗口|上一篇|下一篇|相关链接|相关文件|相关解读|"
    r"当前位置|您现在的位置|你现在的位置|抄送\s*[:：]|抄报\s*[:：]|主题词\s*[:：]|"
    r"扫描二维码|用手机扫描)"
)
# 版记: "肇庆市人民政府办公室      2014年7月9日印发" (the page lost 年 and 月: 201479日印发)
_PRINTED_LINE = re.compile(r"^[^。，,；;]{0,120}?\d{4}[\d年月日\s.\-]*日?\s*印发$")
_ATTACHMENT_HEAD = re.compile(r"^附\s*件\s*[:：]?\s*(.*)$")
_FILE_NAME = re.compile(r"\.(?:docx?|xlsx?|pdf|wps|et|zip|rar|ofd|txt)\s*$", re.I)


def _source_line(raw: list[str]) -> tuple[str | None, list[str]]:
    """Line 1's statement of where the document comes from, and the other lines."""
    for i, line in enumerate(raw):
        text = line.strip(_STRIP)
        if not text:
            continue
        match = _SOURCE_LINE.match(text)
        if match or _URL_LINE.match(text):
            return (match.group(1).strip() if match else text), raw[:i] + raw[i + 1 :]
        break
    return None, raw


def _without_furniture(
    raw: list[str],
) -> tuple[list[str], dict[str, str], list[tuple[str, str]]]:
    """The text lines, the information-table fields found among the removed lines, and
    every removed line with the reason."""
    fields: dict[str, str] = {}
    removed: list[tuple[str, str]] = []
    kept: list[str] = []
    for line in raw:
        text = _ICONS.sub("", line).strip(_STRIP)
        if not text:
            continue
        reason = _furniture_reason(text, fields)
        if reason:
            removed.append((text, reason))
        else:
            kept.append(text)
    # The page repeats the document's name as its heading.
    name = fields.get("名称") or fields.get("标题")
    if name:
        repeated = [i for i, text in enumerate(kept) if text == name]
        for i in reversed(repeated):
            removed.append((kept.pop(i), "page heading repeating 名称"))
    kept = _without_attachment_list(kept, removed)
    return kept, fields, removed


def _furniture_reason(text: str, fields: dict[str, str]) -> str | None:
    if _FIELD_LINE.match(text):
        _read_fields(text, fields)
        return "information table"
    if _FURNITURE_STARTS.match(text):
        return "page control"
    tokens = text.split()
    if all(token in _NAV_WORDS for token in tokens):
        return "navigation"
    if len(text) <= 30 and re.search(r"(?:政府信息公开|信息公开目录|信息公开专栏|门户网站)$", text):
        return "navigation"
    if (
        re.search(r"\s[>›»＞]\s|^[^。，,]{0,60}[>›»＞][^。，,]{0,60}[>›»＞]", text)
        and len(text) <= 80
    ):
        return "breadcrumb"
    if _PAGE_NUMBER.match(text) and len(text) <= 12:
        return "page number"
    if _PRINTED_LINE.match(text):
        return "印发 line"
    if re.match(r"^[\[【]\s*…*\s*(?:excerpt|节选|摘录|以下略|下略|略)[^\]】]*[\]】]$", text, re.I):
        return "excerpt marker"
    return None


def _read_fields(text: str, fields: dict[str, str]) -> None:
    matches = list(_FIELD.finditer(text))
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        value = text[match.end() : following.start() if following else len(text)].strip(_STRIP)
        if value and value not in {"-", "—"}:
            fields.setdefault(match.group(1), value)


def _without_attachment_list(kept: list[str], removed: list[tuple[str, str]]) -> list[str]:
    """The lines without an attachment list at the end: a 附件 line followed only by
    attachment names (file names, or short numbered titles without a sentence)."""
    for i in range(len(kept) - 1, -1, -1):
        match = _ATTACHMENT_HEAD.match(kept[i])
        if not match or len(kept[i]) > 80:
            continue
        rest = kept[i + 1 :]
        names = [match.group(1)] if match.group(1) else []
        names += rest
        if all(_attachment_name(name) for name in names) and (
            not names or any(_FILE_NAME.search(name) for name in names) or len(rest) <= 10
        ):
            for text in kept[i:]:
                removed.append((text, "attachment list"))
            return kept[:i]
        break
    return kept


def _attachment_name(text: str) -> bool:
    if _FILE_NAME.search(text):
        return True
    return len(text) <= 60 and "。" not in text and not re.search(r"负责[）)〕]", text)


# --- metadata ---------------------------------------------------------------------------------


_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fa5]{1,12}[〔［\[【（(]\s*(\d{4})\s*[〕］\]】）)]\s*第?\s*(\d{1,4})\s*号"
)
_ISO_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_DATE = re.compile(
    r"^([〇○零OＯ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$"
)
_DATE_LINE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
_NOTICE_TITLE = re.compile(r"^(.{2,40}?)?关于(?:印发|转发|下发)(.+?)的通知")
_ISSUED_TITLE = re.compile(r"^(?:(.{2,40}?))?(?:印发|转发|下发)(.+?)的通知")
_ABOUT_TITLE = re.compile(r"^(.{2,40}?)?(关于.+(?:意见|通知|方案|决定|办法|规划|计划|安排|要点))$")
_TITLE_WORDS = re.compile(
    r"(?:任务安排|工作要点|工作计划|实施方案|实施意见|指导意见|若干意见|行动计划|行动方案|工作方案|任务分工|分工方案|安排|要点|计划|意见|方案)$"
)
_YEARS = re.compile(r"((?:19|20)\d{2})\s*(?:[-—–－~～至到]\s*((?:19|20)\d{2}))?\s*年")
_STATED_SPAN = re.compile(r"((?:19|20)\d{2})\s*年起\s*(\d{1,2}|[一二三四五六七八九十])\s*年内")
_TARGET_YEAR = re.compile(r"到\s*((?:19|20)\d{2})\s*年")
_ISSUER_WORDS = re.compile(
    r"(?:人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅|国务院|委员会|市委|省委|党委|政府)$"
)


def _metadata(lines: list[str], fields: dict[str, str], source: str | None) -> DocumentMeta:
    notes: list[str] = []
    head = _head_lines(lines)
    title, issuer = _title_and_issuer(head, fields)
    if issuer is None:
        issuer = _signature_issuer(lines)
    number = _document_number(head, fields)
    if number is None and source and (match := _DOC_NUMBER.search(source)):
        number = _compact(match.group(0))
        notes.append(
            f"文号 {number} 取自来源说明（第 1 行），正文中未见 / document number from the "
            "source line"
        )
    issue_date = _issue_date(lines, fields)
    if issue_date is None and source and (match := _ISO_DATE.search(source)):
        issue_date = _date_or_none(*match.groups())
        if issue_date:
            notes.append(
                f"成文日期 {issue_date} 取自来源说明（第 1 行），正文中未见 / issue date from "
                "the source line"
            )
    start, end = _period(title)
    annual = start is not None and end is not None and start.year == end.year
    body = "\n".join(lines)
    if start is None and (match := _STATED_SPAN.search(body)):
        first = int(match.group(1))
        years = (
            _small_chinese_number(match.group(2))
            if not match.group(2).isdigit()
            else int(match.group(2))
        )
        if years:
            start, end = date(first, 1, 1), date(first + years - 1, 12, 31)
            notes.append(
                f"标题未写年度，计划期取正文“{match.group(0)}” / no year in the title: the plan "
                f"period is the text's '{match.group(0)}'"
            )
    if start is None and issue_date is not None:
        targets = [int(y) for y in _TARGET_YEAR.findall(body) if int(y) > issue_date.year]
        last = max(targets, default=issue_date.year)
        start, end = date(issue_date.year, 1, 1), date(last, 12, 31)
        span = (
            f"{issue_date.year} 年" if last == issue_date.year else f"{issue_date.year}—{last} 年"
        )
        notes.append(
            f"标题未写年度，计划期取成文日期所在年度至正文目标年份：{span} / no year in the title: "
            "the plan period runs from the year of the document's date to the last year its "
            "targets name"
        )
    if (
        start is None
        and source
        and (match := _YEARS.search(source) or re.search(r"\b((?:19|20)\d{2})\b", source))
    ):
        year = int(match.group(1))
        start, end = date(year, 1, 1), date(year, 12, 31)
        notes.append(
            f"正文中未见年度与日期，计划期取来源说明中的 {year} 年 / "
            "no year or date in the text: the plan period is the year named in the source line"
        )
    return DocumentMeta(
        title=title,
        issuer=issuer,
        document_number=number,
        issue_date=issue_date,
        period_start=start,
        period_end=end,
        source=source,
        notes=tuple(notes),
        annual=annual,
    )


def _head_lines(lines: list[str]) -> list[str]:
    """The lines before the first numbered heading (一、 or （一）): where a notice's number,
    title, addressees and signature stand."""
    for i, line in enumerate(lines):
        if re.match(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])", line):
            return lines[:i]
    return lines[:30]


def _title_candidates(head: list[str]) -> list[str]:
    """Each head line, and each run of two or three short lines joined: a page or a PDF
    splits a long title over lines ("…关于印发《实施珠三角规划纲要" / "2014年…》的通知")."""

    def short(line: str) -> bool:
        return (
            len(line) <= 40
            and not re.search(r"[。，,：:；;]", line)
            and not _DOC_NUMBER.fullmatch(line)
            and not (_DATE_LINE.match(line) or _CN_DATE.match(line))
        )

    out: list[str] = []
    for i, line in enumerate(head[:40]):
        out.append(line)
        joined = line
        if not short(line):
            continue
        for following in head[i + 1 : i + 3]:
            if not (short(joined) and short(following)):
                break
            joined += following
            out.append(joined)
    return out


def _title_and_issuer(head: list[str], fields: dict[str, str]) -> tuple[str | None, str | None]:
    candidates = []
    if fields.get("名称") or fields.get("标题"):
        candidates.append(fields.get("名称") or fields.get("标题") or "")
    candidates += _title_candidates(head)
    candidates = [line for line in candidates if len(line) <= 120 and "。" not in line]
    for line in candidates:
        if match := _NOTICE_TITLE.match(line) or _ISSUED_TITLE.match(line):
            issuer = (match.group(1) or "").strip() or None
            return _unwrapped_title(match.group(2)), issuer
    for line in candidates:
        if match := _ABOUT_TITLE.match(line):
            issuer = (match.group(1) or "").strip() or None
            return match.group(2), issuer
    # a plan's own title line: single lines first, then lines joined
    for line in sorted(candidates, key=lambda c: c not in head):
        if _TITLE_WORDS.search(line) and not re.search(r"[。，,：:]", line) and len(line) <= 60:
            return line, None
    return None, None


def _unwrapped_title(title: str) -> str:
    """《X》 -> X when the brackets hold the whole title; 〈〉 inside become 《》."""
    title = title.strip()
    if title.startswith("《") and title.endswith("》") and title.count("《") == 1:
        title = title[1:-1]
    return title.replace("〈", "《").replace("〉", "》")


def _signature_issuer(lines: list[str]) -> str | None:
    """The office signing the notice: the short line standing just before a date line."""
    for i, line in enumerate(lines[1:], start=1):
        if _DATE_LINE.match(line) or _CN_DATE.match(line):
            previous = lines[i - 1]
            if (
                len(previous) <= 30
                and _ISSUER_WORDS.search(previous)
                and not re.search(r"[，,。：:]", previous)
            ):
                return previous
    return None


def _document_number(head: list[str], fields: dict[str, str]) -> str | None:
    for key in ("文号", "发文字号"):
        if fields.get(key) and (match := _DOC_NUMBER.search(fields[key])):
            return _compact(match.group(0))
    for line in head:
        match = _DOC_NUMBER.fullmatch(line.strip())
        if match:
            return _compact(match.group(0))
    for line in [fields.get("名称", ""), *head[:10]]:
        # the number a notice's title carries in brackets: …的通知(肇府办〔2014〕9号)
        match = re.search(r"的通知\s*[（(]\s*(" + _DOC_NUMBER.pattern + r")\s*[）)]", line)
        if match:
            return _compact(match.group(1))
    return None


def _compact(number: str) -> str:
    """A document number without the spaces a PDF may put in it (肇府办〔2014〕9  号)."""
    return re.sub(r"\s+", "", number)


def _issue_date(lines: list[str], fields: dict[str, str]) -> date | None:
    for key in ("成文日期", "发文日期", "发布日期", "公开日期"):
        if fields.get(key) and (match := _ISO_DATE.search(fields[key])):
            found = _date_or_none(*match.groups())
            if found:
                return found
    for line in lines:
        if _DATE_LINE.match(line):
            match = _ISO_DATE.match(line)
            assert match is not None
            found = _date_or_none(*match.groups())
            if found:
                return found
        if match := _CN_DATE.match(line):
            found = chinese_date(match.group(0))
            if found:
                return found
    return None


def _date_or_none(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def chinese_date(text: str) -> date | None:
    """二○一二年四月十九日 -> 2012-04-19; None when it is not such a date."""
    match = _CN_DATE.match(text.strip())
    if not match:
        return None
    year = int("".join(str(_CN_DIGITS[ch]) for ch in match.group(1)))
    month, day = _small_chinese_number(match.group(2)), _small_chinese_number(match.group(3))
    if month is None or day is None:
        return None
    return _date_or_none(str(year), str(month), str(day))


def _small_chinese_number(text: str) -> int | None:
    """一..九十九 written in Chinese numerals (十, 十九, 二十, 三十一)."""
    if not text or any(ch not in _CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return _CN_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _period(title: str | None) -> tuple[date | None, date | None]:
    """The plan period the title names: 2014年 -> the year, 2014-2015年 -> both years."""
    if not title:
        return None, None
    match = _YEARS.search(title) or re.search(r"((?:19|20)\d{2})(?!\d)", title)
    if not match:
        return None, None
    first = int(match.group(1))
    last = int(match.group(2)) if match.re is _YEARS and match.group(2) else first
    if last < first:
        return None, None
    return date(first, 1, 1), date(last, 12, 31)
