"""The plan library: the home plan and the plans of PLANS_DIR side by side, one store for
all of them, publishing that never replaces a file, and --plan on the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lib.cli.main import main
from lib.core.errors import PlanError
from lib.services.plans import plan_library, published_plan_file
from lib.services.settings import DEFAULT_PLAN_FILE, Settings
from lib.services.uploads import checked_upload, import_upload
from lib.services.workspace import open_workspace
from tests.support import analyst, progress_csv

NOW = datetime(2014, 10, 15, 9, 30, tzinfo=UTC)
HOME_TEXT = DEFAULT_PLAN_FILE.read_text(encoding="utf-8")


def second_plan_text(plan_id: str = "zq-second", end: str = "2014-12-31") -> str:
    """The 2014 plan under another id and title (its own figures, the same indicator ids)."""
    text = HOME_TEXT.replace("id: zhaoqing-prd-2014", f"id: {plan_id}", 1)
    text = text.replace("  title: 实施珠三角规划纲要2014年重点工作任务安排", "  title: 第二份", 1)
    return text.replace("  issue_date: 2014-07-09", "  issue_date: 2014-08-01", 1).replace(
        "  period_end: 2014-12-31", f"  period_end: {end}", 1
    )


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        DEFAULT_PLAN_FILE, tmp_path / "store.sqlite3", False, plans_dir=tmp_path / "plans"
    )


def test_a_library_of_one_opens_the_home_plan(settings):
    library = plan_library(settings)
    assert library.ids() == ["zhaoqing-prd-2014"] and library.home.is_home
    assert library.chosen(None).plan_id == "zhaoqing-prd-2014" and not library.problems


def test_published_plans_join_the_library_newest_first(settings):
    path = published_plan_file(settings, second_plan_text())
    assert path == settings.plans_dir / "zq-second.yaml"
    library = plan_library(settings)
    assert library.ids() == ["zq-second", "zhaoqing-prd-2014"]  # issued later: newest
    assert library.chosen(None).plan_id == "zq-second"
    assert library.chosen("zhaoqing-prd-2014").is_home
    with pytest.raises(PlanError) as caught:
        library.chosen("nope")
    (problem,) = caught.value.problems
    assert problem.code == "unknown_plan" and "zq-second" in problem.message_en


def test_publishing_the_same_id_again_makes_a_new_version_and_replaces_nothing(settings):
    first = published_plan_file(settings, second_plan_text())
    before = first.read_bytes()
    second = published_plan_file(settings, second_plan_text())
    third = published_plan_file(settings, second_plan_text())
    assert (second.name, third.name) == ("zq-second-v2.yaml", "zq-second-v3.yaml")
    assert first.read_bytes() == before
    assert "id: zq-second-v2\n" in second.read_text(encoding="utf-8")
    assert set(plan_library(settings).ids()) == {
        "zhaoqing-prd-2014", "zq-second", "zq-second-v2", "zq-second-v3"
    }  # fmt: skip
    # the home plan's id is taken too: publishing it again is a new version beside it
    assert published_plan_file(settings, HOME_TEXT).name == "zhaoqing-prd-2014-v2.yaml"
    assert DEFAULT_PLAN_FILE.read_text(encoding="utf-8") == HOME_TEXT


def test_an_invalid_plan_is_refused_and_nothing_is_written(settings):
    broken = second_plan_text().replace("  period_end: 2014-12-31", "  period_end: 2013-12-31", 1)
    with pytest.raises(PlanError):
        published_plan_file(settings, broken)
    assert not settings.plans_dir.exists() or not any(settings.plans_dir.iterdir())
    with pytest.raises(PlanError) as caught:
        published_plan_file(settings, second_plan_text("bad id/../x"))
    assert caught.value.problems[0].code in {"unsafe_plan_id", "schema_string_type"}


def test_a_broken_file_in_the_folder_is_listed_and_the_rest_open(settings):
    settings.plans_dir.mkdir()
    (settings.plans_dir / "broken.yaml").write_text("plan: [1, 2\n", encoding="utf-8")
    (settings.plans_dir / "copy.yaml").write_text(HOME_TEXT, encoding="utf-8")  # same id
    library = plan_library(settings)
    assert library.ids() == ["zhaoqing-prd-2014"]
    paths = [problem.path or "" for problem in library.problems]
    assert any(p.startswith("broken.yaml") for p in paths)
    assert any(p.code == "duplicate_plan_id" for p in library.problems)


def test_each_plan_has_its_own_figures_in_one_store(settings):
    published_plan_file(settings, second_plan_text())
    home = open_workspace(settings, now=NOW, plan_id="zhaoqing-prd-2014")
    second = open_workspace(settings, now=NOW, plan_id="zq-second")
    content = progress_csv([("T01-2", "2014Q3", 25)], reporter="市编办")
    report = checked_upload(second.plan, content, "second.csv", stored=None)
    assert report.ok
    import_upload(second.store, report, content=content, file_name="second.csv",
                  user=analyst("分析员"), now=NOW)  # fmt: skip
    assert second.store.current_values()["value"].tolist() == [25.0]
    assert home.store.current_values().empty and home.store.uploads().empty
    assert second.store.uploads()["plan_id"].tolist() == ["zq-second"]


def test_the_command_line_takes_plan(settings, monkeypatch, capsys, tmp_path):
    published_plan_file(settings, second_plan_text())
    monkeypatch.setenv("PROGRESS_DB", settings.store)
    monkeypatch.setenv("PLANS_DIR", str(settings.plans_dir))
    monkeypatch.delenv("PLAN_FILE", raising=False)
    monkeypatch.delenv("PLAN_ID", raising=False)
    form = tmp_path / "second.csv"
    form.write_bytes(progress_csv([("T01-2", "2014Q3", 25)], reporter="市编办"))
    assert main(["import", str(form), "--plan", "zq-second", "--by", "分析员"]) == 0
    capsys.readouterr()
    assert (
        main(
            [
                "status",
                "--plan",
                "zq-second",
                "--json",
                "--period",
                "2014Q3",
                "--include-unconfirmed",
            ]
        )
        == 0
    )
    second = json.loads(capsys.readouterr().out)
    row = next(r for r in second["indicators"] if r["indicator_id"] == "T01-2")
    assert row["value"] == 25
    assert (
        main(
            [
                "status",
                "--plan",
                "zhaoqing-prd-2014",
                "--json",
                "--period",
                "2014Q3",
                "--include-unconfirmed",
            ]
        )
        == 0
    )
    home = json.loads(capsys.readouterr().out)
    row = next(r for r in home["indicators"] if r["indicator_id"] == "T01-2")
    assert row["value"] is None  # the other plan's figure is not this plan's
    assert main(["status", "--plan", "nope"]) == 2  # as for a plan that does not load
    assert "zq-second" in capsys.readouterr().err


def test_plan_files_are_never_left_half_written(settings):
    """O_EXCL creation: a file that appeared meanwhile is never replaced."""
    settings.plans_dir.mkdir()
    squatter = settings.plans_dir / "zq-second.yaml"
    squatter.write_text("# someone else's file\n", encoding="utf-8")
    path = published_plan_file(settings, second_plan_text())
    assert path.name == "zq-second-v2.yaml"
    assert squatter.read_text(encoding="utf-8") == "# someone else's file\n"
    assert Path(path).read_text(encoding="utf-8").startswith("# 肇府办")
