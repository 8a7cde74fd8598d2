"""`python -m bench run` (`make bench`): measure the dashboard at 39 tasks and at province
scale on this machine, in one run, and print one table with the targets of issue 6.

- ingest: wall time of `python -m lib import FILE --by bench` into an empty store over the
  wall time of a process that only does `pandas.read_csv(FILE)`, best of three runs each
  (one with --quick).
  Reported with the validated plan already cached beside the store (as after the app or
  any earlier command has read the plan), and once more for the first import after a
  plan change, when the YAML is parsed and checked;
- ingest into PostgreSQL: the same import with PROGRESS_DB a `postgresql://` URL, into a
  throwaway server on loopback (tools/local_postgres.py) run with fsync and synchronous
  commit on, as a deployment runs it; each run into a freshly created, empty database, the
  plan cached (its cache folder is named after the database, so the database keeps one
  name), best of as many runs as SQLite's, each run right after a SQLite one so both meet
  the same load on the machine. Then the first read of the figures from each store. The
  server is stopped and its folder removed at the end, also when a step fails;
- warm rerun: per page, AppTest opens the app, visits the page, changes a sidebar filter
  (as-of period, then sections, then back to all sections) and times each `.run()`; the
  worst is reported, with the naive reference page (bench/naive_page.py) rerun the same way;
- cold start: per page, a new process whose first `.run()` opens that page (store and plan
  cache on disk, Streamlit's caches empty), and app.py once more without the plan cache;
- memory: peak RSS (ru_maxrss) of the process that visited every page, next to the deep
  size of the frames it works on (plan frames + current figures). The figures' on-disk
  cache is written before, by a process of its own that decodes the stored batches once
  after the import (as the app's first visitor after an upload does); its time and peak
  RSS are printed too.

Every measurement runs in its own process (bench/workers.py), started from this lean one,
so caches and peak memory are that measurement's own. Data go to a temporary directory
unless `--workdir` names one.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.workers import RESULT_MARK, page_files
from tools.local_postgres import SUPERUSER, LocalPostgres, postgres_bin, started_server

REPO = Path(__file__).resolve().parent.parent
REAL_PLAN = REPO / "data" / "tasks_2014.yaml"
SAMPLE_PROGRESS = REPO / "data" / "progress.csv"

INGEST_MAX_RATIO = 3.0
POSTGRES_MAX_RATIO = 2.0  # PostgreSQL import time over SQLite's
POSTGRES_DATABASE = "bench_import"
RERUN_MAX_SECONDS = 0.5
RERUN_MIN_SPEEDUP = 10.0
COLD_MAX_SECONDS = 5.0
RSS_MAX_RATIO = 3.0


@dataclass(frozen=True)
class Dataset:
    """A plan and a progress file, and how big they are."""

    plan_file: Path
    progress_file: Path
    indicators: int
    rows: int


@dataclass(frozen=True)
class Scale:
    """A plan and a store holding its figures: what the pages are measured on."""

    name: str
    plan_file: Path
    store: Path | str  # a SQLite file or a postgresql:// URL

    def env(self) -> dict[str, str]:
        return {**os.environ, "PLAN_FILE": str(self.plan_file), "PROGRESS_DB": str(self.store)}

    def sections(self) -> list[str]:
        """Top-level section ids, read from the YAML text (no need to load the plan)."""
        text = self.plan_file.read_text(encoding="utf-8")
        return re.findall(r"^- id: ['\"]?(S\d+)['\"]?\s*$", text, flags=re.MULTILINE)


# Declared like lib/core/errors.py's Problem (a frozen dataclass of strings with defaults)
# but a line of the benchmark's report, which shares nothing with a validation problem.
@dataclass(frozen=True)
class Row:
    """One line of the table; no target and no verdict for figures shown for context."""

    measure: str
    scale: str
    measured: str
    target: str = ""
    verdict: str = ""


def run_benchmark(
    tasks: int, periods: int, seed: int, *, quick: bool = False, workdir: Path | None = None
) -> int:
    """Generate the data, measure everything, print the table; 0 when every measure ran."""
    work = workdir or Path(tempfile.mkdtemp(prefix="bench-"))
    work.mkdir(parents=True, exist_ok=True)
    repeats, changes = (1, 1) if quick else (3, 3)
    province = f"{tasks:,} tasks"

    _say(f"generating {tasks:,} tasks x {periods} quarters in {work}")
    seconds, dataset = _generate(tasks, periods, seed, work / "province")
    _say("ingest (read_csv, first import of a new plan)")
    bare = min(_read_csv_seconds(dataset.progress_file) for _ in range(repeats))
    first = min(_import_seconds(dataset, work / f"first-import-{n}") for n in range(repeats))
    small_dir = work / "sample-store"
    _import_seconds(Dataset(REAL_PLAN, SAMPLE_PROGRESS, 0, 0), small_dir)
    store_dir = work / "province-store"
    scales = [
        Scale("39 tasks", REAL_PLAN, small_dir / "progress.sqlite3"),
        Scale(province, dataset.plan_file, store_dir / "progress.sqlite3"),
    ]
    stores = _imports_and_first_reads(dataset, scales[1], repeats)
    pages, naive = {}, {}
    for scale in scales:
        _say(f"page reruns at {scale.name}")
        pages[scale.name] = _worker(scale, "pages", "--changes", str(changes))
        _say(f"naive page at {scale.name}")
        naive[scale.name] = _worker(scale, "naive", "--changes", str(changes))
    _say("cold starts")
    cold = {page: _worker(scales[1], "cold", "--page", page)["cold"] for page in page_files()}
    uncached = _worker(_without_plan_cache(scales[1], work / "no-plan-cache"), "cold")["cold"]

    rows = [
        Row("generate data", province, f"{_s(seconds)} ({dataset.rows:,} progress rows)"),
        *_ingest_rows(province, bare, stores.sqlite_import, first),
        _postgres_ingest_row(province, stores.postgres_import, stores.sqlite_import),
    ]
    for scale in scales:
        rows += _rerun_rows(scale.name, pages[scale.name], naive[scale.name], scale is scales[1])
    rows += [_cold_row(f"cold start {page}", province, s) for page, s in cold.items()]
    rows.append(Row("  app.py, nothing cached on disk yet", province, _s(uncached)))
    rows += _memory_rows(province, pages[province])
    rows += _first_read_rows(province, stores.sqlite_read, stores.postgres_read)
    print(_table(rows, _header(tasks, periods, dataset, quick)))
    return 0


# --- steps ------------------------------------------------------------------------------------


def _say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def _timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, str]:
    """Wall seconds and stdout of a subprocess; RuntimeError with its stderr if it fails."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        raise RuntimeError(f"{' '.join(command[:5])} exited {done.returncode}:\n{tail}")
    return elapsed, done.stdout


