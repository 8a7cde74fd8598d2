"""The plan's meaning, checked on the parsed YAML: ids, units and their aliases, the plan
period, deadlines, targets and quotes; each breach a Problem located by its YAML path (and,
through `with_lines`, its line)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from typing import Any

from lib.core.errors import Problem
from lib.core.text import compact_text
from lib.plan.model import (
    AREA_UNIT_KINDS,
    INDICATOR_ID_RE,
    SECTION_ID_RE,
    TASK_ID_RE,
    dotted_path,
    short_value,
    undotted_path,
)


def meaning_problems(raw: dict[str, Any]) -> list[Problem]:
    """Every breach of the plan's cross-checks in the parsed YAML; values of the wrong type
    are skipped here (the schema reports them)."""
    problems: list[Problem] = []
    registry = _registry_names(raw, problems)
    start, end = _plan_period(raw, problems)
    _check_thresholds(raw, problems)
    _check_confirmer(raw, registry, problems)
    ids: Counter[str] = Counter()
    for s_i, section in _items(raw, "sections"):
        where = ("sections", s_i)
        _check_id(section.get("id"), SECTION_ID_RE, where, "section", ids, problems)
        for t_i, task in _items(section, "tasks"):
            t_where = (*where, "tasks", t_i)
            task_id = task.get("id")
            _check_id(task_id, TASK_ID_RE, t_where, "task", ids, problems)
            _check_task_units(task, t_where, registry, problems)
            for i_i, indicator in _items(task, "indicators"):
                i_where = (*t_where, "indicators", i_i)
                _check_indicator(
                    indicator, i_where, task_id, task.get("text"), (start, end), ids, problems
                )
                _check_reporter(indicator, i_where, registry, problems)
    problems.extend(review_problems(raw))
    return problems


def review_problems(raw: dict[str, Any]) -> list[Problem]:
    """A warning for every item of a drafted plan that carries `review` notes (lib.drafting),
    located by its path: what a person must still look at before the plan is published.
    Each note reads "中文 / English"; the plan-level notes of `draft.review` are one each."""
    found: list[Problem] = []
    draft = raw.get("draft")
    notes = draft.get("review") if isinstance(draft, dict) else None
    for n_i, note in enumerate(notes if isinstance(notes, list) else []):
        if isinstance(note, str) and note.strip():
            found.append(_review_problem([note], ("draft", "review", n_i), None))
    for u_i, unit in _items(raw, "units"):
        found += _reviewed(unit, ("units", u_i), unit.get("name"))
    for s_i, section in _items(raw, "sections"):
        found += _reviewed(section, ("sections", s_i), section.get("id"))
        for t_i, task in _items(section, "tasks"):
            t_where = ("sections", s_i, "tasks", t_i)
            found += _reviewed(task, t_where, task.get("id"))
            for i_i, indicator in _items(task, "indicators"):
                found += _reviewed(indicator, (*t_where, "indicators", i_i), indicator.get("id"))
    return found


def _reviewed(item: dict[str, Any], where: tuple[Any, ...], label: Any) -> list[Problem]:
    notes = item.get("review")
    if not isinstance(notes, list):
        return []
    notes = [n for n in notes if isinstance(n, str) and n.strip()]
    return [_review_problem(notes, where, label)] if notes else []


def _review_problem(notes: list[str], where: tuple[Any, ...], label: Any) -> Problem:
    halves = [note.split(" / ", 1) for note in notes]
    zh = "；".join(h[0].strip() for h in halves)
    en = "; ".join((h[1] if len(h) > 1 else h[0]).strip() for h in halves)
    return Problem(
        "review_pending",
        f"草稿待人工核对：{zh}",
        f"drafted item needs a person: {en}",
        severity="warning",
        path=dotted_path(where),
        value=label if isinstance(label, str) else None,
    )


def _items(parent: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    values = parent.get(key) if isinstance(parent, dict) else None
    if not isinstance(values, list):
        return []
    return [(i, v) for i, v in enumerate(values) if isinstance(v, dict)]


def _registry_names(raw: dict[str, Any], problems: list[Problem]) -> dict[str, str]:
    """Map every registered name to its kind; report duplicates, bad aliases and members."""
    kinds: dict[str, str] = {}
    # Names are compared as resolve_unit compares them, so two spellings of one name
    # (full-width brackets, stray spaces) cannot silently shadow each other in the lookup.
    owner_of: dict[str, str] = {}
    for i, unit in _items(raw, "units"):
        name = unit.get("name")
        if not isinstance(name, str):
            continue
        if compact_text(name) in owner_of:
            _report(
                problems,
                "duplicate_unit",
                f"单位名称重复：{name}",
                f"unit listed twice in the registry: {name}",
                ("units", i, "name"),
                name,
            )
        kinds[name] = str(unit.get("kind"))
        owner_of.setdefault(compact_text(name), name)
    for i, unit in _items(raw, "units"):
        if isinstance(unit.get("name"), str):
            _check_aliases(unit, i, owner_of, problems)
        members = unit.get("members")
        if members and unit.get("kind") != "group":
            _report(
                problems,
                "members_on_non_group",
                "只有 kind: group 的单位可以列出 members",
                "only units of kind 'group' may list members",
                ("units", i, "members"),
            )
        for m_i, member in enumerate(members or []):
            if isinstance(member, str) and member not in {
                u.get("name") for _, u in _items(raw, "units")
            }:
                _report(
                    problems,
                    "unknown_member",
                    f"成员单位“{member}”未在 units 中登记",
                    f"group member '{member}' is not in the units registry",
                    ("units", i, "members", m_i),
                    member,
                )
    return kinds


def _check_aliases(
    unit: dict[str, Any], i: int, owner_of: dict[str, str], problems: list[Problem]
) -> None:
    """Report a full name or alias that already stands for another unit."""
    aliases = unit.get("aliases") if isinstance(unit.get("aliases"), list) else []
    spellings = [(("units", i, "full_name"), unit.get("full_name"))]
    spellings += [(("units", i, "aliases", a_i), alias) for a_i, alias in enumerate(aliases)]
    for loc, alias in spellings:
        if not isinstance(alias, str):
            continue
        owner = owner_of.setdefault(compact_text(alias), str(unit.get("name")))
        if owner != unit.get("name"):
            _report(
                problems,
                "ambiguous_alias",
                f"简称或全称“{alias}”已是单位“{owner}”的名称或简称",
                f"alias '{alias}' already names another unit ('{owner}')",
                loc,
                alias,
            )


def _plan_period(raw: dict[str, Any], problems: list[Problem]) -> tuple[date | None, date | None]:
    meta = raw.get("plan") if isinstance(raw.get("plan"), dict) else {}
    start, end = _as_date(meta.get("period_start")), _as_date(meta.get("period_end"))
    if start and end and start > end:
        _report(
            problems,
            "period_reversed",
            "计划期起始日期晚于结束日期",
            "plan period starts after it ends",
            ("plan", "period_end"),
            str(end),
        )
    return start, end


def _as_date(value: Any) -> date | None:
    """A YAML date, or an ISO date string (quoted in the file); None otherwise."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _check_thresholds(raw: dict[str, Any], problems: list[Problem]) -> None:
    thresholds = raw.get("thresholds")
    if not isinstance(thresholds, dict):
        return
    amber, red = thresholds.get("amber_gap"), thresholds.get("red_gap")
    if isinstance(amber, int | float) and isinstance(red, int | float) and amber > red:
        _report(
            problems,
            "thresholds_order",
            "黄色预警差距 amber_gap 不应大于红色预警差距 red_gap",
            "amber_gap must not exceed red_gap",
            ("thresholds", "amber_gap"),
            str(amber),
        )


