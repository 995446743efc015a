"""`python -m bench --store S --commit-only`: how long the store takes to commit a batch of 70
messages (their events, inbox rows and the position), with nothing else running in the process
and beside a Python thread that never waits, as the ingest's committing thread sits beside the
one deciding the next batch. Each answer the commit waits for costs the committing thread the
GIL back: up to the interpreter's switch interval (5 ms) when the other thread is busy."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

from eventsourcing.persistence import StoredEvent, Tracking
from pingzhan.services.store.ledger import open_ledger

from .env import Stores, machine
from .sse import percentiles

BATCH, BATCHES, WARMUP = 70, 300, 20
STATE = b'{"note":"' + b"x" * 300 + b'"}'  # about the size of a field report's event


def run(store: str) -> dict[str, Any]:
    stores = Stores(store)
    result: dict[str, Any] = {"store": store, "batch": BATCH, "machine": machine()}
    try:
        for busy in (False, True):
            settings = stores.fresh(f"commit_{'busy' if busy else 'alone'}")
            result["beside_a_busy_thread" if busy else "alone"] = _commits(settings, busy)
    finally:
        stores.close()
    return result


def _commits(settings: Any, busy: bool) -> dict[str, float]:
    ledger = open_ledger(settings)
    stop = threading.Event()

    def spin() -> None:
        x = 0
        while not stop.is_set():
            for i in range(1000):
                x += i * i

    if busy:
        threading.Thread(target=spin, daemon=True).start()
    aggregates = [uuid.uuid4() for _ in range(2000)]
    versions: dict[uuid.UUID, int] = {}
    took, seq = [], 0
    try:
        for b in range(BATCHES):
            events, inbox = [], []
            for k in range(BATCH):
                seq += 1
                a = aggregates[(b * BATCH + k) % len(aggregates)]
                versions[a] = versions.get(a, 0) + 1
                events.append(StoredEvent(a, versions[a], "pingzhan.domain.bench:Noted", STATE))
                inbox.append((f"m-{seq}", seq, '{"status":"accepted"}'))
            t = time.perf_counter()
            ledger.record_stored(events, Tracking(settings.consumer_name, seq), inbox)
            took.append((time.perf_counter() - t) * 1000)
    finally:
        stop.set()
        ledger.close()
    return percentiles(took[WARMUP:])


def table(r: dict[str, Any]) -> str:
    rows = [f"commit of a batch of {r['batch']} messages, {r['store']} (ms):"]
    for name in ("alone", "beside_a_busy_thread"):
        p = r[name]
        rows.append(
            f"  {name.replace('_', ' '):22} p50 {p['p50']:.2f}  p99 {p['p99']:.2f}  ({p['samples']} commits)"
        )
    m = r["machine"]
    rows.append(f"  machine: {m['cores']} cores, {m['cpu']}, Python {m['python']}")
    return "\n".join(rows)
