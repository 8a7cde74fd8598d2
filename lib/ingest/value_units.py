"""The unit a 完成值 is written in, and its exact conversion into the indicator's unit.

Offices write figures in the unit they keep their books in: in the cell (1.2万, 0.19万套,
4649万元) or in the heading (完成值（万元）). Owns splitting a unit into its multiplier
(万, 亿: `lib.core.labels.UNIT_MULTIPLIERS`) and what it counts (元, 套, %), deciding whether
two units convert exactly (the same thing counted), converting a number written as text with
decimal arithmetic (0.19万 is 1900, not 1899.9999999999998), and reading the unit in a value
heading's brackets. A unit is recognised only when what it counts is in
`lib.core.labels.COUNTED_UNITS` or is the plan's own, so "12e" stays "not a number".
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from lib.core.labels import COUNTED_UNITS, UNIT_MULTIPLIERS, VALUE_HEADING_PLAIN_WORDS
from lib.core.text import compact_text
from lib.ingest.limits import refuse

# a number (plain or grouped by thousands) followed by text holding no digit: 4,649万元
_NUMBER_AND_UNIT = re.compile(
    r"(?P<number>[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+))(?P<unit>[^\d.,+\-]+)"
)
_TRAILING_BRACKETS = re.compile(r"(?:\([^()]*\)|\*)+$")
_BRACKETED = re.compile(r"\(([^()]*)\)")
_UNIT_LABEL = re.compile(r"^单位[:：]?")


@dataclass(frozen=True)
class Measure:
    """A unit as a multiplier of what it counts: 万元 = (10000, "元"), 1.2万's 万 =
    (10000, "") (what the indicator counts), % = (1, "%")."""

    multiplier: int
    counted: str


def measure(unit: str, known: Collection[str | None] = ()) -> Measure | None:
    """`unit` as a Measure; None when what it counts is neither a counted unit nor in
    `known` (the plan's own units)."""

    def counted(text: str) -> bool:
        return text in COUNTED_UNITS or text in known

    for prefix, multiplier in UNIT_MULTIPLIERS.items():
        rest = unit[len(prefix) :]
        if unit.startswith(prefix) and (rest == "" or counted(rest)):
            return Measure(multiplier, rest)
    return Measure(1, unit) if counted(unit) else None


def conversion_factor(written: str, wanted: str) -> Decimal | None:
    """What a figure in unit `written` is multiplied by to be in unit `wanted` (1 when they
    are the same unit); None when it does not convert exactly."""
    if written == wanted:
        return Decimal(1)
    source, target = measure(written, (written,)), measure(wanted, (wanted,))
    if source is None or target is None or "%" in (source.counted, target.counted):
        return None
    if source.counted not in ("", target.counted) or target.counted == "":
        return None
    return Decimal(source.multiplier) / Decimal(target.multiplier)


def split_number_and_unit(text: str, known: Collection[str | None] = ()) -> tuple[str, str] | None:
    """(number, unit) of a figure written with a recognised unit ("4649万元" -> ("4649",
    "万元")); None when `text` is no number followed by a unit."""
    split = _NUMBER_AND_UNIT.fullmatch(text)
    if split is None or measure(split["unit"], known) is None:
        return None
    return split["number"], split["unit"]


def converted(number: str, factor: Decimal) -> float:
    """The number written as `number` (digits, maybe grouped by commas) times `factor`,
    computed exactly and rounded once to a float."""
    return float(Decimal(number.replace(",", "")) * factor)


def decimal_text(number: Decimal | float) -> str:
    """A number as a person writes it: 81.2, 100, 0.4649 (no exponent, no trailing zeros)."""
    exact = number if isinstance(number, Decimal) else Decimal(repr(float(number)))
    return format(exact.normalize(), "f")


# months of one quarter in a heading's brackets (完成值（4-6月）): a period, not a unit
_MONTH_SPAN = re.compile(r"\d{1,2}月?[-~～至到—]\d{1,2}月(完成|份)?")


def value_heading_unit(heading: str, known: Collection[str | None], row: int) -> str | None:
    """The unit written in brackets after a 完成值 heading (完成值（万元） -> "万元"), None when
    there is none or the brackets hold a plain word (累计, 必填). Raise ProgressFileError
    (`value_heading_unit_unknown`, at `row`) for brackets holding anything else."""
    trailing = _TRAILING_BRACKETS.search(compact_text(heading))
    units = []
    for inner in _BRACKETED.findall(trailing[0] if trailing else ""):
        word = _UNIT_LABEL.sub("", inner)
        if word == "" or word in VALUE_HEADING_PLAIN_WORDS or _MONTH_SPAN.fullmatch(word):
            continue
        if measure(word, known) is None:
            refuse(
                "value_heading_unit_unknown",
                f"列标题“{heading}”中的“{word}”不是可识别的单位；请写明计量单位"
                "（如 完成值（万元）），或只写“完成值”并按指标单位填写",
                f"'{word}' in the heading '{heading}' is not a unit this reader knows; name "
                "the unit (e.g. 完成值（万元）) or head the column 完成值 and give figures in "
                "each indicator's unit",
                row=row,
                column=heading,
                value=word,
            )
        units.append(word)
    if len(set(units)) > 1:
        refuse(
            "value_heading_unit_unknown",
            f"列标题“{heading}”写了多个单位（{'、'.join(units)}）；请只写一个",
            f"the heading '{heading}' names several units ({', '.join(units)}); name one",
            row=row,
            column=heading,
            value=", ".join(units),
        )
    return units[0] if units else None
