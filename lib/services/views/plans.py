"""The plans page (计划库与起草): the plan library, and a document drafted into a plan that an
admin reviews task by task and publishes into the library.

The working draft is a plan mapping in the plan schema (lib.drafting.draft) kept by the page
between reruns; every edit here returns a new mapping, so a reviewer's change is applied
exactly once and the drafted original stays as it was. Publishing writes the reviewed YAML
as a new file in the library (lib.services.plans.published_plan_file): never over a plan.
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from lib.auth.accounts import Role, User, has_role
from lib.core.errors import PlanError, Problem, UserInputError
from lib.core.labels import pick
from lib.drafting.document import document_from_bytes
from lib.drafting.draft import draft_counts, draft_plan, draft_yaml
from lib.drafting.units import unit_kind
from lib.plan.loader import plan_problems
from lib.services.plans import PlanLibrary, published_plan_file
from lib.services.settings import Settings

DOCUMENT_TYPES = ("txt", "docx", "pdf", "html", "htm")
# Units typed into one cell: split at these, but never inside brackets (各县(市、区)政府).
_SEPARATORS = "、，,；;\n"
_OPEN, _CLOSE = "(（〔[", ")）〕]"
INDICATOR_COLUMNS = [
    "indicator_id", "name", "kind", "target", "unit", "direction", "deadline", "source", "review",
]  # fmt: skip
UNIT_COLUMNS = ["name", "kind", "full_name", "review"]
_ADDED_IN_REVIEW = (
    "审核时新增的单位，请核对类型与全称 / added during review: check its kind and full name"
)
TASK_COLUMNS = ["task_id", "section", "title", "units", "indicators", "review"]


@dataclass(frozen=True)
class WorkingDraft:
    """A drafted document under review: the draft as edited so far, the document's cleaned
    text (the spans point into it) and the file it came from."""

    draft: dict[str, Any]
    text: str
    file_name: str
    digest: str


def drafted_from_upload(content: bytes, file_name: str, today: date) -> WorkingDraft:
    """The draft of an uploaded document (this year when the document names none);
    UserInputError (bilingual problems) when it cannot be read or drafted."""
    document = document_from_bytes(content, file_name)
    draft = draft_plan(document, fallback_year=today.year)
    return WorkingDraft(draft, document.text, file_name, hashlib.sha256(content).hexdigest())


def drafted_or_problems(
    content: bytes, file_name: str, today: date, lang: str
) -> tuple[WorkingDraft | None, list[str]]:
    """The working draft of an uploaded document, or the messages saying why it cannot be
    drafted (in `lang`)."""
    try:
        return drafted_from_upload(content, file_name, today), []
    except UserInputError as exc:
        return None, [pick((p.message_zh, p.message_en), lang) for p in exc.problems]


def is_same_file(working: WorkingDraft | None, file_name: str, content: bytes) -> bool:
    """Whether the uploaded file is the one already under review (its edits are kept)."""
    return (
        working is not None
        and working.file_name == file_name
        and working.digest == hashlib.sha256(content).hexdigest()
    )


def may_publish(user: User | None) -> bool:
    """Only the supervision office (admin) drafts and publishes plans."""
    return has_role(user, Role.ADMIN)


def split_units(text: str) -> list[str]:
    """Unit names typed in one cell, in order, split at 、，；or new lines outside brackets,
    blanks dropped: "市发展改革局、各县(市、区)政府" -> two names."""
    names, current, depth = [], [], 0
    for char in str(text or ""):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        if char in _SEPARATORS and depth == 0:
            names.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    names.append("".join(current).strip())
    return [name for name in names if name]


def tasks(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return [task for section in draft.get("sections", []) for task in section.get("tasks", [])]


def task_table(draft: dict[str, Any]) -> pd.DataFrame:
    """One row per task: id, section, title, units (、-joined, lead first), how many
    indicators, and its review notes."""
    rows = [
        {
            "task_id": task.get("id", ""),
            "section": f"{section.get('id', '')} {section.get('title', '')}",
            "title": task.get("title", ""),
            "units": "、".join(task.get("units", [])),
            "indicators": len(task.get("indicators", [])),
            "review": "；".join(task.get("review", [])),
        }
        for section in draft.get("sections", [])
        for task in section.get("tasks", [])
    ]
    return pd.DataFrame(rows, columns=TASK_COLUMNS)


def indicator_table(task: dict[str, Any]) -> pd.DataFrame:
    """A task's indicators as the editor shows them (deadline as a date)."""
    rows = [
        {
            "indicator_id": ind.get("id", ""),
            "name": ind.get("name", ""),
            "kind": ind.get("kind", "quantity"),
            "target": ind.get("target"),
            "unit": ind.get("unit", ""),
            "direction": ind.get("direction", "increase"),
            "deadline": ind.get("deadline"),
            "source": ind.get("source", ""),
            "review": "；".join(ind.get("review", [])),
        }
        for ind in task.get("indicators", [])
    ]
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    frame["target"] = pd.to_numeric(frame["target"], errors="coerce").astype("float64")
    return frame


