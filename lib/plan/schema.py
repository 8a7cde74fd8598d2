"""The plan YAML's schema, checked by pydantic: loaded only when a plan file is parsed.

A plan read back from its cache (lib.plan.cache) needs none of it, so neither the app's pages
nor a command's process import pydantic unless the YAML itself changed. Of the package it
imports only lib.plan.model.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any, Literal, get_type_hints

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    create_model,
)

from lib.core.errors import Problem
from lib.plan.model import (
    THRESHOLD_RANGES,
    UNIT_KINDS,
    PlanMeta,
    Thresholds,
    dotted_path,
    short_value,
)

# A YAML `.nan` or `.inf` is a float but no target anyone can reach or measure against.
FiniteFloat = Annotated[float, Field(strict=True, allow_inf_nan=False)]
# pydantic tags union errors with the member type; these are not keys in the YAML.
_UNION_TAGS = frozenset({"int", "float"})
_DEFAULT = Thresholds()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Built from PlanMeta's fields and types, so the YAML's `plan:` and the dataclass cannot
# drift apart; pydantic then words a missing, unknown or mistyped key for the planner.
PlanMetaEntry = create_model(
    "PlanMetaEntry",
    __base__=_Strict,
    __doc__="lib.plan.model.PlanMeta as the YAML gives it (pydantic words an unknown key as such).",
    **{name: (hint, ...) for name, hint in get_type_hints(PlanMeta).items()},
)


def _threshold(name: str) -> Any:
    """The field of a threshold: its default and its range from lib.plan.model."""
    low, low_allowed, high = THRESHOLD_RANGES[name]
    bounds: dict[str, float] = {"ge": low} if low_allowed else {"gt": low}
    if math.isfinite(high):
        bounds["le"] = high
    return Field(getattr(_DEFAULT, name), **bounds)


class ThresholdsEntry(_Strict):
    """lib.plan.model.Thresholds as the YAML may give them, with their allowed ranges."""

    amber_gap: float = _threshold("amber_gap")
    red_gap: float = _threshold("red_gap")
    above_target_warning_ratio: float = _threshold("above_target_warning_ratio")
    lead_weight: float = _threshold("lead_weight")
    partner_weight: float = _threshold("partner_weight")


# Draft-only fields (lib.drafting): where an item was drafted from, as [start, end] offsets
# into the cleaned document text, and why a person should look at it. Accepted on every
# unit, indicator, task and section, and ignored by the model.
Span = Annotated[list[Annotated[int, Field(strict=True, ge=0)]], Field(min_length=2, max_length=2)]
ReviewNotes = list[Annotated[str, Field(min_length=1)]]


class _Drafted(_Strict):
    span: Span | None = None
    review: ReviewNotes = []


class UnitEntry(_Drafted):
    name: str = Field(min_length=1)
    full_name: str | None = None
    aliases: list[str] = []
    kind: Literal[UNIT_KINDS]  # type: ignore[valid-type]
    members: list[str] | None = None


class IndicatorEntry(_Drafted):
    id: str
    name: str = Field(min_length=1)
    kind: Literal["quantity", "milestone"]
    target: StrictInt | FiniteFloat
    unit: str = Field(min_length=1)
    direction: Literal["increase", "decrease"]
    baseline: StrictInt | FiniteFloat | None = None
    baseline_note: str | None = None
    deadline: date
    source: str = Field(min_length=1)
    # the unit whose figure is the whole plan area's (default: the task's lead unit)
    reporter: str | None = None
    # "sum": the parts (counties, zones) add up to the whole when no whole figure was sent
    breakdown: Literal["none", "sum"] = "none"


class TaskEntry(_Drafted):
    id: str
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    units: list[str] = Field(min_length=1)
    indicators: list[IndicatorEntry] = Field(min_length=1)


class SectionEntry(_Drafted):
    id: str
    title: str = Field(min_length=1)
    tasks: list[TaskEntry] = Field(min_length=1)


class ReportingEntry(_Strict):
    """lib.plan.model.ReportingCalendar as the YAML may give it."""

    due_days: StrictInt = Field(10, ge=0, le=92)
    reply_days: StrictInt = Field(10, ge=0, le=92)
    office: str = ""


class ConfirmationEntry(_Strict):
    """lib.plan.model.Confirmation as the YAML may give it."""

    required: StrictBool = False
    confirmer: str = ""
    kinds: list[Literal["quantity", "milestone"]] = Field(["quantity"], min_length=1)


class LeadRuleEntry(_Strict):
    """How a draft put each task's lead first: the document's rule and the words stating it."""

    rule: Literal["first_listed", "marked", "none"]
    evidence: str = ""


class DraftEntry(_Strict):
    """A drafted plan's provenance (lib.drafting): the document's source line and file, the
    lead rule applied and the plan-level review notes; a published plan has none."""

    source: str | None = None
    file: str | None = None
    lead_rule: LeadRuleEntry | None = None
    review: ReviewNotes = []


class PlanDocument(_Strict):
    schema_version: Literal[1]
    plan: PlanMetaEntry
    thresholds: ThresholdsEntry = ThresholdsEntry()
    reporting: ReportingEntry = ReportingEntry()
    confirmation: ConfirmationEntry = ConfirmationEntry()
    units: list[UnitEntry] = Field(min_length=1)
    sections: list[SectionEntry] = Field(min_length=1)
    draft: DraftEntry | None = None


_PYDANTIC_MESSAGES = {
    "missing": ("缺少必填字段", "required field is missing"),
    "extra_forbidden": ("未知字段（拼写错误？）", "unknown key (misspelt?)"),
    "literal_error": ("取值不在允许范围内", "value is not one of the allowed values"),
    "string_type": ("应为文本", "must be text"),
    "list_type": ("应为列表", "must be a list"),
    "model_type": ("应为映射（键: 值）", "must be a mapping (key: value)"),
    "dict_type": ("应为映射（键: 值）", "must be a mapping (key: value)"),
    "too_short": ("不能为空", "must not be empty"),
    "too_long": ("项数过多", "has too many items"),
    "int_type": ("应为数字", "must be a number"),
    "float_type": ("应为数字", "must be a number"),
    "date_type": ("应为日期 YYYY-MM-DD", "must be a date YYYY-MM-DD"),
    "date_parsing": ("应为日期 YYYY-MM-DD", "must be a date YYYY-MM-DD"),
    "date_from_datetime_parsing": ("应为日期 YYYY-MM-DD", "must be a date YYYY-MM-DD"),
    "greater_than_equal": ("数值过小", "value is too small"),
    "less_than_equal": ("数值过大", "value is too large"),
    "greater_than": ("数值过小", "value is too small"),
    "finite_number": ("应为有限数字", "must be a finite number"),
}


def validated_document(raw: dict[str, Any]) -> tuple[PlanDocument | None, list[Problem]]:
    """The document if its structure is valid, and the structure problems otherwise."""
    try:
        return PlanDocument.model_validate(raw), []
    except ValidationError as exc:
        problems = [_pydantic_problem(err) for err in exc.errors()]
        # One bad number fails every member of `int | float`: report it once per place.
        unique = {(p.code, p.path): p for p in reversed(problems)}
        return None, [p for p in problems if unique[(p.code, p.path)] is p]


def _pydantic_problem(err: Any) -> Problem:
    kind = err["type"]
    loc = tuple(err["loc"])
    # Only the last part can be a union tag, and never for an unknown key (it is the key).
    if kind != "extra_forbidden" and loc and loc[-1] in _UNION_TAGS:
        loc = loc[:-1]
    zh, en = _PYDANTIC_MESSAGES.get(kind, ("格式不正确", "invalid value"))
    field = str(loc[-1]) if loc else ""
    numeric_error = kind in {"int_type", "float_type", "finite_number"}
    if numeric_error and field in {"target", "baseline"}:
        code = "target_not_numeric"
    else:
        code = f"schema_{kind}"
    value = None if kind == "missing" else short_value(err.get("input"))
    return Problem(
        code,
        f"字段 {field}：{zh}",
        f"field {field}: {en} ({err['msg']})",
        path=dotted_path(loc),
        value=value,
    )
