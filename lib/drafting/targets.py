"""Indicators drafted from a task's text: quantified targets and dated milestones.

A task of a plan document states what is to be achieved in clauses such as
"城镇污水处理率力争提高到83%", "培育10家以上农业龙头企业", "上半年建成乡镇(街道)网上办事站".
`drafted_indicators` turns each into a `DraftedIndicator` with the clause quoted verbatim and
its offsets, by rules that can be read and checked:

Quantities. A number with a measure word (个 家 宗 套 条 件 名 公里 万亩 亿元 万元 ...) or a
percent sign is a target. Chinese numerals (一百二十, 两千) are read with cn2an. The target of
a range (1—2家) is its lower bound. "以上 / 不少于 / 力争 / 左右" do not change the figure.
The direction is "decrease" for a level to be brought down (下降到, 降低到, 控制在…以内,
不超过); a reduction by an amount (比2011年底减少40%以上) is the size of the reduction, an
increase from baseline 0 with the comparison base as `baseline_note`. "分别达到80%和70%"
gives one indicator per subject listed before 分别; "各5个(件)" one per subject, the
bracketed measure word belonging to the second.

Numbers that are not targets are not drafted: years and dates (2014年, 10月底), document
numbers (〔2013〕13号), ordinals (第二批, 第十二届), numbers inside a title or a short
quotation (《…2013-2014年度…》, “4+3+2”, “十二五”), grades and codes glued to letters
(5A景区, G321国道, 4G, PM2.5), a count of the items just listed (机构、编制、人员、经费四个到位),
small Chinese numerals used as words (两个市场), bare 百/千 (百亿元企业: a class of firm),
a scope (总投资1亿元以上的项目) and a count or amount that qualifies another counted thing
(年主营业务收入超10亿元企业2家).

Milestones (target 100, unit %). A clause with a date of its own (上半年建成…, 12月底前…,
年内动工, 确保2014年…完成) is a milestone. A clause with a completing verb (出台, 建成, 完成,
公布, 开通, 动工, 举办, 实现…全覆盖, “零”的突破, 创建成为…) is a milestone when a time clause
opening its sentence dates it (2015年,开工建设…) or its paragraph (到2020年,…). In an annual
plan (the period is one calendar year) every task is due by the year's end, so the task's
first undated completing clause is a milestone due then, with a review note naming the
others; and a task that states nothing quantified or dated still gets one milestone: its
most deliverable-like clause (制定…办法, 实施《…》, 开展…试点, ...) or else its first clause,
with a review note asking a person to confirm it.

Where the draft is unsure it says so in `review`: a threshold rather than a level (低于3600元的),
a range, names split from 分别, a deadline outside the period, a milestone without a date.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from lib.drafting.deadlines import (
    StatedDeadline,
    review_note,
    same_length_normalised,
    stated_deadline,
)

# ---------------------------------------------------------------------------------------
# The result


@dataclass(frozen=True)
class DraftedIndicator:
    name: str  # short name from the clause (the measured thing)
    kind: str  # "quantity" | "milestone"
    target: int | float  # milestone: 100
    unit: str  # "%", "个", "套", "公里", "万人", "亿元", ...; milestone: "%"
    direction: str  # "increase" | "decrease"
    baseline: int | float | None
    baseline_note: str | None  # e.g. "2011年底"
    deadline: date  # resolved in the plan's year; default period_end
    source: str  # the clause verbatim (a substring of task_text)
    span: tuple[int, int]  # offsets of `source` in task_text
    review: tuple[str, ...] = field(default=())  # why a person should look


# ---------------------------------------------------------------------------------------
# Words

# Longest first, so that 万亩 is not read as 万 + 亩 and 个百分点 not as 个.
MEASURE_WORDS: tuple[str, ...] = (
    "微克/立方米",
    "个百分点",
    "万立方米",
    "万平方米",
    "平方公里",
    "万千瓦时",
    "亿千瓦时",
    "万标准箱",
    "立方米",
    "平方米",
    "千瓦时",
    "万千瓦",
    "亿千瓦",
    "标准箱",
    "亿美元",
    "万美元",
    "万人次",
    "千瓦",
    "万吨",
    "万亩",
    "公顷",
    "公里",
    "千米",
    "美元",
    "亿元",
    "万元",
    "人次",
    "万人",
    "万名",
    "万户",
    "万套",
    "万个",
    "场次",
    "吨",
    "亩",
    "元",
    "名",
    "人",
    "个",
    "家",
    "宗",
    "套",
    "条",
    "件",
    "项",
    "所",
    "座",
    "间",
    "张",
    "台",
    "辆",
    "艘",
    "户",
    "处",
    "场",
    "倍",
    "%",
    "‰",
)
_COUNT_UNITS = frozenset(
    {"个", "家", "宗", "套", "条", "件", "项", "所", "座", "间", "张", "台", "辆", "艘"}
    | {"户", "处", "场", "场次", "名", "人", "人次", "万人", "万人次", "万名", "万户", "万套"}
    | {"万个"}
)
_AREA_UNITS = frozenset({"万亩", "亩", "公顷", "平方米", "万平方米", "平方公里"})
_SHARE_UNITS = frozenset({"%", "‰", "个百分点"})

# 人 counts people (3000人) but starts nouns too: 121人才梯队项目, 5人民币.
_UNIT_RE = "|".join(
    re.escape(u) + (r"(?![才员民口们群类士工力均])" if u.endswith("人") else "")
    for u in MEASURE_WORDS
)
_CN_DIGIT = "零〇○一二两三四五六七八九十百千"
_CN_NUM = rf"[{_CN_DIGIT}]+(?:[万亿][{_CN_DIGIT}]+)*"
_AR_NUM = r"\d+(?:\.\d+)?"
_NUM = rf"(?:{_AR_NUM}|{_CN_NUM})"
_MENTION = re.compile(
    rf"(?P<lo>{_NUM})(?:(?P<dash>[—–\-~至到])(?P<hi>{_NUM}))?"
    rf"(?:(?P<unit>{_UNIT_RE})(?:\((?P<alt>{_UNIT_RE})\))?|\((?P<bunit>{_UNIT_RE})\))"
    r"(?P<qual>及以上|以上|以下|以内|左右|多)?"
)

# Verbs that make a small Chinese numeral a count (新建三个 ...), not a word (两个市场).
_COUNT_VERB = re.compile(
    r"(?:新增|新建|建成|建设|培育|完成|创建|引进|达到|达|选拔|培养|资助|扶持|评选|遴选|"
    r"筹集|新创|设立|认定|实施|开通|打造)$"
)
# Verbs that bring a level down to a figure (one list for _DECREASE_TO and _PREDICATE).
_DOWN_TO = (
    r"下降到|下降至|降低到|降低至|降到|降至|减少到|减少至|压减到|压减至|压缩到|压缩至|"
    r"控制在|不超过|不高于"
)
# A level brought down to a figure.
_DECREASE_TO = re.compile(rf"(?:{_DOWN_TO}|(?<!不)低于|不足)$")
# A reduction by an amount (the size of the reduction is the target).
_REDUCE_BY = re.compile(r"(?:减少|下降|降低|压减|削减|压缩|节约|减排)$")
_RAISE_BY = re.compile(r"(?:增长|提高|增加|上升|提升)$")
# The verb between a subject and its figure: "城镇污水处理率提高到83%".
_PREDICATE = re.compile(
    r"(?:提高到|提高至|提升到|提升至|增加到|增加至|增长到|增长至|扩大到|扩大至|达到|达|"
    rf"超过|不少于|不低于|保持在|稳定在|为|在|{_DOWN_TO})$"
)
# A threshold: the figure describes which things are meant (低于3600元的农村居民).
_THRESHOLD = re.compile(r"(?:低于|高于|不足|超过|超)$")
_BASE = re.compile(r"比(?P<base>(?:19|20)\d{2}年(?:底|末|初)?|上年(?:底|末)?|去年(?:底)?|同期)")
# Lead words that are not part of a name.
_LEAD_WORDS = re.compile(
    r"^(?:其中|力争|确保|争取|努力|力促|重点|积极|大力|加快|进一步|全面|实现|推动|推进|"
    r"年内|全年|今年|年底前|上半年|下半年|\d{1,2}月底前|到(?:19|20)\d{2}年底?|"
    r"(?:19|20)\d{2}年(?:起)?|\d+年内|每年|并|和|及|以及|与|把|将|使|共|累计|在|“|”|的|,|\s)+"
)
_TRAIL_WORDS = re.compile(r"(?:力争|确保|争取|努力|要|将|已|总体|均|基本|逐步)+$")
NO_DATE = review_note("原文未写时限，取计划期末", "the text gives no date: period end used")
_CONNECTORS = re.compile(r"以及|及|和|与|、|并")
# 分别达到80%和70% / 各5个(件) / 均达到45%: one figure per listed subject.
_GROUP = re.compile(r"(分别|各|均)(?:为|达到|达|提高到|提升到|增加到|控制在|降低到|下降到|超过)?$")
# The verb that ends a subject and governs a count: 保障性住房…|开工建设|4649套.
_VERB_TAIL = re.compile(
    r"(?:基本建成|开工建设|新开工|开工|建成|新建|建设|完成|改造|新增|新创|培育|引进|培养|"
    r"选拔|资助|扶持|培训|认定|创建|实施|落实)$"
)

# Completing verbs: the clause names a one-off deliverable.
_COMPLETING = re.compile(
    r"(?:出台|印发|公布|发布|建成(?!区)|完成|开通|(?<![推发劳启])动工|(?<!展)开工|(?<!交)通车|"
    r"投产|挂牌|成立|落成|竣工|(?<!已)获批|召开|举办)(?!的)|"  # 出台的政策: already issued
    r"全覆盖$|(?:“零”|□□□)的突破|零的突破|"  # “零” blanked as a short quotation
    r"(?:组织)?参(?:与|加)[^,]{0,12}(?:会|展|赛)$|"
    r"全部[^,]{0,12}(?:建立|建成|实现|完成)|"
    r"创建(?:成为)?[^,]{0,16}(?:景区|城市|强市|强县|强镇|示范市|示范县|示范区|示范基地)$"
)
# What the plan encourages others to do is not its own deliverable: 鼓励…, 支持…,
# 推动符合条件的中小企业…挂牌.
_ENCOURAGED = re.compile(r"^(?:积极|大力|进一步)?(?:鼓励|支持|引导|帮助)|符合条件的")
# Deliverable-like clauses for a task that states nothing else, best first.
_DELIVERABLE = (
    re.compile(
        r"^(?:研究)?(?:制定|制订|编制|起草)[^,]*(?:方案|办法|规划|政策|制度|意见|细则|目录|"
        r"清单|计划|标准)"
    ),
    re.compile(r"^(?:实施|落实|执行)□"),  # a named plan or programme (title blanked)
    re.compile(r"^实现"),
    re.compile(
        r"^(?:组织)?(?:开展|抓好|启动)[^,]*(?:试点|评估|普查|调查|活动|工作)|"
        r"^(?:实施)[^,]*(?:工程|计划|方案|行动)|"
        r"^(?:建立|建立健全|健全|建立完善)[^,]*(?:制度|机制|平台|体系)|"
        r"^(?:落实)[^,]*(?:制度|机制)$|"
        r"^(?:打造|搭建)[^,]*(?:平台|基地|中心)|"
        r"^(?:组织)?参与[^,]*(?:会|展|活动|赛)$"
    ),
)
_CLAUSE_START_ADVERBS = re.compile(
    r"^(?:进一步|积极|大力|加快|深入|重点|全面|认真|切实|努力|力争|确保|争取|逐步|稳步|"
    r"继续|着力|扎实|不断|全力|尽快|深化|主动|全方位|年内|上半年|下半年|\d{1,2}月底前|"
    r"在[^,]{1,8}(?=开展|实施|建立))+"
)


# ---------------------------------------------------------------------------------------
# Text regions


# Book titles and short quotations are names; a doc number 〔2013〕13号 is an identifier; a
# bracket naming the responsible units is not a target.
_TITLE = re.compile(r"《[^》]*》")
_QUOTE = re.compile(r"“[^”]*”|「[^」]*」")
_DOC_NUMBER = re.compile(r"[〔\[]\s*(?:19|20)\d{2}\s*[〕\]]\s*\d+\s*号")
_UNIT_BRACKET = re.compile(r"\([^()]*(?:负责|牵头|配合单位|参与)[^()]*\)")
_MASK = "□"
_SENTENCE_END = re.compile(r"[。;!?\n]")  # after normalising, ；！？ are ASCII
_CLAUSE_SEP = ",:"
_OPEN = "(《“「〔["
_CLOSE = ")》”」〕]"
_TIME_ONLY = re.compile(
    r"^\s*(?:到|至|在|于)?(?:(?:19|20)\d{2}年(?:底|末)?|今年|年内|上半年|下半年|"
    r"\d{1,2}月底前|(?:(?:19|20)\d{2}年起)?\d+年内|(?:19|20)\d{2}年\d{1,2}月(?:\d{1,2}日)?)"
    r"(?:前|以前|之前)?\s*$"
)
# A task's own number: 1. / 11. / (一) / 一、 at its start.
_NUMBERING = re.compile(
    r"^\s*(?:\d{1,3}[.、]|\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}、)"
)


def _masked(text: str) -> str:
    """`text` (normalised) with names, doc numbers and unit brackets blanked, same length.

    A quotation that holds whole clauses (it contains a comma) or is long is quoted text,
    not a name, and stays readable: “重点引进和培养高层次人才达到2000名左右,…”.
    """

    def blank(match: re.Match[str]) -> str:
        return _MASK * len(match.group())

    def blank_name(match: re.Match[str]) -> str:
        inner = match.group()[1:-1]
        if len(inner) > 15 or re.search(r"[,;]", inner):
            return match.group()
        return blank(match)

    text = _NUMBERING.sub(blank, text, count=1)
    text = _DOC_NUMBER.sub(blank, text)
    text = _TITLE.sub(blank, text)
    text = _QUOTE.sub(blank_name, text)
    return _UNIT_BRACKET.sub(blank, text)


@dataclass(frozen=True)
class _Clause:
    start: int
    end: int
    sentence: int


def _clauses(norm: str) -> list[_Clause]:
    """Comma-separated clauses of every sentence, never split inside brackets or names."""
    out: list[_Clause] = []
    depth, start, sentence = 0, 0, 0
    for i, ch in enumerate(norm):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        # A quotation holding clauses splits like the text around it.
        splits_here = ch in _CLAUSE_SEP and (depth == 0 or _inside_long_quote(norm, i))
        if _SENTENCE_END.match(ch) or splits_here:
            out.append(_Clause(start, i, sentence))
            start = i + 1
            if _SENTENCE_END.match(ch):
                sentence += 1
                depth = 0
    out.append(_Clause(start, len(norm), sentence))
    return [c for c in out if norm[c.start : c.end].strip()]


def _inside_long_quote(norm: str, i: int) -> bool:
    open_at = norm.rfind("“", 0, i)
    return open_at >= 0 and norm.rfind("”", open_at, i) < 0 and norm.find("”", i) > 0


def _trimmed(norm: str, start: int, end: int) -> tuple[int, int]:
    while start < end and norm[start] in " \u3000\t":
        start += 1
    while end > start and norm[end - 1] in " \u3000\t":
        end -= 1
    return start, end


# ---------------------------------------------------------------------------------------
# Numbers


@lru_cache(maxsize=512)
def chinese_number(text: str) -> int | float | None:
    """一百二十 -> 120, 两千 -> 2000; None for what is not a well-formed numeral (三四, 百)."""
    import cn2an  # the kept library for Chinese numerals; loaded only when one is met

    if text[0] in "百千万亿":
        return None
    digits = text.replace("两", "二").replace("〇", "零").replace("○", "零")
    try:
        value = cn2an.cn2an(digits, "strict")
    except (ValueError, KeyError):
        return None
    return value


def _value(text: str) -> int | float | None:
    if text[0].isdigit():
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    return chinese_number(text)


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    value: int | float
    high: int | float | None
    unit: str
    alt_unit: str | None
    qualifier: str
    chinese: bool
    bracketed: bool  # the measure word only in brackets: 4507(户)


def _mentions(masked: str, clause: _Clause) -> list[_Mention]:
    text = masked[clause.start : clause.end]
    found: list[_Mention] = []
    for match in _MENTION.finditer(text):
        start = match.start()
        before = text[:start]
        lo = match["lo"]
        if before.endswith("第") or re.search(r"[A-Za-z.]$", before):
            continue  # ordinal, or part of a code (G321, PM2.5)
        value = _value(lo)
        if value is None:
            continue
        chinese = not lo[0].isdigit()
        qualifier = match["qual"] or ""
        if (
            chinese
            and value < 10
            and not qualifier
            and not (value >= 2 and _COUNT_VERB.search(before))
        ):
            continue  # 两个市场, 一个平台, 四个全面: a word, not a count
        if _counts_the_list_before(before, value):
            continue
        high = _value(match["hi"]) if match["hi"] else None
        unit = match["unit"] or match["bunit"]
        found.append(
            _Mention(
                clause.start + start,
                clause.start + match.end(),
                value,
                high,
                unit,
                match["alt"],
                qualifier,
                chinese,
                match["bunit"] is not None,
            )
        )
    return found


def _counts_the_list_before(before: str, value: int | float) -> bool:
    """机构、编制、人员、经费四个到位: the number counts the short items listed just before
    it (not 新增规模以上企业50家、…企业2家, whose items carry figures of their own)."""
    tail = re.split(r"[,:]", before)[-1]
    items = tail.split("、")
    return (
        len(items) >= 2
        and value == len(items)
        and all(0 < len(item) <= 10 and not re.search(r"\d", item) for item in items)
    )


# ---------------------------------------------------------------------------------------
# Names


def _strip_lead(text: str) -> str:
    return _LEAD_WORDS.sub("", text)


def _strip_trail(text: str) -> str:
    return _TRAIL_WORDS.sub("", text.rstrip(",、 "))


def _object_after(text: str) -> str:
    """The counted thing after a figure: 培育10家以上|农业龙头企业|; cut at 等 (an open list)
    and at 及 / 以及 (a second thing joined on)."""
    text = text.lstrip("的")
    return re.split(r"等|以及|及|,|;", text)[0]


def _shorten(name: str, limit: int = 30, *, keep_start: bool = False) -> str:
    """`name` without blanks, at most `limit` characters: the end of a quantity's name (the
    measured thing comes last), the start of a milestone's (its verb comes first)."""
    name = name.replace(_MASK, "").strip(",、 ")
    if len(name) <= limit:
        return name
    return name[:limit] if keep_start else name[-limit:]


