"""Stream order with several workers: a message is decided only after every earlier message of
another shard that shares an aggregate or its message id with it has been committed.

Every worker reads the whole inbound stream in order. It decides the messages of its own shards
(``s % workers == index``; a subject without a shard 0-15 is worker 0's, which rejects it) and
only parses the others, to learn what each touches: the aggregates its command ``needs()`` (the
ones it reads, which include the ones it writes) and its message id. It remembers them until
their shard's *watermark* has passed them: the stored position of the worker that owns the
shard, read from the store, under which every message of that shard is committed.

Why this gives the result of one worker deciding the stream in order: the outcome of a message
depends only on its own body and the aggregates and message ids it reads. For two messages
M < N that share one, N is decided after M is committed: by the same worker in stream order, or,
across shards, because N waits until M's watermark passed it. Messages that share nothing can be
decided in any order without changing either outcome. So every message reads exactly the state
that all earlier messages left, as with one worker.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping

from pingzhan.domain import ids
from pingzhan.services.ingest.parse import Parsed
from pingzhan.services.wire import SHARDS
from pingzhan.services.wire.routing import SHARD_TOKENS

Key = object  # an aggregate id's int, or ("id", message id)

# No command on the stream writes the accounts (tokens change them outside it): every mode
# message reads them, and reads alone need no order.
READ_ONLY = frozenset({ids.accounts().int})

_NAME = re.compile(r"nats:ingest-(\d+)-of-(\d+)")


def shard_of_subject(subject: str, prefix: str) -> int:
    """The shard of an inbound subject; a subject without a shard 0-15 counts as shard 0, whose
    worker rejects it (worker 0 owns shard 0 whatever the number of workers)."""
    head = f"{prefix}.in."
    token = subject[len(head) :].partition(".")[0] if subject.startswith(head) else ""
    return int(token) if token in SHARD_TOKENS else 0


def watermarks(positions: Mapping[str, int]) -> list[int]:
    """Per shard, the stream sequence up to which all its messages are committed: the highest
    stored position of any worker that owned it (``nats:ingest-{k}-of-{n}`` owns the shards
    ``s % n == k``), whatever the number of workers was then."""
    marks = [0] * SHARDS
    for name, position in positions.items():
        m = _NAME.fullmatch(name)
        if m is None or int(position or 0) <= 0:
            continue
        k, n = int(m.group(1)), int(m.group(2))
        for s in range(k, SHARDS, max(n, 1)):
            marks[s] = max(marks[s], int(position))
    return marks


def keys_of(p: Parsed) -> set[Key]:
    """What a message's outcome depends on and may change: its message id and the aggregates its
    command reads (a rejected message reads none and stores only under its id)."""
    keys: set[Key] = {("id", p.message_id)}
    if p.rejected is None and p.command is not None:
        keys.update(k for a in p.command.needs() if (k := a.int) not in READ_ONLY)
    return keys


class Order:
    """One worker's knowledge of the other shards: their messages it has read and not yet seen
    committed, and their watermarks."""

    def __init__(self, workers: int, index: int, prefix: str):
        self.workers, self.index, self.prefix = workers, index, prefix
        self.marks = [0] * SHARDS
        self.foreign: list[deque[tuple[int, set[Key]]]] = [deque() for _ in range(SHARDS)]
        self.index_by_key: dict[Key, list[tuple[int, int]]] = {}  # key -> (seq, shard) not committed
        self.waits = 0  # how many times a message of ours waited for another shard's commit
        self.waited_s = 0.0

    def shard(self, subject: str) -> int:
        return shard_of_subject(subject, self.prefix)

    def owns(self, subject: str) -> bool:
        return self.shard(subject) % self.workers == self.index

    def forget(self, marks: list[int]) -> None:
        """Start again (a re-read from the stored positions): nothing remembered."""
        self.marks = list(marks)
        for q in self.foreign:
            q.clear()
        self.index_by_key.clear()

    def note(self, p: Parsed) -> set[Key]:
        """Remember a message of another shard; returns its keys if it is committed already
        (what this worker may hold stale copies of), else nothing."""
        shard = self.shard(p.inbound.subject)
        keys = keys_of(p)
        if p.inbound.seq <= self.marks[shard]:
            return keys
        self.foreign[shard].append((p.inbound.seq, keys))
        for k in keys:
            self.index_by_key.setdefault(k, []).append((p.inbound.seq, shard))
        return set()

    def blocked(self, p: Parsed) -> bool:
        """Is an earlier message of another shard that shares a key with ``p`` not committed yet
        (as far as the watermarks last read say)?"""
        if not self.index_by_key:
            return False
        seq, marks = p.inbound.seq, self.marks
        for k in keys_of(p):
            for other, shard in self.index_by_key.get(k, ()):
                if other < seq and other > marks[shard]:
                    return True
        return False

    def advance(self, marks: list[int]) -> set[Key]:
        """Take newer watermarks; returns the keys of the messages now known to be committed
        (what this worker may hold stale copies of)."""
        self.marks = [max(a, b) for a, b in zip(self.marks, marks, strict=True)]
        committed: set[Key] = set()
        for shard, q in enumerate(self.foreign):
            while q and q[0][0] <= self.marks[shard]:
                committed |= q.popleft()[1]
        for k in committed:
            left = [(seq, s) for seq, s in self.index_by_key.get(k, ()) if seq > self.marks[s]]
            if left:
                self.index_by_key[k] = left
            else:
                self.index_by_key.pop(k, None)
        return committed

    def pending(self) -> int:
        return sum(len(q) for q in self.foreign)
