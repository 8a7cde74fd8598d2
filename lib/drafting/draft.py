"""The draft plan of a document: a mapping in the plan schema (lib.plan.schema) with the
draft-only fields a reviewer needs, and its YAML text.

Every section, task, unit and indicator carries `span: [start, end]`, offsets into the
cleaned document text it was drafted from (lib.drafting.document), and `review: [...]`
where the draft is unsure; the top-level `draft:` block names the source, the file, the
lead rule applied with the words that state it, and the plan-level notes. The plan schema
accepts these fields and the model ignores them; `check-plan` lists every item carrying a
review note as a warning.

Defaults the document does not state come from the 2014 catalog's practice: thresholds as
lib.plan.model.Thresholds, reporting 10 + 10 days, and confirmation only where a task says
who confirms the figures ("各项考核数据由市统计局核准后上报"). Ids run S01.., T01.. and
Txx-n in document order; the plan id comes from the document number (plan-2014-9), else
the file's name, else the year.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from lib.core.errors import Problem
from lib.drafting.document import Document, DocumentError, read_document
from lib.drafting.structure import DraftTask, Outline, outline_of
from lib.drafting.targets import DraftedIndicator, drafted_indicators
from lib.drafting.units import NO_RULE, looks_like_unit, unit_kind
from lib.plan.model import Thresholds

DEFAULT_DUE_DAYS = 10
DEFAULT_REPLY_DAYS = 10
_CONFIRMER = re.compile(
    r"(?:数据|指标|考核数据|统计数据)[^，,。；;]{0,6}由([^，,。；;由]{2,20}?)(?:统一)?(?:核准|审核|核定)"
)
# "X（以下简称Y）" where X stands as a whole item (after a delimiter, 由 or the line start)
_ALIAS = re.compile(
    r"(?:^|(?<=[，,。；;：:、（(“\n由]))((?!由)[^\s，,。；;：:、“”（）()]{2,40})[（(](?:以下)?简称"
    r"[“\"]?([^”\"（）()]{1,20})[”\"]?[）)]",
    re.M,
)
_SAFE_ID = re.compile(r"[^A-Za-z0-9_-]+")


def _note(zh: str, en: str) -> str:
    return f"{zh} / {en}"


def draft_plan(
    source: str | Path | Document, *, fallback_year: int | None = None
) -> dict[str, Any]:
    """The draft plan of a document (a path, or a document already read). `fallback_year`
    is the plan's year when the document names none (the command line passes this year);
    without it such a document is refused."""
    document = source if isinstance(source, Document) else read_document(source)
    outline = outline_of(document)
    meta = document.meta
    notes: list[str] = list(meta.notes)
    period_start, period_end = meta.period_start, meta.period_end
    if period_start is None or period_end is None:
        if fallback_year is None:
            raise DocumentError(
                [
                    Problem(
                        "document_no_year",
                        "文件中未见年度或日期，无法确定计划期：请指定计划年度",
                        "the document names no year or date, so the plan period is unknown: "
                        "give the plan's year",
                    )
                ]
            )
        year = fallback_year
        period_start, period_end = date(year, 1, 1), date(year, 12, 31)
        notes.append(
            _note(
                f"文件中未见年度，计划期取指定的 {year} 年，请核对",
                f"no year found in the document: the plan period is the year given, {year}; check",
            )
        )
    unit_spans: dict[str, tuple[int, int]] = {}
    sections, dropped = _sections(outline, period_start, period_end, meta.annual, unit_spans)
    notes.extend(outline.review)
    notes.extend(dropped)
    if outline.lead_rule.rule == NO_RULE:
        notes.append(
            _note(
                "文件未写明牵头单位：各任务单位按原文顺序排列，第一个单位并非文件认定的牵头单位",
                "the document names no lead: each task's units are in printed order only, and "
                "the first is not a lead the document states",
            )
        )
    confirmation, confirmer_unit = _confirmation(sections, document)
    units = _registry(sections, document, unit_spans, confirmer_unit)
    plan_meta = _plan_meta(document, period_start, period_end, notes)
    plan: dict[str, Any] = {
        "schema_version": 1,
        "plan": plan_meta,
        "thresholds": asdict(Thresholds()),
        "reporting": {"due_days": DEFAULT_DUE_DAYS, "reply_days": DEFAULT_REPLY_DAYS},
    }
    if confirmation:
        plan["confirmation"] = confirmation
    plan["units"] = units
    plan["sections"] = sections
    plan["draft"] = {
        "source": meta.source,
        "file": document.file,
        "lead_rule": {"rule": outline.lead_rule.rule, "evidence": outline.lead_rule.evidence},
        "review": notes,
    }
    return plan


# --- metadata -----------------------------------------------------------------------------------


def _plan_meta(
    document: Document, period_start: date, period_end: date, notes: list[str]
) -> dict[str, Any]:
    meta = document.meta
    missing = []
    if not meta.title:
        missing.append(("标题", "title"))
    if not meta.issuer:
        missing.append(("发文机关", "issuer"))
    if not meta.document_number:
        missing.append(("文号", "document number"))
    if missing:
        notes.append(
            _note(
                f"文件中未找到{'、'.join(zh for zh, _ in missing)}，请补填",
                f"not found in the document: {', '.join(en for _, en in missing)}; fill in",
            )
        )
    issue_date = meta.issue_date
    if issue_date is None:
        issue_date = period_start
        notes.append(
            _note(
                f"文件中未找到成文日期，暂填计划期起始日 {period_start}，请改正",
                f"no date found in the document: issue_date is the period start {period_start}; "
                "correct it",
            )
        )
    return {
        "id": plan_id(document, period_start),
        "title": meta.title or Path(document.file).stem or "未命名计划",
        "issuer": meta.issuer or "",
        "document_number": meta.document_number or "",
        "issue_date": issue_date,
        "period_start": period_start,
        "period_end": period_end,
    }


def plan_id(document: Document, period_start: date) -> str:
    """plan-2014-9 from 肇府办〔2014〕9号; else the file's name in letters, digits, - and _;
    else plan-<year>."""
    number = document.meta.document_number or ""
    if match := re.search(r"(\d{4})\D+(\d{1,4})\s*号", number):
        return f"plan-{match.group(1)}-{match.group(2)}"
    stem = _SAFE_ID.sub("-", Path(document.file).stem).strip("-_")
    if stem and stem[0].isascii() and stem[0].isalnum():
        return stem[:80]
    return f"plan-{period_start.year}"


# --- sections, tasks, indicators ---------------------------------------------------------------


def _sections(
    outline: Outline,
    period_start: date,
    period_end: date,
    annual: bool,
    unit_spans: dict[str, tuple[int, int]],
) -> tuple[list[dict[str, Any]], list[str]]:
    """The sections of the draft with their tasks, and notes on the items left out; the
    first place each unit is printed is kept in `unit_spans`."""
    sections: list[dict[str, Any]] = []
    dropped: list[str] = []
    task_no = 0
    for section in outline.sections:
        tasks: list[dict[str, Any]] = []
        for task in section.tasks:
            indicators = drafted_indicators(
                task.text, period_start=period_start, period_end=period_end, annual=annual
            )
            if not task.units and not indicators:
                dropped.append(
                    _note(
                        f"“{task.number}{task.title}”未写责任单位，也无目标或时限，未作为任务",
                        f"'{task.number}{task.title}' names no unit and sets no target or date: "
                        "not drafted as a task",
                    )
                )
                continue
            task_no += 1
            tasks.append(_task(task, f"T{task_no:02d}", indicators))
            for unit in task.units:
                unit_spans.setdefault(unit.name, unit.span)
        if tasks:
            entry: dict[str, Any] = {
                "id": f"S{len(sections) + 1:02d}",
                "title": section.title,
                "tasks": tasks,
                "span": list(section.span),
            }
            if section.review:
                entry["review"] = list(section.review)
            sections.append(entry)
    return sections, dropped


def _task(task: DraftTask, task_id: str, indicators: list[DraftedIndicator]) -> dict[str, Any]:
    review = list(task.review)
    if not indicators:
        review.append(
            _note(
                "原文无量化目标或时限节点，未拟指标：请补一个指标或删除本任务",
                "no quantified target or dated deliverable in the text, so no indicator: add one "
                "or delete the task",
            )
        )
    offset = task.text_span[0]
    entry: dict[str, Any] = {
        "id": task_id,
        "title": task.title,
        "text": task.text,
        "units": [unit.name for unit in task.units],
        "indicators": [
            _indicator(ind, f"{task_id}-{n}", offset) for n, ind in enumerate(indicators, start=1)
        ],
        "span": list(task.span),
    }
    if review:
        entry["review"] = review
    return entry


def _indicator(ind: DraftedIndicator, indicator_id: str, offset: int) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": indicator_id,
        "name": ind.name,
        "kind": ind.kind,
        "target": ind.target,
        "unit": ind.unit,
        "direction": ind.direction,
    }
    if ind.baseline is not None:
        entry["baseline"] = ind.baseline
    if ind.baseline_note is not None:
        entry["baseline_note"] = ind.baseline_note
    entry["deadline"] = ind.deadline
    entry["source"] = ind.source
    entry["span"] = list((ind.span[0] + offset, ind.span[1] + offset))
    if ind.review:
        entry["review"] = list(ind.review)
    return entry


# --- units ------------------------------------------------------------------------------------


def _confirmation(
    sections: list[dict[str, Any]], document: Document
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Confirmation when a task names who confirms the figures ("各项考核数据由市统计局核准
    后上报"), and where it says so."""
    for section in sections:
        for task in section["tasks"]:
            match = _CONFIRMER.search(task["text"])
            if match and looks_like_unit(match.group(1)):
                name = match.group(1)
                start = task["span"][0] + document.text[task["span"][0] : task["span"][1]].find(
                    match.group(0)
                )
                where = {
                    "span": list((start, start + len(match.group(0)))),
                    "quote": match.group(0),
                    "task": task["id"],
                }
                return {"required": True, "confirmer": name, "kinds": ["quantity"]}, {
                    "name": name,
                    **where,
                }
    return None, None


