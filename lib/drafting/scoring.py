"""How close a drafted plan comes to the answers checked by hand: precision and recall.

A draft is the plan mapping `lib.drafting.draft` makes (sections -> tasks with title, text,
units, indicators; `draft.lead_rule.rule`); an expected answer is a mapping read from
tests/data/drafting/<stem>.expected.yaml (tasks with key, units, lead, targets). Four measures,
each as precision (how much of what was drafted is right) and recall (how much of what is
there was drafted):

- tasks: an expected task is found when a drafted task's title is its key, or its title or
  text holds the key within the first few characters (room for a number left in the title);
  each drafted task answers one expected task at most.
- leads, units and targets: over the matched tasks only (a missed task is counted once, in
  tasks). Leads compare the drafted task's lead (its first unit unless the draft's lead rule
  is `none`) with the expected lead, over the tasks that have one. Units are compared as
  multisets of names, white space removed and （）〔〕 read as (). Targets are compared as
  multisets: a quantity by value (within a float tolerance) and unit, a milestone by its
  deadline and, where the answer quotes it (`source`), by its clause too: a milestone drafted
  from another clause of the task is not the one asked for. Target deadlines are reported
  apart: of the matched quantities whose expected deadline the text gives, how many drafted
  deadlines agree.

A ratio with nothing to count (nothing drafted, or nothing expected) is 1.0: nothing wrong
was claimed, or nothing was there to find. `findings` says, item by item, what was missed or
added, so a shortfall can be traced to its task.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import yaml

from lib.core.text import compact_text

# Characters a drafted title or text may carry before the key: a number such as （二十一）
# or "21." left in the title, an opening quote.
KEY_SLACK = 8
MILESTONE = "milestone"
_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "［": "(", "］": ")", "[": "(", "]": ")"})


@dataclass(frozen=True)
class Measure:
    """Counts behind one precision/recall pair."""

    correct: int
    drafted: int
    expected: int

    @property
    def precision(self) -> float:
        return self.correct / self.drafted if self.drafted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 1.0


@dataclass(frozen=True)
class Agreement:
    """How many of the compared items agree."""

    agreeing: int
    compared: int

    @property
    def ratio(self) -> float:
        return self.agreeing / self.compared if self.compared else 1.0


@dataclass(frozen=True)
class Finding:
    """One difference between the draft and the expected answer."""

    measure: str  # tasks | leads | units | targets | deadlines
    task: str  # the expected task's number and key, or the drafted task's title
    kind: str  # missed | extra | wrong
    detail: str


@dataclass(frozen=True)
class DocumentScores:
    document: str
    tasks: Measure
    leads: Measure
    units: Measure
    targets: Measure
    target_deadlines: Agreement
    findings: tuple[Finding, ...]

    def measures(self) -> dict[str, Measure]:
        return {
            "tasks": self.tasks,
            "leads": self.leads,
            "units": self.units,
            "targets": self.targets,
        }


def unit_key(name: str) -> str:
    """A unit name as compared: NFKC, no white space, every bracket as ()."""
    return compact_text(str(name)).translate(_BRACKETS)


def _same_unit(a: str, b: str) -> bool:
    return unit_key(a) == unit_key(b)


def _text_key(text: str) -> str:
    return compact_text(str(text or "")).translate(_BRACKETS)


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def drafted_tasks(draft: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every task of the draft, in section order."""
    return [task for section in draft.get("sections") or [] for task in section.get("tasks") or []]


def drafted_lead_rule(draft: Mapping[str, Any]) -> str:
    """The lead rule the draft says it applied; a plain plan's first unit is its lead."""
    rule = ((draft.get("draft") or {}).get("lead_rule") or {}).get("rule")
    return str(rule) if rule else "first_listed"


def drafted_lead(task: Mapping[str, Any], rule: str) -> str | None:
    units = task.get("units") or []
    if rule == "none" or not units:
        return None
    return str(units[0])


def _label(expected_task: Mapping[str, Any]) -> str:
    number = expected_task.get("number") or ""
    return f"{number}{expected_task['key']}"


def _matches_near_start(key: str, task: Mapping[str, Any]) -> bool:
    title, text = _text_key(task.get("title")), _text_key(task.get("text"))
    return any(key in field[: len(key) + KEY_SLACK] for field in (title, text, title + text))


