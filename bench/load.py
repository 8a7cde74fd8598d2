"""A bounded load test on loopback: N browser sessions against one dashboard process, and
against two behind nginx, both on PostgreSQL, while files are imported in the background.

Usage: python -m bench.load [--sessions 10,25,50] [--processes 1,2] [--out FILE]
(`make load`; not part of `make test`). Each configuration gets a fresh database with the
bundled sample (tools/serve_multi.py `running_stack`), its processes warmed up (each page
drawn once by each process), then N sessions: Playwright browser contexts in one headless
Debian Chromium, started over the first `--ramp` seconds, each opening the overview, the
at-risk page and the units page and then changing a filter three times through the URL
(each step a navigation, so a new Streamlit session: heavier than a rerun in place). All
views count unconfirmed figures too, so every import changes what they show. Meanwhile a
thread imports a new progress file every `--import-every` seconds with `python -m lib
import` (the sample's 2014Q3 rows as 2014Q4, a new note each time: new bytes, new data
version, every cache rebuilt on the next rerun).

A page's time runs from the navigation until the page's heading is drawn and its script
has finished running (the app's data-test-script-state). Errors: an stException or
st.error on a page, a page not done within `--page-timeout`, a lost connection, a failed
navigation or import; each is listed. RSS growth per session: the app processes' resident
memory (summed) after all N sessions have finished their steps, their last page still open,
minus before the first session, divided by N. CPU per page load: the CPU seconds used
during the sessions by the app processes (with nginx), the PostgreSQL server, the browser,
the imports and everything else on the machine, divided by the page loads attempted: the
client shares the cores with the servers. Every configuration is bounded by
`--config-limit` seconds; steps not run by then count as errors.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools.local_postgres import started_server
from tools.serve_multi import REPO, Stack, running_stack

CHROMIUM = "/usr/bin/chromium"
SAMPLE = REPO / "data" / "progress.csv"
DEFAULT_OUT = REPO / "var" / "load" / "results.md"
# Each session's steps: the page's path and query; every view counts unconfirmed figures.
STEPS = (
    ("overview", "/?unconfirmed=1"),
    ("risks", "/risks?unconfirmed=1"),
    ("units", "/units?unconfirmed=1"),
    ("units, as of 2014Q2", "/units?unconfirmed=1&period=2014Q2"),
    ("units, section S01", "/units?unconfirmed=1&sections=S01"),
    ("units, one unit", "/units?unconfirmed=1&unit=市财政局"),
)
DONE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return false;
  if (app.getAttribute('data-test-connection-state') === 'DISCONNECTED_FOREVER')
    return 'disconnected';
  return app.getAttribute('data-test-script-state') === 'notRunning'
    && document.querySelector('[data-testid="stMainBlockContainer"] h1') !== null
    && 'done';
}"""


@dataclass
class Outcome:
    """What one configuration measured."""

    processes: int
    sessions: int
    page_times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    imports_ok: int = 0
    import_times: list[float] = field(default_factory=list)
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0
    wall_s: float = 0.0
    load_before: str = ""
    load_after: str = ""
    # CPU seconds used during the sessions, by whom (CpuMeter)
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def rss_per_session_mb(self) -> float:
        return (self.rss_after_mb - self.rss_before_mb) / self.sessions

    def cpu_per_page(self) -> str:
        """CPU seconds per page load: app processes and nginx / database / browser /
        imports / other work on the machine."""
        loads = max(len(self.page_times) + len(self.errors), 1)
        return " / ".join(f"{self.cpu.get(k, 0.0) / loads:.1f}" for k in CPU_PARTS)

    def quantile(self, q: float) -> float:
        if len(self.page_times) < 2:
            return self.page_times[0] if self.page_times else float("nan")
        return statistics.quantiles(self.page_times, n=100, method="inclusive")[round(q * 100) - 1]


# --- the app processes' memory and the machine --------------------------------------------


def rss_mb(pids: tuple[int, ...]) -> float:
    """The resident memory of the processes, summed, in MB (Linux /proc)."""
    total_kb = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


