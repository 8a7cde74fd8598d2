"""load_plan's cache of validated plans: same frames, skipped parse, never a stale or
invalid plan, never a failure because of the cache."""

from __future__ import annotations

import pandas as pd
import pytest

import lib.plan as plan_module
from lib.config import DEFAULT_PLAN_FILE
from lib.errors import PlanError
from lib.plan import PLAN_CACHE_KEEP, load_plan

FRAMES = ("sections", "tasks", "indicators", "units", "responsibilities", "group_members")


def assert_same_plan(a, b):
    for name in FRAMES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)
    assert a.meta == b.meta and a.thresholds == b.thresholds and a.unit_lookup == b.unit_lookup


def test_cached_plan_equals_the_parsed_one(tmp_path):
    parsed = load_plan(DEFAULT_PLAN_FILE)
    first = load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path)
    second = load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("plan-*.json"))) == 1
    assert_same_plan(parsed, first)
    assert_same_plan(parsed, second)


def test_second_load_skips_the_yaml(tmp_path, monkeypatch):
    load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path)

    def no_parse(text):
        raise AssertionError("parsed the YAML again")

    monkeypatch.setattr(plan_module, "_checked_document", no_parse)
    assert len(load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path).tasks) == 39


def test_edited_plan_is_parsed_again(tmp_path):
    path = tmp_path / "plan.yaml"
    text = DEFAULT_PLAN_FILE.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    load_plan(path, cache_dir=tmp_path / "cache")
    path.write_text(text.replace("amber_gap: 0.1", "amber_gap: 0.2"), encoding="utf-8")
    assert load_plan(path, cache_dir=tmp_path / "cache").thresholds.amber_gap == 0.2
    assert len(list((tmp_path / "cache").glob("plan-*.json"))) == 2


def test_invalid_plan_is_never_cached(tmp_path):
    path = tmp_path / "plan.yaml"
    text = DEFAULT_PLAN_FILE.read_text(encoding="utf-8")
    path.write_text(text.replace("amber_gap: 0.1", "amber_gap: 0.9"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(PlanError) as error:
            load_plan(path, cache_dir=tmp_path / "cache")
        assert error.value.problems[0].code == "thresholds_order"
    assert not list((tmp_path / "cache").glob("plan-*.json"))


def test_damaged_cache_file_is_ignored_and_replaced(tmp_path):
    load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path)
    (cached,) = tmp_path.glob("plan-*.json")
    cached.write_text('{"schema_version": 1, "plan": {', encoding="utf-8")
    assert len(load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path).tasks) == 39
    assert len(load_plan(DEFAULT_PLAN_FILE, cache_dir=tmp_path).tasks) == 39


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
    assert len(list((tmp_path / "cache").glob("plan-*.json"))) == PLAN_CACHE_KEEP