def _suffix(unit: str, name: str) -> str:
    if unit in _COUNT_UNITS:
        return "" if name.endswith("数") else "数"
    if unit in _AREA_UNITS:
        return "" if "面积" in name else "面积"
    if unit in _SHARE_UNITS:
        return "" if re.search(r"(?:率|比例|比重|占比|幅度)$", name) else "比例"
    return ""


# ---------------------------------------------------------------------------------------
# Drafting


@dataclass
class _Draft:
    """An indicator being drafted; frozen into a DraftedIndicator at the end."""

    name: str
    kind: str
    target: int | float
    unit: str
    direction: str
    baseline: int | float | None
    baseline_note: str | None
    clause: _Clause
    source: tuple[int, int]
    review: list[str]
    at: int  # where the figure (or the milestone's clause) is: the order of the result


def drafted_indicators(
    task_text: str, *, period_start: date, period_end: date, annual: bool | None = None
) -> list[DraftedIndicator]:
    """The quantified targets and milestones `task_text` states, in order of appearance.

    `annual`: whether the plan is a one-year work plan, in which every task is due by the
    year's end (default: the period is one calendar year). In an annual plan an undated
    completing clause and, for a task stating nothing else, its most deliverable-like clause
    are drafted as milestones due at the period end, each with a review note. Pass False for
    a document that is not a year's plan (a State Council opinion, a five-year programme).
    """
    if annual is None:
        annual = period_start.year == period_end.year
    norm = same_length_normalised(task_text)
    masked = _masked(norm)
    clauses = _clauses(norm)
    deadlines = _clause_deadlines(norm, clauses, period_start, period_end)

    drafts: list[_Draft] = []
    quantified: set[_Clause] = set()
    subject, sentence = "", -1
    for clause in clauses:
        if clause.sentence != sentence:
            subject, sentence = "", clause.sentence
        mentions = _mentions(masked, clause)
        clause_drafts, subject = _quantities(norm, masked, clause, mentions, subject)
        if clause_drafts:
            quantified.add(clause)
            drafts.extend(clause_drafts)
            remainder = _joined_deliverable(norm, clause, mentions)
            if remainder:
                drafts.append(remainder)

    candidates = _milestone_candidates(norm, masked, clauses)
    undated: list[_Clause] = []
    for clause in candidates:
        if clause in quantified:
            continue
        own, carried = deadlines[clause]
        text = masked[clause.start : clause.end].strip()
        if own is not None and own.kind == "date":
            drafts.append(_milestone(norm, clause, []))
        elif _COMPLETING.search(text) and not _ENCOURAGED.search(text):
            if carried is not None:
                drafts.append(_milestone(norm, clause, []))
            elif annual:
                undated.append(clause)
    if undated:
        # Dated only by the plan's year: the task's first such deliverable is drafted, the
        # others are named in its note so that a person can add them.
        note = [NO_DATE]
        others = "；".join(norm[c.start : c.end].strip() for c in undated[1:])
        if others:
            note.append(
                review_note(
                    f"本任务另有未写时限的交付事项（未拟）：{others}",
                    f"other undated deliverables in this task, not drafted: {others}",
                )
            )
        drafts.append(_milestone(norm, undated[0], note))

    if not drafts and annual and candidates:
        drafts.append(_fallback_milestone(norm, masked, candidates))

    drafts.sort(key=lambda d: (d.at, d.kind != "quantity"))
    return [_frozen(task_text, d, deadlines, period_start, period_end) for d in drafts]