def _generate(tasks: int, periods: int, seed: int, out: Path) -> tuple[float, Dataset]:
    """`python -m bench generate` in its own process, so this one stays small (its peak RSS
    would otherwise be inherited by every measuring process's ru_maxrss)."""
    command = [sys.executable, "-m", "bench", "generate", "--tasks", str(tasks)]
    command += ["--periods", str(periods), "--seed", str(seed), "--out", str(out)]
    seconds, _ = _timed(command)
    plan_file, progress_file = out / "tasks.yaml", out / "progress.csv"
    plan_text = plan_file.read_text(encoding="utf-8")
    indicators = len(re.findall(r"^    - id: ", plan_text, flags=re.MULTILINE))
    with progress_file.open("rb") as lines:
        rows = sum(1 for _ in lines) - 1
    return seconds, Dataset(plan_file, progress_file, indicators, rows)


def _read_csv_seconds(csv_file: Path) -> float:
    code = "import sys, pandas; pandas.read_csv(sys.argv[1])"
    return _timed([sys.executable, "-c", code, str(csv_file)])[0]


def _import_seconds(dataset: Dataset, store_dir: Path) -> float:
    """`python -m lib import` into a new, empty store in `store_dir` (its cache kept)."""
    store_dir.mkdir(parents=True, exist_ok=True)
    for old in store_dir.glob("progress.sqlite3*"):
        old.unlink()
    env = {**os.environ, "PLAN_FILE": str(dataset.plan_file)}
    env["PROGRESS_DB"] = str(store_dir / "progress.sqlite3")
    command = [sys.executable, "-m", "lib", "import", str(dataset.progress_file), "--by", "bench"]
    return _timed(command, env)[0]


