"""The plan catalog: load a plan YAML, validate it, and return it as pandas frames.

The YAML (data/tasks_2014.yaml for 肇府办〔2014〕9号) is the single machine-readable copy of
the document. `load_plan` checks its structure with pydantic models (unknown keys, missing
fields, wrong types) and its meaning with cross-checks (duplicate ids, units missing from
the registry, deadlines outside the plan period ...), and reports every problem at once
with its YAML path, line number and a Chinese + English message.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import io
import json
import math
import mmap
import os
import re
import shutil
import threading
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import yaml

from lib.core.arrow_files import write_arrow_file
from lib.core.collector import collector_paused
from lib.core.errors import PlanError, Problem
from lib.core.text import compact_text

if TYPE_CHECKING:
    from lib.plan.schema import PlanDocument, UnitEntry

YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

UNIT_KINDS = (
    "municipal_department",
    "party_department",
    "county_government",
    "zone_committee",
    "central_agency",
    "group",
)
SECTION_ID_RE = re.compile(r"^S\d{2,}$")
TASK_ID_RE = re.compile(r"^T\d{2,}$")
INDICATOR_ID_RE = re.compile(r"^(T\d{2,})-(\d+)$")
MILESTONE_TARGET = 100.0


_META_DATES = ("issue_date", "period_start", "period_end")  # PlanMeta's date fields


@dataclass(frozen=True)
class PlanMeta:
    """What the document is: its id, title, issuer, number, date and the plan period."""

    id: str
    title: str
    issuer: str
    document_number: str
    issue_date: date
    period_start: date
    period_end: date

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            wanted = date if name in _META_DATES else str
            if not isinstance(value, wanted) or isinstance(value, datetime):
                raise ValueError(f"plan metadata {name} = {value!r} is not a {wanted.__name__}")


# Allowed values of each threshold: (lower bound, whether it may equal it, upper bound).
# The YAML's schema (lib.plan.schema) words a breach for the planner; a Thresholds refuses it.
THRESHOLD_RANGES: dict[str, tuple[float, bool, float]] = {
    "amber_gap": (0.0, True, 1.0),
    "red_gap": (0.0, True, 1.0),
    "above_target_warning_ratio": (1.0, False, math.inf),
    "lead_weight": (0.0, True, math.inf),
    "partner_weight": (0.0, True, math.inf),
}


@dataclass(frozen=True)
class Thresholds:
    """Status-rule parameters a planner may tune without touching code (the YAML's
    `thresholds`), each within its THRESHOLD_RANGES."""

    amber_gap: float = 0.10
    red_gap: float = 0.25
    above_target_warning_ratio: float = 1.5
    lead_weight: float = 1.0
    partner_weight: float = 0.5

    def __post_init__(self) -> None:
        for name, (low, low_allowed, high) in THRESHOLD_RANGES.items():
            value = getattr(self, name)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if not number or not (low <= value if low_allowed else low < value) or value > high:
                raise ValueError(f"threshold {name} = {value!r} is outside its range")


@dataclass(frozen=True)
class Plan:
    """A validated plan: metadata, thresholds and one frame per entity."""

    meta: PlanMeta
    thresholds: Thresholds
    sections: pd.DataFrame
    tasks: pd.DataFrame
    indicators: pd.DataFrame
    units: pd.DataFrame
    responsibilities: pd.DataFrame
    group_members: pd.DataFrame
    unit_lookup: dict[str, str]

    @property
    def period_start(self) -> date:
        return self.meta.period_start

    @property
    def period_end(self) -> date:
        return self.meta.period_end


def load_plan(path: str | Path, cache_dir: str | Path | None = None) -> Plan:
    """Read, validate and tabulate a plan YAML; raise PlanError listing every problem.

    With `cache_dir`, the frames of a plan that passed every check are also kept there, as
    Arrow files in a directory named by a hash of the file's bytes and of this module's code
    (its rules, schema and frames), so loading the same file again skips the YAML parse, the
    checks it already passed and the tabulation: the file is only hashed, the frames are
    memory-mapped, and a province's plan (30,000 indicators) loads in about 0.05 s instead
    of 3.5 s, its text columns staying in the mapped pages. A cache that cannot be read
    (missing, damaged, of another shape) or written is simply not used.
    """
    path = Path(path)
    if cache_dir is None:
        return parse_plan(_plan_text(path, _plan_bytes(path)))
    cache_dir = Path(cache_dir)
    # Hashed as it is read: on a hit a province's 12 MB file is never in memory whole.
    key = _file_key(path)
    saved = cache_dir / f"plan-{key}" if key else None
    if saved is not None and saved.exists():
        plan = _saved_plan(saved)
        if plan is not None:
            return plan
    else:
        saved = None
    data = _plan_bytes(path)
    # The key of the bytes parsed: the file may have changed since it was hashed.
    cached = cache_dir / f"plan-{_cache_key(data)}"
    text = _plan_text(path, data)
    del data  # not beside the parse's peak
    plan = parse_plan(text)
    _save_plan(plan, cached, replace=cached == saved)  # `saved` is there but unreadable
    return plan


def _plan_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc) from exc


def _plan_text(path: Path, data: bytes) -> str:
    """The text of the file as `Path.read_text` decodes it (UTF-8, universal newlines)."""
    try:
        return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()
    except UnicodeDecodeError as exc:
        raise _unreadable(path, exc) from exc


def _unreadable(path: Path, exc: Exception) -> PlanError:
    return PlanError(
        [
            Problem(
                "plan_unreadable",
                f"无法读取计划文件：{exc}",
                f"cannot read the plan file: {exc}",
                path=str(path),
            )
        ]
    )


def parse_plan(text: str) -> Plan:
    """Validate plan YAML text and return the Plan; raise PlanError listing every problem."""
    return _tabulate(_checked_document(text))


def _checked_document(text: str) -> PlanDocument:
    """The validated document of plan YAML text; raise PlanError listing every problem."""
    raw, duplicates = _read_yaml(text)
    if not isinstance(raw, dict):
        raise PlanError(
            [Problem("not_a_mapping", "计划文件应为 YAML 映射", "plan must be a mapping")]
        )
    from lib.plan.schema import validated_document  # pydantic: only when YAML is parsed

    document, structure = validated_document(raw)
    problems = duplicates + structure + _meaning_problems(raw)
    if problems or document is None:
        raise PlanError(_with_lines(problems, _line_index(_composed(text))))
    return document


# --- validated plans kept as Arrow frames ----------------------------------------------------

# The rules, the schema and the frames are made in this package (the schema read by
# pydantic); pyarrow and pandas write and read the frames back. A change to any of them
# makes every cached plan stale.
_CODE_FINGERPRINT = hashlib.sha256(
    b"".join(p.read_bytes() for p in sorted(Path(__file__).parent.glob("*.py")))
    + f"|{importlib.metadata.version('pydantic')}|{pa.__version__}|{pd.__version__}".encode()
).hexdigest()
PLAN_CACHE_KEEP = 4  # newest cached plans kept per cache directory
# 1 was the validated document as one JSON file, plan-<key>.json; 2 kept meta and thresholds
# as pydantic dumps
PLAN_CACHE_FORMAT = 3
_CACHE_INFO = "plan.json"  # meta, thresholds, unit_lookup and the frames' digests
_LEFTOVER_SECONDS = 3600  # a temporary directory this much older than a save is abandoned
_CHUNK = 1 << 20  # files are hashed a MiB at a time


def _cache_key(data: bytes) -> str:
    """The name of the cached plan of a plan file's bytes (and of this code)."""
    digest = _key_digest()
    digest.update(data)
    return digest.hexdigest()[:32]


