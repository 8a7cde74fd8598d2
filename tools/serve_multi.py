"""Several dashboard processes on one PostgreSQL store, behind nginx with sticky sessions.

Usage: python -m tools.serve_multi [--port 8501] [--processes 2] [--first-app-port 8511]
                                   [--pg-port 55433] [--listen 127.0.0.1] [--no-sample]
(`make serve-multi PORT=...`). Ctrl-C stops everything it started.

Without PROGRESS_DB it starts a PostgreSQL server of its own in var/serve-multi/pg (kept
between runs), creates the database `dashboard`, an app login role `dash_app`, and seeds the
bundled sample figures once (marked as sample data, as the demo store is). With
PROGRESS_DB=postgresql://... it uses that store as it is: `migrate-store` runs with that URL
(the owner's), and the app processes connect with APP_PROGRESS_DB when it is set (the app's
restricted login role), else with PROGRESS_DB. Then it runs `migrate-store`, starts the
Streamlit processes on 127.0.0.1 and nginx (Debian's, as the current user) from
deploy/nginx/dashboard.conf.template, written to var/serve-multi/nginx.conf with its pid,
logs (logs/access.log names the process behind each request) and temporary files there.

`running_stack(...)` is the same as a context manager: the browser test and the load test
(bench/load.py) start the stack with it.
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import re
import secrets
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tools.local_postgres import LocalPostgres, free_port, postgres_bin

REPO = Path(__file__).resolve().parents[1]
NGINX = Path("/usr/sbin/nginx")
TEMPLATE = REPO / "deploy" / "nginx" / "dashboard.conf.template"
DEFAULT_FOLDER = REPO / "var" / "serve-multi"
DATABASE = "dashboard"
APP_ROLE = "dash_app"
HEALTH_DEADLINE_S = 180  # a cold Streamlit start on a loaded 2-core machine can take long
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class Stack:
    """A running stack: the URL browsers use (nginx), each app process's own URL and pid,
    the store's URL as its owner (`database_url`: imports, migrations) and as the apps
    connect (`app_url`), and the run folder (nginx.conf, logs/access.log, logs/app-PORT.log)."""

    proxy_url: str
    backend_urls: tuple[str, ...]
    backend_pids: tuple[int, ...]
    database_url: str
    app_url: str
    folder: Path
    processes: tuple[subprocess.Popen, ...] = field(default=(), repr=False, compare=False)

    @property
    def access_log(self) -> Path:
        return self.folder / "logs" / "access.log"

    def exited(self) -> list[str]:
        """The processes of the stack (apps, then nginx) that have exited, with their codes."""
        names = [*self.backend_urls, "nginx"]
        return [
            f"{name} (exit code {proc.returncode})"
            for name, proc in zip(names, self.processes, strict=True)
            if proc.poll() is not None
        ]


@contextmanager
def running_stack(
    processes: int = 2,
    *,
    database_url: str | None = None,
    app_url: str | None = None,
    folder: Path | None = None,
    port: int | None = None,
    listen: str = "127.0.0.1",
    app_ports: Sequence[int] | None = None,
    pg_port: int | None = None,
    sample: bool = True,
    env: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """Start PostgreSQL (unless `database_url` names a store), migrate, seed the sample (when
    `sample` and the store has no upload yet), start `processes` Streamlit processes and
    nginx; yield the Stack; stop all it started, in reverse order, whatever happens.

    `port`, `app_ports` and `pg_port` default to free ports; `env` is the environment the
    app processes and commands get (PLAN_FILE, PLANS_DIR, PLAN_ID pass through from it;
    default os.environ)."""
    base_env = dict(os.environ if env is None else env)
    folder = (folder or DEFAULT_FOLDER).resolve()
    for sub in ("logs", "temp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    app_ports = list(app_ports or [free_port() for _ in range(processes)])
    if len(app_ports) != processes:
        raise ValueError(f"{processes} processes need {processes} ports, got {app_ports}")
    with ExitStack() as stack:
        if database_url is None:
            server = _own_server(folder / "pg", pg_port or free_port())
            stack.callback(_stop_server, server)
            database_url = server.url(DATABASE)
            migrate_store(database_url, base_env)
            app_url = app_url or _with_user(database_url, APP_ROLE)
            _ensure_login_role(database_url, APP_ROLE)
            grant_app_role(database_url, APP_ROLE, base_env)
        else:
            migrate_store(database_url, base_env)
        app_url = app_url or database_url
        if sample:
            seed_sample(database_url, base_env)
        app_env = {
            **base_env,
            "PROGRESS_DB": app_url,
            # one secret for every process: a cookie one process signed (XSRF, st.login)
            # is valid on the others
            "STREAMLIT_SERVER_COOKIE_SECRET": base_env.get("STREAMLIT_SERVER_COOKIE_SECRET")
            or secrets.token_hex(32),
        }
        apps = [_start_app(p, app_env, folder / "logs" / f"app-{p}.log") for p in app_ports]
        for proc in apps:
            stack.callback(_stop_group, proc)
        urls = tuple(f"http://127.0.0.1:{p}" for p in app_ports)
        for proc, url, p in zip(apps, urls, app_ports, strict=True):
            wait_healthy(url, proc, f"the dashboard process at {url} (logs/app-{p}.log)")
        port = port or free_port()
        conf = write_nginx_config(folder, listen=f"{listen}:{port}", app_ports=app_ports)
        nginx = _start_nginx(folder, conf)
        stack.callback(_stop_group, nginx)
        host = "127.0.0.1" if listen in ("0.0.0.0", "*") else listen
        proxy_url = f"http://{host}:{port}"
        wait_healthy(proxy_url, nginx, f"nginx on {listen}:{port} (logs/error.log)")
        yield Stack(
            proxy_url=proxy_url,
            backend_urls=urls,
            backend_pids=tuple(p.pid for p in apps),
            database_url=database_url,
            app_url=app_url,
            folder=folder,
            processes=(*apps, nginx),
        )


# --- the store --------------------------------------------------------------------------


def _own_server(folder: Path, port: int) -> LocalPostgres:
    """The stack's own server in `folder` (data kept between runs), started, with the
    database DATABASE."""
    import psycopg

    folder.parent.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0 and not folder.exists():
        folder.mkdir()
        os.chmod(folder, 0o755)  # the `postgres` user runs the server in it
    server = LocalPostgres(folder, port)
    _stop_server(server)  # a server left running by a run that was killed
    server.start(durable=True)
    with psycopg.connect(server.url(), autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
        if found.fetchone() is None:
            conn.execute(f"CREATE DATABASE {DATABASE}")
    return server


def _stop_server(server: LocalPostgres) -> None:
    """Stop the stack's own server with a clean shutdown: its data is kept between runs."""
    binaries = postgres_bin()
    data = server.folder / "data"
    if binaries is not None and (data / "postmaster.pid").exists():
        command = [str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]
        if os.geteuid() == 0:  # the server's files belong to the `postgres` user
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, capture_output=True, check=False, cwd="/")


