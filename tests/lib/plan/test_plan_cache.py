"""load_plan's cache of validated plans (one directory of Arrow frames per plan): same
frames, skipped parse, never a stale or invalid plan, never a failure because of the cache,
never a half-written cache."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import lib.plan.cache as plan_cache
import lib.plan.loader as plan_loader
from lib.core.errors import PlanError
from lib.plan.cache import PLAN_CACHE_KEEP
from lib.plan.loader import load_plan, parse_plan
from lib.plan.source import file_sha256
from lib.services.settings import DEFAULT_PLAN_FILE
from tests.support import TEST_PLAN_HEADER

FRAMES = ("sections", "tasks", "indicators", "units", "responsibilities", "group_members")
CACHE_FILES = {f"{name}.arrow" for name in FRAMES} | {"plan.json"}

# A plan whose frames take the shapes the real catalog never gives: no group members (an
# empty frame, object columns), no baseline_note at all (an object column of None), no
# aliases or members on any unit (only empty tuples).
BARE_PLAN = (
    TEST_PLAN_HEADER
    + """
units:
- name: 市发展改革局
  kind: municipal_department
- name: 各县(市、区)政府
  kind: group
sections:
- id: S01
  title: 第一部分
  tasks:
  - id: T01
    title: 任务一
    text: 城镇污水处理率达到90%。
    units: [市发展改革局, 各县(市、区)政府]
    indicators:
    - id: T01-1
      name: 城镇污水处理率
      kind: quantity
      target: 90
      unit: '%'
      direction: increase
      baseline: 80
      deadline: 2014-12-31
      source: 城镇污水处理率达到90%
"""
)


def assert_same_plan(a, b):
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert a.meta == b.meta and a.thresholds == b.thresholds and a.unit_lookup == b.unit_lookup


def saved_plans(cache_dir: Path) -> list[Path]:
    return sorted(p for p in cache_dir.glob("plan-*") if p.is_dir())


def entries(cache_dir: Path) -> list[str]:
    return sorted(p.name for p in cache_dir.iterdir()) if cache_dir.exists() else []


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The YAML texts validated from here on (a cache hit validates none)."""
    calls: list[str] = []
    real = plan_loader._checked_document

    def counting(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(plan_loader, "_checked_document", counting)
    return calls


def test_cached_plan_equals_the_parsed_one(tmp_path):
    parsed = load_plan(DEFAULT_PLAN_FILE)
    first = load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path)
    second = load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path)
    (saved,) = saved_plans(tmp_path)
    assert entries(tmp_path) == [saved.name]
    assert set(entries(saved)) == CACHE_FILES
    assert_same_plan(parsed, first)
    assert_same_plan(parsed, second)


def test_second_load_skips_the_yaml(tmp_path, monkeypatch):
    load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path)

    def no_parse(text):
        raise AssertionError("parsed the YAML again")

    monkeypatch.setattr(plan_loader, "_checked_document", no_parse)
    assert len(load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path).tasks) == 39


@pytest.mark.parametrize("text", [BARE_PLAN, DEFAULT_PLAN_FILE.read_text(encoding="utf-8")])
def test_every_frame_and_its_types_are_the_same_after_a_hit(tmp_path, parses, text):
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    parsed = parse_plan(text)
    load_plan(path, cache_dir=tmp_path / "cache")
    del parses[:]
    hit = load_plan(path, cache_dir=tmp_path / "cache")
    assert parses == []  # the frames came from the cache
    assert_same_plan(parsed, hit)
    for name in FRAMES:
        assert getattr(hit, name).dtypes.to_dict() == getattr(parsed, name).dtypes.to_dict()
    for column in ("aliases", "members"):
        assert all(type(v) is tuple for v in hit.units[column])
        assert hit.units[column].tolist() == parsed.units[column].tolist()
    assert str(hit.indicators["deadline"].dtype) == "datetime64[s]"
    assert hit.indicators["target"].tolist() == parsed.indicators["target"].tolist()


