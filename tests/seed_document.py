"""Parse the published text of 肇府办〔2014〕9号 into sections, tasks and unit lists.

This parser is the tests' independent reading of the seed document; the catalog in
data/tasks_2014.yaml is checked against it, so it deliberately shares no code with lib/.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# The text of the published notice, kept in the repository so the fidelity check always runs.
SEED_PATH = Path(__file__).resolve().parents[1] / "data" / "zhaoqing_2014_key_tasks.txt"

SECTION_RE = re.compile(r"^([一二三四五六七八九十]+)、(.+)$")
TASK_RE = re.compile(r"^\(([一二三四五六七八九十]+)\)(.+)$")


@dataclass(frozen=True)
class SeedTask:
    number: int
    section_number: int
    title: str
    text: str
    units: tuple[str, ...]


@dataclass(frozen=True)
class SeedSection:
    number: int
    title: str


def _split_units(inner: str) -> tuple[str, ...]:
    """Split a unit list on 、 outside parentheses; drop the trailing 等负责 clause."""
    inner = inner.split(",列为第一的为牵头单位")[0]
    inner = re.sub(r"(等)?负责$", "", inner)
    units, depth, current = [], 0, ""
    for char in inner:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "、" and depth == 0:
            units.append(current)
            current = ""
        else:
            current += char
    units.append(current)
    return tuple(u.strip() for u in units)


def _split_body(rest: str) -> tuple[str, str, tuple[str, ...]]:
    """Return (title, text, units) of one task paragraph after its (N) number."""
    title, body = rest.split("。", 1)
    if body.endswith("〕"):
        start = body.rindex("〔")
        inner = body[start + 1 : -1]
    else:
        assert body.endswith(")"), body[-20:]
        depth = 0
        for start in range(len(body) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(body[start], 0)
            if depth == 0:
                break
        inner = body[start + 1 : -1]
    return title, body[:start].strip(), _split_units(inner)


def parse_seed(path: Path = SEED_PATH) -> tuple[list[SeedSection], list[SeedTask]]:
    """Return the document's sections and tasks in printed order."""
    sections: list[SeedSection] = []
    tasks: list[SeedTask] = []
    started = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("根据市委"):
            started = True
            continue
        if not started or not line:
            continue
        if match := SECTION_RE.match(line):
            sections.append(SeedSection(len(sections) + 1, match.group(2)))
        elif match := TASK_RE.match(line):
            title, text, units = _split_body(match.group(2))
            tasks.append(SeedTask(len(tasks) + 1, len(sections), title, text, units))
        elif line.startswith("肇庆市人民政府办公室"):
            break
    return sections, tasks
