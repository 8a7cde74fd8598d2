"""A real PostgreSQL server for the tests, started by the tests (never a mock).

One server per test process (pytest-xdist worker), in a temporary folder, on loopback,
started on first use (tools/local_postgres.py; Debian's `postgresql` package, which
`make test` installs). Each test that asks for `postgres_url` gets a database of its own,
dropped afterwards. `store_location` runs a test once on a SQLite file and once on
PostgreSQL: the store's guarantees are tested on both engines.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from lib.store.postgres_engine import close_pools
from tools.local_postgres import LocalPostgres, postgres_bin, started_server

ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[LocalPostgres]:
    # A failure, not a skip: `make test` installs PostgreSQL, so its absence is a broken setup.
    if postgres_bin() is None:
        pytest.fail("PostgreSQL is not installed (Debian `postgresql`; make test installs it)")
    server = started_server()
    try:
        yield server
    finally:
        close_pools()
        server.remove()


def new_database(server: LocalPostgres) -> str:
    """A new empty database on `server`; its URL (as the owner role)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server.url(name)


def drop_database(server: LocalPostgres, url: str) -> None:
    close_pools(url)
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def postgres_url(postgres_server: LocalPostgres) -> Iterator[str]:
    """A fresh database of its own on the test server, as the owner role."""
    url = new_database(postgres_server)
    try:
        yield url
    finally:
        drop_database(postgres_server, url)


@pytest.fixture(params=ENGINES)
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test's store lives: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "store" / "progress.sqlite3")
    return request.getfixturevalue("postgres_url")
