"""Shared fixtures: a real nats-server from the venv, a store on SQLite or PostgreSQL, and Debian's
chromium for the browser tests."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pingzhan.services.nats.embedded import EmbeddedNats
from pingzhan.services.settings import Settings

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
# A service a test starts serves its HTTP API on a free port, never on the default 8080.
os.environ["PINGZHAN_HTTP_PORT"] = "0"
# Nor does it sign with a ledger key of the developer's own (~/.config/pingzhan): only tests that
# make a key (tests/integration/ledger_helpers.py) have one.
_NO_LEDGER = Path(tempfile.mkdtemp(prefix="pingzhan-no-ledger-"))
os.environ["PINGZHAN_LEDGER_KEY"] = str(_NO_LEDGER / "ledger.key")
os.environ["PINGZHAN_LEDGER_CHECKPOINTS"] = str(_NO_LEDGER / "checkpoints")
REQUIRE_PG = os.environ.get("PINGZHAN_REQUIRE_POSTGRES") == "1"
REQUIRE_BROWSER = os.environ.get("PINGZHAN_REQUIRE_BROWSER") == "1"


def _postgres_available() -> str | None:
    try:
        with psycopg.connect(dbname="postgres", connect_timeout=3, **PG):
            return None
    except psycopg.Error as e:
        return str(e).splitlines()[0] if str(e) else type(e).__name__


@pytest.fixture(scope="session")
def postgres_reason() -> str | None:
    return _postgres_available()


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A fresh nats-server with JetStream on a free loopback port, for one test."""
    server = EmbeddedNats(tmp_path / "nats").start()
    yield server
    server.stop()


def make_postgres_db() -> str:
    name = f"pingzhan_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_postgres_db(name: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path, postgres_reason: str | None) -> Iterator[Settings]:
    """Settings for a fresh, empty store of each kind (SQLite in a temp dir, a new PostgreSQL database)."""
    if request.param == "sqlite":
        yield Settings(store="sqlite", data_dir=tmp_path / "data", batch_size=200)
        return
    if postgres_reason is not None:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required here (PINGZHAN_REQUIRE_POSTGRES=1) but: {postgres_reason}")
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432 ({postgres_reason})")
    name = make_postgres_db()
    yield Settings(store="postgres", postgres_dbname=name, data_dir=tmp_path / "data", batch_size=200)
    drop_postgres_db(name)


def _chromium() -> tuple[str | None, str]:
    """Debian's chromium, driven by Playwright for Python (never a browser Playwright downloads),
    or why there is none."""
    path = "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else shutil.which("chromium")
    if path is None:
        return None, "chromium not installed (sudo apt-get install chromium fonts-noto-cjk)"
    try:
        import playwright.sync_api  # noqa: F401
    except Exception as e:  # ImportError, or a broken install
        return None, f"playwright for Python does not import ({type(e).__name__}: {e}); make install"
    return path, ""


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The chromium executable for Playwright's ``executable_path``. Without one the test is
    skipped with the reason, unless PINGZHAN_REQUIRE_BROWSER=1 (set by .ci/run): then it fails."""
    path, reason = _chromium()
    if path is None:
        if REQUIRE_BROWSER:
            pytest.fail(f"a browser is required here (PINGZHAN_REQUIRE_BROWSER=1) but: {reason}")
        pytest.skip(reason)
    return path
