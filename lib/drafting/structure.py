"""A document's outline: its numbered items, which of them are sections and which tasks,
each task's title, verbatim text and responsible units.

Numbering comes in four styles, nested in this order: 一、 / （一） / 1. / （1） (half- or
full-width brackets, 1．and 1、 too); a document uses two or three of them, and its task
numbers may run across sections. An unnumbered paragraph belongs to the item above it; a
signature, a date line or （此件公开发布） closes the item.

Which items are tasks is decided by where the units are: the tasks are the items of the
deepest style whose items name units (一、…（一）X。…〔…负责〕), or the items under a
heading that names the units for them ("(一)…方面。(省发展改革委牵头…)" then 1., 2.), and
any other item that names its own units. Sections are the top-level headings holding tasks.
A task's title is its first sentence when the document words one (short, before the first
。), else its first clause with a review note; its text is the rest, verbatim, without the
closing unit bracket.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from lib.drafting.document import Document, chinese_date
from lib.drafting.units import (
    FIRST_LISTED,
    MARKED,
    Attribution,
    InheritRule,
    LeadRule,
    Mention,
    attributions_in,
    inherit_rules_in,
    lead_rule_in,
)

STYLES = ("cn", "paren_cn", "arabic", "paren_arabic")  # 一、 （一） 1. （1）, outermost first
_CN_NUMERAL = "一二三四五六七八九十百零〇"
_MARKERS = (
    ("cn", re.compile(rf"^([{_CN_NUMERAL}]+)、")),
    ("paren_cn", re.compile(rf"^[（(]\s*([{_CN_NUMERAL}]+)\s*[）)]")),
    ("arabic", re.compile(r"^(\d{1,3})\s*[.．、](?!\d)")),
    ("paren_arabic", re.compile(r"^[（(]\s*(\d{1,3})\s*[）)]")),
)
_DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_CLOSING_NOTE = re.compile(r"^[（(]此件[^）)]{0,12}[）)]$")
_SIGNER = re.compile(
    r"(?:人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅|国务院|委员会|市委|省委|政府)$"
)
TITLE_MAX = 40  # a first sentence longer than this is prose, not a title


def chinese_ordinal(text: str) -> int | None:
    """一 -> 1, 十二 -> 12, 三十九 -> 39, 一百零一 -> 101; None for anything else."""
    digits = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}  # fmt: skip
    total, current = 0, 0
    for ch in text:
        if ch in digits:
            current = digits[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current or None


# --- the items ----------------------------------------------------------------------------------


@dataclass(eq=False)
class Item:
    """One numbered item: its marker as printed, where it starts, where its own paragraphs
    end (before its first child) and where its whole subtree ends."""

    style: str
    number: int
    marker: str
    start: int
    body_start: int
    own_end: int
    end: int
    parent: Item | None = None
    children: list[Item] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    bracket_notes: list[str] = field(default_factory=list)

    @property
    def rank(self) -> int:
        return STYLES.index(self.style)

    def root(self) -> Item:
        item = self
        while item.parent is not None:
            item = item.parent
        return item

    def ancestors(self) -> list[Item]:
        out, item = [], self.parent
        while item is not None:
            out.append(item)
            item = item.parent
        return out

    def subtree(self) -> list[Item]:
        out = [self]
        for child in self.children:
            out.extend(child.subtree())
        return out


def numbered(line: str) -> tuple[str, int, str] | None:
    """(style, number, marker as printed) of a line starting with a number, else None."""
    for style, pattern in _MARKERS:
        match = pattern.match(line)
        if match:
            raw = match.group(1)
            number = int(raw) if raw.isdigit() else chinese_ordinal(raw)
            if number is None:
                return None
            return style, number, match.group(0)
    return None


_ARABIC_BEFORE_DIGIT = re.compile(r"^(\d{1,3})[.．](?=\d)")


def items_of(document: Document) -> list[Item]:
    """The document's top-level items, each with its subtree."""
    roots: list[Item] = []
    stack: list[Item] = []
    lines = document.lines
    last_arabic = 0
    for i, line in enumerate(lines):
        found = numbered(line.text)
        # "11.121人才梯队项目": a number before digits is the next task's number only where
        # the running numbers expect it (else "1.5亿元…" would be a task)
        match = _ARABIC_BEFORE_DIGIT.match(line.text) if found is None else None
        if match and int(match.group(1)) == last_arabic + 1:
            found = ("arabic", int(match.group(1)), match.group(0))
        if found is not None and found[0] == "arabic":
            last_arabic = found[1]
        if found is None:
            following = lines[i + 1].text if i + 1 < len(lines) else ""
            if _closes(line.text, following):
                stack = []  # a signature or a date ends the item above it
            elif stack:
                stack[-1].own_end = line.end
                for item in stack:
                    item.end = line.end
            continue
        style, number, marker = found
        rank = STYLES.index(style)
        while stack and stack[-1].rank >= rank:
            stack.pop()
        parent = stack[-1] if stack else None
        item = Item(
            style, number, marker, line.start, line.start + len(marker), line.end, line.end, parent
        )
        (parent.children if parent else roots).append(item)
        stack.append(item)
        for ancestor in stack:
            ancestor.end = line.end
    return roots