CPU_PARTS = ("app", "database", "browser", "imports", "other")
_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    """/proc/PID/stat's fields after the command name (state first), or None if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def _cpu_s(fields: list[str]) -> float:
    """A process's CPU seconds, with those of its children it has reaped."""
    return sum(int(x) for x in fields[11:15]) / _TICK


def _machine_busy_s() -> float:
    """CPU seconds every core has spent busy since boot (/proc/stat)."""
    ticks = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(ticks) - ticks[3] - ticks[4]) / _TICK  # less idle and iowait


class CpuMeter:
    """Who uses the cores between `start` and `stop`: the app processes with nginx, the
    PostgreSQL server, this process's browser (Chromium and Playwright's driver), the
    import commands (reaped children of this process) and everything else on the machine."""

    def __init__(self, app_pids: tuple[int, ...], database_pid: int) -> None:
        self.app_pids, self.database_pid = app_pids, database_pid
        self.started: dict[str, float] = {}

    def _families(self) -> dict[str, float]:
        parents: dict[int, int] = {}
        fields_of: dict[int, list[str]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
                parents[int(entry.name)] = int(fields[1])
                fields_of[int(entry.name)] = fields

        def under(pid: int, roots: set[int]) -> bool:
            while pid > 1:
                if pid in roots:
                    return True
                pid = parents.get(pid, 0)
            return False

        roots = {
            "app": set(self.app_pids),
            "database": {self.database_pid},
            "browser": {os.getpid()},
        }
        used = dict.fromkeys(CPU_PARTS, 0.0)
        for pid, fields in fields_of.items():
            if pid == os.getpid():  # the client's own Python (its reaped children: imports)
                used["browser"] += sum(int(x) for x in fields[11:13]) / _TICK
                continue
            for name in ("app", "database", "browser"):  # app first: nginx is a child of ours
                if under(pid, roots[name]):
                    used[name] += _cpu_s(fields)
                    break
        used["imports"] = _reaped_s()
        used["busy"] = _machine_busy_s()
        return used

    def start(self) -> None:
        self.started = self._families()

    def stop(self) -> dict[str, float]:
        now = self._families()
        used = {k: now[k] - self.started[k] for k in CPU_PARTS if k != "other"}
        used["other"] = max(0.0, now["busy"] - self.started["busy"] - sum(used.values()))
        return used


def _reaped_s() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def machine() -> str:
    """CPU model, cores, RAM and Chromium version, for the table's caption."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next(
        (ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith("model name")),
        platform.processor() or "unknown CPU",
    )
    mem_kb = next(
        int(ln.split()[1])
        for ln in Path("/proc/meminfo").read_text().splitlines()
        if ln.startswith("MemTotal:")
    )
    chromium = subprocess.run(
        [CHROMIUM, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return f"{model}, {os.cpu_count()} cores, {mem_kb / 1024**2:.0f} GB RAM, {chromium}"


# --- background imports -----------------------------------------------------------------


def q4_file(number: int) -> bytes:
    """The sample's 2014Q3 rows as 2014Q4, with a note naming the import: new bytes each time."""
    rows = list(csv.reader(io.StringIO(SAMPLE.read_text("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    period, note = header.index("报告期"), header.index("进展情况")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in body:
        if row[period] == "2014Q3":
            writer.writerow([*row[:period], "2014Q4", *row[period + 1 : note],
                             f"压力测试第{number}次导入", *row[note + 1 :]])  # fmt: skip
    return out.getvalue().encode("utf-8-sig")


class Importer(threading.Thread):
    """Imports a new file through the CLI every `every` seconds until stopped."""

    def __init__(self, database_url: str, every: float, folder: Path, outcome: Outcome) -> None:
        super().__init__(daemon=True)
        self.database_url, self.every, self.folder, self.outcome = (
            database_url,
            every,
            folder,
            outcome,
        )
        self.stopped = threading.Event()
        self.lock = threading.Lock()

    def run(self) -> None:
        number = 0
        while not self.stopped.wait(self.every if number else 1.0):
            number += 1
            path = self.folder / f"q4-{number}.csv"
            path.write_bytes(q4_file(number))
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "lib", "import", str(path), "--by", "压力测试"],
                cwd=REPO, env={**os.environ, "PROGRESS_DB": self.database_url},
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            with self.lock:
                if done.returncode == 0:
                    self.outcome.imports_ok += 1
                    self.outcome.import_times.append(time.monotonic() - started)
                else:
                    tail = (done.stderr.strip().splitlines() or ["?"])[-1]
                    self.outcome.errors.append(f"import {number}: exit {done.returncode}: {tail}")


# --- browser sessions -------------------------------------------------------------------


async def _open_page(page, url: str, timeout_s: float) -> tuple[float | None, str | None]:
    """Navigate and wait until the app is done: (seconds, None) or (None, the error)."""
    started = time.monotonic()
    try:
        await page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        handle = await page.wait_for_function(DONE_JS, timeout=timeout_s * 1000, polling=100)
        state = await handle.json_value()
    except Exception as exc:  # a timeout or a connection failure, reported as an error
        return None, f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    elapsed = time.monotonic() - started
    if state != "done":
        return None, "connection lost"
    for testid in ("stException", "stAlertContentError"):
        found = await page.locator(f'[data-testid="{testid}"]').count()
        if found:
            text = await page.locator(f'[data-testid="{testid}"]').first.inner_text()
            return None, f"{testid}: {text[:160]}"
    return elapsed, None


async def _session(browser, base: str, number: int, delay: float, timeout_s: float, out: Outcome):
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 1440, "height": 1000})
    page = await context.new_page()
    for name, path in STEPS:
        seconds, error = await _open_page(page, base + path, timeout_s)
        if error is None:
            out.page_times.append(seconds)
        else:
            out.errors.append(f"session {number}, {name}: {error}")
    return context  # left open: its last page's session counts in the memory after


async def _warm_up(browser, urls: tuple[str, ...], timeout_s: float) -> None:
    """Each page drawn once by each process, so the sessions measure warm processes."""
    context = await browser.new_context(viewport={"width": 1440, "height": 1000})
    page = await context.new_page()
    for url in urls:
        for name, path in STEPS[:3]:
            _, error = await _open_page(page, url + path, timeout_s)
            if error:
                raise RuntimeError(f"warm-up of {name} at {url} failed: {error}")
    await context.close()


async def _measure(
    stack: Stack, database_pid: int, processes: int, n: int, args, out: Outcome
) -> None:
    from playwright.async_api import async_playwright

    base = stack.backend_urls[0] if processes == 1 else stack.proxy_url
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update"],
        )  # fmt: skip
        await _warm_up(browser, stack.backend_urls, args.page_timeout)
        out.rss_before_mb = rss_mb(stack.backend_pids)
        out.load_before = load_average()
        meter = CpuMeter((*stack.backend_pids, *(p.pid for p in stack.processes)), database_pid)
        meter.start()
        started = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="dash-load-") as folder:
            importer = Importer(stack.database_url, args.import_every, Path(folder), out)
            if args.import_every > 0:
                importer.start()
            tasks = [
                asyncio.create_task(
                    _session(browser, base, i, i * args.ramp / n, args.page_timeout, out)
                )
                for i in range(n)
            ]
            done, pending = await asyncio.wait(tasks, timeout=args.config_limit)
            importer.stopped.set()
            for task in pending:
                task.cancel()
            if pending:
                missing = n * len(STEPS) - len(out.page_times) - len(out.errors)
                out.errors.append(
                    f"{len(pending)} sessions not done within {args.config_limit:.0f} s:"
                    f" {missing} page loads not run"
                )
            out.wall_s = time.monotonic() - started
            out.cpu = meter.stop()
            out.rss_after_mb = rss_mb(stack.backend_pids)
            out.load_after = load_average()
            if importer.is_alive():
                importer.join(timeout=120)
        for task in done:
            if task.exception() is None:
                await task.result().close()
            else:
                out.errors.append(f"session crashed: {task.exception()!r}")
        await browser.close()