def test_the_shapes_the_real_catalog_never_has_survive_the_cache(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(BARE_PLAN, encoding="utf-8")
    load_plan(path, cache_dir=tmp_path / "cache")
    hit = load_plan(path, cache_dir=tmp_path / "cache")
    assert hit.group_members.empty and list(hit.group_members.columns) == ["group", "member"]
    assert hit.indicators["baseline_note"].tolist() == [None]
    assert hit.units["aliases"].tolist() == [(), ()]
    assert hit.units["members"].tolist() == [(), ()]
    assert hit.responsibilities["unit"].tolist() == ["市发展改革局", "各县(市、区)政府"]


def test_a_hit_returns_frames_a_caller_may_change(tmp_path):
    load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path)
    plan = load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path)
    plan.indicators.loc[0, "target"] = 1.5
    plan.indicators.loc[0, "seq"] = 9
    plan.indicators.loc[0, "deadline"] = pd.Timestamp("2014-01-31")
    plan.units.loc[0, "aliases"] = ("别名",)
    assert plan.indicators.loc[0, ["target", "seq"]].tolist() == [1.5, 9]
    assert plan.units.loc[0, "aliases"] == ("别名",)
    # ... and the next load still reads what was saved
    assert_same_plan(load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path), parse_plan_file())


def parse_plan_file():
    return parse_plan(DEFAULT_PLAN_FILE.read_text(encoding="utf-8"))


def test_edited_plan_is_parsed_again(tmp_path):
    path = tmp_path / "plan.yaml"
    text = DEFAULT_PLAN_FILE.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    load_plan(path, cache_dir=tmp_path / "cache")
    path.write_text(text.replace("amber_gap: 0.1", "amber_gap: 0.2"), encoding="utf-8")
    assert load_plan(path, cache_dir=tmp_path / "cache").thresholds.amber_gap == 0.2
    assert len(saved_plans(tmp_path / "cache")) == 2


def test_windows_line_ends_load_as_read_text_reads_them(tmp_path, parses):
    path = tmp_path / "plan.yaml"
    path.write_bytes(DEFAULT_PLAN_FILE.read_bytes().replace(b"\n", b"\r\n"))
    expected = parse_plan(path.read_text(encoding="utf-8"))
    assert_same_plan(load_plan(path, cache_dir=tmp_path / "cache"), expected)
    assert_same_plan(load_plan(path, cache_dir=tmp_path / "cache"), expected)
    assert len(parses) == 2  # `expected`, then the first load; the second was a hit


def test_unreadable_plan_is_a_plan_error_with_a_cache_too(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"schema_version: 1\n\xff\xfe")
    for missing_or_broken in (tmp_path / "missing.yaml", path):
        with pytest.raises(PlanError) as error:
            load_plan(missing_or_broken, cache_dir=tmp_path / "cache")
        assert error.value.problems[0].code == "plan_unreadable"
    assert entries(tmp_path / "cache") == []


def test_invalid_plan_is_never_cached(tmp_path):
    path = tmp_path / "plan.yaml"
    text = DEFAULT_PLAN_FILE.read_text(encoding="utf-8")
    path.write_text(text.replace("amber_gap: 0.1", "amber_gap: 0.9"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(PlanError) as error:
            load_plan(path, cache_dir=tmp_path / "cache")
        assert error.value.problems[0].code == "thresholds_order"
    assert entries(tmp_path / "cache") == []


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def scribble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 3 : len(data) // 3 + 64] = b"\xff" * 64
    path.write_bytes(bytes(data))


DAMAGE = {
    "truncated": truncate,
    "empty": lambda path: path.write_bytes(b""),
    "scribbled": scribble,
    "not arrow": lambda path: path.write_text('{"schema_version": 1, "plan": {', "utf-8"),
    "removed": lambda path: path.unlink(),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=str)
@pytest.mark.parametrize("file", sorted(CACHE_FILES))
def test_damaged_cache_file_is_ignored_and_replaced(tmp_path, parses, file, damage):
    expected = parse_plan_file()
    load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path)  # a miss: nothing of the cache is mapped
    (saved,) = saved_plans(tmp_path)
    DAMAGE[damage](saved / file)
    del parses[:]
    assert_same_plan(load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path), expected)
    assert len(parses) == 1  # every damage is seen: the YAML was parsed again
    del parses[:]
    assert_same_plan(load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path), expected)
    assert parses == []  # the damaged copy was replaced by a whole one
    assert entries(tmp_path) == [saved.name]
    assert set(entries(saved)) == CACHE_FILES


