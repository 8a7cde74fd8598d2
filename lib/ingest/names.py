"""An indicator found by its exact name, for a file that has a 指标名称 column but no 指标编号.

Offices copy the plan's indicator names into their own tables and leave the ids out. A name
identifies an indicator only when, compared as compact text (`lib.core.text.compact_text`:
full-width forms, spaces), it is exactly one indicator's name in the plan; an id written
in the name column is taken as that id. A name naming several indicators, or none, is an
error in its cell listing the candidates; nothing is guessed. Decided once per distinct text.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np

from lib.core.errors import Problem
from lib.core.text import clean_id, compact_text
from lib.ingest.coded import Coded
from lib.plan.model import Plan

_CANDIDATES = 3  # close names suggested for a name the plan does not have


@dataclass(frozen=True)
class NamedIndicators:
    """Per cell the indicator id its name identifies ("" where it identifies none), which
    cells hold a name that matched no indicator or several, and a problem for each."""

    ids: Coded
    unresolved: np.ndarray
    problems: list[Problem]


def indicator_ids_by_name(
    plan: Plan, names: Coded, numbers: np.ndarray, heading: str
) -> NamedIndicators:
    """The indicator ids the name cells `names` (spreadsheet rows `numbers`, under the
    heading `heading`) identify through the plan; errors `indicator_name_ambiguous` and
    `unknown_indicator_name` in the cells that identify none."""
    ids = plan.indicators["indicator_id"].tolist()
    by_name: dict[str, list[str]] = {}
    for indicator_id, name in zip(ids, plan.indicators["name"].tolist(), strict=True):
        by_name.setdefault(compact_text(str(name)), []).append(indicator_id)
    known = set(ids)
    found = [_identified(text, by_name, known) for text in names.texts]
    resolved = names.with_texts([indicator_id for indicator_id, _ in found])
    failed = np.array([why is not None for _, why in found], dtype=bool)
    unresolved = failed[names.codes] if len(found) else np.zeros(len(names.codes), dtype=bool)
    problems = []
    for index in np.flatnonzero(unresolved).tolist():
        text = names.text(index)
        code, zh, en = found[names.codes[index]][1]  # type: ignore[misc]
        problems.append(Problem(code, zh, en, row=int(numbers[index]), column=heading, value=text))
    return NamedIndicators(resolved, unresolved, problems)


def _identified(
    text: str, by_name: dict[str, list[str]], known: set[str]
) -> tuple[str, tuple[str, str, str] | None]:
    """(the id `text` identifies, or "" with (code, zh, en) saying why it identifies none)."""
    key = compact_text(text)
    if not key:
        return "", None  # an empty name reads as an empty id, refused as such
    if clean_id(text) in known:
        return clean_id(text), None
    matches = by_name.get(key, [])
    if len(matches) == 1:
        return matches[0], None
    if matches:
        listed = "、".join(matches)
        return "", (
            "indicator_name_ambiguous",
            f"指标名称“{text}”对应多个指标（{listed}），请改填指标编号",
            f"the indicator name '{text}' names several indicators ({', '.join(matches)}); "
            "give the indicator id instead",
        )
    close = difflib.get_close_matches(key, list(by_name), n=_CANDIDATES, cutoff=0.4)
    candidates = [f"{by_name[name][0]} {name}" for name in close]
    zh = f"（相近的有：{'、'.join(candidates)}）" if candidates else ""
    en = f" (close: {', '.join(candidates)})" if candidates else ""
    return "", (
        "unknown_indicator_name",
        f"计划中没有名称为“{text}”的指标{zh}；请按模板填写指标名称或指标编号",
        f"no indicator named '{text}' in the plan{en}; write the name as in the template, "
        "or the indicator id",
    )