def run_configuration(server, processes: int, n: int, args) -> Outcome:
    """One configuration on a fresh database of `server`."""
    import psycopg

    from lib.store.postgres_engine import close_pools

    name = f"load_{processes}p_{n}s_{os.getpid()}"
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    env = {k: v for k, v in os.environ.items() if k not in ("PLAN_FILE", "PLANS_DIR", "PLAN_ID")}
    out = Outcome(processes, n)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="dash-load-stack-") as folder,
            running_stack(
                processes, database_url=server.url(name), folder=Path(folder), env=env
            ) as stack,
        ):
            postmaster = server.folder / "data" / "postmaster.pid"
            database_pid = int(postmaster.read_text().split()[0])
            asyncio.run(_measure(stack, database_pid, processes, n, args, out))
    finally:
        close_pools()
        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return out


# --- the report -------------------------------------------------------------------------


def table(outcomes: list[Outcome]) -> str:
    head = (
        "| app processes | sessions | page loads | p50 s | p95 s | max s | errors "
        "| imports (mean s) | RSS before → after MB | RSS per session MB | wall s "
        "| CPU s per page: app / db / browser / imports / other | load before → after |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for o in outcomes:
        where = "1 (direct)" if o.processes == 1 else f"{o.processes} (nginx)"
        mean_import = f"{statistics.fmean(o.import_times):.1f}" if o.import_times else "-"
        rows.append(
            f"| {where} | {o.sessions} | {len(o.page_times)} | {o.quantile(0.5):.1f} "
            f"| {o.quantile(0.95):.1f} | {max(o.page_times, default=float('nan')):.1f} "
            f"| {len(o.errors)} | {o.imports_ok} ({mean_import}) "
            f"| {o.rss_before_mb:.0f} → {o.rss_after_mb:.0f} | {o.rss_per_session_mb:.1f} "
            f"| {o.wall_s:.0f} | {o.cpu_per_page()} | {o.load_before} → {o.load_after} |"
        )
    return head + "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--sessions", default="10,25,50", help="session counts (default 10,25,50)")
    parser.add_argument("--processes", default="1,2", help="app process counts (default 1,2)")
    parser.add_argument(
        "--import-every", type=float, default=5.0, help="seconds (default 5; 0: no imports)"
    )
    parser.add_argument("--ramp", type=float, default=5.0, help="sessions start over (s)")
    parser.add_argument("--page-timeout", type=float, default=120.0, help="per page (s)")
    parser.add_argument("--config-limit", type=float, default=480.0, help="per configuration")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the Markdown report")
    args = parser.parse_args(argv)
    sessions = [int(x) for x in args.sessions.split(",")]
    processes = [int(x) for x in args.processes.split(",")]

    # Ctrl-C and `kill` end in the clean-up of the servers (none left running)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    started = time.monotonic()
    about = machine()
    print(f"machine: {about}\nload average at start: {load_average()}", flush=True)
    server = started_server()
    outcomes: list[Outcome] = []
    try:
        for p in processes:
            for n in sessions:
                print(f"{p} process(es), {n} sessions ...", flush=True)
                outcome = run_configuration(server, p, n, args)
                outcomes.append(outcome)
                print(table([outcome]).splitlines()[-1], flush=True)
                for error in outcome.errors[:10]:
                    print(f"  error: {error}", flush=True)
    finally:
        server.remove()
    total = time.monotonic() - started
    report = (
        f"Load test ({time.strftime('%Y-%m-%d')}): {about}.\n"
        f"Steps per session: {', '.join(name for name, _ in STEPS)}; "
        + (f"an import every {args.import_every:g} s" if args.import_every > 0 else "no imports")
        + f"; sessions started over {args.ramp:g} s. "
        f"Total run time {total:.0f} s.\n\n" + table(outcomes)
    )
    errors = [f"- {o.processes}p/{o.sessions}s: {e}" for o in outcomes for e in o.errors]
    if errors:
        report += "\nErrors:\n" + "\n".join(errors) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, "utf-8")
    print("\n" + report + f"\nwritten to {args.out}")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