def _milestone_candidates(norm: str, masked: str, clauses: list[_Clause]) -> list[_Clause]:
    """The clauses that may be milestones: not a bare time (2014年, 到2020年), not blank (a
    title or a unit bracket only), and not the task's heading when more follows
    (确保完成指标任务。采取有效措施,… : the heading restates the task)."""
    out = [
        c
        for c in clauses
        if not _TIME_ONLY.match(norm[c.start : c.end])
        and masked[c.start : c.end].strip(_MASK + " \u3000")
    ]
    numbered = _NUMBERING.match(norm)
    if numbered and len(out) > 1 and out[0].sentence != out[1].sentence:
        heading = norm[numbered.end() : out[0].end].strip()
        if len(heading) <= 20:
            out = out[1:]
    return out


Deadlines = dict[_Clause, tuple[StatedDeadline | None, StatedDeadline | None]]


def _clause_deadlines(
    norm: str, clauses: list[_Clause], period_start: date, period_end: date
) -> Deadlines:
    """Each clause's own deadline and the one carried from a time clause opening its
    sentence (2014年,森林面积达…) or its paragraph (到2020年,…。全国农机总动力…)."""
    out: Deadlines = {}
    carried: StatedDeadline | None = None
    carried_scope = "sentence"
    previous: _Clause | None = None
    for clause in clauses:
        text = norm[clause.start : clause.end]
        if previous is not None:
            if "\n" in norm[previous.end : clause.start + 1]:
                carried = None  # a new paragraph
            elif carried_scope == "sentence" and clause.sentence != previous.sentence:
                carried = None
        own = stated_deadline(_masked(text), period_start=period_start, period_end=period_end)
        if own is not None and _TIME_ONLY.match(text):
            # 到2020年, opens a paragraph of goals; 2014年, opens one sentence.
            carried = own
            carried_scope = "paragraph" if re.match(r"^\s*(?:到|至)", text) else "sentence"
            out[clause] = (own, own)
        else:
            out[clause] = (own, carried)
        previous = clause
    return out


