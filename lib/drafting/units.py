"""Responsible units as a document prints them: the attribution brackets of a task, the
document's lead-unit rule, and a registry guess of each unit's kind.

An attribution is a bracket (〔〕, （）or ()) standing after a sentence or at the end of a
task, or a last sentence "X牵头，Y、Z按职责分工负责", worded in one of the ways documents
word it: "X、Y等负责", "（X负责）", "（X牵头，Y参与）", "（牵头单位：X，配合单位：Y、Z）".
Names are split on 、，, at bracket depth 0 only, so 各县(市、区)政府 stays whole, and
"各区、县级市" (each district and county-level city) stays one group. A bracket whose
words are not units (（含…）, （试行）, a list of places) is no attribution; one without
负责/牵头 wording whose every name looks like a unit is one, with a review note.

The lead rule is what the document says: "列第一位者为牵头单位，下同", "排在第一位的部门为
牵头部门" (first_listed), units marked 牵头 (marked), or nothing (none: the order is only
as printed and no lead is claimed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENERS = "（(〔[［【"
CLOSERS = "）)〕]］】"
SENTENCE_ENDS = "。；;！!？?"

FIRST_LISTED = "first_listed"
MARKED = "marked"
NO_RULE = "none"

# "列为第一的为牵头单位，下同", "列第一位者为牵头单位", "排在第一位的部门为牵头部门",
# "排名第一的为牵头单位", "列在首位的单位为牵头单位"
_FIRST_LISTED_RULE = re.compile(
    r"(?:列|排|排名|名列)(?:为|在|于)?(?:第一位?|首位|第一个)(?:的|者)?(?:部门|单位)?"
    r"(?:为|是)牵头(?:单位|部门)(?:[，,、]\s*下同)?"
)
_COLON_FORM = re.compile(
    r"^(?:牵头(?:单位|部门)|主办(?:单位|部门))\s*[:：]\s*(?P<lead>.*?)"
    r"(?:\s*[，,；;。]\s*(?:配合|参与|协办|协助|责任|参加)(?:单位|部门)\s*[:：]\s*(?P<rest>.*))?$"
)
_RESPONSIBLE_FORM = re.compile(
    r"^(?:责任单位|责任部门|负责单位|承办单位|实施单位)\s*[:：]\s*(?P<all>.*)$"
)
# 牵头 as a role: followed by 负责, a delimiter or the end (not 各项目牵头部门, a name)
_LEAD_MARK = re.compile(r"牵头(?=负责|[，,；;、。]|$)")
_VERB_TAIL = re.compile(
    r"(?:按职责分工|按照职责分工|根据职责分工|按职责|分别|共同|配合|协助|参与|具体)?"
    r"(?:负责|落实|参与|配合|协助|实施|组织实施)?$"
)
_OTHERS_TAIL = re.compile(
    r"(?:等(?:有关|相关)?(?:部门|单位)?|(?:及)?(?:其他)?(?:有关|相关)(?:部门|单位))$"
)
_NOT_UNITS_START = re.compile(
    r"^(?:含|包括|包含|不含|除|试行|暂行|简称|以下简称|下同|见|详见|注|如|例如|即|其中|目前|截至|按|以)"
)
_BARE_LEVELS = frozenset(
    ("县级市", "县", "区", "市", "镇", "乡", "乡镇", "街道", "街", "县区", "市县", "区县", "县市",
     "自治县", "旗", "县(市、区)", "县（市、区）", "县(市)", "县（市）", "区(县)", "区（县）",
     "地级以上市")
)  # fmt: skip
_UNIT_SUFFIX = re.compile(
    r"(?:局|委|办|厅|部|署|行|会|院|府|中心|处|室|站|所|队|社|联|协|团|组|馆|司|公司|集团|海关|"
    r"分局|支行|分行|大学|学院|学校|医院|机构|单位|部门|政府|管委会|区|县|市|镇|街道|总队|支队|"
    r"法院|检察院|银行|研究院|委员会|办公室|领导小组|指挥部|工作组|专班)$"
)
_INHERIT_RULE = re.compile(
    r"以下(?:各项|各条|任务|工作|事项)?(?:均|都|皆)?(?:需|须|由|要)?(?P<units>[^，,。；;]{2,60}?)"
    r"(?:负责)?落实[，,]\s*不再(?:一一|逐一|单独|另行)?列出"
)


@dataclass(frozen=True)
class Mention:
    """One unit named in an attribution: the name as printed and where it stands."""

    name: str
    start: int
    end: int
    lead: bool = False  # marked 牵头 where it stands


@dataclass(frozen=True)
class Attribution:
    """The units one bracket (or one closing sentence) names, in printed order."""

    mentions: tuple[Mention, ...]
    start: int  # the bracket's span in the text analysed
    end: int
    marked: bool  # a unit is marked 牵头
    bracketed: bool
    rule: str | None = None  # a lead-rule clause found inside ("列为第一的为牵头单位，下同")
    rule_start: int | None = None
    review: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.mentions)


@dataclass(frozen=True)
class LeadRule:
    """The document's lead-unit rule: which one, and the words that say so (or why none)."""

    rule: str
    evidence: str
    start: int | None = None