def _closes(text: str, following: str) -> bool:
    """A line that ends the numbered body: a date, （此件公开发布）, or the signing office
    standing just before a date."""
    if _DATE_LINE.match(text) or chinese_date(text) or _CLOSING_NOTE.match(text):
        return True
    dated = bool(_DATE_LINE.match(following) or chinese_date(following))
    return dated and len(text) <= 30 and bool(_SIGNER.search(text)) and "。" not in text


# --- the outline --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRef:
    """A unit of a task as printed, where it is printed (doc offsets), whether the text
    marks it 牵头, and why it is there when not named by the task itself."""

    name: str
    span: tuple[int, int]
    marked_lead: bool = False
    inherited_from: str | None = None


@dataclass(frozen=True)
class DraftTask:
    number: str  # the marker as printed: （一） or 1.
    title: str
    text: str
    text_span: tuple[int, int]
    span: tuple[int, int]
    units: tuple[UnitRef, ...]
    review: tuple[str, ...] = ()


@dataclass(frozen=True)
class DraftSection:
    number: str | None  # 一、 or None when the document has no section headings
    title: str
    span: tuple[int, int]
    tasks: tuple[DraftTask, ...]
    review: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outline:
    sections: tuple[DraftSection, ...]
    lead_rule: LeadRule
    task_style: str | None
    review: tuple[str, ...] = ()

    @property
    def tasks(self) -> tuple[DraftTask, ...]:
        return tuple(task for section in self.sections for task in section.tasks)


def outline_of(document: Document) -> Outline:
    """Sections and tasks of the document, with their units and the lead rule applied."""
    text = document.text
    roots = items_of(document)
    every = [item for root in roots for item in root.subtree()]
    for item in every:
        own = text[item.body_start : item.own_end]
        found, notes = attributions_in(own)
        item.attributions = [_shifted(a, item.body_start) for a in found]
        item.bracket_notes = notes
    for item in every:
        _lift_closing_bracket(item, text)
    attributions = [a for item in every for a in item.attributions]
    lead_rule = lead_rule_in(text, attributions)
    style = _task_style(every)
    tasks = [item for item in every if _is_task(item, style)]
    # an item inside a task (its (1), (2)) is part of the task's text
    tasks = [item for item in tasks if not any(a in tasks for a in item.ancestors())]
    review: list[str] = []
    if not tasks:
        review.append("未找到编号任务 / no numbered tasks were found")
    inherit = inherit_rules_in(text)
    drafted = [(item, _task(item, text, lead_rule, inherit)) for item in tasks]
    sections = _sections(drafted, text, document)
    review += _skipped_notes(roots, tasks, text)
    review += _numbering_notes(tasks)
    return Outline(tuple(sections), lead_rule, style, tuple(review))


def _shifted(a: Attribution, offset: int) -> Attribution:
    """An attribution found in an item's own text, with offsets into the document."""
    mentions = tuple(Mention(m.name, m.start + offset, m.end + offset, m.lead) for m in a.mentions)
    rule_start = a.rule_start + offset if a.rule_start is not None else None
    return replace(
        a, mentions=mentions, start=a.start + offset, end=a.end + offset, rule_start=rule_start
    )


def _lift_closing_bracket(item: Item, text: str) -> None:
    """A bracket ending the last of an item's sub-items ("1.…。2.…。（A、B负责）") covers the
    item when no other sub-item and not the item itself names units: it is moved up."""
    if item.attributions or len(item.children) < 2:
        return
    *others, last = item.children
    if any(node.attributions for other in others for node in other.subtree()):
        return
    if last.children or not last.attributions:
        return
    closing = last.attributions[-1]
    if len(last.attributions) == 1 and closing.end >= _trimmed_end(text, last.end):
        item.attributions = [closing]
        last.attributions = []


def _task_style(every: list[Item]) -> str | None:
    """The numbering style of the tasks: the deepest style whose items name units, or the
    style of the children of such items when they are headings over them; the deepest
    style present when no item names units."""
    if not every:
        return None
    with_units = [item for item in every if item.attributions]
    if not with_units:
        return max((item.style for item in every), key=STYLES.index)
    deepest = max((item.style for item in with_units), key=STYLES.index)
    heads = [item for item in with_units if item.style == deepest and item.children]
    if heads and len(heads) == len([i for i in with_units if i.style == deepest]):
        return max((child.style for item in heads for child in item.children), key=STYLES.index)
    return deepest


