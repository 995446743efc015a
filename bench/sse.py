"""The operator's view of latency: `POST /api/switch` to the SSE `change` event that shows it.

A `pingzhan serve` process (role all, its HTTP API on a free port) runs on a populated store while
field traffic is published at a steady rate; an SSE client reads `GET /api/stream` and an operator
(a registered one, with a bearer token) switches a street to wartime and back, again and again.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
import random
import re
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import nats
from pingzhan.services.accounts import add_token
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger

from .breakdown import breakdown
from .env import Worker
from .phases import BEHIND_S, Item, wait_for
from .traffic import PROBED_STREET

OPERATOR = "bench-duty"  # signs in with a token made for it
STREET = PROBED_STREET
PROBE_ID = re.compile(rb'"message_id":"(op-[^"]+)"')  # an operator action's id in the SSE data


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p99 (nearest rank), max and how many."""
    ordered = sorted(values)
    rank = lambda q: ordered[max(0, math.ceil(q * len(ordered)) - 1)]  # noqa: E731
    return {"p50": rank(0.5), "p99": rank(0.99), "max": ordered[-1], "samples": len(ordered)}


async def switch_to_sse(
    settings: Settings, background: Iterator[Item], samples: int, budget_s: float, rate: int = 5000
) -> dict[str, Any]:
    """Time from sending `POST /api/switch` to the SSE change event of its outcome's message_id,
    and to the POST's own answer, under ``rate`` background messages/s."""
    ledger = open_ledger(settings)
    try:
        token = add_token(settings, ledger, OPERATOR, "operator")
    finally:
        ledger.close()
    traced = settings.data_dir.parent / f"trace-{time.time_ns()}.jsonl"
    # Two processes, one per core: ingest, and the projector with the HTTP API (one process doing
    # both cannot follow 5,000 msg/s on this machine: it is held to one core by the GIL).
    trace_env = {"PINGZHAN_TRACE_FILE": str(traced)}
    ingest = Worker(settings, role="ingest", PINGZHAN_HTTP="false", **trace_env)
    worker = Worker(settings, role="project", PINGZHAN_HTTP_PORT="0", **trace_env)
    try:
        ingest.wait_ready()
        url = await asyncio.to_thread(_http_url, worker)
        result, probes = await _probe(settings, url, token, background, samples, budget_s, rate)
    finally:
        worker.stop()
        ingest.stop()
    result["breakdown"] = breakdown(traced, probes)
    return result


def _http_url(worker: Worker, timeout: float = 30) -> str:
    found: list[str] = []

    def announced() -> bool:
        found[:] = re.findall(r"HTTP API and dashboard: (\S+)/ ", worker.log.read_text())
        return bool(found)

    wait_for(announced, timeout, "the HTTP API")
    return found[0]


def _caught_up(settings: Settings) -> None:
    """The projector has every event stored so far (the ingest has every message: ``Behind``)."""
    views, ledger = ViewDb(settings), open_ledger(settings)
    head = ledger.recorder.max_notification_id() or 0
    projected = lambda: views.position() >= head  # noqa: E731
    try:
        wait_for(projected, 600, "the projector to catch up", 0.05)
    finally:
        views.close()
        ledger.close()


class Load:
    """Publishes ``background`` at ``rate`` messages/s, paced every 10 ms (catching up when late)."""

    def __init__(self, js: Any, background: Iterator[Item], rate: int):
        self.js, self.background, self.rate = js, background, rate
        self.sent, self.started, self.stopped = 0, 0.0, 0.0
        self.stop = asyncio.Event()

    async def run(self) -> None:
        self.started = time.monotonic()
        while not self.stop.is_set():
            due = int((time.monotonic() - self.started) * self.rate) - self.sent
            for i, s, b in itertools.islice(self.background, max(0, due)):
                await self.js.publish_async(s, b, headers={"Nats-Msg-Id": i})
                self.sent += 1
            await asyncio.sleep(0.01)
        self.stopped = time.monotonic()
        await self.js.publish_async_completed()

    @property
    def achieved(self) -> float:
        return self.sent / ((self.stopped or time.monotonic()) - self.started)


class Stream:
    """An SSE client of `GET /api/stream`: when each operator action's change event arrived."""

    def __init__(self, client: httpx.AsyncClient):
        self.client = client
        self.arrived: dict[str, float] = {}
        self.news = asyncio.Event()
        self.open = asyncio.Event()
        self.changes = 0

    async def run(self) -> None:
        """Reads the raw bytes (a dashboard's parsing is not what is measured): complete events
        are counted, and an operator action's id is taken from its data."""
        async with self.client.stream("GET", "/api/stream") as response:
            response.raise_for_status()
            self.open.set()
            pending = b""
            async for chunk in response.aiter_bytes():
                at = time.monotonic()
                end = (pending + chunk).rfind(b"\r\n\r\n")  # sse_starlette's separator, doubled
                if end < 0:
                    pending += chunk
                    continue
                complete, pending = (pending + chunk)[:end], (pending + chunk)[end + 4 :]
                self.changes += complete.count(b"\r\nevent: change\r\n")
                for found in PROBE_ID.finditer(complete):
                    self.arrived.setdefault(found.group(1).decode(), at)
                    self.news.set()

    async def seen(self, message_id: str, timeout: float) -> float:
        deadline = time.monotonic() + timeout
        while message_id not in self.arrived:
            self.news.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"switch {message_id} not on the SSE stream within {timeout:g} s")
            try:
                await asyncio.wait_for(self.news.wait(), left)
            except TimeoutError:
                pass
        return self.arrived[message_id]