def _file_key(path: Path) -> str | None:
    """`_cache_key` of a file's bytes, never all in memory; None if it cannot be read."""
    try:
        with path.open("rb") as file:
            return _file_digest(file, _key_digest())[:32]
    except OSError:
        return None


def _key_digest() -> Any:
    return hashlib.sha256(f"{_CODE_FINGERPRINT}|{PLAN_CACHE_FORMAT}|".encode())


def _file_digest(file: BinaryIO, digest: Any = None) -> str:
    """SHA-256 (or `digest` updated) of the rest of an open file, read through one buffer."""
    digest = digest or hashlib.sha256()
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    while size := file.readinto(buffer):
        digest.update(view[:size])
    return digest.hexdigest()


def _saved_plan(directory: Path) -> Plan | None:
    """The plan saved in `directory`, or None: none there, damaged (every file's SHA-256 is
    checked before Arrow reads it), or not of the shape and types `_tabulate` makes. No
    pickle: nothing in the cache is ever run as code.

    The frames are memory-mapped and their text columns stay in the mapped pages (pandas'
    "str" columns are Arrow arrays): they are the page cache's, not a copy in the process.
    Cache files are therefore never changed in place: a plan is written to a temporary
    directory that is then renamed, and removed by unlinking (a mapping outlives that).
    """
    try:
        info = _read_info(directory)
        lookup = info["unit_lookup"] if info["format"] == PLAN_CACHE_FORMAT else None
        if not _text_mapping(lookup) or not _text_mapping(info["frames"]):
            return None
        frames = {}
        for name in _FRAME_COLUMNS:
            frame = _saved_frame(directory / f"{name}.arrow", info["frames"][name], name)
            if frame is None or not _frame_shaped(name, frame):
                return None
            frames[name] = frame
        return Plan(
            meta=PlanMeta(**_dated(info["meta"])),
            thresholds=Thresholds(**info["thresholds"]),
            **frames,
            unit_lookup=lookup,
        )
    except Exception:  # whatever a damaged cache raises, the YAML is still there
        return None