def _is_task(item: Item, style: str | None) -> bool:
    if item.style == style:
        return True
    # any other item naming its own units and holding no tasks of the task style
    return bool(item.attributions) and not any(i.style == style for i in item.subtree()[1:])


def _title_and_text(body: str, offset: int) -> tuple[str, int, int, bool]:
    """(title, text start, text end, worded): the title sentence the document words, and
    where the text after it starts."""
    stripped = body.lstrip(" \u3000")
    lead = len(body) - len(stripped)
    end = _first_sentence_end(stripped)
    first_line_end = stripped.find("\n")
    if end is not None and end <= TITLE_MAX and (first_line_end < 0 or end < first_line_end):
        title = stripped[:end].strip()
        rest = end + 1
        while rest < len(stripped) and stripped[rest] in " \u3000\n":
            rest += 1
        if rest < len(stripped):
            return title, offset + lead + rest, offset + len(body), True
        return title, offset + lead, offset + len(body), True
    if 0 < first_line_end <= TITLE_MAX and not re.search(r"[。；;]", stripped[:first_line_end]):
        # a heading line of its own ("（二）发展目标" then paragraphs)
        title = stripped[:first_line_end].rstrip("。 ")
        rest = first_line_end + 1
        return title, offset + lead + rest, offset + len(body), True
    clause = re.split(r"[，,；;。：:]", stripped, maxsplit=1)[0]
    title = clause if len(clause) <= 30 else clause[:20].rstrip("、，,；;") + "…"
    return title, offset + lead, offset + len(body), False


def _heading_title(body: str) -> str:
    """A section heading's title: its first line, or the first sentence of that line."""
    first = body.strip(" \u3000").split("\n", 1)[0]
    end = _first_sentence_end(first)
    return (first[:end] if end is not None and end <= TITLE_MAX else first).rstrip("。 ")


def _first_sentence_end(text: str) -> int | None:
    """Index of the first 。 outside brackets and quotes, None when there is none."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "（(〔[［【“《":
            depth += 1
        elif ch in "）)〕]］】”》" and depth:
            depth -= 1
        elif ch == "。" and depth == 0:
            return i
        elif ch == "\n":
            return None
    return None


def _task(item: Item, text: str, lead_rule: LeadRule, inherit: list[InheritRule]) -> DraftTask:
    review: list[str] = []
    body_end = item.end
    own = [a for node in item.subtree() for a in node.attributions]
    closing = own[-1] if own and own[-1].end >= _trimmed_end(text, item.end) else None
    if closing is not None:
        body_end = closing.start
    while body_end > item.body_start and text[body_end - 1] in " \u3000\n":
        body_end -= 1
    title, text_start, _, worded = _title_and_text(
        text[item.body_start : body_end], item.body_start
    )
    text_end = body_end
    if text_start >= text_end:  # the item is its title sentence only
        text_start = item.body_start
    if not worded:
        review.append(
            "文件未给出标题句，标题取自首个分句 / the document words no title sentence; the "
            "title is the task's first clause"
        )
    units = _units(item, own, lead_rule, inherit, text, review)
    review.extend(n for node in item.subtree() for n in node.bracket_notes)
    return DraftTask(
        number=item.marker.strip(),
        title=title,
        text=text[text_start:text_end],
        text_span=(text_start, text_end),
        span=(item.start, item.end),
        units=units,
        review=tuple(review),
    )


def _trimmed_end(text: str, end: int) -> int:
    while end > 0 and text[end - 1] in " \u3000\n。；;":
        end -= 1
    return end


def _units(
    item: Item,
    own: list[Attribution],
    lead_rule: LeadRule,
    inherit: list[InheritRule],
    text: str,
    review: list[str],
) -> tuple[UnitRef, ...]:
    refs: list[UnitRef] = []
    if len(own) > 1:
        review.append(
            f"任务内有 {len(own)} 处责任单位括注（各管其前一句），单位按出现顺序合并 / "
            f"{len(own)} unit brackets inside the task, each covering the sentence before it: "
            "their units are joined in order"
        )
    for attribution in own:
        for m in attribution.mentions:
            refs.append(UnitRef(m.name, (m.start, m.end), m.lead))
        review.extend(attribution.review)
    if not own:
        for ancestor in item.ancestors():
            if ancestor.attributions:
                heading = _heading_label(ancestor, text)
                for attribution in ancestor.attributions:
                    for m in attribution.mentions:
                        refs.append(UnitRef(m.name, (m.start, m.end), m.lead, heading))
                review.append(
                    f"责任单位承自上级标题“{heading}”，本项未另列 / units inherited from the "
                    f"heading '{heading}'; the item names none itself"
                )
                break
    for rule in inherit:
        if rule.end <= item.start and _in_scope(rule, item):
            for name in rule.names:
                refs.append(UnitRef(name, (rule.start, rule.end), False, rule.evidence))
            review.append(
                f"按“{rule.evidence}”补列 {'、'.join(rule.names)} / units added by the rule "
                f"'{rule.evidence}'"
            )
    refs = _unique(refs)
    if not refs:
        review.append("文件未写明责任单位 / the document names no responsible unit for this task")
        return ()
    marked = [r for r in refs if r.marked_lead]
    if lead_rule.rule == MARKED:
        if not marked:
            review.append(
                "本项未标注牵头单位，暂以第一个单位为牵头 / no unit is marked 牵头 here; the "
                "first listed stands as lead"
            )
        else:
            if len(marked) > 1:
                review.append(
                    f"{len(marked)} 个单位标为牵头，计划以第一个为牵头单位 / {len(marked)} units "
                    "are marked 牵头; the plan takes the first as lead"
                )
            if refs[0] is not marked[0]:
                review.append("牵头单位未列第一，已移至首位 / the lead was not listed first; moved")
            refs = marked + [r for r in refs if not r.marked_lead]
    elif lead_rule.rule == FIRST_LISTED and len(marked) > 1:
        review.append(
            f"{len(marked)} 个单位标为牵头，按文件规则以列第一位者为牵头单位 / {len(marked)} units "
            "are marked 牵头; by the document's rule the first listed leads"
        )
    return tuple(refs)


def _unique(refs: list[UnitRef]) -> list[UnitRef]:
    seen: set[str] = set()
    out = []
    for ref in refs:
        if ref.name not in seen:
            seen.add(ref.name)
            out.append(ref)
    return out


def _in_scope(rule: InheritRule, item: Item) -> bool:
    """Whether an item comes under a rule: the rule stands in the preamble (outside every
    item) or in the own text of one of the item's ancestors."""
    holders = [a for a in item.ancestors() if a.start <= rule.start < a.own_end]
    if holders:
        return True
    root = item.root()
    return not (root.start <= rule.start < root.end)