def _quantities(
    norm: str, masked: str, clause: _Clause, mentions: list[_Mention], subject: str
) -> tuple[list[_Draft], str]:
    """The clause's quantities, and the last subject named (a later figure of the sentence
    with a verb only, 基本建成4507(户), counts the same thing)."""
    # A figure that qualifies another counted thing is part of that thing's name:
    # 年主营业务收入超10亿元企业2家.
    mentions = [
        m
        for i, m in enumerate(mentions)
        if not (
            i + 1 < len(mentions)
            and _THRESHOLD.search(masked[clause.start : m.start])
            and not re.search(r"[,、和及]", masked[m.end : mentions[i + 1].start])
        )
    ]
    if not mentions:
        return [], subject
    bounds = _segment_bounds(masked[clause.start : clause.end], clause.start, mentions)
    drafts: list[_Draft] = []
    previous_subject = subject
    skip: set[int] = set()
    for index, mention in enumerate(mentions):
        if index in skip:
            continue
        seg_start, seg_end = bounds[index]
        # names read the text with quotations (培养100名“大学生创业能手”), titles blanked
        left = _named(norm, masked, seg_start, mention.start)
        right = _named(norm, masked, mention.end, seg_end)
        group = _GROUP.search(left)
        if group:
            members = [mention]
            j = index + 1
            while j < len(mentions) and re.fullmatch(
                r"和|、|,|及", masked[mentions[j - 1].end : mentions[j].start]
            ):
                members.append(mentions[j])
                j += 1
            skip.update(range(index + 1, j))
            source = _trimmed(norm, clause.start, clause.end)
            drafts.extend(_grouped(left[: group.start()], group, members, clause, source))
            continue
        drafted = _single(
            left, right, mention, clause, (seg_start, seg_end), norm, masked, previous_subject
        )
        if drafted is None:
            continue
        drafts.append(drafted)
        previous_subject = _subject_and_verb(_strip_lead(left))[0] or previous_subject
    return drafts, previous_subject