def replace_frame(path: Path, frame: pd.DataFrame, preserve_index: bool = False) -> None:
    """Write a frame over a cache file the way the cache is written: never in place."""
    table = pa.Table.from_pandas(frame, preserve_index=preserve_index)
    partial = path.with_name(path.name + ".new")
    with pa.OSFile(str(partial), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
        out.write_table(table)
    os.replace(partial, path)


def resign(saved: Path) -> None:
    """Record the digests of the frames now in `saved`: as if this code had written them
    (another pandas or pyarrow than the one it was written for, say)."""
    info = plan_cache._read_info(saved)
    for name in FRAMES:
        with (saved / f"{name}.arrow").open("rb") as file:
            info["frames"][name] = file_sha256(file)
    plan_cache._write_info(saved, info)


def other_shape(name, change):
    def edit(plan):
        return name, change(getattr(plan, name).copy())

    return edit


WRONG_SHAPES = {
    "renamed column": other_shape("tasks", lambda f: f.rename(columns={"title": "name"})),
    "missing column": other_shape("indicators", lambda f: f.drop(columns=["source"])),
    "extra column": other_shape("sections", lambda f: f.assign(extra=1)),
    "columns reordered": other_shape("group_members", lambda f: f[["member", "group"]]),
    "int as float": other_shape("indicators", lambda f: f.assign(seq=f["seq"].astype(float))),
    "date as text": other_shape(
        "indicators", lambda f: f.assign(deadline=f["deadline"].dt.strftime("%Y-%m-%d"))
    ),
    "date in ns": other_shape(
        "indicators", lambda f: f.assign(deadline=f["deadline"].astype("datetime64[ns]"))
    ),
    "text as numbers": other_shape("responsibilities", lambda f: f.assign(unit=1.0)),
    "tuples as text": other_shape("units", lambda f: f.assign(aliases=f["aliases"].map("|".join))),
    "tuples of numbers": other_shape(
        "units", lambda f: f.assign(members=[(1.0,)] * len(f)).astype({"members": object})
    ),
    "text as categories": other_shape("indicators", lambda f: f.astype({"kind": "category"})),
    "an index": other_shape("sections", lambda f: f.set_index("section_id", drop=False)),
}


@pytest.mark.parametrize("shape", WRONG_SHAPES)
def test_frame_of_another_shape_is_a_miss(tmp_path, parses, shape):
    expected = parse_plan_file()
    load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path)
    (saved,) = saved_plans(tmp_path)
    name, frame = WRONG_SHAPES[shape](expected)
    # (preserve_index=False would drop the index this case is about)
    replace_frame(saved / f"{name}.arrow", frame, preserve_index=shape == "an index")
    resign(saved)  # the digests match: only the shape is wrong
    assert plan_cache.saved_plan(saved, expected.key) is None
    del parses[:]
    assert_same_plan(load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path), expected)
    assert len(parses) == 1  # a miss: the YAML was parsed again
    assert plan_cache.saved_plan(saved, expected.key) is not None  # ... and the copy replaced


def test_a_changed_frame_that_still_reads_is_a_miss(tmp_path, parses):
    """Only a checksum tells these apart: the same columns and types, other values."""
    expected = parse_plan_file()
    load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path)
    (saved,) = saved_plans(tmp_path)
    changed = expected.indicators.assign(target=expected.indicators["target"] * 2)
    replace_frame(saved / "indicators.arrow", changed)
    del parses[:]
    assert_same_plan(load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path), expected)
    assert len(parses) == 1


def other_lookup(info):
    name, unit = next(iter(info["unit_lookup"].items()))
    other = next(u for u in info["unit_lookup"].values() if u != unit)
    info["unit_lookup"][name] = other


@pytest.mark.parametrize(
    ("edit", "signed"),
    [
        (lambda info: info.update(format=1), True),
        (lambda info: info.update(unit_lookup={"a": 1}), True),
        (lambda info: info.update(unit_lookup=["a"]), True),
        (lambda info: info["meta"].update(issue_date="not a date"), True),
        (lambda info: info["thresholds"].update(amber_gap=2), True),
        (lambda info: info["frames"].pop("units"), True),
        (lambda info: info["frames"].update(units="0" * 64), True),
        (lambda info: info.clear(), True),
        (other_lookup, False),  # a valid plan.json, but not the one written
    ],
    ids=[
        "format", "lookup value", "lookup list", "meta", "thresholds", "frame missing",
        "frame digest", "empty", "unsigned",
    ],
)  # fmt: skip
def test_metadata_of_another_shape_is_a_miss(tmp_path, parses, edit, signed):
    expected = parse_plan_file()
    load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path)
    (saved,) = saved_plans(tmp_path)
    info = plan_cache._read_info(saved)
    edit(info)
    if signed:
        plan_cache._write_info(saved, info)
    else:
        stored = json.loads((saved / "plan.json").read_text(encoding="utf-8"))
        stored["info"] = json.dumps(info, ensure_ascii=False)
        (saved / "plan.json").write_text(json.dumps(stored), encoding="utf-8")
    del parses[:]
    assert_same_plan(load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path), expected)
    assert len(parses) == 1


