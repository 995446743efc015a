"""The aggregates the ingest keeps between batches, bounded however long the log grows.

Batches find what their commands need here, else in the store (``bring``). The cache turns over
when its young half is full and nothing uncommitted is held: what batches used since the last
turn is kept, what they did not use is let go (the store has it all). So at most ``limit``
aggregates are held, and those in use (cadres on duty, open checkpoints and hazards) stay.
Emptying it instead made every batch after an emptying load its cadres' whole histories again.
``CacheView`` is what one message's command sees of it (the domain's workspace).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from pingzhan.services import metrics

# Keyed by an aggregate id's 128-bit integer (``UUID.int``): hashing a UUID runs Python code,
# about nine times per message (measured: 2 µs of a message's ~50).
Key = int


@dataclass(slots=True)
class CacheLookups:
    """How the aggregates batches needed were found: in the cache (``hits``), ``loaded`` from the
    store, or ``new`` (in neither: the command creates them)."""

    hits: int = 0
    loaded: int = 0
    new: int = 0

    def count(self, hits: int, loaded: int, new: int) -> None:
        self.hits, self.loaded, self.new = self.hits + hits, self.loaded + loaded, self.new + new
        metrics.cache_lookups(hits, loaded, new)

    @property
    def hit_rate(self) -> float:
        """Of the aggregates that existed, the share found in the cache (1.0 before any)."""
        existing = self.hits + self.loaded
        return self.hits / existing if existing else 1.0


class AggregateCache:
    def __init__(self, limit: int):
        self.limit = limit
        self.young: dict[Key, Aggregate] = {}  # what batches used since the last turn (the domain's view)
        self.kept: dict[Key, Aggregate] = {}  # what they used before that: taken back when asked for
        self.lookups = CacheLookups()

    def __len__(self) -> int:
        return len(self.young) + len(self.kept)

    def full(self) -> bool:
        return len(self.young) > self.limit // 2

    def turn_over(self) -> None:
        """Only when nothing uncommitted is held (the caller knows)."""
        self.kept, self.young = self.young, {}

    def clear(self) -> None:
        self.young.clear()
        self.kept.clear()

    def forget(self, key: Key) -> None:
        self.young.pop(key, None)
        self.kept.pop(key, None)

    def bring(self, commands: Iterable[Any], load: Callable[[Iterable[UUID]], dict[UUID, Aggregate]]) -> None:
        """Put what the commands need in ``young``: from ``kept``, else ``load``-ed from the store."""
        young, kept = self.young, self.kept
        wanted: dict[Key, UUID] = {}
        hits = 0
        for cmd in commands:
            for i in cmd.needs():
                key = i.int
                if key in young:
                    hits += 1
                elif key in kept:
                    young[key] = kept.pop(key)
                    hits += 1
                else:
                    wanted[key] = i
        loaded = load(wanted.values()) if wanted else {}
        young.update((a.int, aggregate) for a, aggregate in loaded.items())
        self.lookups.count(hits, len(loaded), len(wanted) - len(loaded))


class CacheView:
    """The domain's view of the cache for one message; remembers what the command touched and
    the version of everything it read as the batch first saw it (0: did not exist)."""

    def __init__(self, cache: dict[Key, Aggregate], read: dict[Key, int]):
        self.cache = cache
        self.read = read
        self.touched: dict[Key, Aggregate] = {}

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        key = aggregate_id.int
        aggregate = self.cache.get(key)
        self.read.setdefault(key, aggregate.version if aggregate is not None else 0)
        if aggregate is not None:
            self.touched[key] = aggregate
        return aggregate

    def add(self, aggregate: Aggregate) -> None:
        key = aggregate.id.int
        self.read.setdefault(key, 0)
        self.cache[key] = aggregate
        self.touched[key] = aggregate