def matched_tasks(
    expected: Sequence[Mapping[str, Any]], drafted: Sequence[Mapping[str, Any]]
) -> dict[int, int]:
    """Expected task index -> drafted task index, one to one, exact titles first."""
    pairs: dict[int, int] = {}
    keys = [_text_key(task["key"]) for task in expected]
    tests = (
        lambda key, task: _text_key(task.get("title")) == key,
        _matches_near_start,
    )
    for test in tests:
        for i, key in enumerate(keys):
            if i in pairs:
                continue
            taken = set(pairs.values())
            j = next((j for j, t in enumerate(drafted) if j not in taken and test(key, t)), None)
            if j is not None:
                pairs[i] = j
    return pairs


def _multiset_overlap(expected: list[str], drafted: list[str]) -> tuple[int, list[str], list[str]]:
    """Common count, the expected items not drafted, the drafted items not expected."""
    remaining = list(drafted)
    missed = []
    for item in expected:
        if item in remaining:
            remaining.remove(item)
        else:
            missed.append(item)
    return len(expected) - len(missed), missed, remaining


@dataclass(frozen=True)
class _Target:
    milestone: bool
    value: float | None
    unit: str
    deadline: date | None
    source: str = ""

    def describe(self) -> str:
        when = self.deadline.isoformat() if self.deadline else "no deadline"
        if self.milestone:
            return f"milestone {when}" + (f" {self.source}" if self.source else "")
        value = self.value if self.value is None else f"{self.value:g}"
        return f"{value} {self.unit} ({when})"


def _expected_target(target: Mapping[str, Any]) -> _Target:
    unit = str(target.get("unit") or "")
    deadline = _as_date(target.get("deadline"))
    if unit == MILESTONE:
        return _Target(True, None, MILESTONE, deadline, _text_key(target.get("source") or ""))
    value = target.get("value")
    return _Target(False, None if value is None else float(value), unit_key(unit), deadline)


def _drafted_target(indicator: Mapping[str, Any]) -> _Target:
    deadline = _as_date(indicator.get("deadline"))
    if indicator.get("kind") == MILESTONE:
        return _Target(True, None, MILESTONE, deadline, _text_key(indicator.get("source") or ""))
    value = indicator.get("target")
    number = (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    )
    return _Target(False, number, unit_key(str(indicator.get("unit") or "")), deadline)


def _same_clause(expected: str, drafted: str) -> bool:
    """The drafted clause is the expected one: one holds the other, or they share a run of
    most of the shorter one (a clause cut a few characters differently)."""
    if not expected:
        return True
    if expected in drafted or drafted in expected:
        return bool(drafted)
    run = SequenceMatcher(None, expected, drafted, autojunk=False).find_longest_match()
    return run.size >= max(4, math.ceil(0.6 * min(len(expected), len(drafted))))


def _same_target(expected: _Target, drafted: _Target) -> bool:
    if expected.milestone or drafted.milestone:
        return (
            expected.milestone
            and drafted.milestone
            and expected.deadline == drafted.deadline
            and _same_clause(expected.source, drafted.source)
        )
    if expected.unit != drafted.unit or expected.value is None or drafted.value is None:
        return False
    return math.isclose(expected.value, drafted.value, rel_tol=1e-9, abs_tol=1e-6)


def _pair_targets(
    expected: list[_Target], drafted: list[_Target]
) -> tuple[list[tuple[_Target, _Target]], list[_Target], list[_Target]]:
    """Matched pairs, missed and extra; a quantity prefers a drafted twin with its deadline."""
    remaining = list(drafted)
    pairs, missed = [], []
    for target in expected:
        candidates = [d for d in remaining if _same_target(target, d)]
        if not candidates:
            missed.append(target)
            continue
        same_day = [d for d in candidates if d.deadline == target.deadline]
        chosen = (same_day or candidates)[0]
        remaining.remove(chosen)
        pairs.append((target, chosen))
    return pairs, missed, remaining


