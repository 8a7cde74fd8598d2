"""The plan file as text and YAML: its bytes and their key, one safe parse, keys written
twice, and the line where each YAML path starts (looked up only when something is wrong)."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from lib.core.errors import PlanError, Problem
from lib.plan.model import dotted_path

YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CHUNK = 1 << 20  # files are hashed a MiB at a time


# --- bytes, text and their key ----------------------------------------------------------------


def plan_bytes(path: Path) -> bytes:
    """The file's bytes; PlanError if it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc) from exc


def plan_text(path: Path, data: bytes) -> str:
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


def yaml_key(data: bytes) -> str:
    """The key of a plan's YAML (Plan.key): the SHA-256 of its bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


def file_yaml_key(path: Path) -> str | None:
    """`yaml_key` of a file's bytes, never all in memory; None if it cannot be read."""
    try:
        with path.open("rb") as file:
            return file_sha256(file)
    except OSError:
        return None


def file_sha256(file: BinaryIO) -> str:
    """SHA-256 of the rest of an open file, in hex, read through one buffer."""
    digest = hashlib.sha256()
    buffer = bytearray(_CHUNK)
    view = memoryview(buffer)
    while size := file.readinto(buffer):
        digest.update(view[:size])
    return digest.hexdigest()


# --- one parse ----------------------------------------------------------------------------------


def read_yaml(text: str) -> tuple[Any, list[Problem]]:
    """One safe parse: the data and the problems of keys written twice; PlanError on a
    syntax error."""
    loader = YamlLoader(text)
    try:
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


def _any_duplicate_key(root: yaml.Node | None) -> bool:
    """Whether `_duplicate_keys` would find anything: the same walk, without YAML paths."""
    # Nodes hash by identity: an anchor's node is visited once however often it is used.
    visited: set[yaml.Node] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if node in visited:
            continue
        visited.add(node)
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
                        path=dotted_path((*path, key)),
                        value=key,
                        line=key_node.start_mark.line + 1,
                    )
                )
            seen.add(key)
    return problems


# --- YAML paths and line numbers, read from the node tree ----------------------------------------


def line_index(text: str) -> dict[tuple[Any, ...], int]:
    """Map each YAML path (keys and list indexes) of text that parsed before to the 1-based
    line where it starts."""
    loader = YamlLoader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
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
    visited: set[yaml.Node] = set()  # by identity, as in `_any_duplicate_key`
    stack = [((), root)] if root is not None else []
    while stack:
        path, node = stack.pop()
        if node in visited:
            continue
        visited.add(node)
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