class BenchDatabase:
    """The database on a throwaway server that each PostgreSQL import goes into."""

    def __init__(self, server: LocalPostgres) -> None:
        self.server = server
        self.url = server.url(POSTGRES_DATABASE)

    def import_seconds(self, dataset: Dataset) -> float:
        """`python -m lib import` into the database, dropped and created empty first."""
        self._client("dropdb", "--if-exists", "--force", POSTGRES_DATABASE)
        self._client("createdb", POSTGRES_DATABASE)
        env = {**os.environ, "PLAN_FILE": str(dataset.plan_file), "PROGRESS_DB": self.url}
        command = [sys.executable, "-m", "lib", "import", str(dataset.progress_file)]
        return _timed([*command, "--by", "bench"], env)[0]

    def version(self) -> str:
        """The server's version, e.g. "15.18 (Debian 15.18-0+deb12u1)"."""
        return self._client("psql", "-XAtc", "SHOW server_version", "postgres").strip()

    def _client(self, program: str, *args: str) -> str:
        # the client programs, not psycopg, so this process stays lean (its peak RSS is
        # where every measuring process's ru_maxrss starts)
        where = ["-h", "127.0.0.1", "-p", str(self.server.port), "-U", SUPERUSER]
        binary = postgres_bin()
        assert binary is not None  # a server was started
        return _timed([str(binary / program), *where, *args])[1]


def _durable_postgres() -> LocalPostgres | None:
    """A new throwaway server with the durability settings of a deployment (fsync,
    synchronous commit, full page writes), or None when PostgreSQL is not installed."""
    if postgres_bin() is None:
        return None
    return started_server(durable=True)


def _remove_postgres(server: LocalPostgres) -> None:
    """Stop the server, delete its folder and the cache folder its database was given."""
    from lib.services.settings import cache_dir_for

    server.remove()
    shutil.rmtree(cache_dir_for(server.url(POSTGRES_DATABASE)), ignore_errors=True)


@dataclass(frozen=True)
class StoreTimes:
    """Best import seconds into each store and the first-read worker's result from it;
    None for PostgreSQL when it is not installed."""

    sqlite_import: float
    sqlite_read: dict
    postgres_import: float | None
    postgres_read: dict | None


def _imports_and_first_reads(dataset: Dataset, sqlite: Scale, repeats: int) -> StoreTimes:
    """Import into `sqlite`'s store and into a PostgreSQL database by turns, best of
    `repeats` each after one import that caches the plan; then the first read from each.
    The SQLite store keeps the last import (the pages are measured on it); the server is
    removed before this returns or raises."""
    store_dir = Path(sqlite.store).parent
    server = _durable_postgres()
    try:
        postgres = None if server is None else BenchDatabase(server)
        if postgres:
            _say(f"PostgreSQL {postgres.version()} (fsync on) at {postgres.url} in {server.folder}")
        _say("import into SQLite" + (" and into PostgreSQL, by turns" if postgres else ""))
        _import_seconds(dataset, store_dir)  # caches the validated plan beside the store
        if postgres:
            postgres.import_seconds(dataset)  # caches it in the database's cache folder
        on_sqlite, on_postgres = [], []
        for _ in range(repeats):
            on_sqlite.append(_import_seconds(dataset, store_dir))
            if postgres:
                on_postgres.append(postgres.import_seconds(dataset))
        _say("first read of the figures after the import (writes the on-disk cache)")
        sqlite_read = _worker(sqlite, "first-read")
        postgres_read = None
        if postgres:
            on_server = Scale(sqlite.name, sqlite.plan_file, postgres.url)
            postgres_read = _worker(on_server, "first-read")
    finally:
        if server is not None:
            _remove_postgres(server)
    best_postgres = min(on_postgres) if on_postgres else None
    return StoreTimes(min(on_sqlite), sqlite_read, best_postgres, postgres_read)


def _worker(scale: Scale, mode: str, *args: str) -> dict:
    command = [sys.executable, "-m", "bench.workers", mode, *args]
    _, out = _timed([*command, "--sections", ",".join(scale.sections())], scale.env())
    line = next(x for x in reversed(out.splitlines()) if x.startswith(RESULT_MARK))
    return json.loads(line[len(RESULT_MARK) :])


