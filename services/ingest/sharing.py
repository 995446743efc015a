"""The part of ``batch.Ingest`` that shares the stream with other workers (see ``order``):
where to start reading, which messages are ours, and where a batch must stop until another
shard's message is committed. With one worker none of it is on the path of a message."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from pingzhan.services.ingest.cache import AggregateCache
from pingzhan.services.ingest.order import Order, watermarks
from pingzhan.services.ingest.outcome import Inbound
from pingzhan.services.ingest.parse import Parsed, parse
from pingzhan.services.store.ledger import Ledger

REMEMBERED = 20_000  # other shards' messages remembered before the watermarks are read again


class SharedStream:
    """Mixed into ``Ingest``, whose attributes these are."""

    ledger: Ledger
    order: Order | None
    cached: AggregateCache
    tracking_name: str
    prefix: str
    tz: tzinfo | None
    position: int
    prepared_to: int

    def stored_position(self) -> int:
        """Every message of this worker's shards up to here is recorded: its own stored position,
        or further when the workers that owned its shards before (another number of workers)
        got further in every one of them (``order.watermarks``)."""
        own = self.ledger.recorder.max_tracking_id(self.tracking_name)  # type: ignore[attr-defined]
        name = re.fullmatch(r"nats:ingest-(\d+)-of-(\d+)", self.tracking_name)
        if name is None:
            return int(own or 0)
        k, n = int(name.group(1)), int(name.group(2))
        marks = self._watermarks()
        return max(int(own or 0), min(marks[s] for s in range(k, len(marks), n)))

    def _watermarks(self) -> list[int]:
        return watermarks(self.ledger.recorder.positions("nats:ingest-"))  # type: ignore[attr-defined]

    def stream_start(self) -> int:
        """Where a (re)created consumer starts: after the stored position, or, with several
        workers, after the lowest watermark of any shard, so that the other shards' messages
        not yet committed are read again too."""
        if self.order is None:
            return self.position
        marks = self._watermarks()
        self.order.forget(marks)
        return min(self.position, *marks)

    def read(self, batch: Sequence[Inbound]) -> list[Parsed]:
        """Parse a whole batch of the stream (several workers): the other shards' messages are
        remembered by ``order``; ours come back with them, to be cut where one must wait."""
        assert self.order is not None
        parsed = [parse(m, self.prefix, self.tz) for m in batch]
        for p in parsed:
            if not self.order.owns(p.inbound.subject):
                self._forget_cached(self.order.note(p))
        if self.order.pending() > REMEMBERED:
            self.refresh()  # let go of what is committed, even when nobody had to wait
        return parsed

    def cut(self, parsed: Sequence[Parsed], start: int) -> int:
        """The index of the first of our messages from ``start`` on that must wait for another
        shard's commit (after reading the watermarks once more), or ``len(parsed)``."""
        assert self.order is not None
        order, refreshed = self.order, False
        for i in range(start, len(parsed)):
            p = parsed[i]
            if p.inbound.seq <= self.prepared_to or not order.owns(p.inbound.subject):
                continue
            if order.blocked(p):
                if not refreshed:
                    self.refresh()
                    refreshed = True
                if order.blocked(p):
                    return i
        return len(parsed)

    def refresh(self) -> None:
        """Read the other shards' watermarks; forget the cached aggregates that their newly
        committed messages may have changed (none of ours is pending on them: a message of ours
        that shares an aggregate with one of theirs is decided before or after it, never across)."""
        assert self.order is not None
        self._forget_cached(self.order.advance(self._watermarks()))

    def _forget_cached(self, keys: set[Any]) -> None:
        for key in keys:
            if isinstance(key, int):
                self.cached.forget(key)

    def _ours(self, batch: Sequence[Inbound]) -> Sequence[Inbound]:
        if self.order is None:
            return batch
        return [m for m in batch if self.order.owns(m.subject)]

    def _ours_parsed(self, parsed: Sequence[Parsed]) -> Sequence[Parsed]:
        if self.order is None:
            return parsed
        return [p for p in parsed if self.order.owns(p.inbound.subject)]
