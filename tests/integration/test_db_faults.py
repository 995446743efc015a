"""Database faults under a running service: its PostgreSQL restarted mid-ingest (stopped as in a
crash), then paused (SIGSTOP on every process of the instance for 10 s). The worker and the
projector (`pingzhan serve`, one process) recover by themselves: every message gets its outcome,
the events equal a clean run's, and the read models equal a rebuild."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import nats
import pytest
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger

from tests.integration.helpers import (
    WorkerProcess,
    clean_run,
    dump_views,
    on_stream,
    publish,
    running,
    stored_events,
    wait_until,
    with_operators,
    workload,
)
from tests.integration.own_postgres import OwnPostgres, why_not

MESSAGES = 12_000


@pytest.fixture
def own_postgres():
    reason = why_not()
    if reason:
        if os.environ.get("PINGZHAN_REQUIRE_POSTGRES"):
            pytest.fail(f"PINGZHAN_REQUIRE_POSTGRES is set, but {reason}")
        pytest.skip(reason)
    pg = OwnPostgres()
    try:
        yield pg
    finally:
        pg.close()


async def test_postgres_restarted_and_paused_mid_ingest_loses_and_doubles_nothing(
    nats_server, own_postgres: OwnPostgres, tmp_path
) -> None:
    own_postgres.createdb("faults")
    store = Settings(
        store="postgres",
        data_dir=tmp_path / "data",
        postgres_dbname="faults",
        postgres_port=own_postgres.port,
    )
    settings = with_operators(await on_stream(nats_server, store, batch_size=500))
    items = workload(9, MESSAGES)
    ids = [i for i, _, _ in items]
    ledger = open_ledger(settings)
    worker = WorkerProcess(settings, POSTGRES_PORT=str(own_postgres.port)).start()
    publishing = asyncio.create_task(publish(nats_server.url, items))
    paused: list[int] = []
    try:
        await wait_until(lambda: len(ledger.outcomes(ids[3000:3050])) == 50, 120, "a quarter ingested")
        ledger.close()
        own_postgres.restart()
        ledger = open_ledger(settings)
        await wait_until(lambda: len(ledger.outcomes(ids[7000:7050])) == 50, 120, "ingest after the restart")
        ledger.close()
        paused = own_postgres.pause()
        await asyncio.sleep(10)
        own_postgres.resume(paused)
        paused = []
        ledger = open_ledger(settings)
        await publishing
        await wait_until(
            lambda: len(ledger.outcomes(ids)) == len(set(ids)), 180, "an outcome for every message"
        )
        head = ledger.recorder.max_notification_id() or 0
        views = ViewDb(settings)
        try:
            projected = lambda: views.position() >= head  # noqa: E731
            await wait_until(projected, 120, "the projector to fold every event after the faults")
        finally:
            views.close()
        assert worker.process.poll() is None, "the service stopped instead of recovering"
    finally:
        own_postgres.resume(paused)
        worker.stop()
        ledger.close()
    log = worker.log.read_text()
    async with running(settings, project=False) as service:
        after_faults = stored_events(service)
        live = dump_views(service)
        service.projector.rebuild()
        rebuilt = dump_views(service)
    clean_store = Settings(store="postgres", data_dir=tmp_path / "clean-store")
    assert after_faults == await clean_run(clean_store, items)
    assert live == rebuilt
    assert "retrying" in log  # it noticed, said so, and went on


async def test_postgres_down_for_longer_than_the_retries_the_worker_waits_and_goes_on(
    nats_server, own_postgres: OwnPostgres, tmp_path
) -> None:
    """The store away for 20 s, with messages arriving meanwhile: the worker says so, keeps the
    messages unacknowledged, and ingests them once the store is back (it used to stop for good
    when the store was still away as it started again from the stored position)."""
    own_postgres.createdb("down")
    store = Settings(
        store="postgres", data_dir=tmp_path / "data", postgres_dbname="down", postgres_port=own_postgres.port
    )
    settings = with_operators(await on_stream(nats_server, store, batch_size=500))
    items = workload(11, 4_000)
    ids = [i for i, _, _ in items]
    # The library's retries (10 tries, each waiting up to the connect timeout) end within the outage.
    worker = WorkerProcess(
        settings, POSTGRES_PORT=str(own_postgres.port), POSTGRES_CONNECT_TIMEOUT="1"
    ).start()
    try:
        await publish(nats_server.url, items[:2_000])
        ledger = open_ledger(settings)
        first = set(ids[:2_000])
        await wait_until(lambda: len(ledger.outcomes(list(first))) == len(first), 120, "the first half")
        ledger.close()
        own_postgres.stop()
        await publish(nats_server.url, items[2_000:])
        await asyncio.sleep(20)
        assert worker.process.poll() is None, "the service stopped while its store was away"
        own_postgres.start()
        ledger = open_ledger(settings)
        await wait_until(
            lambda: len(ledger.outcomes(ids)) == len(set(ids)), 120, "an outcome for every message"
        )
        ledger.close()
        assert worker.process.poll() is None, "the service stopped instead of recovering"
    finally:
        worker.stop()
    assert "retrying" in worker.log.read_text()
    async with running(settings, project=False) as service:
        after = stored_events(service)
    assert after == await clean_run(Settings(store="postgres", data_dir=tmp_path / "clean-store"), items)


@contextlib.contextmanager
def small_disk(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``where`` (root only), unmounted after."""
    where.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    )
    if mounted.returncode != 0:
        reason = f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip() or 'not root'}"
        if os.environ.get("PINGZHAN_REQUIRE_POSTGRES"):  # CI: every fault test runs
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