@dataclass(frozen=True)
class InheritRule:
    """ "以下均需X落实，不再列出": units that every later item carries without listing."""

    names: tuple[str, ...]
    start: int
    end: int
    evidence: str


@dataclass
class _Piece:
    text: str
    start: int
    end: int


# --- brackets ---------------------------------------------------------------------------------


def bracket_pairs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every outermost bracket pair (end is the closing bracket's index);
    any opener matches any closer, so 〔…(市、区)…〕 nests."""
    pairs, stack = [], []
    for i, ch in enumerate(text):
        if ch in OPENERS:
            stack.append(i)
        elif ch in CLOSERS and stack:
            start = stack.pop()
            if not stack:
                pairs.append((start, i))
    return pairs


def _split_depth0(text: str, offset: int, separators: str) -> list[_Piece]:
    pieces, depth, begin = [], 0, 0
    for i, ch in enumerate(text):
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS and depth:
            depth -= 1
        elif ch in separators and depth == 0:
            pieces.append(_Piece(text[begin:i], offset + begin, offset + i))
            begin = i + 1
    pieces.append(_Piece(text[begin:], offset + begin, offset + len(text)))
    return pieces


def _trimmed(piece: _Piece) -> _Piece:
    """The piece without white space, a leading 由/及/和 and trailing 等."""
    text, start = piece.text, piece.start
    stripped = text.lstrip(" \u3000\t\n")
    start += len(text) - len(stripped)
    text = stripped.rstrip(" \u3000\t\n")
    for word in ("由", "及", "和", "与"):
        if text.startswith(word) and len(text) > len(word) + 1:
            text, start = text[len(word) :], start + len(word)
    while True:
        match = _OTHERS_TAIL.search(text)
        if not match or match.start() == 0 or text[match.start() - 1] == "各":
            break  # 各有关单位 is a name
        text = text[: match.start()].rstrip()
    return _Piece(text, start, start + len(text))


def looks_like_unit(name: str) -> bool:
    """Whether a name reads like a unit: 各…, or a name ending like an office (局, 委, 办,
    政府, 管委会, 海关, 支行, 区 ...)."""
    name = name.strip()
    if len(name) < 2 or len(name) > 40 or _NOT_UNITS_START.match(name):
        return False
    if re.search(r"[。，,；;：:]|\d{3,}", name):
        return False
    return name.startswith("各") or bool(_UNIT_SUFFIX.search(name))


def _names(text: str, offset: int) -> list[_Piece]:
    """The unit names of a list "A、B，C等", each trimmed, 各区、县级市 kept as one."""
    pieces = [_trimmed(p) for p in _split_depth0(text, offset, "、，,；;")]
    pieces = [p for p in pieces if p.text]
    merged: list[_Piece] = []
    for piece in pieces:
        previous = merged[-1] if merged else None
        if previous is not None and previous.text.startswith("各") and piece.text in _BARE_LEVELS:
            merged[-1] = _Piece(previous.text + "、" + piece.text, previous.start, piece.end)
        else:
            merged.append(piece)
    return merged


# --- attributions -----------------------------------------------------------------------------


def attributions_in(text: str) -> tuple[list[Attribution], list[str]]:
    """The attributions of a task's text in order, and review notes about brackets at its
    end that were not taken as units."""
    found: list[Attribution] = []
    notes: list[str] = []
    pairs = bracket_pairs(text)
    for start, end in pairs:
        before = text[:start].rstrip(" \u3000")
        after = text[end + 1 :].strip(" \u3000\n")
        at_end = after in {"", "。", "；", ";"}
        after_sentence = not before or before[-1] in SENTENCE_ENDS or before[-1] == "\n"
        if not (at_end or after_sentence):
            continue
        content = text[start + 1 : end]
        attribution = _attribution(content, start + 1, strong_only=not at_end)
        if attribution is None:
            if at_end and content.strip():
                notes.append(
                    f"末尾括注“{text[start : end + 1]}”不像责任单位，未作单位处理 / "
                    "the closing bracket does not read as units and was not taken as units"
                )
            continue
        found.append(
            Attribution(
                attribution.mentions,
                start,
                end + 1,
                attribution.marked,
                True,
                attribution.rule,
                attribution.rule_start,
                attribution.review,
            )
        )
    if not found:
        closing = _closing_sentence(text)
        if closing is not None:
            found.append(closing)
    return found, notes


def _attribution(content: str, offset: int, *, strong_only: bool) -> Attribution | None:
    """The units a bracket's content names, or None when it names none."""
    rule, rule_start = None, None
    if match := _FIRST_LISTED_RULE.search(content):
        rule, rule_start = match.group(0), offset + match.start()
        # the rule clause and the delimiter before it are not unit names
        cut = match.start()
        while cut > 0 and content[cut - 1] in "，,；;。 ":
            cut -= 1
        content = content[:cut] + " " * (len(content) - cut)
    body = content.rstrip(" ")
    if not body.strip() or _NOT_UNITS_START.match(body.strip()):
        return None
    strong = bool(re.search(r"负责|牵头|参与|配合|协助|协办|落实|(?:单位|部门)\s*[:：]", body))
    if strong_only and not strong:
        return None
    review: list[str] = []
    lead_pieces: list[_Piece] = []
    rest_pieces: list[_Piece] = []
    marked = False
    stripped = body.strip()
    lead_offset = offset + (len(body) - len(body.lstrip()))
    if match := _COLON_FORM.match(stripped):
        marked = True
        lead_pieces = _names(_without_tails(match.group("lead")), lead_offset + match.start("lead"))
        if match.group("rest") is not None:
            rest_pieces = _names(
                _without_tails(match.group("rest")), lead_offset + match.start("rest")
            )
    elif match := _RESPONSIBLE_FORM.match(stripped):
        rest_pieces = _names(_without_tails(match.group("all")), lead_offset + match.start("all"))
    elif match := _LEAD_MARK.search(stripped):
        marked = True
        lead_text = stripped[: match.start()]
        lead_pieces = _names(_without_tails(lead_text), lead_offset)
        tail = stripped[match.end() :]
        tail_start = match.end()
        if tail.startswith("负责"):
            tail, tail_start = tail[2:], tail_start + 2
        while tail and tail[0] in "，,；; ":
            tail, tail_start = tail[1:], tail_start + 1
        if tail:
            rest_pieces = _names(_without_tails(tail), lead_offset + tail_start)
    else:
        rest_pieces = _names(_without_tails(stripped), lead_offset)
    pieces = lead_pieces + rest_pieces
    if not pieces:
        return None
    unlike = [p.text for p in pieces if not looks_like_unit(p.text)]
    if unlike and (not strong or len(unlike) == len(pieces)):
        return None
    if not strong:
        review.append(
            "括注未写“负责/牵头”，按责任单位处理 / the bracket names units without 负责 or 牵头"
        )
    for name in unlike:
        review.append(f"“{name}”不像单位名称 / '{name}' may not be a unit")
    mentions = tuple(
        Mention(p.text, p.start, p.end, lead=marked and p in lead_pieces) for p in pieces
    )
    return Attribution(
        mentions, offset, offset + len(content), marked, True, rule, rule_start, tuple(review)
    )


def _without_tails(text: str) -> str:
    """A list of names without its verb (…等负责, …按职责分工负责, …参与), same length
    where it is kept (offsets stay right: only the end is cut)."""
    text = text.rstrip(" \u3000。；;")
    for _ in range(3):
        match = _VERB_TAIL.search(text)
        if match and match.start() < len(text):
            text = text[: match.start()].rstrip(" \u3000，,")
        match = _OTHERS_TAIL.search(text)
        if match and match.start() > 0 and text[match.start() - 1] != "各":
            text = text[: match.start()].rstrip(" \u3000，,")
    return text


_CLOSING_SENTENCE = re.compile(
    r"(?:^|[。；;\n])(?P<sentence>(?:由)?(?P<lead>[^。；;\n]{2,80}?)牵头[，,]\s*(?P<rest>[^。；;\n]{2,200}?)"
    r"(?:等)?(?:有关|相关)?(?:部门|单位)?(?:按职责分工|按照职责分工|分别|共同)?(?:负责|参与|配合|落实))[。；;]?\s*$"
)


def _closing_sentence(text: str) -> Attribution | None:
    """ "X牵头，Y、Z按职责分工负责。" as a task's last sentence, when every name reads
    like a unit."""
    match = _CLOSING_SENTENCE.search(text)
    if not match:
        return None
    lead = _names(_without_tails(match.group("lead")), match.start("lead"))
    rest = _names(_without_tails(match.group("rest")), match.start("rest"))
    pieces = lead + rest
    if not pieces or not all(looks_like_unit(p.text) for p in pieces):
        return None
    mentions = tuple(Mention(p.text, p.start, p.end, lead=p in lead) for p in pieces)
    return Attribution(mentions, match.start("sentence"), len(text), True, False)


# --- the document's rules ---------------------------------------------------------------------


def lead_rule_in(text: str, attributions: list[Attribution]) -> LeadRule:
    """The rule the document states for its lead units."""
    if match := _FIRST_LISTED_RULE.search(text):
        return LeadRule(FIRST_LISTED, match.group(0), match.start())
    for attribution in attributions:
        if attribution.marked:
            return LeadRule(MARKED, text[attribution.start : attribution.end], attribution.start)
    return LeadRule(
        NO_RULE,
        "文件未写明牵头单位规则，也未标注“牵头” / the document states no lead rule and marks "
        "no unit 牵头",
    )


def inherit_rules_in(text: str) -> list[InheritRule]:
    """Every "以下均需X落实，不再列出" in the text, with the units it names."""
    rules = []
    for match in _INHERIT_RULE.finditer(text):
        names = [p.text for p in _names(match.group("units"), match.start("units"))]
        if names and all(looks_like_unit(n) or n.endswith("政府") for n in names):
            rules.append(InheritRule(tuple(names), match.start(), match.end(), match.group(0)))
    return rules


# --- the registry's kinds ---------------------------------------------------------------------

# Agencies managed from above (垂直管理) that a city's plan lists beside its own offices: a
# local branch (…分局, …支行, …海关) or a city bureau of a vertically managed line.
_CENTRAL_BRANCH = re.compile(
    r"(?:分局|支行|分行|(?<!总)海关|检验检疫局|航道局|调查队|海事局|供电局)$"
)
_CENTRAL_CITY = re.compile(r"^市(?:国税|地税|质监|公路|气象|烟草|邮政|统计调查)")
_PARTY = re.compile(
    r"^(?:中共|市委|省委|区委|县委|团市委|团省委)|宣传部|组织部|统战部|政法委|编办|机构编制|文明办|"
    r"社工委|纪委|党校|党史|老干部局|网信办|台办|工委$"
)
_ZONE = re.compile(r"管委会$|管理委员会$|开发区$|高新区$|新区$|试验区$|合作区$")
_COUNTY = re.compile(r"(?:县|区|市|旗)(?:人民)?政府$|^[\u4e00-\u9fa5]{1,6}(?:县|区)$")
_DEPARTMENT = re.compile(
    r"(?:局|委|办|厅|部|署|中心|处|室|站|所|队|院|会|行|馆|社|联|协|团|组|办公室|委员会|领导小组)$"
)


def unit_kind(name: str) -> tuple[str, str | None]:
    """The kind lib.plan.model.UNIT_KINDS guessed from the name, and a review note when the
    guess is weak."""
    if name.startswith("各"):
        return "group", None
    if _ZONE.search(name):
        return "zone_committee", None
    if _COUNTY.search(name) and not re.search(r"^(?:省|国务院)", name):
        return "county_government", None
    if _PARTY.search(name):
        return "party_department", None
    if _CENTRAL_BRANCH.search(name) or _CENTRAL_CITY.search(name):
        return "central_agency", None
    if _DEPARTMENT.search(name):
        return "municipal_department", None
    return "municipal_department", (
        "单位类型无法从名称判断，暂列 municipal_department / the kind cannot be told from the "
        "name; municipal_department assumed"
    )
