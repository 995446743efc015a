"""The bench's traffic, streamed: made again from its seed for each phase, published as it is made.

No phase holds the whole stream (nor its ids): the bench's memory stays flat whatever
``--messages`` is.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import nats
import orjson
from pingzhan.services.nats.publish import PUBLISH_CHUNK, publish_items
from pingzhan.services.nats.stream import ensure_stream
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import Ledger
from pingzhan.services.traffic.workload import Workload

Item = tuple[str, str, bytes]
T = TypeVar("T")

PROBED_STREET = "street:BT-XC"  # switched by the latency probes alone (it and its grids)
RESEND_EVERY = 200  # every 200th message is sent again without the NATS dedupe header
ID_CHUNK = 5_000  # message ids looked up at a time


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last one shorter)."""
    it = iter(items)
    while part := list(itertools.islice(it, size)):
        yield part


@dataclass(frozen=True)
class Traffic:
    """``count`` messages of the workload for one seed; every call makes them anew, the same."""

    org: dict[str, Any]
    seed: int
    count: int

    def items(self, count: int | None = None) -> Iterator[Item]:
        return Workload(self.org, seed=self.seed).messages(self.count if count is None else count)

    def after(self) -> Iterator[Item]:
        """The same workload past the backlog, for background traffic on the ingested store: it
        fits the state the backlog left (cadres on duty, checkpoints open), so it is as valid as the
        backlog (1% invalid). A workload of another seed would be rejected a quarter of the time
        (its cadres already on duty elsewhere), and rejections cost more than most messages.
        Without the switches of the street the latency probes switch (``PROBED_STREET``)."""
        probed = f'"scope":"{PROBED_STREET}"'.encode()
        after = itertools.islice(Workload(self.org, seed=self.seed).messages(10**12), self.count, None)
        return (m for m in after if probed not in m[2])

    def resends(self) -> Iterator[Item]:
        return itertools.islice(self.items(), 0, None, RESEND_EVERY)

    @property
    def resend_count(self) -> int:
        return len(range(0, self.count, RESEND_EVERY))

    def ids(self) -> Iterator[str]:
        return (i for i, _, _ in self.items())


@dataclass
class Published:
    count: int = 0
    last_seq: int = 0
    seconds: float = 0.0  # publishing and awaiting the acknowledgements, not making the messages


async def publish(url: str, settings: Settings, items: Iterable[Item], headers: bool = True) -> Published:
    """Publish to the stream (created if missing), part by part as the items are made."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    await ensure_stream(js, settings)
    done = Published()
    for part in chunks(items, PUBLISH_CHUNK):
        started = time.perf_counter()
        acks = await publish_items(js, part, headers)
        done.seconds += time.perf_counter() - started
        done.count += len(acks)
        done.last_seq = acks[-1].seq
    await nc.close()
    return done


def missing(ledger: Ledger, ids: Iterable[str]) -> Iterator[list[str]]:
    """For each chunk of ``ids``, those without a recorded outcome."""
    for part in chunks(ids, ID_CHUNK):
        found = ledger.outcomes(part)
        yield [i for i in part if i not in found]


def check_exactly_once(ledger: Ledger, ids: Iterable[str], setup: int) -> tuple[int, int, int]:
    """lost: message ids without an outcome; duplicated: stored events beyond what the outcomes
    list (and ``setup``, the events recorded before the stream); and the events stored."""
    lost = promised = 0
    for part in chunks(ids, ID_CHUNK):
        outcomes = ledger.outcomes(part)
        lost += len(part) - len(outcomes)
        promised += sum(
            len(o["events"]) if o["status"] == "accepted" else 1 for o in map(orjson.loads, outcomes.values())
        )
    stored = ledger.recorder.max_notification_id() or 0  # type: ignore[attr-defined]
    return lost, stored - setup - promised, stored