async def _probe(
    settings: Settings,
    url: str,
    token: str,
    background: Iterator[Item],
    samples: int,
    budget_s: float,
    rate: int,
) -> tuple[dict[str, Any], dict[str, dict[str, float]]]:
    nc = await nats.connect(settings.nats_url)
    load = Load(nc.jetstream(), background, rate)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        stream = Stream(client)
        behind = Behind(nc, settings)
        # What an earlier phase published and no worker recorded yet is ingested, then projected,
        # before the load starts: each phase starts level with the stream.
        await behind.drained(600)
        await asyncio.to_thread(_caught_up, settings)
        tasks = [load.run(), stream.run(), behind.run(load.stop)]
        tasks = [asyncio.create_task(t) for t in tasks]
        try:
            await asyncio.wait_for(stream.open.wait(), 10)
            await asyncio.sleep(1.0)  # the load settles
            # The street may be in wartime from the traffic before: stand it down (or not) first.
            await client.post("/api/switch", json=_switch(False))
            probes, cut_short = await _samples(client, stream, samples, budget_s, rate)
        finally:
            load.stop.set()
            await tasks[0]
            await tasks[2]
            tasks[1].cancel()
    await nc.close()
    to_sse = [(p["seen"] - p["sent"]) * 1000 for p in probes.values()]
    answer = [(p["answered"] - p["sent"]) * 1000 for p in probes.values()]
    found = {
        **percentiles(to_sse),
        "post_answer_ms": percentiles(answer),
        "background_msgs_per_s": load.achieved,
        "background_msgs": load.sent,
        "sse_changes": stream.changes,
        "behind_max": max(behind.seen),
        "behind_at_end": behind.seen[-1],
    }
    if cut_short:
        found["cut_short_after_s"] = round(cut_short, 1)
    return found, probes


def _switch(wartime: bool) -> dict[str, Any]:
    if wartime:
        return {"mode": "wartime", "scope": STREET, "level": "III", "reason": "latency probe"}
    return {"mode": "peacetime", "scope": STREET, "reason": "latency probe"}


async def _samples(
    client: httpx.AsyncClient, stream: Stream, samples: int, budget_s: float, rate: int
) -> tuple[dict[str, dict[str, float]], float]:
    """Each switch's message id -> the bench's readings: sent, answered, seen (on the stream); and
    after how many seconds the budget cut the samples short (0: it did not)."""
    gaps = random.Random(7)
    probes: dict[str, dict[str, float]] = {}
    began = time.monotonic()
    for n in range(samples):
        if time.monotonic() - began > budget_s:
            return probes, time.monotonic() - began
        sent = time.monotonic()
        response = await client.post("/api/switch", json=_switch(n % 2 == 0))
        answered = time.monotonic()
        message_id = _sent_as(response)
        try:
            seen = await stream.seen(message_id, BEHIND_S)
        except TimeoutError:
            raise RuntimeError(
                f"switch {n + 1} not on the SSE stream within {BEHIND_S:g} s: the service fell that far "
                f"behind the {rate:,} msg/s background load"
            ) from None
        probes[message_id] = {"sent": sent, "answered": answered, "seen": seen}
        if os.environ.get("BENCH_DEBUG"):
            print(f"sample {n}: {(seen - sent) * 1000:.1f} ms", file=sys.stderr, flush=True)
        await asyncio.sleep(gaps.uniform(0.1, 0.3))  # not in step with the service's batches
    return probes, 0.0


def _sent_as(response: httpx.Response) -> str:
    """The switch's message id: from its outcome, or from the 504 of a service too far behind to
    answer within its wait (the answer time then counts that wait; the SSE event still comes)."""
    if response.status_code == 200:
        return str(response.json()["outcome"]["message_id"])
    late = re.match(r"sent as (op-\w+), but no outcome", response.json().get("detail", ""))
    if response.status_code == 504 and late:
        return late.group(1)
    raise RuntimeError(f"switch refused: {response.status_code} {response.text[:300]}")


class Behind:
    """How many published messages the service has not recorded yet, once a second: it kept up
    with the load if this stays small."""

    def __init__(self, nc: Any, settings: Settings):
        self.js, self.settings = nc.jetstream(), settings
        self.ledger = open_ledger(settings)
        self.seen: list[int] = []

    async def now(self) -> int:
        last = (await self.js.stream_info(self.settings.stream)).state.last_seq
        tracked = f"nats:{self.settings.consumer_name}"
        stored = await asyncio.to_thread(self.ledger.recorder.max_tracking_id, tracked)
        return int(last - (stored or 0))

    async def drained(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while (left := await self.now()) > 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the ingest still had {left:,} messages to record after {timeout:g} s")
            await asyncio.sleep(0.05)

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                self.seen.append(await self.now())
                if os.environ.get("BENCH_DEBUG"):
                    print(f"behind {self.seen[-1]}", file=sys.stderr, flush=True)
                await asyncio.sleep(1.0)
        finally:
            self.ledger.close()
