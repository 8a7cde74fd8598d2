"""What an upload really is, decided from its bytes (never its name), and its text.

Owns refusing a file before anything parses it: too large, empty, a renamed image, PDF or
archive, an .xlsb workbook, a zip or an old Office file that is not a workbook, a workbook
with an opening password, an Excel 2003 XML or single-file web page, binary data posing as
text; and telling a legacy .xls workbook and a web page saved as .xls (an HTML table, as
OA systems export) from CSV text. Owns decoding CSV text: byte-order mark, then strict
UTF-8, then GB18030 (never latin-1), refusing a damaged UTF-8 file instead of reading it as
GB18030 mojibake.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from typing import Literal, NoReturn
from xml.etree.ElementTree import ParseError

from lib.core.errors import ProgressFileError
from lib.core.text import CONTROL
from lib.ingest.limits import refuse

# What zipfile, the XML parsers (lxml's XMLSyntaxError and ElementTree's ParseError are both
# SyntaxErrors) and openpyxl raise on a damaged workbook; ProgressFileError is none of these.
XLSX_FAILURES = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    ParseError,
    SyntaxError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
)

_NOT_BLANK_BYTE = re.compile(rb"[^ \t\r\n\x00\xef\xbb\xbf]")  # not whitespace, NUL or BOM
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_BINARY_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG 图片", "a PNG image"),
    (b"%PDF-", "PDF 文件", "a PDF file"),
    (b"\xff\xd8\xff", "JPEG 图片", "a JPEG image"),
    (b"GIF8", "GIF 图片", "a GIF image"),
    (b"\x1f\x8b", "gzip 压缩文件", "a gzip archive"),
    (b"Rar!", "RAR 压缩文件", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩文件", "a 7z archive"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# stream names in an OLE2 file's directory (UTF-16): a BIFF workbook's, and an encrypted
# Office Open XML file's (an .xlsx with an opening password is an OLE2 file)
_OLE2_WORKBOOK = ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))
_OLE2_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_MARKUP_HEAD = 4096  # how far into a file starting with "<" its kind is looked for

FileType = Literal["xlsx", "xls", "html", "text"]


def file_type(content: bytes, max_bytes: int) -> FileType:
    """'xlsx' for an Office Open XML workbook, 'xls' for a legacy (BIFF) workbook, 'html' for
    a web page holding a table (what OA systems save as .xls), 'text' for anything that may
    be CSV; raise ProgressFileError for a file over `max_bytes`, an empty one, or any other
    kind."""
    if len(content) > max_bytes:
        refuse(
            "file_too_large",
            f"文件过大（{len(content) // 1024} KB），上限为 {max_bytes // 1024 // 1024} MB",
            f"file is too large ({len(content) // 1024} KB); the limit is "
            f"{max_bytes // 1024 // 1024} MB",
        )
    first = _NOT_BLANK_BYTE.search(content)  # (strip() would copy a 50 MB file to say so)
    if first is None:
        refuse("empty_file", "文件为空", "the file is empty")
    start = content[first.start() : first.start() + 16].lower()
    if content.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_type(content)
    if content.startswith(_OLE2):
        return _ole2_type(content)
    if start.startswith(b"<"):
        return _markup_type(content)
    if start.startswith(b"mime-version:"):
        _refuse_web_archive()
    for magic, zh, en in _BINARY_SIGNATURES:
        if content.startswith(magic):
            refuse(
                "not_spreadsheet",
                f"文件内容是{zh}，不是 Excel 工作簿或 CSV",
                f"the file is {en}, not an Excel workbook or CSV",
            )
    return "text"


def _ole2_type(content: bytes) -> Literal["xls"]:
    """'xls' for an OLE2 file holding a workbook stream; refuse an encrypted workbook and
    any other OLE2 file (a Word .doc, an Outlook message)."""
    if _OLE2_ENCRYPTED in content:
        refuse(
            "file_encrypted",
            "文件设有打开密码，无法读取：请在 Excel 中取消密码（文件→信息→保护工作簿）后另存上传",
            "the workbook has an opening password and cannot be read: remove the password in "
            "Excel (File > Info > Protect Workbook) and save it again",
        )
    if any(name in content for name in _OLE2_WORKBOOK):
        return "xls"
    refuse(
        "not_spreadsheet",
        "文件是旧版 Office 文件（如 Word .doc），不是 Excel 工作簿或 CSV",
        "the file is an old-style Office file (a Word .doc, say), not an Excel workbook or CSV",
    )


def _markup_type(content: bytes) -> Literal["html"]:
    """'html' for a web page holding a table; refuse an Excel 2003 XML workbook and other
    markup."""
    head = content[:_MARKUP_HEAD].replace(b"\x00", b"").lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in head and b"<workbook" in head:
        refuse(
            "not_spreadsheet",
            "文件是 Excel 2003 XML 表格，请在 Excel 中打开并另存为 .xlsx 后上传",
            "the file is an Excel 2003 XML spreadsheet; open it in Excel and save it as .xlsx",
        )
    if b"<table" in content[: 16 * _MARKUP_HEAD].lower() or b"<html" in head:
        return "html"
    refuse(
        "not_spreadsheet",
        "文件是 XML/网页文本，不是 Excel 工作簿或 CSV",
        "the file is XML or web-page markup, not an Excel workbook or CSV",
    )


def _refuse_web_archive() -> NoReturn:
    refuse(
        "not_spreadsheet",
        "文件是单个文件网页（.mht），请在 Excel 中打开并另存为 .xlsx 后上传",
        "the file is a single-file web page (.mht); open it in Excel and save it as .xlsx",
    )


def _zip_type(content: bytes) -> Literal["xlsx"]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except XLSX_FAILURES:
        refuse(
            "xlsx_corrupt",
            "文件是损坏或不完整的压缩包/Excel 文件，请重新保存后上传",
            "the file is a damaged or truncated zip/Excel file; save it again and retry",
        )
    if {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        refuse(
            "not_spreadsheet",
            "不支持 .xlsb 二进制工作簿，请另存为 .xlsx 或 CSV",
            "binary .xlsb workbooks are not supported; save as .xlsx or CSV",
        )
    refuse(
        "not_spreadsheet",
        "文件是 ZIP 压缩包（如 Word 文档），不是 Excel 工作簿或 CSV",
        "the file is a zip archive (e.g. a Word document), not an Excel workbook or CSV",
    )


def decoded_text(content: bytes) -> tuple[str, str]:
    """Text and encoding name: BOM first, then strict UTF-8, then GB18030; never latin-1."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if content.startswith(bom):
            try:
                return _checked_text(content.decode(encoding)), encoding
            except UnicodeDecodeError:
                refuse(
                    "bad_encoding",
                    f"文件声明为 {encoding} 编码，但内容无法按此解码",
                    f"the file starts with a {encoding} byte-order mark but does not decode",
                )
    if b"\x00" in content[:65536]:
        _refuse_not_text()
    try:
        return _checked_text(content.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as exc:
        _refuse_damaged_utf8(content, exc)
    try:
        return _checked_text(content.decode("gb18030")), "gb18030"
    except UnicodeDecodeError:
        pass
    refuse(
        "bad_encoding",
        "无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GBK/GB18030），请另存为“CSV UTF-8”",
        "unknown text encoding (UTF-8, UTF-8 with BOM and GBK/GB18030 are supported); "
        "save as 'CSV UTF-8'",
    )


def decoded_utf8_head(content: bytes, size: int) -> tuple[str, str] | None:
    """(text, encoding) of the first `size` bytes of a UTF-8 file (a character cut at the
    end is left out), the rest not decoded; None when those bytes are not UTF-8 text."""
    encoding = "utf-8-sig" if content.startswith(codecs.BOM_UTF8) else "utf-8"
    if encoding == "utf-8" and b"\x00" in content[:65536]:
        return None
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
        return _checked_text(decoder.decode(content[:size], final=False)), encoding
    except (UnicodeDecodeError, ProgressFileError):
        return None


def _refuse_damaged_utf8(content: bytes, exc: UnicodeDecodeError) -> None:
    """Refuse a UTF-8 file with a few bad bytes instead of reading it as GB18030 mojibake.

    GB18030 decodes almost any bytes, so it is only tried for text that is not mostly UTF-8:
    in real GBK text about one multi-byte sequence in four happens to be valid UTF-8, while a
    damaged UTF-8 file has far more valid sequences than invalid bytes.
    """
    valid = len(_UTF8_MULTIBYTE.findall(content))
    invalid = content.decode("utf-8", errors="replace").count("\ufffd")
    if valid > invalid:
        line = content[: exc.start].count(b"\n") + 1
        refuse(
            "bad_encoding",
            f"文件是 UTF-8 编码，但第 {line} 行附近有无法识别的字节（文件损坏或混入了其他编码），"
            "请另存为“CSV UTF-8”后重新上传",
            f"the file is UTF-8 but has invalid bytes near line {line} (damaged, or mixed "
            "encodings); save it again as 'CSV UTF-8'",
            row=line,
        )


def _checked_text(text: str) -> str:
    """`text` itself; raise ProgressFileError when its start looks like binary data."""
    sample = text[:65536]
    if "\x00" in sample or len(CONTROL.findall(sample)) > max(8, len(sample) // 100):
        _refuse_not_text()
    return text


def _refuse_not_text() -> NoReturn:
    refuse(
        "not_spreadsheet",
        "文件内容不是文本，也不是 Excel 工作簿（是否把其他文件改了扩展名？）",
        "the file is neither text nor an Excel workbook (was another file renamed?)",
    )