def _ensure_login_role(owner_url: str, role: str) -> None:
    import psycopg

    with psycopg.connect(owner_url, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if found.fetchone() is None:
            conn.execute(f'CREATE ROLE "{role}" LOGIN')


def _with_user(url: str, user: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{user}@{host}"))


def _has_command(name: str) -> bool:
    """Whether `python -m lib` has the command (store commands are newer than this tool)."""
    from lib.cli.main import COMMAND_MODULES

    return any(name in commands for commands in COMMAND_MODULES.values())


def _lib_command(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lib", *args], cwd=REPO, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"python -m lib {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def migrate_store(owner_url: str, env: dict[str, str]) -> None:
    """Create or upgrade the schema as the owner: `python -m lib migrate-store`, or, where
    that command is not there yet, the engine's own migration (the same steps and lock)."""
    if _has_command("migrate-store"):
        _lib_command(["migrate-store"], {**env, "PROGRESS_DB": owner_url})
        return
    from lib.store.postgres_engine import PostgresEngine, close_pools

    PostgresEngine(owner_url, busy_timeout_s=30).ensure_schema()
    close_pools(owner_url)


def grant_app_role(owner_url: str, role: str, env: dict[str, str]) -> None:
    """Give the app's login role its rights: `python -m lib grant-app-role ROLE`, or the
    same statements (lib.store.postgres_schema.app_role_grants) where the command is not
    there yet."""
    if _has_command("grant-app-role"):
        _lib_command(["grant-app-role", role], {**env, "PROGRESS_DB": owner_url})
        return
    import psycopg

    from lib.store.postgres_schema import app_role_grants

    with psycopg.connect(owner_url, autocommit=True) as conn, conn.transaction():
        for statement in app_role_grants(role):
            conn.execute(statement)


def seed_sample(owner_url: str, env: dict[str, str]) -> bool:
    """Seed the bundled sample figures into a store that never had an upload, as the demo
    store is (marked sample, confirmed); only for the bundled home plan. Whether it did."""
    from datetime import UTC, datetime

    from lib.services.plans import plan_library
    from lib.services.settings import DEFAULT_PLAN_FILE, SAMPLE_PROGRESS_FILE, settings_from_env
    from lib.services.workspace import ensure_demo_store
    from lib.store.postgres_engine import close_pools
    from lib.store.repository import ProgressStore

    settings = settings_from_env({**env, "PROGRESS_DB": owner_url})
    home = plan_library(settings).home
    if home is None or settings.plan_file.resolve() != DEFAULT_PLAN_FILE.resolve():
        return False
    try:
        store = ProgressStore(owner_url, plan_id=home.plan_id, home_plan_id=home.plan_id)
        if not store.uploads().empty:
            return False
        ensure_demo_store(store, home.plan, SAMPLE_PROGRESS_FILE, datetime.now(UTC))
        return True
    finally:
        close_pools(owner_url)


# --- processes --------------------------------------------------------------------------


def _start_app(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """A dashboard process on 127.0.0.1:`port` (only nginx reaches it), its output in `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches this tool only, which stops it in order
        )  # fmt: skip


def upload_limit_mb() -> int:
    """Streamlit's server.maxUploadSize of the project's config (Streamlit's default 200)."""
    config = REPO / ".streamlit" / "config.toml"
    if not config.exists():
        return 200
    return int(tomllib.loads(config.read_text("utf-8")).get("server", {}).get("maxUploadSize", 200))


def write_nginx_config(folder: Path, *, listen: str, app_ports: Sequence[int]) -> Path:
    """deploy/nginx/dashboard.conf.template filled in for this run, as folder/nginx.conf."""
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / "temp" / sub).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:  # nginx's workers would otherwise switch to `nobody`
        user = pwd.getpwuid(os.geteuid()).pw_name
        user_directive = f"user {user} {grp.getgrgid(os.getegid()).gr_name};"
    else:
        user_directive = "# (workers run as the user who started nginx)"
    values = {
        "run_dir": str(folder),
        "user_directive": user_directive,
        "listen": listen,
        "upstream_servers": "\n".join(
            f"        server 127.0.0.1:{p} max_fails=3 fail_timeout=10s;" for p in app_ports
        ),
        "client_max_body_size": f"{upload_limit_mb() + 1}m",
    }
    text = _PLACEHOLDER.sub(lambda m: values[m.group(1)], TEMPLATE.read_text("utf-8"))
    conf = folder / "nginx.conf"
    conf.write_text(text, "utf-8")
    return conf


def _start_nginx(folder: Path, conf: Path) -> subprocess.Popen:
    if not NGINX.exists():
        raise RuntimeError(f"nginx is not installed at {NGINX} (Debian nginx-light; make does it)")
    command = [
        str(NGINX),
        "-p",
        str(folder),
        "-c",
        str(conf),
        "-e",
        str(folder / "logs" / "error.log"),
    ]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx refused {conf}:\n{checked.stderr}")
    with (folder / "logs" / "nginx.out").open("ab") as out:
        return subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def wait_healthy(url: str, proc: subprocess.Popen, what: str) -> None:
    """Poll url/_stcore/health until "ok"; RuntimeError when `proc` exits or at the deadline
    (the browser tests' servers are waited for with this too)."""
    deadline = time.monotonic() + HEALTH_DEADLINE_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not become healthy within {HEALTH_DEADLINE_S} s")


def _stop_group(proc: subprocess.Popen) -> None:
    """Stop a process started in a session of its own, with its children (nginx's workers)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


# --- the command ------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.serve_multi", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--port", type=int, default=8501, help="nginx's port (default 8501)")
    parser.add_argument("--listen", default="127.0.0.1", help="nginx's address (0.0.0.0: all)")
    parser.add_argument("--processes", type=int, default=2, help="app processes (default 2)")
    parser.add_argument(
        "--first-app-port", type=int, default=8511, help="the first app process's port; "
        "the others follow (default 8511)"
    )  # fmt: skip
    parser.add_argument(
        "--pg-port", type=int, default=55433, help="port of the PostgreSQL server started "
        "when PROGRESS_DB is not set (default 55433)"
    )  # fmt: skip
    parser.add_argument(
        "--no-sample", action="store_true", help="do not seed the sample into an empty store"
    )
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    from lib.store.engines import is_postgres_url, shown_location

    database_url = os.environ.get("PROGRESS_DB") or None
    if database_url is not None and not is_postgres_url(database_url):
        print(
            f"PROGRESS_DB={database_url} is not a postgresql:// URL: several processes need"
            " a PostgreSQL store (unset it to start a local server)",
            file=sys.stderr,
        )
        return 2
    # Ctrl-C and a plain `kill` both end in the context manager's clean-up (SIGINT set
    # explicitly: a shell starting this in the background may have left it ignored)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    ports = [args.first_app_port + i for i in range(args.processes)]
    started = time.monotonic()
    try:
        with running_stack(
            args.processes,
            database_url=database_url,
            app_url=os.environ.get("APP_PROGRESS_DB") or None,
            folder=args.folder,
            port=args.port,
            listen=args.listen,
            app_ports=ports,
            pg_port=args.pg_port,
            sample=not args.no_sample and database_url is None,
        ) as stack:
            print(f"store:     {shown_location(stack.database_url)} (apps: "
                  f"{shown_location(stack.app_url)})")  # fmt: skip
            for url, pid in zip(stack.backend_urls, stack.backend_pids, strict=True):
                print(f"process:   {url} (pid {pid})")
            print(f"logs:      {stack.folder / 'logs'}")
            print(f"ready in {time.monotonic() - started:.0f} s: open {stack.proxy_url}"
                  "  (Ctrl-C stops everything)", flush=True)  # fmt: skip
            while not (gone := stack.exited()):
                time.sleep(1)
            print(f"stopping: exited: {', '.join(gone)} (see the logs)", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        print("\nstopped", file=sys.stderr)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