def _heading_label(item: Item, text: str) -> str:
    body = text[item.body_start : item.own_end]
    end = _first_sentence_end(body)
    first = body[:end] if end is not None else body.split("\n", 1)[0]
    return item.marker.strip() + first.strip()[:30]


def _sections(
    drafted: list[tuple[Item, DraftTask]], text: str, document: Document
) -> list[DraftSection]:
    """Consecutive tasks under one top-level heading form its section."""
    sections: list[DraftSection] = []
    current_root: Item | None = None
    pending: list[DraftTask] = []

    def flush() -> None:
        if not pending:
            return
        if current_root is None:
            title = document.meta.title or "（无分节标题）"
            start, end = pending[0].span[0], pending[-1].span[1]
            sections.append(
                DraftSection(
                    None,
                    title,
                    (start, end),
                    tuple(pending),
                    (
                        "文件无分节标题，任务归入一个分节（以文件标题为名） / the document has no "
                        "section headings: its tasks form one section named after the document",
                    ),
                )
            )
        else:
            title = _heading_title(text[current_root.body_start : current_root.own_end])
            sections.append(
                DraftSection(
                    current_root.marker.strip(),
                    title,
                    (current_root.start, current_root.end),
                    tuple(pending),
                )
            )

    for item, task in drafted:
        root = item.root()
        owner = None if root is item else root
        if owner is not current_root or (owner is None and not pending):
            flush()
            pending = []
            current_root = owner
        pending.append(task)
    flush()
    return sections


def _skipped_notes(roots: list[Item], tasks: list[Item], text: str) -> list[str]:
    """Plan-level notes for numbered top-level items holding no task."""
    notes = []
    for root in roots:
        if any(i in tasks for i in root.subtree()):  # Items compare by identity
            continue
        label = _heading_label(root, text)
        inner = len(root.subtree()) - 1
        more = f"（含 {inner} 个编号小项）" if inner else ""
        notes.append(
            f"“{label}”{more}没有责任单位，也不含任务，未作为任务 / '{label}' names no units and "
            "holds no tasks: not drafted as tasks"
        )
    return notes


def _numbering_notes(tasks: list[Item]) -> list[str]:
    """Where the tasks' numbers jump: a task may have been lost (or a line misread)."""
    notes = []
    previous: Item | None = None
    for item in tasks:
        if previous is not None and item.style == previous.style:
            restart = item.number == 1 and item.parent is not previous.parent
            if item.number != previous.number + 1 and not restart:
                notes.append(
                    f"任务编号不连续：{previous.marker.strip()} 之后是 {item.marker.strip()} / "
                    f"task numbers jump from {previous.marker.strip()} to {item.marker.strip()}"
                )
        previous = item
    return notes
