"""Helpers for tests against a real nats-server and a real store."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

import nats
from pingzhan.domain import ids
from pingzhan.services.accounts import ensure_operators
from pingzhan.services.bootstrap import App, build
from pingzhan.services.nats.publish import publish_items
from pingzhan.services.nats.stream import ensure_stream
from pingzhan.services.org.data import read_org_file
from pingzhan.services.settings import Settings
from pingzhan.services.store.conflicts import hex_id
from pingzhan.services.store.ledger import open_ledger
from pingzhan.services.traffic.district import OPERATORS


async def make_stream(url: str, settings: Settings) -> None:
    """The inbound stream, made as the service makes it."""
    nc = await nats.connect(url)
    await ensure_stream(nc.jetstream(), settings)
    await nc.close()


def with_operators(settings: Settings, *names: str) -> Settings:
    """The store with these operators registered (by default the traffic generators' own,
    ``district.OPERATORS``), as `pingzhan simulate` registers them: mode messages from anyone else
    are rejected (not_authorised)."""
    ledger = open_ledger(settings)
    try:
        ensure_operators(settings, ledger, names or OPERATORS)
    finally:
        ledger.close()
    return settings


def inbound(seq: int, kind: str, **fields: object) -> Any:
    """A message as it comes off the stream at ``seq`` (id ``m{seq}``), for an Ingest without NATS."""
    import orjson
    from pingzhan.services.ingest.outcome import Inbound

    body = {
        "id": f"m{seq}",
        "kind": kind,
        "occurred_at": "2022-07-15T20:00:00+08:00",
        "actor": "op",
        **fields,
    }
    return Inbound(seq, f"pingzhan.in.0.{kind}", orjson.dumps(body))


async def on_stream(nats_server: Any, store: Settings, **changes: Any) -> Settings:
    """The store's settings pointed at ``nats_server`` (with ``changes``), its stream made."""
    settings = store.model_copy(update={"nats_url": nats_server.url, **changes})
    await make_stream(nats_server.url, settings)
    return settings


def workload(seed: int, count: int) -> list[tuple[str, str, bytes]]:
    """``count`` messages of the benchmark workload over the shipped organisation."""
    from pingzhan.services.traffic.workload import Workload

    return list(Workload(read_org_file(), seed=seed).messages(count))


async def publish(url: str, items: Iterable[tuple[str, str, bytes]], with_header: bool = True) -> None:
    nc = await nats.connect(url)
    await publish_items(nc.jetstream(), list(items), with_header)
    await nc.close()


async def last_seq(url: str, stream: str) -> int:
    nc = await nats.connect(url)
    info = await nc.jetstream().stream_info(stream)
    await nc.close()
    return int(info.state.last_seq)


async def wait_until(predicate: Callable[[], bool], timeout: float = 30, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def running(settings: Settings, project: bool = True) -> AsyncIterator[App]:
    """The service, ingesting (and projecting unless told not to), until the block ends."""
    service = build(settings)
    stop = asyncio.Event()
    task = asyncio.create_task(service.run("all" if project else "ingest", stop))
    try:
        yield service
    finally:
        stop.set()
        await task
        service.close()


async def drain(settings: Settings, url: str, project: bool = True) -> None:
    """Run the service until it has recorded everything in the stream (and projected it)."""
    head = await last_seq(url, settings.stream)
    async with running(settings, project) as service:
        await wait_until(lambda: service.ingest.position >= head, what=f"ingest to reach stream seq {head}")
        if project:
            top = service.ledger.recorder.max_notification_id() or 0
            await asyncio.to_thread(service.projector.wait_for, top, 30)


def dump_views(service: App) -> dict[str, list[tuple[Any, ...]]]:
    tables = [t.name for m in service.projector.models for t in m.tables]
    return {t: sorted(service.views.query(f"SELECT * FROM {t}"), key=repr) for t in tables}


def stored_events(service: App) -> list[tuple[Any, ...]]:
    """Every event the stream's messages recorded, without the recording timestamp, in notification
    order. The accounts are left out: they are set up beside the stream, each store with tokens of
    its own."""
    import orjson

    rows = []
    start = 1
    accounts = ids.accounts().hex
    while batch := service.ledger.recorder.select_notifications(start=start, limit=5000):
        for n in batch:
            if hex_id(n.originator_id) == accounts:
                continue
            state = orjson.loads(n.state)
            state.pop("timestamp", None)
            rows.append((str(n.originator_id), n.originator_version, n.topic, tuple(sorted(state.items()))))
        start = batch[-1].id + 1
    return rows


class WorkerProcess:
    """`pingzhan serve` as a real process, to be killed with SIGKILL and started again."""

    def __init__(self, settings: Settings, role: str = "all", **env: str):
        import os
        import subprocess
        import sys
        from pathlib import Path

        self.settings = settings
        self.argv = [str(Path(sys.executable).with_name("pingzhan")), "serve", "--role", role]
        base = {k: v for k, v in os.environ.items() if not k.startswith(("PINGZHAN_", "POSTGRES_"))}
        self.env = {
            **base,
            "PINGZHAN_STORE": settings.store,
            "PINGZHAN_DATA_DIR": str(settings.data_dir),
            "PINGZHAN_NATS_URL": settings.nats_url,
            "PINGZHAN_BATCH_SIZE": str(settings.batch_size),
            "PINGZHAN_DUPLICATE_WINDOW_S": str(settings.duplicate_window_s),
            "POSTGRES_DBNAME": settings.postgres_dbname,
            "PINGZHAN_HTTP_PORT": "0",  # its HTTP API on a free port, never the default 8080
            **env,
        }
        self.log = settings.data_dir.parent / f"worker-{role}-{env.get('PINGZHAN_WORKER_INDEX', '0')}.log"
        self.process: Any = None
        self.subprocess = subprocess

    def start(self) -> WorkerProcess:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = self.subprocess.Popen(
            self.argv, env=self.env, stdout=open(self.log, "a"), stderr=self.subprocess.STDOUT
        )
        return self

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


async def clean_run(store: Settings, items: list[tuple[str, str, bytes]]) -> list[tuple[Any, ...]]:
    """The stored events of the same messages ingested by one worker that is never stopped,
    in a store and nats-server of their own."""
    from pingzhan.services.nats.embedded import EmbeddedNats

    from tests.conftest import drop_postgres_db, make_postgres_db

    with EmbeddedNats(store.data_dir.parent / "clean-nats") as other:
        clean = store.model_copy(update={"nats_url": other.url, "data_dir": store.data_dir.parent / "clean"})
        if store.store == "postgres":
            clean = clean.model_copy(update={"postgres_dbname": make_postgres_db()})
        try:
            await make_stream(other.url, clean)
            with_operators(clean)
            await publish(other.url, items)
            await drain(clean, other.url, project=False)
            async with running(clean, project=False) as service:
                return stored_events(service)
        finally:
            if store.store == "postgres":
                drop_postgres_db(clean.postgres_dbname)


NEW_GRID = "BT-QG-01-99"


def org_file_with_a_new_grid(folder: Path) -> Path:
    """The shipped organisation with one grid more (NEW_GRID), written in ``folder``."""
    data = read_org_file()
    data["grids"].append(
        {"id": NEW_GRID, "name": "新网格", "community": "BT-QG-01", "households": 5, "residents": 9}
    )
    path = folder / "org.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path