def _dated(values: dict[str, Any]) -> dict[str, Any]:
    """Saved PlanMeta fields with its dates read back from ISO text."""
    return {k: date.fromisoformat(v) if k in _META_DATES else v for k, v in values.items()}


def _read_info(directory: Path) -> dict[str, Any]:
    """The JSON beside the frames, checked against the digest it is stored with."""
    stored = json.loads((directory / _CACHE_INFO).read_bytes())
    body = stored["info"]
    if hashlib.sha256(body.encode("utf-8")).hexdigest() != stored["sha256"]:
        raise ValueError("damaged")
    info = json.loads(body)
    if not isinstance(info, dict):
        raise ValueError("not a mapping")
    return info


def _write_info(directory: Path, info: dict[str, Any]) -> None:
    body = json.dumps(info, ensure_ascii=False)
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    stored = json.dumps({"sha256": digest, "info": body}, ensure_ascii=False)
    (directory / _CACHE_INFO).write_text(stored, encoding="utf-8")


def _saved_frame(path: Path, sha256: str, name: str) -> pd.DataFrame | None:
    """Frame `name` read back from the Arrow file at `path` if its digest is `sha256`,
    with tuples again where Arrow has lists; None otherwise."""
    with path.open("rb") as file:
        if _file_digest(file) != sha256:
            return None
        # Hashed by reading, mapped from the same open file: the pages are in the process
        # only once a column is used.
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    # One block per column: consolidating them costs a copy in Arrow's memory pool.
    frame = pa.ipc.open_file(pa.py_buffer(mapped)).read_all().to_pandas(split_blocks=True)
    for column, kind in _FRAME_COLUMNS[name].items():
        if column not in frame.columns:
            return None
        if frame[column].dtype.kind in "iufM":
            # numbers and dates in the mapped pages are read-only: copy them (small) so
            # that a caller may change the frame, as it may change what `_tabulate` makes
            frame[column] = frame[column].to_numpy(copy=True)
        elif kind == "tuple":
            values = frame[column].tolist()
            if not all(isinstance(v, np.ndarray | list) for v in values):
                return None
            frame[column] = pd.Series([tuple(v) for v in values], index=frame.index, dtype=object)
    return frame


def _frame_shaped(name: str, frame: pd.DataFrame) -> bool:
    """Whether `frame` has the columns, types and index `_tabulate` gives frame `name`."""
    expected = _FRAME_COLUMNS[name]
    index = frame.index
    if list(frame.columns) != list(expected) or not (
        isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
    ):
        return False
    for column, kind in expected.items():
        values, dtype = frame[column], frame[column].dtype
        if kind == "str":
            ok = dtype == "str" or (dtype == "object" and all(v is None for v in values))
        elif kind == "tuple":
            ok = dtype == "object" and all(
                isinstance(v, tuple) and all(isinstance(item, str) for item in v) for v in values
            )
        else:
            ok = dtype == kind
        if not ok:
            return False
    return True


