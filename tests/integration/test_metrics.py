"""Prometheus metrics, scraped for real: an ingest-only worker process on PINGZHAN_METRICS_PORT, and
the HTTP API's /metrics. The counts must agree with the outcomes recorded in the store."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter
from typing import Any

import httpx
from pingzhan.services.ingest.outcome import Outcome
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger

from tests.integration.api_helpers import api_service
from tests.integration.helpers import (
    WorkerProcess,
    last_seq,
    on_stream,
    publish,
    wait_until,
    with_operators,
    workload,
)

SAMPLE = re.compile(r"^(pingzhan_\w+?)(\{[^}]*\})? (\S+)$", re.M)


def samples(text: str) -> dict[str, float]:
    """``name{labels}`` -> value, for pingzhan's own metrics."""
    return {f"{m.group(1)}{m.group(2) or ''}": float(m.group(3)) for m in SAMPLE.finditer(text)}


def metrics_url(worker: WorkerProcess, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in worker.log.read_text().splitlines():
            if line.startswith("{") and json.loads(line).get("event") == "metrics":
                return str(json.loads(line)["url"])
        time.sleep(0.05)
    raise AssertionError(f"the worker did not say where its metrics are: {worker.log.read_text()[-500:]}")


async def test_an_ingest_worker_counts_what_it_decided_as_the_store_recorded_it(
    nats_server, store: Settings
) -> None:
    settings = with_operators(await on_stream(nats_server, store, batch_size=200))
    worker = WorkerProcess(settings, role="ingest", PINGZHAN_HTTP="false", PINGZHAN_METRICS_PORT="0").start()
    ledger = open_ledger(settings)
    try:
        url = await asyncio.to_thread(metrics_url, worker)
        items = workload(7, 3000)  # 1% of them invalid by design
        await publish(nats_server.url, items)
        ids = [i for i, _, _ in items]
        await wait_until(lambda: len(ledger.outcomes(ids)) == len(set(ids)), 60, "every outcome")
        recorded = Counter()
        for raw in ledger.outcomes(ids).values():
            o = Outcome.from_json(raw)
            recorded[f'pingzhan_messages_total{{code="{o.code or ""}",status="{o.status}"}}'] += 1

        def scraped() -> dict[str, float]:
            return samples(httpx.get(url, timeout=10).text)

        def counted() -> dict[str, int]:
            return {k: int(v) for k, v in scraped().items() if k.startswith("pingzhan_messages_total")}

        # a batch is counted once stored, acknowledged and its outcomes published: just after the store has it
        await wait_until(
            lambda: counted() == dict(recorded), 30, f"the counts to be the store's {dict(recorded)}"
        )
        got = scraped()
        assert any(k.startswith('pingzhan_messages_total{code="schema"') for k in got)  # rejections by code
        assert got["pingzhan_batch_commit_seconds_count"] >= 3000 / 200 / 2  # batches of up to 200
        await wait_until(
            lambda: scraped().get("pingzhan_consumer_lag_messages") == 0, 30, "the lag to read 0"
        )
        assert "pingzhan_commit_conflicts_total" in got and "pingzhan_cross_shard_waits_total" in got
    finally:
        worker.stop()
        ledger.close()


async def test_the_http_api_serves_metrics_with_the_projector_lag(nats_server: Any, store: Settings) -> None:
    settings = with_operators(await on_stream(nats_server, store))
    with api_service(settings) as service:
        items = workload(8, 500)
        await publish(nats_server.url, items)

        head = await last_seq(nats_server.url, settings.stream)

        def caught_up() -> bool:
            got = samples(service.client().get("/metrics").text)
            return got.get("pingzhan_projector_lag_events") == 0 and service.app.ingest.position >= head

        await wait_until(caught_up, 60, "the projector lag to read 0 once everything is stored")
        response = service.client().get("/metrics")  # no token: a scraper's
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