def _without_plan_cache(scale: Scale, directory: Path) -> Scale:
    """The same store copied where no validated plan is cached yet."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    store_file = Path(scale.store)
    shutil.copy2(store_file, directory / store_file.name)
    return Scale(scale.name, scale.plan_file, directory / store_file.name)


# --- the table --------------------------------------------------------------------------------


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


def _mb(size: float) -> str:
    return f"{size / 1e6:,.0f} MB" if size >= 1e7 else f"{size / 1e6:,.2f} MB"


def _x(ratio: float) -> str:
    return f"{ratio:.1f}x" if ratio < 10 else f"{ratio:,.0f}x"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _ingest_rows(scale: str, bare: float, cached: float, first: float) -> list[Row]:
    target = f"<= {INGEST_MAX_RATIO:.0f}x"
    return [
        Row("ingest: import / read_csv", scale, f"{_s(cached)} / {_s(bare)} = {cached / bare:.1f}x",
            target, _verdict(cached / bare <= INGEST_MAX_RATIO)),
        Row("  first import of a new plan", scale, f"{_s(first)} = {first / bare:.1f}x"),
    ]  # fmt: skip


def _postgres_ingest_row(scale: str, postgres: float | None, sqlite: float) -> Row:
    measure = "ingest: PostgreSQL / SQLite import"
    target = f"<= {POSTGRES_MAX_RATIO:.0f}x"
    if postgres is None:
        return Row(measure, scale, "not measured: PostgreSQL is not installed", target)
    ratio = postgres / sqlite
    measured = f"{_s(postgres)} / {_s(sqlite)} = {ratio:.1f}x (fsync on)"
    return Row(measure, scale, measured, target, _verdict(ratio <= POSTGRES_MAX_RATIO))


def _first_read_rows(scale: str, sqlite: dict, postgres: dict | None) -> list[Row]:
    rows = [
        Row("  first read after an import", scale,
            f"{_s(sqlite['seconds'])}, peak RSS {_mb(sqlite['peak_rss'])} (decodes the stored"
            " batches, writes the cache the pages then map)"),
    ]  # fmt: skip
    if postgres is not None:
        ratio = postgres["seconds"] / sqlite["seconds"]
        rows.append(
            Row("  first read, PostgreSQL / SQLite", scale,
                f"{_s(postgres['seconds'])} / {_s(sqlite['seconds'])} = {ratio:.1f}x, peak RSS"
                f" {_mb(postgres['peak_rss'])}")
        )  # fmt: skip
    return rows


def _rerun_rows(scale: str, pages: dict, naive: dict, targeted: bool) -> list[Row]:
    naive_rerun = statistics.median(naive["reruns"])
    rows = []
    for page, reruns in pages["reruns"].items():
        worst = max(reruns)
        speedup = naive_rerun / worst
        measured = f"{_s(worst)}, {_x(speedup)} faster than naive"
        target = f"< {RERUN_MAX_SECONDS} s, >= {RERUN_MIN_SPEEDUP:.0f}x" if targeted else ""
        ok = worst < RERUN_MAX_SECONDS and speedup >= RERUN_MIN_SPEEDUP
        verdict = _verdict(ok) if targeted else ""
        rows.append(Row(f"warm rerun {page}", scale, measured, target, verdict))
    rows.append(Row("  naive page rerun", scale, _s(naive_rerun)))
    return rows


def _cold_row(measure: str, scale: str, seconds: float) -> Row:
    target = f"< {COLD_MAX_SECONDS:.0f} s"
    return Row(measure, scale, _s(seconds), target, _verdict(seconds < COLD_MAX_SECONDS))


def _memory_rows(scale: str, pages: dict) -> list[Row]:
    plan_bytes, figure_bytes = pages["plan_bytes"], pages["figure_bytes"]
    frames, peak = plan_bytes + figure_bytes, pages["peak_rss"]
    return [
        Row("peak RSS / frames' size", scale, f"{_mb(peak)} / {_mb(frames)} = {peak / frames:.1f}x",
            f"< {RSS_MAX_RATIO:.0f}x", _verdict(peak / frames < RSS_MAX_RATIO)),
        Row("  frames: plan / figures", scale,
            f"{_mb(plan_bytes)} / {_mb(figure_bytes)} ({pages['figure_rows']:,} figures)"),
        Row("  RSS before any data", scale,
            f"{_mb(pages['rss_before_data'])} (Python, Streamlit, pandas, plotly)"),
    ]  # fmt: skip


def _header(tasks: int, periods: int, dataset: Dataset, quick: bool) -> str:
    return (
        f"督办看板 benchmark {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}: {tasks:,} tasks, {dataset.indicators:,} indicators"
        f", {periods} quarters, {dataset.rows:,} progress rows{' (--quick)' if quick else ''}"
    )


def _table(rows: list[Row], header: str) -> str:
    fields = list(Row.__dataclass_fields__)
    titles = Row("measure", "scale", "measured", "target", "result")
    widths = [max(len(getattr(r, f)) for r in [titles, *rows]) for f in fields]
    lines = [header]
    for row in [titles, None, *rows]:
        cells = ["-" * w for w in widths] if row is None else [getattr(row, f) for f in fields]
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
    return "\n".join(lines)