def document_scores(draft: Mapping[str, Any], expected: Mapping[str, Any]) -> DocumentScores:
    """The draft's precision and recall against the expected answer (see the module)."""
    expected_tasks = list(expected.get("tasks") or [])
    drafts = drafted_tasks(draft)
    rule = drafted_lead_rule(draft)
    pairs = matched_tasks(expected_tasks, drafts)
    findings: list[Finding] = []

    for i, task in enumerate(expected_tasks):
        if i not in pairs:
            findings.append(Finding("tasks", _label(task), "missed", "no drafted task has the key"))
    matched_drafts = set(pairs.values())
    for j, task in enumerate(drafts):
        if j not in matched_drafts:
            title = str(task.get("title") or task.get("text") or "")[:40]
            findings.append(Finding("tasks", title, "extra", "answers no expected task"))

    lead_correct = lead_drafted = lead_expected = 0
    unit_correct = unit_drafted = unit_expected = 0
    target_correct = target_drafted = target_expected = 0
    deadline_agreeing = deadline_compared = 0
    for i, j in sorted(pairs.items()):
        want, got = expected_tasks[i], drafts[j]
        label = _label(want)

        want_lead = want.get("lead")
        got_lead = drafted_lead(got, rule)
        lead_expected += want_lead is not None
        lead_drafted += got_lead is not None
        if want_lead is not None and got_lead is not None and _same_unit(want_lead, got_lead):
            lead_correct += 1
        elif want_lead is not None or got_lead is not None:
            kind = "missed" if got_lead is None else "extra" if want_lead is None else "wrong"
            findings.append(
                Finding("leads", label, kind, f"expected {want_lead}, drafted {got_lead}")
            )

        want_units = [unit_key(u) for u in want.get("units") or []]
        got_units = [unit_key(u) for u in got.get("units") or []]
        common, missed, extra = _multiset_overlap(want_units, got_units)
        unit_correct += common
        unit_expected += len(want_units)
        unit_drafted += len(got_units)
        findings += [Finding("units", label, "missed", name) for name in missed]
        findings += [Finding("units", label, "extra", name) for name in extra]

        want_targets = [_expected_target(t) for t in want.get("targets") or []]
        got_targets = [_drafted_target(t) for t in got.get("indicators") or []]
        matched, missed_targets, extra_targets = _pair_targets(want_targets, got_targets)
        target_correct += len(matched)
        target_expected += len(want_targets)
        target_drafted += len(got_targets)
        findings += [Finding("targets", label, "missed", t.describe()) for t in missed_targets]
        findings += [Finding("targets", label, "extra", t.describe()) for t in extra_targets]
        for want_target, got_target in matched:
            if want_target.milestone or want_target.deadline is None:
                continue
            deadline_compared += 1
            if got_target.deadline == want_target.deadline:
                deadline_agreeing += 1
            else:
                findings.append(
                    Finding(
                        "deadlines",
                        label,
                        "wrong",
                        f"{want_target.describe()}: drafted {got_target.deadline}",
                    )
                )

    return DocumentScores(
        document=str(expected.get("document") or ""),
        tasks=Measure(len(pairs), len(drafts), len(expected_tasks)),
        leads=Measure(lead_correct, lead_drafted, lead_expected),
        units=Measure(unit_correct, unit_drafted, unit_expected),
        targets=Measure(target_correct, target_drafted, target_expected),
        target_deadlines=Agreement(deadline_agreeing, deadline_compared),
        findings=tuple(findings),
    )


def _cell(ratio: float, numerator: int, denominator: int) -> str:
    return f"{ratio:.2f} ({numerator}/{denominator})"


def scores_table(rows: Iterable[DocumentScores]) -> str:
    """A Markdown table: one row per document, precision and recall of each measure with the
    counts behind them, and the agreement of target deadlines."""
    header = ["document"]
    for name in ("tasks", "leads", "units", "targets"):
        header += [f"{name} P", f"{name} R"]
    header.append("target deadlines")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [f"`{row.document}`"]
        for measure in row.measures().values():
            cells.append(_cell(measure.precision, measure.correct, measure.drafted))
            cells.append(_cell(measure.recall, measure.correct, measure.expected))
        deadlines = row.target_deadlines
        cells.append(_cell(deadlines.ratio, deadlines.agreeing, deadlines.compared))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def findings_text(scores: DocumentScores) -> str:
    """The findings of one document, one line each, grouped by measure."""
    lines = [f"{scores.document}:"]
    order = ("tasks", "leads", "units", "targets", "deadlines")
    for finding in sorted(scores.findings, key=lambda f: order.index(f.measure)):
        lines.append(f"  {finding.measure:9} {finding.kind:6} {finding.task}: {finding.detail}")
    return "\n".join(lines) + "\n"


def read_expected(path: Path) -> dict[str, Any]:
    """An expected answer file as a mapping (dates as dates)."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)
