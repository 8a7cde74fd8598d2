"""The plan library: the home plan (PLAN_FILE) and every plan in PLANS_DIR, side by side.

One store holds the figures of all of them (each upload belongs to one plan; lib/store/
scope.py). A plan is chosen by its id (`plan.id` in its YAML); without a choice the library
opens the only plan, or the newest (latest period end, then issue date). Publishing a
reviewed draft writes a new file into PLANS_DIR and never replaces one: a plan whose id is
already in the library is published as the next version (`<id>-v2`, `-v3` ...).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from lib.core.errors import PlanError, Problem
from lib.plan.loader import load_plan, parse_plan
from lib.plan.model import Plan
from lib.services.settings import Settings

_VERSION_SUFFIX = re.compile(r"-v(\d+)$")
# A plan id becomes a file name and a URL parameter: letters, digits, - and _ only.
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,80}$")


@dataclass(frozen=True)
class LibraryPlan:
    """One plan of the library: its id, the file it is read from and the plan itself."""

    plan_id: str
    file: Path
    plan: Plan
    is_home: bool


@dataclass(frozen=True)
class PlanLibrary:
    """The plans that load, in the order offered (newest first), and the problems of the
    files that do not (each problem's `path` names its file)."""

    plans: tuple[LibraryPlan, ...]
    problems: tuple[Problem, ...]

    @property
    def home(self) -> LibraryPlan | None:
        return next((entry for entry in self.plans if entry.is_home), None)

    def ids(self) -> list[str]:
        return [entry.plan_id for entry in self.plans]

    def chosen(self, plan_id: str | None) -> LibraryPlan:
        """The plan `plan_id` names, or the default (the only or newest); PlanError naming
        the plans there are when the id is unknown."""
        if not self.plans:
            raise PlanError(
                list(self.problems)
                or [Problem("no_plan", "没有可用的计划文件", "there is no plan to open")]
            )
        if plan_id is None:
            return self.plans[0]
        for entry in self.plans:
            if entry.plan_id == plan_id:
                return entry
        known = "、".join(self.ids())
        raise PlanError(
            [
                Problem(
                    "unknown_plan",
                    f"没有编号为 {plan_id} 的计划；现有：{known}",
                    f"there is no plan {plan_id}; the library has: {', '.join(self.ids())}",
                    value=plan_id,
                )
            ]
        )


def plan_library(settings: Settings) -> PlanLibrary:
    """Every plan of the settings: the home plan file and the *.yaml files of plans_dir,
    validated (through the plan cache beside the store). The home plan failing to load is
    an error (PlanError), as before there was a library; a broken file in plans_dir is
    listed in `problems` and left out. Two files with one plan id: the second is left out
    with a problem."""
    home = load_plan(settings.plan_file, cache_dir=settings.cache_dir)
    entries = [LibraryPlan(home.meta.id, Path(settings.plan_file), home, is_home=True)]
    problems: list[Problem] = []
    for path in _library_files(settings):
        if path.resolve() == Path(settings.plan_file).resolve():
            continue
        try:
            plan = load_plan(path, cache_dir=settings.cache_dir)
        except PlanError as exc:
            problems += [_in_file(problem, path) for problem in exc.problems]
            continue
        clash = next((e for e in entries if e.plan.meta.id == plan.meta.id), None)
        if clash is not None:
            problems.append(
                Problem(
                    "duplicate_plan_id",
                    f"计划编号 {plan.meta.id} 已由 {clash.file.name} 使用，{path.name} 未载入",
                    f"plan id {plan.meta.id} is already used by {clash.file.name};"
                    f" {path.name} was not loaded",
                    path=str(path),
                    value=plan.meta.id,
                )
            )
            continue
        entries.append(LibraryPlan(plan.meta.id, path, plan, is_home=False))
    entries.sort(
        key=lambda e: (e.plan.meta.period_end, e.plan.meta.issue_date, e.plan_id), reverse=True
    )
    return PlanLibrary(tuple(entries), tuple(problems))


def published_plan_file(settings: Settings, yaml_text: str) -> Path:
    """Publish reviewed plan YAML into the library: check it as any plan is checked
    (PlanError listing every error), choose a file name no plan has (its id, or the next
    `-vN` version when the id is taken; the YAML's `plan.id` is rewritten to match) and
    create the file without ever replacing one. The new file's path."""
    if settings.plans_dir is None:
        raise PlanError(
            [Problem("no_plans_dir", "未设置计划库目录", "no plan library folder is set")]
        )
    plan = parse_plan(yaml_text)
    if not _SAFE_ID.match(plan.meta.id):
        raise PlanError(
            [
                Problem(
                    "unsafe_plan_id",
                    "计划编号只能包含字母、数字、- 和 _",
                    "a plan id may hold letters, digits, - and _ only",
                    path="plan.id",
                    value=plan.meta.id,
                )
            ]
        )
    taken = set(plan_library(settings).ids())
    plans_dir = Path(settings.plans_dir)
    plans_dir.mkdir(parents=True, exist_ok=True)
    taken |= {path.stem for path in plans_dir.glob("*.yaml")}
    plan_id = _free_id(plan.meta.id, taken)
    if plan_id != plan.meta.id:
        yaml_text = _with_plan_id(yaml_text, plan.meta.id, plan_id)
        parse_plan(yaml_text)  # the renamed text is still the same valid plan
    target = plans_dir / f"{plan_id}.yaml"
    # O_EXCL: another publisher at the same moment gets an error, never a replaced file
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(yaml_text)
    return target


def _library_files(settings: Settings) -> list[Path]:
    if settings.plans_dir is None or not Path(settings.plans_dir).is_dir():
        return []
    return sorted(Path(settings.plans_dir).glob("*.yaml"))


def _in_file(problem: Problem, path: Path) -> Problem:
    return replace(problem, path=f"{path.name}: {problem.path}" if problem.path else path.name)


def _free_id(plan_id: str, taken: set[str]) -> str:
    if plan_id not in taken:
        return plan_id
    base = _VERSION_SUFFIX.sub("", plan_id)
    version = 2
    while f"{base}-v{version}" in taken:
        version += 1
    return f"{base}-v{version}"


def _with_plan_id(yaml_text: str, old: str, new: str) -> str:
    """The YAML with `plan: id:` changed from `old` to `new` (text edit: comments, order
    and the draft's notes stay as the reviewer left them)."""
    pattern = re.compile(rf"^(\s+id:\s*['\"]?){re.escape(old)}(['\"]?\s*)$", re.MULTILINE)
    plan_block = re.search(r"^plan:\s*$", yaml_text, re.MULTILINE)
    start = plan_block.end() if plan_block else 0
    match = pattern.search(yaml_text, start)
    if match is None:
        raise PlanError(
            [Problem("plan_id_not_found", "找不到 plan.id", "plan.id not found", path="plan.id")]
        )
    renamed = f"{match.group(1)}{new}{match.group(2)}"
    return yaml_text[: match.start()] + renamed + yaml_text[match.end() :]