def _registry(
    sections: list[dict[str, Any]],
    document: Document,
    first_span: dict[str, tuple[int, int]],
    confirmer: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    """Every unit named by a task, in order of first appearance, as printed, with its kind
    guessed and the aliases the document itself gives."""
    order: list[str] = []
    for section in sections:
        for task in section["tasks"]:
            order.extend(name for name in task["units"] if name not in order)
    aliases = _document_aliases(document.text, order)
    entries = []
    for name in order:
        entries.append(_unit_entry(name, first_span[name], aliases.get(name, [])))
    if confirmer and confirmer["name"] not in first_span:
        entry = _unit_entry(confirmer["name"], tuple(confirmer["span"]), [])
        entry.setdefault("review", []).append(
            _note(
                f"未列为任何任务的责任单位；任务 {confirmer['task']} 写明“{confirmer['quote']}”，"
                "作为核准单位登记",
                f"no task lists it; task {confirmer['task']} names it as the unit that confirms "
                "the figures",
            )
        )
        entries.append(entry)
    return entries


def _unit_entry(name: str, span: tuple[int, int], aliases: list[str]) -> dict[str, Any]:
    kind, weak = unit_kind(name)
    entry: dict[str, Any] = {"name": name}
    if aliases:
        entry["aliases"] = aliases
    entry["kind"] = kind
    review = [weak] if weak else []
    if kind == "group":
        entry["members"] = []
        review.append(
            _note(
                "泛称单位：文件未列出成员，如需分别统计请补列 members",
                "a group the document does not break down: add its members if figures are "
                "reported by member",
            )
        )
    entry["span"] = list(span)
    if review:
        entry["review"] = review
    return entry


def _document_aliases(text: str, names: list[str]) -> dict[str, list[str]]:
    """Aliases the document gives itself: "X（以下简称Y）" where X or Y is a unit's name."""
    out: dict[str, list[str]] = {}
    for match in _ALIAS.finditer(text):
        full, short = match.group(1), match.group(2)
        for name, alias in ((full, short), (short, full)):
            if name in names and alias not in names:
                out.setdefault(name, [])
                if alias not in out[name]:
                    out[name].append(alias)
    return out


# --- YAML ---------------------------------------------------------------------------------------


class _DraftDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # a date used twice is written twice, never as &id001


def _list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    """A span ([start, end]) on one line; any other list as a block."""
    span = len(data) == 2 and all(type(v) is int for v in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=span)


def _text(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_DraftDumper.add_representer(list, _list)
_DraftDumper.add_representer(str, _text)


def draft_yaml(plan: dict[str, Any]) -> str:
    """The draft as YAML text: Chinese unescaped, keys in the catalog's order, spans on one
    line, multi-line text as a block."""
    meta = plan.get("plan", {})
    header = (
        f"# 计划草稿：{meta.get('document_number', '')}《{meta.get('title', '')}》，由 "
        "python -m lib draft-plan 自文件生成。\n"
        "# Draft plan made by `python -m lib draft-plan`: every item with a `review:` note needs "
        "a person;\n# `span` gives each item's offsets in the cleaned document text. Check with "
        "python -m lib check-plan.\n"
    )
    body = yaml.dump(
        plan,
        Dumper=_DraftDumper,
        allow_unicode=True,
        sort_keys=False,
        width=1_000_000,
        default_flow_style=False,
    )
    return header + body


def draft_counts(plan: dict[str, Any]) -> dict[str, int]:
    """Sections, tasks, units, indicators and review notes of a draft."""
    sections = plan.get("sections", [])
    tasks = [t for s in sections for t in s.get("tasks", [])]
    indicators = [i for t in tasks for i in t.get("indicators", [])]
    units = plan.get("units", [])
    notes = len(plan.get("draft", {}).get("review", []))
    for item in [*sections, *tasks, *indicators, *units]:
        notes += len(item.get("review", []))
    return {
        "sections": len(sections),
        "tasks": len(tasks),
        "units": len(units),
        "indicators": len(indicators),
        "review_notes": notes,
    }
