"""Fresh stores, nats-servers and worker processes for the benchmark phases."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg
from pingzhan.services.accounts import ensure_operators
from pingzhan.services.nats.embedded import EmbeddedNats, nats_server_binary
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger
from pingzhan.services.traffic.district import OPERATORS

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


class Stores:
    """Hands out empty stores of one kind; removes them at the end."""

    def __init__(self, kind: str):
        self.kind = kind
        self.root = Path(tempfile.mkdtemp(prefix="pingzhan-bench-"))
        self.databases: list[str] = []

    def fresh(self, name: str, **overrides: Any) -> Settings:
        """An empty store, but for the operators the workload switches as (see ``with_operators``)."""
        data_dir = self.root / name
        if self.kind == "sqlite":
            return with_operators(Settings(store="sqlite", data_dir=data_dir, **overrides))
        db = f"pingzhan_bench_{name}_{uuid.uuid4().hex[:6]}"
        with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
            conn.execute(f'CREATE DATABASE "{db}"')
        self.databases.append(db)
        return with_operators(Settings(store="postgres", postgres_dbname=db, data_dir=data_dir, **overrides))

    def nats(self, name: str, sync_always: bool = False) -> EmbeddedNats:
        """A nats-server for one phase, not started yet (use it as a context manager).
        ``sync_always``: JetStream fsyncs after every write (``sync_interval: always``) instead of
        every 2 minutes, its default."""
        store_dir = self.root / f"nats-{name}"
        if not sync_always:
            return EmbeddedNats(store_dir)
        store_dir.mkdir(parents=True, exist_ok=True)
        config = store_dir / "nats-server.conf"
        config.write_text(f'jetstream {{\n  store_dir: "{store_dir}"\n  sync_interval: always\n}}\n')
        return EmbeddedNats(store_dir, config=config)

    def close(self) -> None:
        if self.databases:
            with psycopg.connect(dbname="postgres", autocommit=True, **PG) as conn:
                for db in self.databases:
                    conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        subprocess.run(["rm", "-rf", str(self.root)], check=False)


def with_operators(settings: Settings) -> Settings:
    """The store with the workload's operators registered, as `pingzhan simulate` registers them:
    mode messages from anyone else are rejected (not_authorised)."""
    ledger = open_ledger(settings)
    try:
        ensure_operators(settings, ledger, OPERATORS)
    finally:
        ledger.close()
    return settings


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PINGZHAN_", "POSTGRES_"))}
    env.update(
        PINGZHAN_STORE=settings.store,
        PINGZHAN_DATA_DIR=str(settings.data_dir),
        PINGZHAN_NATS_URL=settings.nats_url,
        PINGZHAN_BATCH_SIZE=str(settings.batch_size),
        POSTGRES_DBNAME=settings.postgres_dbname,
        **extra,
    )
    return env


class Worker:
    """A `pingzhan serve` process; ready once it logs that it is consuming."""

    def __init__(
        self, settings: Settings, role: str = "ingest", command: list[str] | None = None, **extra_env: str
    ):
        """``command``: another program in place of `pingzhan serve --role ROLE`."""
        self.log = settings.data_dir.parent / f"worker-{uuid.uuid4().hex[:6]}.log"
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            command or [str(Path(sys.executable).with_name("pingzhan")), "serve", "--role", role],
            env=env_for(settings, **extra_env),
            stdout=open(self.log, "w"),
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 30) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if '"consuming"' in self.log.read_text():
                return time.monotonic()
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited: {self.log.read_text()[-500:]}")
            time.sleep(0.005)
        raise RuntimeError("worker not ready in time")

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        cpu = next(
            line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    nats_version = subprocess.run(
        [str(nats_server_binary()), "--version"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "eventsourcing": version("eventsourcing"),
        "nats_py": version("nats-py"),
        "nats_server": nats_version,
        "hostname": platform.node(),
    }
