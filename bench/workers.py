"""What runs inside the benchmark's measuring processes: Streamlit AppTest sessions.

`python -m bench.workers pages|naive|cold|first-read ...` reads the plan and store from
PLAN_FILE and PROGRESS_DB like the app, drives the pages with AppTest (or reads the figures
once) and prints one line, RESULT_MARK followed by JSON. Each measurement runs in its own
process (started by bench/run.py), so Streamlit's caches and the process's peak memory
belong to that measurement alone.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app.py"
NAIVE_PAGE = REPO / "bench" / "naive_page.py"
RESULT_MARK = "BENCH_RESULT "
APPTEST_TIMEOUT = 900  # seconds; the naive page reloads everything on each run


def page_files() -> list[str]:
    """app.py, then every page file, as paths relative to the repository."""
    return ["app.py", *sorted(f"pages/{p.name}" for p in (REPO / "pages").glob("*.py"))]


def shifted_period(period: str, quarters: int) -> str:
    """The quarter `quarters` after `period` (negative: before): 2015Q1, -1 -> 2014Q4."""
    key = int(period[:4]) * 4 + int(period[5]) - 1 + quarters
    return f"{key // 4}Q{key % 4 + 1}"


class Session:
    """An AppTest session whose reruns are timed, and the filter changes that cause them."""

    def __init__(self, script: Path, sections: list[str]) -> None:
        from streamlit.testing.v1 import AppTest

        self.app = AppTest.from_file(str(script), default_timeout=APPTEST_TIMEOUT)
        self.sections = sections
        self.changes = 0

    def timed_run(self, what: str) -> float:
        """Seconds one `.run()` takes; an exception on the page stops the benchmark."""
        started = time.perf_counter()
        self.app.run()
        elapsed = time.perf_counter() - started
        if self.app.exception:
            raise RuntimeError(f"{what}: {self.app.exception[0].message}")
        return elapsed

    def filter_reruns(self, count: int, what: str) -> list[float]:
        """Seconds of each rerun after `count` filter changes: as-of period (to one not
        chosen before, so nothing is cached for it), then sections, then all sections."""
        return [self.timed_run(f"{what} after {self._change(n)}") for n in range(count)]

    def _change(self, n: int) -> str:
        self.changes += 1
        if n % 3 == 0:
            widget = self.app.selectbox(key="_w_period")
            count, index = len(widget.options), widget.index or 0
            target = (index - self.changes) % count
            if target == index:
                target = (index - 1) % count
            widget.set_value(shifted_period(widget.value, target - index))
            return f"as-of period {widget.value}"
        start = (3 * self.changes) % max(len(self.sections) - 2, 1)
        chosen = self.sections[start : start + 3] if n % 3 == 1 else []
        self.app.multiselect(key="_w_sections").set_value(chosen)
        return f"sections {','.join(chosen) or '(all)'}"


def peak_rss_bytes() -> int:
    """ru_maxrss of this process (KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def pages(changes: int, sections: list[str]) -> dict[str, object]:
    """Open the app, visit every page and time its reruns after filter changes; then the
    process's peak RSS and the size of the frames it worked on."""
    import pandas  # noqa: F401  (what any page needs before it touches data)
    import plotly.graph_objects  # noqa: F401
    from streamlit.testing.v1 import AppTest  # noqa: F401

    import lib.status.indicators
    import lib.status.rollups
    import lib.status.trend
    import lib.status.units  # noqa: F401

    before_data = peak_rss_bytes()
    session = Session(APP, sections)
    first = session.timed_run("app.py first load")
    reruns: dict[str, list[float]] = {}
    for page in page_files():
        if page != "app.py":
            session.app.switch_page(page)
            session.timed_run(f"{page} first visit")
        reruns[page] = session.filter_reruns(changes, page)
    peak = peak_rss_bytes()  # before the frames are loaded again below
    return {
        "first_load": first,
        "reruns": reruns,
        "peak_rss": peak,
        "rss_before_data": before_data,
        **frame_bytes(),
    }


def frame_bytes() -> dict[str, int]:
    """Deep size of the plan's frames and of the current figures, loaded afresh."""
    from lib.plan.loader import load_plan
    from lib.services.settings import settings_from_env
    from lib.store.repository import ProgressStore

    settings = settings_from_env()
    plan = load_plan(settings.plan_file, cache_dir=settings.cache_dir)
    frames = [plan.sections, plan.tasks, plan.indicators, plan.units, plan.responsibilities]
    frames.append(plan.group_members)
    figures = ProgressStore(settings.store).current_values()
    return {
        "plan_bytes": int(sum(f.memory_usage(deep=True).sum() for f in frames)),
        "figure_bytes": int(figures.memory_usage(deep=True).sum()),
        "figure_rows": len(figures),
    }


def first_read() -> dict[str, object]:
    """The first read of the current figures after an import: from the stored batches, writing the
    on-disk cache every later process maps (what the app's first visitor after an upload
    waits for); its seconds and this process's peak RSS."""
    from lib.services.settings import cache_dir_for, settings_from_env
    from lib.store.repository import ProgressStore

    store_file = settings_from_env().store
    started = time.perf_counter()
    figures = ProgressStore(store_file).current_values(cache_dir=cache_dir_for(store_file))
    return {
        "seconds": time.perf_counter() - started,
        "rows": len(figures),
        "peak_rss": peak_rss_bytes(),
    }


def naive(changes: int, sections: list[str]) -> dict[str, object]:
    """The naive reference page: first load, then the same filter changes."""
    session = Session(NAIVE_PAGE, sections)
    first = session.timed_run("naive page first load")
    return {"first_load": first, "reruns": session.filter_reruns(changes, "naive page")}


def cold(page: str) -> dict[str, object]:
    """This new process's first load of one page: empty caches, modules imported on the way."""
    session = Session(APP, [])
    if page != "app.py":
        session.app.switch_page(page)
    return {"cold": session.timed_run(f"{page} cold start")}


def main(argv: list[str]) -> int:
    """Run one worker and print its result line."""
    parser = argparse.ArgumentParser(prog="python -m bench.workers")
    parser.add_argument("mode", choices=("pages", "naive", "cold", "first-read"))
    parser.add_argument("--changes", type=int, default=3, help="filter changes per page")
    parser.add_argument("--sections", default="", help="section ids to filter by, comma-separated")
    parser.add_argument("--page", default="app.py", help="page to open (cold)")
    args = parser.parse_args(argv)
    sections = [s for s in args.sections.split(",") if s]
    if args.mode == "pages":
        result = pages(args.changes, sections)
    elif args.mode == "first-read":
        result = first_read()
    elif args.mode == "naive":
        result = naive(args.changes, sections)
    else:
        result = cold(args.page)
    print(RESULT_MARK + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