def test_a_save_leaves_no_temporary_directories(tmp_path):
    load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path)
    (saved,) = saved_plans(tmp_path)
    assert entries(tmp_path) == [saved.name]
    assert set(entries(saved)) == CACHE_FILES


def test_a_save_that_fails_halfway_leaves_nothing(tmp_path, monkeypatch):
    real_new_file, written = pa.ipc.new_file, []

    def disk_full_at_the_third_frame(sink, schema):
        written.append(schema)
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        return real_new_file(sink, schema)

    monkeypatch.setattr(pa.ipc, "new_file", disk_full_at_the_third_frame)
    assert_same_plan(load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path), parse_plan_file())
    assert len(written) == 3
    assert entries(tmp_path) == []


def test_concurrent_first_loads_agree_and_leave_one_copy(tmp_path):
    expected = parse_plan_file()
    start, results, errors = threading.Barrier(4), [], []

    def first_load():
        start.wait()
        try:
            results.append(load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path))
        except Exception as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=first_load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(results) == 4
    for plan in results:
        assert_same_plan(plan, expected)
    (saved,) = saved_plans(tmp_path)
    assert entries(tmp_path) == [saved.name]
    assert set(entries(saved)) == CACHE_FILES


def test_the_copy_renamed_first_wins(tmp_path):
    load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path)
    (saved,) = saved_plans(tmp_path)
    before = {name: (saved / name).stat().st_ino for name in CACHE_FILES}
    plan_cache.save_plan(parse_plan_file(), saved, replace=False)  # a slower writer
    assert {name: (saved / name).stat().st_ino for name in CACHE_FILES} == before
    assert entries(tmp_path) == [saved.name]


def test_unwritable_cache_is_only_slower(tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("", encoding="utf-8")
    assert len(load_plan(DEFAULT_PLAN_FILE, cache_dir=blocked).tasks) == 39


def test_only_the_newest_plans_are_kept(tmp_path):
    text = DEFAULT_PLAN_FILE.read_text(encoding="utf-8")
    for n in range(PLAN_CACHE_KEEP + 2):
        path = tmp_path / f"plan{n}.yaml"
        path.write_text(
            text.replace("肇庆市人民政府办公室", f"肇庆市人民政府办公室{n}"), encoding="utf-8"
        )
        load_plan(path, cache_dir=tmp_path / "cache")
    assert len(saved_plans(tmp_path / "cache")) == PLAN_CACHE_KEEP
    latest = load_plan(tmp_path / f"plan{PLAN_CACHE_KEEP + 1}.yaml", cache_dir=tmp_path / "cache")
    assert latest.meta.issuer == f"肇庆市人民政府办公室{PLAN_CACHE_KEEP + 1}"


def test_old_caches_are_dropped_and_other_files_kept(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    old_json = cache / ("plan-" + "0" * 32 + ".json")
    old_json.write_text('{"schema_version": 1}', encoding="utf-8")
    figures = cache / ("figures-" + "0" * 32 + ".arrow")
    figures.write_bytes(b"the store's")
    abandoned, writing = cache / ".plan-abc.1.2.tmp", cache / ".plan-def.3.4.tmp"
    abandoned.mkdir()
    writing.mkdir()
    hours_ago = abandoned.stat().st_mtime - 2 * 3600
    os.utime(abandoned, (hours_ago, hours_ago))
    assert_same_plan(load_plan(DEFAULT_PLAN_FILE, cache_dir=cache), parse_plan_file())
    (saved,) = saved_plans(cache)
    assert entries(cache) == sorted([writing.name, figures.name, saved.name])
    assert figures.read_bytes() == b"the store's"


def test_every_load_keys_the_plan_by_its_yaml(tmp_path):
    data = DEFAULT_PLAN_FILE.read_bytes()
    key = hashlib.sha256(data).hexdigest()
    assert load_plan(DEFAULT_PLAN_FILE).key == key
    assert load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path).key == key  # a miss
    assert load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path).key == key  # a hit
    text = data.decode("utf-8")
    assert parse_plan(text).key == key  # the file has Unix line ends: the same bytes
    edited = tmp_path / "plan.yaml"
    edited.write_text(text.replace("amber_gap: 0.1", "amber_gap: 0.2"), encoding="utf-8")
    assert load_plan(edited, cache_dir=tmp_path).key != key


def test_a_change_to_the_code_is_a_miss(tmp_path, parses, monkeypatch):
    load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path)
    monkeypatch.setattr(plan_cache, "_CODE_FINGERPRINT", "another version of lib/plan")
    del parses[:]
    assert len(load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path).tasks) == 39
    assert len(parses) == 1
    assert len(saved_plans(tmp_path)) == 2
