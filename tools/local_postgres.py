"""A throwaway PostgreSQL server in a folder of its own, on loopback: what the tests, the
benchmark and `make serve-multi` run the PostgreSQL store against.

Usage: python tools/local_postgres.py start FOLDER [--port N]   (prints the URL, stays up)
       python tools/local_postgres.py stop FOLDER

Debian's `postgresql` package (installed by `make test`) provides initdb and pg_ctl.
initdb refuses to run as root, so as root both run as the `postgres` user on a folder it
owns; the server listens on 127.0.0.1 only, its socket in the folder, with trust
authentication: it is reachable from this machine only and holds test data only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "dash_owner"  # the role initdb makes: owns the database and runs migrations
# Durability settings off: a test server's data is thrown away, and a killed *client* (what
# the crash tests kill) is safe without fsync; a killed server is not what they test.
_FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def postgres_bin() -> Path | None:
    """The folder of Debian's newest PostgreSQL server programs, or None."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3])
    )
    return versions[-1].parent if versions else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LocalPostgres:
    """A server whose data lives in `folder/data`; `url(database)` connects as SUPERUSER."""

    folder: Path
    port: int

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def start(self, *, durable: bool = False) -> LocalPostgres:
        binaries = postgres_bin()
        if binaries is None:
            raise RuntimeError(
                "PostgreSQL is not installed (Debian package `postgresql`; make test installs it)"
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        data = self.folder / "data"
        if not data.exists():
            self._give_to_server_user(self.folder)
            self._run(
                [str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", SUPERUSER,
                 "-E", "UTF8", "--locale=C.UTF-8"]
            )  # fmt: skip
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        options += " -c max_connections=200"
        if not durable:
            options += "".join(f" -c {setting}" for setting in _FAST)
        self._run(
            [str(binaries / "pg_ctl"), "-D", str(data), "-o", options,
             "-l", str(self.folder / "server.log"), "-w", "-t", "60", "start"]
        )  # fmt: skip
        return self

    def stop(self) -> None:
        binaries = postgres_bin()
        if binaries is not None and (self.folder / "data" / "postmaster.pid").exists():
            self._run([str(binaries / "pg_ctl"), "-D", str(self.folder / "data"),
                       "-m", "immediate", "-w", "stop"], check=False)  # fmt: skip

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    @staticmethod
    def _give_to_server_user(folder: Path) -> None:
        if os.geteuid() == 0:
            shutil.chown(folder, user="postgres", group="postgres")

    @staticmethod
    def _run(command: list[str], *, check: bool = True) -> None:
        if os.geteuid() == 0:  # initdb and the server refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd="/", check=False)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


def started_server(port: int | None = None, *, durable: bool = False) -> LocalPostgres:
    """A new server in a new folder under the system temp dir (the `postgres` user must be
    able to reach it, which pytest's per-user temp folders do not allow); `durable` keeps
    fsync and the other durability settings on, as a deployment has them."""
    folder = Path(tempfile.mkdtemp(prefix="dash-pg-"))
    os.chmod(folder, 0o755)
    server = LocalPostgres(folder, port or free_port())
    for attempt in range(3):  # a free port can be taken between the probe and the start
        try:
            return server.start(durable=durable)
        except RuntimeError:
            if attempt == 2:
                server.remove()
                raise
            server.port = free_port()
            time.sleep(0.2)
    raise AssertionError("unreachable")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--port", type=int, default=55432)
    args = parser.parse_args(argv)
    server = LocalPostgres(args.folder.resolve(), args.port)
    if args.action == "stop":
        server.stop()
        return 0
    if os.geteuid() == 0 and not args.folder.exists():
        args.folder.mkdir(parents=True)
        os.chmod(args.folder, 0o755)
    server.start(durable=True)
    print(server.url())
    return 0


if __name__ == "__main__":
    sys.exit(main())