def _segment_bounds(text: str, base: int, mentions: list[_Mention]) -> list[tuple[int, int]]:
    """Each mention's part of the clause. Between two mentions the first 、 (or else the last
    和 / 及 / 以及) ends one item and starts the next: 森林面积达1532.87万亩|、|森林蓄积量达…,
    完成2个市级名镇建设规划|以及|100条…."""
    starts: list[int] = [base]
    ends: list[int] = []
    for prev, nxt in itertools.pairwise(mentions):
        between = text[prev.end - base : nxt.start - base]
        comma = between.find("、")
        if comma >= 0:
            ends.append(prev.end + comma)
            starts.append(prev.end + comma + 1)
            continue
        last = None
        for match in _CONNECTORS.finditer(between):
            last = match
        ends.append(prev.end + last.start() if last else nxt.start)
        starts.append(prev.end + last.end() if last else nxt.start)
    ends.append(base + len(text))
    return list(zip(starts, ends, strict=True))


def _subject_and_verb(lead: str) -> tuple[str, str]:
    """保障性住房、棚户区改造住房开工建设 -> (保障性住房、棚户区改造住房, 开工建设);
    城镇污水处理率提高到 -> (城镇污水处理率, 提高到)."""
    match = _PREDICATE.search(lead) or _VERB_TAIL.search(lead) or _THRESHOLD.search(lead)
    if match is None:
        return "", ""
    return _strip_trail(lead[: match.start()]), match.group()