async def test_sqlite_on_a_full_disk_keeps_messages_unacknowledged_and_goes_on_when_space_returns(
    nats_server, tmp_path: Path
) -> None:
    with small_disk(tmp_path / "disk", "4m") as disk:
        store = Settings(store="sqlite", data_dir=disk / "data")
        settings = with_operators(await on_stream(nats_server, store, batch_size=500))
        items = workload(10, 20_000)
        ids = [i for i, _, _ in items]
        worker = WorkerProcess(settings).start()
        try:
            await publish(nats_server.url, items)
            full = "batch not recorded (nothing acknowledged); retrying"
            await wait_until(
                lambda: full in worker.log.read_text(), 120, "the worker to say the disk is full"
            )
            ledger = open_ledger(settings)
            # A small part may still fit after a failed batch (the write-ahead log reuses what the
            # failed transaction wrote): wait until nothing more goes in for three seconds.
            stuck = await stalled(lambda: len(ledger.outcomes(ids)), 3.0, 60)
            said = worker.log.read_text().count(f'"event": "{full}"')
            await asyncio.sleep(3.0)  # a retry a second: none of them recorded or said again
            assert len(ledger.outcomes(ids)) == stuck < len(set(ids))
            assert worker.log.read_text().count(f'"event": "{full}"') == said
            pending = await consumer_pending(nats_server.url, settings)
            assert pending >= len(set(ids)) - stuck  # still in the stream, unacknowledged
            grown = subprocess.run(["mount", "-o", "remount,size=256m", str(disk)], capture_output=True)
            assert grown.returncode == 0, grown.stderr
            await wait_until(
                lambda: len(ledger.outcomes(ids)) == len(set(ids)), 120, "every outcome once space returned"
            )
            ledger.close()
            assert worker.process.poll() is None
        finally:
            worker.stop()
        log = worker.log.read_text()
        # said once each time it began ("still" at most once a minute), and each time it ended
        assert log.count(f'"event": "{full}"') == log.count(f'"event": "{full}: recovered"') >= 1, log[-2000:]
        async with running(settings, project=False) as service:
            after = stored_events(service)
            live = dump_views(service)
            service.projector.rebuild()
            rebuilt = dump_views(service)
        assert after == await clean_run(Settings(store="sqlite", data_dir=tmp_path / "clean-store"), items)
        assert live == rebuilt


async def stalled(count: Callable[[], int], quiet_s: float, timeout_s: float) -> int:
    """``count()`` once it has not changed for ``quiet_s`` seconds."""
    deadline = time.monotonic() + timeout_s
    last = count()
    while time.monotonic() < deadline:
        await asyncio.sleep(quiet_s)
        now = count()
        if now == last:
            return now
        last = now
    raise AssertionError(f"still growing after {timeout_s} s: {last}")


async def consumer_pending(url: str, settings: Settings) -> int:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        names = [c.name for c in await js.consumers_info(settings.stream)]
        infos = [await js.consumer_info(settings.stream, n) for n in names]
        return sum((i.num_pending or 0) + (i.num_ack_pending or 0) for i in infos)
    finally:
        await nc.close()