def _check_id(
    value: Any,
    pattern: re.Pattern[str],
    where: tuple[Any, ...],
    what: str,
    seen: Counter[str],
    problems: list[Problem],
) -> None:
    labels = {"section": "分节", "task": "任务", "indicator": "指标"}
    if not isinstance(value, str):
        return
    if not pattern.match(value):
        _report(
            problems,
            f"bad_{what}_id",
            f"{labels[what]}编号“{value}”格式不正确（应如 {pattern.pattern}）",
            f"{what} id '{value}' does not match {pattern.pattern}",
            (*where, "id"),
            value,
        )
    seen[value] += 1
    if seen[value] > 1:
        _report(
            problems,
            "duplicate_id",
            f"编号“{value}”重复出现",
            f"id '{value}' is used more than once",
            (*where, "id"),
            value,
        )


def _check_task_units(
    task: dict[str, Any], where: tuple[Any, ...], registry: dict[str, str], problems: list[Problem]
) -> None:
    units = task.get("units")
    if not isinstance(units, list):
        return
    for u_i, unit in enumerate(units):
        if isinstance(unit, str) and unit not in registry:
            _report(
                problems,
                "unknown_unit",
                f"责任单位“{unit}”未在 units 中登记",
                f"responsible unit '{unit}' is not in the units registry",
                (*where, "units", u_i),
                unit,
            )
    for unit, count in Counter(u for u in units if isinstance(u, str)).items():
        if count > 1:
            _report(
                problems,
                "duplicate_task_unit",
                f"责任单位“{unit}”在同一任务中重复列出",
                f"unit '{unit}' is listed twice for the same task",
                (*where, "units"),
                unit,
            )