def _single(
    left: str,
    right: str,
    mention: _Mention,
    clause: _Clause,
    segment: tuple[int, int],
    norm: str,
    masked: str,
    previous_subject: str,
) -> _Draft | None:
    unit = mention.unit
    # A scope (总投资1亿元以上的项目) or a figure that qualifies another counted thing
    # (年主营业务收入超10亿元企业2家) is not a target of its own.
    if (
        unit not in _SHARE_UNITS
        and mention.qualifier in {"以上", "以下", "及以上"}
        and right.startswith("的")
    ):
        return None

    review: list[str] = []
    direction = "increase"
    baseline: int | float | None = None
    baseline_note: str | None = None
    obj = _object_after(right)
    # an item that starts right after 、 belongs to a new thing: 加固三四期、|56宗病险水库…
    lead = _strip_lead(left.rsplit("、", 1)[1] if left.endswith("、") else left)
    if unit in _SHARE_UNITS and "占" in lead:
        name = lead + "比重"
    elif (match := _THRESHOLD.search(lead)) and re.match(r"^的?[^\W\d_]", right):
        subject = _strip_trail(lead[: match.start()]) or previous_subject
        name = f"{_thing(obj)}{subject}"
        review.append(
            review_note(
                f"{match.group()}{mention.value}{unit} 是界定范围的门槛，不是要达到的水平，"
                "请核对要统计什么",
                f"{match.group()}{mention.value}{unit}: a threshold that says which things "
                "are meant, not a level to reach — check what is to be measured",
            )
        )
        if "突破" in norm[clause.start : clause.end]:
            review.append(
                review_note(
                    "承诺的是“零”的突破，作为里程碑可能更合适",
                    "the commitment is a breakthrough (零的突破): a milestone may fit better",
                )
            )
    elif match := _DECREASE_TO.search(lead):
        direction = "decrease"
        name = _strip_trail(lead[: match.start()])
    elif match := _REDUCE_BY.search(lead) or _RAISE_BY.search(lead):
        # a change by an amount: the size of the change grows from 0 to the target
        baseline = 0
        base = _BASE.search(lead)
        baseline_note = base["base"] if base else None
        if base is None:
            review.append(
                review_note(
                    f"{match.group()}：原文未写对比基数，请核对",
                    f"{match.group()} by an amount with no stated base: check the base",
                )
            )
        shares = "比例" if _REDUCE_BY.search(lead) else "幅度"
        name = lead + (shares if unit in _SHARE_UNITS else "量")
    elif match := _PREDICATE.search(lead):
        name = _strip_trail(lead[: match.start()]) or previous_subject
        if unit in _COUNT_UNITS and obj:  # 培养|不少于|10名…院士后备人才
            name = _compact(_strip_trail(lead[: match.start()]), obj)
        if unit in _SHARE_UNITS and obj and len(obj) <= 4:  # 实现省教育强镇100%|覆盖|
            name = f"{name}{obj}率"
    elif unit in _SHARE_UNITS and right.startswith("的"):  # 60%的|行政村建立…|
        name = _strip_trail(lead) + obj
    elif unit in _SHARE_UNITS and obj and len(obj) <= 4:
        name = f"{_strip_trail(lead)}{obj}率"
    else:
        subject, verb = _subject_and_verb(lead)
        if not obj and not subject and verb and previous_subject:
            name = previous_subject + _strip_trail(lead)  # …4649套(户),|基本建成|4507(户)
        else:
            name = _compact(_strip_trail(lead), obj)
    if mention.qualifier in {"以下", "以内"}:
        direction = "decrease"
    if mention.high is not None:
        span = f"{mention.value}–{mention.high}{unit}"
        review.append(
            review_note(
                f"区间 {span}，取下限为目标", f"range {span}: the lower bound is the target"
            )
        )
    if mention.chinese:
        read = f"{mention.value}{unit}"
        review.append(
            review_note(f"中文数字，读作 {read}", f"written in Chinese numerals, read as {read}")
        )
    name = _shorten(name)
    return _Draft(
        name + _suffix(unit, name) if name else "",
        "quantity",
        mention.value,
        _unit_of(mention, masked),
        direction,
        baseline,
        baseline_note,
        clause,
        _trimmed(norm, *segment),
        review,
        mention.start,
    )