def _text_mapping(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


def _save_plan(plan: Plan, directory: Path, replace: bool) -> None:
    """Save the plan's frames (uncompressed Arrow IPC, one file each) and the rest (JSON)
    in a temporary directory, then rename it to `directory`: a reader sees the whole plan
    or none. When another process renamed its copy first, that one stays (it is the same
    plan); a copy there before (`replace`) was unreadable and is swapped for this one.
    Keep the newest PLAN_CACHE_KEEP plans; never fail."""
    partial = directory.with_name(f".{directory.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        if not all(_frame_shaped(name, getattr(plan, name)) for name in _FRAME_COLUMNS):
            return  # `_saved_plan` would refuse it: saving it would only cost time
        directory.parent.mkdir(parents=True, exist_ok=True)
        _remove(partial)  # left by a crashed process whose id this one reuses
        partial.mkdir()
        digests = {}
        for name in _FRAME_COLUMNS:
            path = partial / f"{name}.arrow"
            write_arrow_file(getattr(plan, name), path)
            with path.open("rb") as file:
                digests[name] = _file_digest(file)
        info = {
            "format": PLAN_CACHE_FORMAT,
            "meta": {k: str(v) if isinstance(v, date) else v for k, v in asdict(plan.meta).items()},
            "thresholds": asdict(plan.thresholds),
            "unit_lookup": plan.unit_lookup,
            "frames": digests,
        }
        _write_info(partial, info)
        if replace:
            _remove(directory)
        try:
            os.rename(partial, directory)
        except OSError:
            return  # another process saved the same plan first (`finally` drops this copy)
        _prune(directory.parent, directory)
    except Exception:
        pass  # a read-only or full disk only costs the next load its speed
    finally:
        _remove(partial)


def _prune(cache_dir: Path, newest: Path) -> None:
    """Keep the newest PLAN_CACHE_KEEP plans; drop plans of the JSON format (never read
    now) and temporary directories abandoned by crashed processes."""
    saved_at = newest.stat().st_mtime
    plans = []
    for entry in cache_dir.glob("plan-*"):
        mtime = _mtime(entry)
        if entry.suffix == ".json" and entry.is_file():
            _remove(entry)
        elif mtime is not None and entry.is_dir():
            plans.append((mtime, entry))
    for _, stale in sorted(plans)[:-PLAN_CACHE_KEEP]:
        _remove(stale)
    for leftover in cache_dir.glob(".plan-*"):
        mtime = _mtime(leftover)
        if mtime is not None and mtime < saved_at - _LEFTOVER_SECONDS:
            _remove(leftover)


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None  # removed meanwhile by another process


def _remove(path: Path) -> None:
    """Remove a file or a directory tree if it is there; a mapped file stays readable."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def _read_yaml(text: str) -> tuple[Any, list[Problem]]:
    """One safe parse: the data and duplicate-key problems."""
    loader = YamlLoader(text)
    try:
        with collector_paused():
            root = loader.get_single_node()
            # Inspect the tree before construction: merge keys (<<) rewrite it in place.
            # Paths are built only when a duplicate exists: at 30,000 indicators building
            # them for every node costs more than parsing the file.
            duplicates = _duplicate_keys(root) if _any_duplicate_key(root) else []
            raw = loader.construct_document(root) if root is not None else None
        return raw, duplicates
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        raise PlanError(
            [
                Problem(
                    "yaml_syntax",
                    f"YAML 语法错误：{reason}",
                    f"YAML syntax error: {reason}",
                    line=mark.line + 1 if mark else None,
                )
            ]
        ) from exc
    finally:
        loader.dispose()


def _composed(text: str) -> yaml.Node | None:
    """The node tree of text that parsed before (for line numbers of problems)."""
    loader = YamlLoader(text)
    try:
        with collector_paused():
            return loader.get_single_node()
    finally:
        loader.dispose()


def _any_duplicate_key(root: yaml.Node | None) -> bool:
    """Whether `_duplicate_keys` would find anything: the same walk, without YAML paths."""
    visited: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            pairs = _scalar_keyed(node)
            keys = [key.value for key, _ in pairs if key.value != "<<"]
            if len(set(keys)) != len(keys):
                return True
            stack.extend(value for _, value in pairs)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return False


def _duplicate_keys(root: yaml.Node | None) -> list[Problem]:
    """A key written twice in one mapping: YAML keeps the last silently, a planner should know."""
    problems: list[Problem] = []
    for path, node in _nodes(root):
        seen: set[str] = set()
        for key_node, _ in _scalar_keyed(node):
            key = key_node.value
            if key == "<<":
                continue
            if key in seen:
                problems.append(
                    Problem(
                        "duplicate_key",
                        f"字段“{key}”在同一处重复出现，只有最后一个生效",
                        f"key '{key}' appears twice here; only the last one counts",
                        path=_dotted((*path, key)),
                        value=key,
                        line=key_node.start_mark.line + 1,
                    )
                )
            seen.add(key)
    return problems


# --- meaning: cross-checks on the raw mapping ------------------------------------------------


def _meaning_problems(raw: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    registry = _registry_names(raw, problems)
    start, end = _plan_period(raw, problems)
    _check_thresholds(raw, problems)
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
                _check_indicator(
                    indicator,
                    (*t_where, "indicators", i_i),
                    task_id,
                    task.get("text"),
                    (start, end),
                    ids,
                    problems,
                )
    return problems


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
            problems.append(
                Problem(
                    "duplicate_unit",
                    f"单位名称重复：{name}",
                    f"unit listed twice in the registry: {name}",
                    path=_dotted(("units", i, "name")),
                    value=name,
                )
            )
        kinds[name] = str(unit.get("kind"))
        owner_of.setdefault(compact_text(name), name)
    for i, unit in _items(raw, "units"):
        if isinstance(unit.get("name"), str):
            _check_aliases(unit, i, owner_of, problems)
        members = unit.get("members")
        if members and unit.get("kind") != "group":
            problems.append(
                Problem(
                    "members_on_non_group",
                    "只有 kind: group 的单位可以列出 members",
                    "only units of kind 'group' may list members",
                    path=_dotted(("units", i, "members")),
                )
            )
        for m_i, member in enumerate(members or []):
            if isinstance(member, str) and member not in {
                u.get("name") for _, u in _items(raw, "units")
            }:
                problems.append(
                    Problem(
                        "unknown_member",
                        f"成员单位“{member}”未在 units 中登记",
                        f"group member '{member}' is not in the units registry",
                        path=_dotted(("units", i, "members", m_i)),
                        value=member,
                    )
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
            problems.append(
                Problem(
                    "ambiguous_alias",
                    f"简称或全称“{alias}”已是单位“{owner}”的名称或简称",
                    f"alias '{alias}' already names another unit ('{owner}')",
                    path=_dotted(loc),
                    value=alias,
                )
            )


def _plan_period(raw: dict[str, Any], problems: list[Problem]) -> tuple[date | None, date | None]:
    meta = raw.get("plan") if isinstance(raw.get("plan"), dict) else {}
    start, end = _as_date(meta.get("period_start")), _as_date(meta.get("period_end"))
    if start and end and start > end:
        problems.append(
            Problem(
                "period_reversed",
                "计划期起始日期晚于结束日期",
                "plan period starts after it ends",
                path="plan.period_end",
                value=str(end),
            )
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
        problems.append(
            Problem(
                "thresholds_order",
                "黄色预警差距 amber_gap 不应大于红色预警差距 red_gap",
                "amber_gap must not exceed red_gap",
                path="thresholds.amber_gap",
                value=str(amber),
            )
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
        problems.append(
            Problem(
                f"bad_{what}_id",
                f"{labels[what]}编号“{value}”格式不正确（应如 {pattern.pattern}）",
                f"{what} id '{value}' does not match {pattern.pattern}",
                path=_dotted((*where, "id")),
                value=value,
            )
        )
    seen[value] += 1
    if seen[value] > 1:
        problems.append(
            Problem(
                "duplicate_id",
                f"编号“{value}”重复出现",
                f"id '{value}' is used more than once",
                path=_dotted((*where, "id")),
                value=value,
            )
        )


def _check_task_units(
    task: dict[str, Any], where: tuple[Any, ...], registry: dict[str, str], problems: list[Problem]
) -> None:
    units = task.get("units")
    if not isinstance(units, list):
        return
    for u_i, unit in enumerate(units):
        if isinstance(unit, str) and unit not in registry:
            problems.append(
                Problem(
                    "unknown_unit",
                    f"责任单位“{unit}”未在 units 中登记",
                    f"responsible unit '{unit}' is not in the units registry",
                    path=_dotted((*where, "units", u_i)),
                    value=unit,
                )
            )
    for unit, count in Counter(u for u in units if isinstance(u, str)).items():
        if count > 1:
            problems.append(
                Problem(
                    "duplicate_task_unit",
                    f"责任单位“{unit}”在同一任务中重复列出",
                    f"unit '{unit}' is listed twice for the same task",
                    path=_dotted((*where, "units")),
                    value=unit,
                )
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
        problems.append(
            Problem(
                "indicator_task_mismatch",
                f"指标编号“{ind_id}”与所属任务“{task_id}”不符",
                f"indicator id '{ind_id}' does not belong to task '{task_id}'",
                path=_dotted((*where, "id")),
                value=ind_id,
            )
        )
    deadline, (start, end) = _as_date(indicator.get("deadline")), period
    if isinstance(deadline, date) and start and end and not start <= deadline <= end:
        problems.append(
            Problem(
                "deadline_outside_period",
                f"完成时限 {deadline} 不在计划期 {start}~{end} 内",
                f"deadline {deadline} is outside the plan period {start}..{end}",
                path=_dotted((*where, "deadline")),
                value=str(deadline),
            )
        )
    target, baseline = indicator.get("target"), indicator.get("baseline")
    numeric = (int, float)
    if indicator.get("kind") == "milestone" and isinstance(target, numeric) and target != 100:
        problems.append(
            Problem(
                "milestone_target",
                "节点类指标的目标值应为 100（完成百分比）",
                "a milestone's target must be 100 (percent done)",
                path=_dotted((*where, "target")),
                value=str(target),
            )
        )
    if isinstance(target, numeric) and isinstance(baseline, numeric) and target == baseline:
        problems.append(
            Problem(
                "target_equals_baseline",
                "目标值与基数相同，无法计算进度",
                "target equals baseline, so progress cannot be computed",
                path=_dotted((*where, "target")),
                value=str(target),
            )
        )
    source, text = indicator.get("source"), task_text
    if isinstance(source, str) and isinstance(text, str) and source not in text:
        problems.append(
            Problem(
                "source_not_in_text",
                "source 引文未在任务原文中找到（须逐字摘录）",
                "source is not a verbatim quote of the task text",
                path=_dotted((*where, "source")),
                value=_short(source),
            )
        )


# --- YAML paths and line numbers, read from the node tree (only when something is wrong) --------


def _with_lines(problems: list[Problem], lines: dict[tuple[Any, ...], int]) -> list[Problem]:
    located = []
    for p in problems:
        line = p.line
        if line is None and p.path:
            parts = _undotted(p.path)
            while parts and tuple(parts) not in lines:
                parts = parts[:-1]
            line = lines.get(tuple(parts))
        located.append(Problem(**{**p.as_dict(), "line": line}))
    return located


def _line_index(root: yaml.Node | None) -> dict[tuple[Any, ...], int]:
    """Map each YAML path (keys and list indexes) to the 1-based line where it starts."""
    index: dict[tuple[Any, ...], int] = {}
    for path, node in _nodes(root):
        # A mapping's key line was recorded first and wins over where its value starts.
        index.setdefault(path, node.start_mark.line + 1)
        for key, _ in _scalar_keyed(node):
            index[(*path, key.value)] = key.start_mark.line + 1
    return index


def _nodes(root: yaml.Node | None) -> list[tuple[tuple[Any, ...], yaml.Node]]:
    """Every node with its YAML path, each visited once (anchors may repeat or recurse)."""
    found: list[tuple[tuple[Any, ...], yaml.Node]] = []
    visited: set[int] = set()
    stack = [((), root)] if root is not None else []
    while stack:
        path, node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        found.append((path, node))
        if isinstance(node, yaml.MappingNode):
            pairs = _scalar_keyed(node)
            stack.extend(((*path, key.value), value) for key, value in reversed(pairs))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(((*path, i), item) for i, item in reversed(list(enumerate(node.value))))
    return found


def _scalar_keyed(node: yaml.Node) -> list[tuple[yaml.Node, yaml.Node]]:
    """A mapping's (key, value) pairs whose key is plain text; none for other nodes."""
    if not isinstance(node, yaml.MappingNode):
        return []
    return [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _undotted(path: str) -> list[Any]:
    parts: list[Any] = []
    for token in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        parts.append(int(token[1:-1]) if token.startswith("[") else token)
    return parts


def _short(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


# --- frames ---------------------------------------------------------------------------------


INDICATOR_COLUMNS = [
    "indicator_id", "task_id", "section_id", "seq", "name", "kind", "target", "unit",
    "direction", "baseline", "baseline_note", "deadline", "source", "lead_unit",
]  # fmt: skip
RESPONSIBILITY_COLUMNS = ["task_id", "section_id", "unit", "role", "position"]

# Every frame's columns and what they hold: "str" is pandas' "str" dtype (object if the
# column holds no text at all: no rows, or only None as `baseline_note` may), "tuple" an
# object column of tuples of text (Arrow keeps them as lists).
_FRAME_COLUMNS: dict[str, dict[str, str]] = {
    "sections": {"section_id": "str", "section_no": "int64", "title": "str"},
    "tasks": {
        "task_id": "str", "task_no": "int64", "section_id": "str", "title": "str",
        "text": "str", "lead_unit": "str", "unit_count": "int64",
    },
    "indicators": {
        **dict.fromkeys(INDICATOR_COLUMNS, "str"),
        "seq": "int64", "target": "float64", "baseline": "float64",
        "deadline": "datetime64[s]",
    },
    "units": {
        "unit": "str", "full_name": "str", "kind": "str", "aliases": "tuple", "members": "tuple",
    },
    "responsibilities": {**dict.fromkeys(RESPONSIBILITY_COLUMNS, "str"), "position": "int64"},
    "group_members": {"group": "str", "member": "str"},
}  # fmt: skip


def _tabulate(doc: PlanDocument) -> Plan:
    section_rows, task_rows, indicator_rows, resp_rows = [], [], [], []
    for s_no, section in enumerate(doc.sections, start=1):
        section_rows.append({"section_id": section.id, "section_no": s_no, "title": section.title})
        for task in section.tasks:
            task_rows.append(
                {
                    "task_id": task.id,
                    "task_no": len(task_rows) + 1,
                    "section_id": section.id,
                    "title": task.title,
                    "text": task.text,
                    "lead_unit": task.units[0],
                    "unit_count": len(task.units),
                }
            )
            # tuples, not a dict per row: a province has 40,000 of these and 30,000 below
            for position, unit in enumerate(task.units, start=1):
                role = "lead" if position == 1 else "partner"
                resp_rows.append((task.id, section.id, unit, role, position))
            for seq, ind in enumerate(task.indicators, start=1):
                indicator_rows.append(
                    (
                        ind.id,
                        task.id,
                        section.id,
                        seq,
                        ind.name,
                        ind.kind,
                        float(ind.target),
                        ind.unit,
                        ind.direction,
                        float(ind.baseline or 0.0),
                        ind.baseline_note,
                        pd.Timestamp(ind.deadline),
                        ind.source,
                        task.units[0],
                    )
                )
    units = pd.DataFrame(
        [
            {
                "unit": u.name,
                "full_name": u.full_name or u.name,
                "kind": u.kind,
                "aliases": tuple(u.aliases),
                "members": tuple(u.members or ()),
            }
            for u in doc.units
        ]
    )
    members = pd.DataFrame(
        [(u.name, m) for u in doc.units for m in (u.members or [])], columns=["group", "member"]
    )
    return Plan(
        meta=PlanMeta(**doc.plan.model_dump()),
        thresholds=Thresholds(**doc.thresholds.model_dump()),
        sections=pd.DataFrame(section_rows),
        tasks=pd.DataFrame(task_rows),
        indicators=pd.DataFrame(indicator_rows, columns=INDICATOR_COLUMNS),
        units=units,
        responsibilities=pd.DataFrame(resp_rows, columns=RESPONSIBILITY_COLUMNS),
        group_members=members,
        unit_lookup=_unit_lookup(doc.units),
    )


def _unit_lookup(units: list[UnitEntry]) -> dict[str, str]:
    """Normalized name, full name or alias -> canonical unit name."""
    lookup: dict[str, str] = {}
    for unit in units:
        for name in (unit.name, unit.full_name, *unit.aliases):
            if name:
                lookup.setdefault(compact_text(name), unit.name)
    return lookup


def resolve_unit(plan: Plan, name: str) -> str | None:
    """Canonical unit name for what a person wrote (alias, full name, width variants)."""
    return plan.unit_lookup.get(compact_text(name))


def units_responsible_for(plan: Plan, task_id: str) -> set[str]:
    """Every unit answerable for a task: listed units plus members of listed groups."""
    listed = set(plan.responsibilities.loc[plan.responsibilities["task_id"] == task_id, "unit"])
    members = plan.group_members.loc[plan.group_members["group"].isin(listed), "member"]
    return listed | set(members)


def plan_summary(plan: Plan) -> str:
    """One line: 10 sections, 39 tasks, N indicators, M units."""
    return (
        f"{len(plan.sections)} sections, {len(plan.tasks)} tasks, "
        f"{len(plan.indicators)} indicators, {len(plan.units)} units"
    )