def unit_table(draft: dict[str, Any]) -> pd.DataFrame:
    rows = [
        {
            "name": unit.get("name", ""),
            "kind": unit.get("kind", ""),
            "full_name": unit.get("full_name") or "",
            "review": "；".join(unit.get("review", [])),
        }
        for unit in draft.get("units", [])
    ]
    return pd.DataFrame(rows, columns=UNIT_COLUMNS)


def with_task_edits(
    draft: dict[str, Any],
    task_id: str,
    *,
    title: str,
    units_text: str,
    indicators: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The draft with one task's title, units (typed as text, lead first) and, when given,
    indicators replaced; units new to the registry are added to it with their kind guessed
    and a note saying so. Indicator rows without an id get the task's next one."""
    edited = copy.deepcopy(draft)
    task = next((t for t in tasks(edited) if t.get("id") == task_id), None)
    if task is None:
        raise KeyError(task_id)
    task["title"] = title.strip()
    task["units"] = split_units(units_text)
    if indicators is not None:
        task["indicators"] = _edited_indicators(task, indicators)
    _register_new_units(edited, task["units"])
    return edited


def with_unit_edits(draft: dict[str, Any], units: pd.DataFrame) -> dict[str, Any]:
    """The draft with the registry's kinds and full names as edited (rows matched by name;
    a name no task uses may be removed)."""
    edited = copy.deepcopy(draft)
    by_name = {_text(row["name"]): row for _, row in units.iterrows() if _text(row["name"])}
    used = {name for task in tasks(edited) for name in task.get("units", [])}
    kept = []
    for unit in edited.get("units", []):
        row = by_name.get(unit["name"])
        if row is None and unit["name"] not in used:
            continue  # removed by the reviewer, and no task names it
        if row is not None:
            unit["kind"] = _text(row["kind"]) or unit.get("kind", "")
            full_name = _text(row["full_name"])
            if full_name:
                unit["full_name"] = full_name
            else:
                unit.pop("full_name", None)
        kept.append(unit)
    edited["units"] = kept
    return edited


def reviewed_yaml(draft: dict[str, Any]) -> str:
    return draft_yaml(draft)


def problem_table(yaml_text: str, lang: str) -> pd.DataFrame:
    """The check-plan problems of the reviewed YAML: severity, where (line and path) and
    the message, errors first."""
    problems = plan_problems(yaml_text)
    rows = [
        {
            "severity": problem.severity,
            "where": problem.location(),
            "message": pick((problem.message_zh, problem.message_en), lang),
        }
        for problem in sorted(problems, key=lambda p: p.severity != "error")
    ]
    return pd.DataFrame(rows, columns=["severity", "where", "message"])


def draft_summary(draft: dict[str, Any], problems: pd.DataFrame) -> dict[str, int]:
    counts = draft_counts(draft)
    counts["errors"] = int((problems["severity"] == "error").sum())
    return counts


@dataclass(frozen=True)
class PublishOutcome:
    ok: bool
    plan_id: str = ""
    file_name: str = ""
    problems: tuple[Problem, ...] = ()


def publish(settings: Settings, user: User | None, yaml_text: str) -> PublishOutcome:
    """Publish the reviewed draft into the library as a new plan file (admins only); the
    new plan's id, or the problems that stopped it (nothing written then)."""
    if not may_publish(user):
        return PublishOutcome(
            False,
            problems=(
                Problem(
                    "not_allowed",
                    "只有督查室（管理员）可以发布计划",
                    "only the supervision office (admin) may publish a plan",
                ),
            ),
        )
    try:
        path = published_plan_file(settings, yaml_text)
    except (PlanError, UserInputError) as exc:
        return PublishOutcome(False, problems=tuple(exc.problems))
    except FileExistsError:  # another admin published the same id this instant
        return PublishOutcome(
            False,
            problems=(
                Problem(
                    "plan_file_exists",
                    "同名计划文件刚刚被创建，请再发布一次",
                    "a plan file of that name was just created; publish again",
                ),
            ),
        )
    return PublishOutcome(True, plan_id=path.stem, file_name=path.name)


def library_table(library: PlanLibrary) -> pd.DataFrame:
    """The library's plans, newest first: id, document number, title, period, file, home."""
    rows = [
        {
            "plan_id": entry.plan_id,
            "document_number": entry.plan.meta.document_number,
            "title": entry.plan.meta.title,
            "period": f"{entry.plan.meta.period_start} — {entry.plan.meta.period_end}",
            "file": entry.file.name,
            "home": entry.is_home,
        }
        for entry in library.plans
    ]
    return pd.DataFrame(
        rows, columns=["plan_id", "document_number", "title", "period", "file", "home"]
    )


def task_text(draft: dict[str, Any], task_id: str) -> str:
    task = next((t for t in tasks(draft) if t.get("id") == task_id), {})
    return str(task.get("text", ""))


def _edited_indicators(task: dict[str, Any], frame: pd.DataFrame) -> list[dict[str, Any]]:
    before = {ind.get("id"): ind for ind in task.get("indicators", [])}
    used = [str(i) for i in frame["indicator_id"] if not _blank(i)]
    numbers = [int(m.group(1)) for i in used if (m := re.search(r"-(\d+)$", i))]
    next_number = max(numbers, default=0) + 1
    indicators = []
    for _, row in frame.iterrows():
        if all(_blank(row[c]) for c in ("name", "target", "source")):
            continue  # an empty row the editor added
        indicator_id = "" if _blank(row["indicator_id"]) else str(row["indicator_id"]).strip()
        if not indicator_id:
            indicator_id = f"{task.get('id', 'T')}-{next_number}"
            next_number += 1
        entry = copy.deepcopy(before.get(indicator_id, {}))
        entry.update(
            {
                "id": indicator_id,
                "name": _text(row["name"]),
                "kind": _text(row["kind"]) or "quantity",
                "target": _number(row["target"]),
                "unit": _text(row["unit"]),
                "direction": _text(row["direction"]) or "increase",
                "deadline": _date(row["deadline"]),
                "source": _text(row["source"]),
            }
        )
        indicators.append(entry)
    return indicators


def _register_new_units(draft: dict[str, Any], names: list[str]) -> None:
    known = {unit.get("name") for unit in draft.get("units", [])}
    for name in names:
        if name in known:
            continue
        kind, note = unit_kind(name)
        notes = [
            "审核时新增的单位，请核对类型与全称 / added during review: check its kind and full name"
        ]
        draft.setdefault("units", []).append(
            {"name": name, "kind": kind, "review": notes + ([note] if note else [])}
        )
        known.add(name)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or str(value) == ""


def _text(value: object) -> str:
    """An editor cell as text: "" for an empty cell (None, NaN)."""
    return "" if _blank(value) else str(value).strip()


def _number(value: object) -> int | float | None:
    if _blank(value):
        return None
    number = float(value)  # type: ignore[arg-type]
    return int(number) if number.is_integer() else number


def _date(value: object) -> date | None:
    if _blank(value):
        return None
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()  # type: ignore[arg-type]