def _named(norm: str, masked: str, start: int, end: int) -> str:
    """The text of [start, end) as names read it: quotations kept, book titles and unit
    brackets blanked."""
    text = norm[start:end]
    blanked = masked[start:end]
    return "".join(
        b if b == _MASK and not _in_quote(norm, start + i) else t
        for i, (t, b) in enumerate(zip(text, blanked, strict=True))
    )


def _in_quote(norm: str, at: int) -> bool:
    open_at = norm.rfind("“", 0, at + 1)
    return open_at >= 0 and norm.find("”", open_at) >= at


def _compact(verb_phrase: str, obj: str) -> str:
    """verb + counted thing, without the scaffolding a long clause puts before the verb:
    5年内市、区(县级市)两级在战略性主导产业领域重点|引进和培养|…|企业紧缺人才|."""
    if len(verb_phrase + obj) <= 20:
        return verb_phrase + obj
    verb_phrase = re.split(r"重点|两级|领域|方面|年内|在", verb_phrase)[-1]
    if len(verb_phrase + obj) > 20 and "的" in obj:
        obj = obj.rsplit("的", 1)[1]
    return verb_phrase + obj


def _thing(obj: str) -> str:
    """The thing a threshold qualifies: 低于3600元的|农村居民|和…."""
    return re.split(r"及|和|“|" + _MASK, obj)[0]


def _unit_of(mention: _Mention, masked: str) -> str:
    """A figure with only a bracketed measure word, 基本建成4507(户), repeats the pair of a
    figure before it in the sentence (开工建设4649套(户)): the main measure word of that pair."""
    if not mention.bracketed:
        return mention.unit
    sentence_start = max(masked.rfind(end, 0, mention.start) for end in "。;\n") + 1
    for match in reversed(list(_MENTION.finditer(masked[sentence_start : mention.start]))):
        if match["unit"] and match["alt"] == mention.unit:
            return match["unit"]
    return mention.unit


def _grouped(
    subjects_text: str,
    group: re.Match[str],
    members: list[_Mention],
    clause: _Clause,
    source: tuple[int, int],
) -> list[_Draft]:
    """分别达到80%和70% / 各5个(件) / 均达到45%: one indicator per listed subject."""
    word = group.group(1)
    lowered = bool(_DECREASE_TO.search(group.group()))
    lead = _strip_lead(subjects_text)
    verb_match = re.match(r"^(创建|新建|建成|建设|培育|新增|完成|引进|培养|认定|争取)", lead)
    verb = verb_match.group(1) if verb_match else ""
    listed = [s for s in re.split(r"、|和|及|与", lead[len(verb) :]) if s]
    review: list[str] = []
    values = [(m.value, m.unit, m) for m in members]
    if word in {"各", "均"} and len(members) == 1 and len(listed) >= 2:
        mention = members[0]
        units = [mention.unit] + [mention.alt_unit or mention.unit] * (len(listed) - 1)
        values = [(mention.value, u, mention) for u in units]
    names = _split_names(listed, len(values))
    if len(names) != len(values):
        review.append(
            review_note(
                f"{word}：{len(values)} 个数值与“{lead}”所列主体无法一一对应，请人工对应",
                f"{word}: {len(values)} figures for the subjects '{lead}' — match them by hand",
            )
        )
        names = [lead] * len(values)
    else:
        review.append(
            review_note(
                f"{word}：按“{lead}”所列主体各拟一个指标，请核对名称",
                f"{word}: one indicator per subject listed in '{lead}' — check names",
            )
        )
    drafts = []
    for (value, unit, mention), name in zip(values, names, strict=True):
        full = _shorten(verb + name)
        lower = lowered or mention.qualifier in {"以下", "以内"}
        direction = "decrease" if lower else "increase"
        drafts.append(
            _Draft(
                full + _suffix(unit, full),
                "quantity",
                value,
                unit,
                direction,
                None,
                None,
                clause,
                source,
                list(review),
                mention.start,
            )
        )
    return drafts