def _check_reporter(
    indicator: dict[str, Any],
    where: tuple[Any, ...],
    registry: dict[str, str],
    problems: list[Problem],
) -> None:
    """The unit named as an indicator's whole-area reporter must be registered, and must be
    one unit answering for the whole area (not a group, a county or a zone)."""
    reporter = indicator.get("reporter")
    if not isinstance(reporter, str):
        return
    kind = registry.get(reporter)
    if kind is None:
        _report(
            problems,
            "unknown_reporter",
            f"填报单位“{reporter}”未在 units 中登记",
            f"reporter '{reporter}' is not in the units registry",
            (*where, "reporter"),
            reporter,
        )
    elif kind == "group" or kind in AREA_UNIT_KINDS:
        _report(
            problems,
            "reporter_not_whole_area",
            f"“{reporter}”是单位组或县区/园区，不能填报全市数据；reporter 应为一个市级单位",
            f"'{reporter}' is a group or an area's unit and cannot report the whole-area "
            "figure; name one city-level unit",
            (*where, "reporter"),
            reporter,
        )


def _check_confirmer(
    raw: dict[str, Any], registry: dict[str, str], problems: list[Problem]
) -> None:
    """Required confirmation needs one registered unit to confirm (the statistics bureau in
    the 2014 plan), named as the registry names it."""
    entry = raw.get("confirmation")
    if not isinstance(entry, dict) or entry.get("required") is not True:
        return
    confirmer = entry.get("confirmer")
    if not isinstance(confirmer, str) or not confirmer.strip():
        _report(
            problems,
            "confirmer_missing",
            "confirmation.required 为 true 时须用 confirmer 指定核准单位（如 市统计局）",
            "confirmation.required is true but no confirmer unit is named (e.g. 市统计局)",
            ("confirmation",),
        )
    elif registry.get(confirmer) is None or registry[confirmer] == "group":
        _report(
            problems,
            "unknown_confirmer",
            f"核准单位“{confirmer}”须是 units 中登记的一个单位",
            f"confirmer '{confirmer}' must be one unit of the units registry",
            ("confirmation", "confirmer"),
            confirmer,
        )


def _check_indicator(
    indicator: dict[str, Any],
    where: tuple[Any, ...],
    task_id: Any,
    task_text: Any,
    period: tuple[date | None, date | None],
    ids: Counter[str],
    problems: list[Problem],
) -> None:
    ind_id = indicator.get("id")
    _check_id(ind_id, INDICATOR_ID_RE, where, "indicator", ids, problems)
    match = INDICATOR_ID_RE.match(ind_id) if isinstance(ind_id, str) else None
    if match and isinstance(task_id, str) and match.group(1) != task_id:
        _report(
            problems,
            "indicator_task_mismatch",
            f"指标编号“{ind_id}”与所属任务“{task_id}”不符",
            f"indicator id '{ind_id}' does not belong to task '{task_id}'",
            (*where, "id"),
            ind_id,
        )
    deadline, (start, end) = _as_date(indicator.get("deadline")), period
    if isinstance(deadline, date) and start and end and not start <= deadline <= end:
        _report(
            problems,
            "deadline_outside_period",
            f"完成时限 {deadline} 不在计划期 {start}~{end} 内",
            f"deadline {deadline} is outside the plan period {start}..{end}",
            (*where, "deadline"),
            str(deadline),
        )
    target, baseline = indicator.get("target"), indicator.get("baseline")
    numeric = (int, float)
    if indicator.get("kind") == "milestone" and isinstance(target, numeric) and target != 100:
        _report(
            problems,
            "milestone_target",
            "节点类指标的目标值应为 100（完成百分比）",
            "a milestone's target must be 100 (percent done)",
            (*where, "target"),
            str(target),
        )
    if isinstance(target, numeric) and isinstance(baseline, numeric) and target == baseline:
        _report(
            problems,
            "target_equals_baseline",
            "目标值与基数相同，无法计算进度",
            "target equals baseline, so progress cannot be computed",
            (*where, "target"),
            str(target),
        )
    source, text = indicator.get("source"), task_text
    if isinstance(source, str) and isinstance(text, str) and source not in text:
        _report(
            problems,
            "source_not_in_text",
            "source 引文未在任务原文中找到（须逐字摘录）",
            "source is not a verbatim quote of the task text",
            (*where, "source"),
            short_value(source),
        )


def _report(
    problems: list[Problem],
    code: str,
    message_zh: str,
    message_en: str,
    where: tuple[Any, ...],
    value: str | None = None,
) -> None:
    """Add the breach of rule `code` at YAML path `where` (its line is found later)."""
    problems.append(Problem(code, message_zh, message_en, path=dotted_path(where), value=value))


# --- where each problem is -------------------------------------------------------------------


def with_lines(problems: list[Problem], lines: dict[tuple[Any, ...], int]) -> list[Problem]:
    """The problems, each given the line of its YAML path (or of the nearest enclosing path
    that has one) unless it names its line already."""
    located = []
    for p in problems:
        line = p.line
        if line is None and p.path:
            parts = undotted_path(p.path)
            while parts and tuple(parts) not in lines:
                parts = parts[:-1]
            line = lines.get(tuple(parts))
        located.append(Problem(**{**p.as_dict(), "line": line}))
    return located
