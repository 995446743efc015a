"""Prometheus metrics of a `pingzhan serve` process (``prometheus-client``), in a registry of its own.

Served at ``/metrics`` by the HTTP API (roles all and project), and by an ingest-only worker on
``PINGZHAN_METRICS_PORT`` when that is set. Names, all prefixed ``pingzhan_``:

- ``messages_total{status, code}``: messages decided (a resent id's earlier outcome is not counted
  again), accepted (``code=""``) or rejected by code;
- ``batch_commit_seconds``: the time to store one batch (events, inbox rows, position);
- ``consumer_lag_messages``: messages in the stream this worker's consumer has not yet had
  acknowledged (JetStream's pending count, read every 5 s);
- ``projector_lag_events``: stored events the slowest read model has not folded yet;
- ``commit_conflicts_total``: commits refused because another worker changed what a batch read;
  ``batches_redone_total``: batches decided again one by one after a failed overlapped commit;
- ``cross_shard_waits_total``: times a worker waited for another worker's shard to be committed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)

REGISTRY = CollectorRegistry(auto_describe=True)

MESSAGES = Counter(
    "pingzhan_messages",
    "Messages decided, by outcome and rejection code",
    ["status", "code"],
    registry=REGISTRY,
)
COMMIT_SECONDS = Histogram(
    "pingzhan_batch_commit_seconds",
    "Time to store one batch: events, inbox rows and the consumer position in one transaction",
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5),
    registry=REGISTRY,
)
CONSUMER_LAG = Gauge(
    "pingzhan_consumer_lag_messages",
    "Stream messages this worker has not had acknowledged yet",
    registry=REGISTRY,
)
PROJECTOR_LAG = Gauge(
    "pingzhan_projector_lag_events",
    "Stored events the slowest read model has not folded yet",
    registry=REGISTRY,
)
CONFLICTS = Counter(
    "pingzhan_commit_conflicts",
    "Commits refused: another worker changed what the batch read",
    registry=REGISTRY,
)
REDONE = Counter(
    "pingzhan_batches_redone",
    "Batches decided again one by one after a failed overlapped commit",
    registry=REGISTRY,
)
CACHE_LOOKUPS = Counter(
    "pingzhan_aggregate_lookups",
    "Aggregates batches needed, by where they were found: cache (hit), store (loaded), neither (new)",
    ["found"],
    registry=REGISTRY,
)
CROSS_SHARD_WAITS = Counter(
    "pingzhan_cross_shard_waits",
    "Times a worker waited for another worker's shard to be committed",
    registry=REGISTRY,
)


def decided(outcomes: Iterable[Any]) -> None:
    """Count a stored batch's outcomes (those given again for a resent id are not new decisions)."""
    counts: dict[tuple[str, str], int] = {}
    for o in outcomes:
        if not o.replayed:
            key = (o.status, o.code or "")
            counts[key] = counts.get(key, 0) + 1
    for (status, code), n in counts.items():  # one increment per label per batch, not per message
        MESSAGES.labels(status, code).inc(n)


def follow_projector(lag: Callable[[], float]) -> None:
    """The projector's lag, worked out when scraped."""
    PROJECTOR_LAG.set_function(lag)


def exposition() -> tuple[bytes, str]:
    """The page a scraper reads, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


class CannotServeMetrics(OSError):
    """The metrics port is taken or not ours; the message says what to do."""

    in_words = True


def serve(host: str, port: int) -> int:
    """Serve ``/metrics`` on ``host:port`` (0: a free port) in a thread; the port."""
    try:
        server, _ = start_http_server(port, addr=host, registry=REGISTRY)
    except OSError as e:
        raise CannotServeMetrics(
            f"cannot serve metrics on {host}:{port} ({(e.strerror or str(e)).lower()}); "
            "set PINGZHAN_METRICS_PORT to a free port, or 0 for any"
        ) from None
    return int(server.server_port)


def cache_lookups(hits: int, loaded: int, new: int) -> None:
    """Count one batch's aggregate lookups (one increment per kind, not one per aggregate)."""
    for found, n in (("hit", hits), ("loaded", loaded), ("new", new)):
        if n:
            CACHE_LOOKUPS.labels(found).inc(n)