def _split_names(listed: list[str], count: int) -> list[str]:
    """Each listed subject with the head they share: '行政审批事项'、'社会服务事项网上办理率'
    -> 行政审批事项网上办理率, 社会服务事项网上办理率; '花生种植'、'收获机械化率' (parallel
    words, the last carrying a measure such as 机械化率) -> 花生种植机械化率, 花生收获机械化率."""
    if len(listed) != count or count < 2:
        return listed
    first, last = listed[0], listed[-1]
    for size in range(min(len(first), len(last)), 1, -1):
        at = last.find(first[-size:])
        if at >= 0 and last[at + size :]:
            head = last[at + size :]
            return [item + head for item in listed[:-1]] + [last]
    metric = re.search(r"(?:率|比例|比重|面积|产量|总量|数量)$", last)
    if metric and not re.search(r"(?:率|比例|比重|面积|产量|总量|数量)$", first):
        word = min(2, len(first))
        head, prefix = last[word:], first[:-word]
        return [first + head] + [prefix + item for item in listed[1:]]
    return listed


def _joined_deliverable(norm: str, clause: _Clause, mentions: list[_Mention]) -> _Draft | None:
    """年内完成100个村级文化活动室建设及文化场馆达标任务: the second deliverable joined by 及,
    without a figure of its own, is a milestone."""
    rest = norm[mentions[-1].end : clause.end]
    match = re.search(r"(?:以及|及)([^,]{2,})$", rest)
    verb = re.search(r"完成|建成|出台|实现", norm[clause.start : mentions[-1].start])
    if not match or not verb or _MENTION.search(match.group(1)):
        return None
    name = match.group(1).strip()
    return _Draft(
        f"{name}{verb.group()}",
        "milestone",
        100,
        "%",
        "increase",
        None,
        None,
        clause,
        _trimmed(norm, clause.start, clause.end),
        [],
        mentions[-1].end,
    )


def _milestone(norm: str, clause: _Clause, review: list[str]) -> _Draft:
    start, end = _trimmed(norm, clause.start, clause.end)
    name = _CLAUSE_START_ADVERBS.sub("", norm[start:end]).strip()
    return _Draft(
        _shorten(name, 40, keep_start=True),
        "milestone",
        100,
        "%",
        "increase",
        None,
        None,
        clause,
        (start, end),
        review,
        start,
    )


def _fallback_milestone(norm: str, masked: str, candidates: list[_Clause]) -> _Draft:
    """The task states nothing quantified or dated: its most deliverable-like clause (or its
    first clause) as the milestone to track, for a person to confirm."""
    for rank, pattern in enumerate(_DELIVERABLE):
        for clause in candidates:
            text = _CLAUSE_START_ADVERBS.sub("", masked[clause.start : clause.end].strip())
            if pattern.search(text):
                note = review_note(
                    f"本任务没有量化或定时的目标，取此交付事项（规则 {rank + 1}）为里程碑，"
                    "期末完成，请确认",
                    "the task states no quantified or dated target: this deliverable "
                    f"(rule {rank + 1}) drafted as its milestone, due at period end — confirm",
                )
                return _milestone(norm, clause, [note])
    note = review_note(
        "本任务没有量化或定时的目标，也没有明确的交付事项，取首句为里程碑，期末完成，请确认或替换",
        "the task states no quantified or dated target and no clear deliverable: its first "
        "clause drafted as its milestone, due at period end — confirm or replace",
    )
    return _milestone(norm, candidates[0], [note])


def _frozen(
    task_text: str,
    draft: _Draft,
    deadlines: Deadlines,
    period_start: date,
    period_end: date,
) -> DraftedIndicator:
    own, carried = deadlines[draft.clause]
    found = own or carried
    review = list(draft.review)
    when = period_end
    if found is not None:
        when = found.when
        if found.note:
            review.append(found.note)
        if not period_start <= when <= period_end:
            end = period_end.isoformat()
            review.append(
                review_note(f"时限改为计划期末 {end}", f"deadline set to the period end {end}")
            )
            when = period_end
    if not draft.name:
        review.append(
            review_note("未能从原文得出名称，请命名", "no name found in the clause: name it")
        )
    start, end = draft.source
    return DraftedIndicator(
        name=draft.name or task_text[start:end][:30],
        kind=draft.kind,
        target=draft.target,
        unit=draft.unit,
        direction=draft.direction,
        baseline=draft.baseline,
        baseline_note=draft.baseline_note,
        deadline=when,
        source=task_text[start:end],
        span=(start, end),
        review=tuple(dict.fromkeys(review)),
    )


__all__ = ["MEASURE_WORDS", "DraftedIndicator", "chinese_number", "drafted_indicators"]
