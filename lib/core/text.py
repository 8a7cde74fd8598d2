"""The one text normaliser: how a cell, an id, a period and a unit name are cleaned before
they are compared with the plan.

Offices type full-width digits and brackets, paste zero-width joiners from web pages and
leave control characters from other systems; all of these must compare equal to the plain
form. Notes keep their full-width punctuation (NFKC would turn ，： into ASCII).
"""

from __future__ import annotations

import re
import unicodedata

ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WHITESPACE = re.compile(r"\s+")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")


def clean_text(text: str, *, nfkc: bool = True) -> str:
    """NFKC (full-width to half-width, unless `nfkc` is False), zero-width and control
    characters removed, surrounding white space (including U+3000) stripped."""
    if nfkc:
        text = unicodedata.normalize("NFKC", text)
    return CONTROL.sub("", ZERO_WIDTH.sub("", text)).strip()


def compact_text(text: str) -> str:
    """`clean_text` with every inner white space removed too: the form names, ids and
    periods are compared in ('市 发改局' and '市发改局' are one unit)."""
    return _WHITESPACE.sub("", clean_text(text))


def clean_id(text: str) -> str:
    """An id as compared with the plan: compact, typographic dashes as '-', upper case."""
    return _DASHES.sub("-", compact_text(text)).upper()


_CJK = "\u3400-\u9fff\u3000-\u303f\uff00-\uffef"
_FULL_WIDTH = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）"}
# An ASCII , ; : ( ) beside a Chinese character, where the printed document has its
# full-width form ("开拓创新,加大…" -> "开拓创新，加大…"); "(" looks right, ")" looks left.
_HALF_WIDTH_IN_CJK = re.compile(
    rf"(?<=[{_CJK}])[,;:)]|[,;:](?=[{_CJK}])|\((?=[{_CJK}])|(?<=[{_CJK}])\("
)


def document_text(text: str) -> str:
    """Plan text as the document prints it: full-width , ; : ( ) beside Chinese ('开拓创新,
    加大改革攻坚力度' -> '开拓创新，加大改革攻坚力度'); ASCII between Latin text and digits
    stays ('1,000', 'PRD (2014)'). For labels shown to people, never for comparing."""
    return _HALF_WIDTH_IN_CJK.sub(lambda m: _FULL_WIDTH[m.group()], text)
