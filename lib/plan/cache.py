"""Validated plans kept on disk as Arrow frames, so loading the same YAML again skips the
parse, the checks it already passed and the tabulation.

One directory per plan, named by the YAML's key and a fingerprint of this package's code:
every file's SHA-256 is checked before it is read, the frames are memory-mapped, and a
cache that cannot be read (missing, damaged, of another shape) or written is simply not
used.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import mmap
import os
import shutil
import threading
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from lib.core.arrow_files import write_arrow_file
from lib.plan.model import (
    FRAME_COLUMNS,
    META_DATES,
    Confirmation,
    Plan,
    PlanMeta,
    ReportingCalendar,
    Thresholds,
)
from lib.plan.source import file_sha256

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
PLAN_CACHE_FORMAT = 4
_CACHE_INFO = "plan.json"  # meta, thresholds, unit_lookup and the frames' digests
_LEFTOVER_SECONDS = 3600  # a temporary directory this much older than a save is abandoned


def cached_plan_name(key: str) -> str:
    """The name of the directory holding the plan of the YAML whose key is `key`, as this
    code and these library versions save it."""
    named = f"{_CODE_FINGERPRINT}|{PLAN_CACHE_FORMAT}|{key}".encode()
    return f"plan-{hashlib.sha256(named).hexdigest()[:32]}"


def saved_plan(directory: Path, key: str) -> Plan | None:
    """The plan saved in `directory` (of the YAML whose key is `key`), or None: none there,
    damaged (every file's SHA-256 is checked before Arrow reads it), or not of the shape and
    types `tabulated_plan` makes. No pickle: nothing in the cache is ever run as code.

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
        for name in FRAME_COLUMNS:
            frame = _saved_frame(directory / f"{name}.arrow", info["frames"][name], name)
            if frame is None or not _frame_shaped(name, frame):
                return None
            frames[name] = frame
        return Plan(
            meta=PlanMeta(**_dated(info["meta"])),
            thresholds=Thresholds(**info["thresholds"]),
            **frames,
            unit_lookup=lookup,
            key=key,
            calendar=ReportingCalendar(**info["calendar"]),
            confirmation=Confirmation(**_confirmation_fields(info["confirmation"])),
        )
    except Exception:  # whatever a damaged cache raises, the YAML is still there
        return None


def _confirmation_fields(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "kinds": tuple(values["kinds"])}  # JSON keeps the tuple as a list


def _dated(values: dict[str, Any]) -> dict[str, Any]:
    """Saved PlanMeta fields with its dates read back from ISO text."""
    return {k: date.fromisoformat(v) if k in META_DATES else v for k, v in values.items()}


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
        if file_sha256(file) != sha256:
            return None
        # Hashed by reading, mapped from the same open file: the pages are in the process
        # only once a column is used.
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    # One block per column: consolidating them costs a copy in Arrow's memory pool.
    frame = pa.ipc.open_file(pa.py_buffer(mapped)).read_all().to_pandas(split_blocks=True)
    for column, kind in FRAME_COLUMNS[name].items():
        if column not in frame.columns:
            return None
        if frame[column].dtype.kind in "iufM":
            # numbers and dates in the mapped pages are read-only: copy them (small) so
            # that a caller may change the frame, as it may change what `tabulated_plan` makes
            frame[column] = frame[column].to_numpy(copy=True)
        elif kind == "tuple":
            values = frame[column].tolist()
            if not all(isinstance(v, np.ndarray | list) for v in values):
                return None
            frame[column] = pd.Series([tuple(v) for v in values], index=frame.index, dtype=object)
    return frame


def _frame_shaped(name: str, frame: pd.DataFrame) -> bool:
    """Whether `frame` has the columns, types and index `tabulated_plan` gives frame `name`."""
    expected = FRAME_COLUMNS[name]
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


def save_plan(plan: Plan, directory: Path, replace: bool) -> None:
    """Save the plan's frames (uncompressed Arrow IPC, one file each) and the rest (JSON)
    in a temporary directory, then rename it to `directory`: a reader sees the whole plan
    or none. When another process renamed its copy first, that one stays (it is the same
    plan); a copy there before (`replace`) was unreadable and is swapped for this one.
    Keep the newest PLAN_CACHE_KEEP plans; never fail."""
    partial = directory.with_name(f".{directory.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        if not all(_frame_shaped(name, getattr(plan, name)) for name in FRAME_COLUMNS):
            return  # `saved_plan` would refuse it: saving it would only cost time
        directory.parent.mkdir(parents=True, exist_ok=True)
        _remove(partial)  # left by a crashed process whose id this one reuses
        partial.mkdir()
        digests = {}
        for name in FRAME_COLUMNS:
            path = partial / f"{name}.arrow"
            write_arrow_file(getattr(plan, name), path)
            with path.open("rb") as file:
                digests[name] = file_sha256(file)
        info = {
            "format": PLAN_CACHE_FORMAT,
            "meta": {k: str(v) if isinstance(v, date) else v for k, v in asdict(plan.meta).items()},
            "thresholds": asdict(plan.thresholds),
            "calendar": asdict(plan.calendar),
            "confirmation": asdict(plan.confirmation),
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
