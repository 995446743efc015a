"""Batched exactly-once ingest: a batch of inbound messages in, one transaction out.

Per batch: parse each message once, look up earlier outcomes of its message ids and load the
aggregates it needs that are not cached (one query each), run the commands in stream order
against the cached aggregates, then store every event, one inbox row per message and the consumer
position in one transaction. Nothing here talks to NATS; the consumer hands batches in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, StoredEvent, Tracking
from pingzhan.domain import ids
from pingzhan.domain.errors import DomainError
from pingzhan.domain.mode_commands import ConfirmSwitch
from pingzhan.domain.org import Org
from pingzhan.domain.rejection import Rejection
from pingzhan.services import metrics
from pingzhan.services.ingest.cache import AggregateCache, CacheView, Key
from pingzhan.services.ingest.order import Order
from pingzhan.services.ingest.outcome import Inbound, Outcome
from pingzhan.services.ingest.parse import Parsed, Rejected, kind_of, parse, scope_of
from pingzhan.services.ingest.sharing import SharedStream
from pingzhan.services.store import snapshots
from pingzhan.services.store.ledger import Ledger
from pingzhan.services.store.snapshots import Snapshot

MAX_ATTEMPTS = 5
ORG = ids.organisation()
MAX_KEPT_BODY = 16_384
MOVE_ON = 5_000


@dataclass(slots=True)
class Prepared:
    """A batch worked out in memory and ready to be stored in one transaction."""

    stored: list[StoredEvent]
    inbox: list[tuple[str, int, str]]
    outcomes: list[Outcome]
    last_seq: int
    new_ids: list[str]
    expect: dict[UUID, int]  # version of every aggregate the batch read, checked again at commit
    snapshots: list[Snapshot]  # of the aggregates the batch takes past a multiple of snapshots.EVERY


class Ingest(SharedStream):
    """Turns batches of inbound messages into recorded outcomes, exactly once.

    ``process`` does one batch start to end. The consumer can instead overlap batches:
    ``prepare`` (parse, check, apply in memory) the next batch while the previous one is being
    ``commit``-ted; if a commit fails, ``reset`` and ``process`` the batches again one by one.
    """

    def __init__(
        self,
        ledger: Ledger,
        org: Org,
        consumer: str,
        max_cached: int = 50_000,
        org_version: int | None = None,
        prefix: str = "pingzhan",
        tz: tzinfo | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        skew: timedelta = timedelta(minutes=10),
        workers: int = 1,
        index: int = 0,
    ):
        """``org_version``: the version in the store that ``org`` is (0: none imported yet), to
        follow later imports; None decides with ``org`` for good (an organisation file set).
        ``prefix``: of the inbound subjects, checked by parse. ``workers``, ``index``: this worker
        decides the shards ``s % workers == index`` in stream order with the others (``order``)."""
        self.ledger = ledger
        self.org, self.org_version = org, org_version
        self.prefix = prefix
        self.tz = tz  # the district's: stamps carry its date of occurred_at (None: the message's own)
        self.clock = clock  # when the worker received a batch
        self.skew = skew  # how far beyond that clock an occurred_at may be
        self.tracking_name = f"nats:{consumer}"
        self.cached = AggregateCache(max_cached)  # services/ingest/cache.py
        self.order = Order(workers, index, prefix) if workers > 1 else None
        self.position = self.stored_position()
        self.prepared_to = self.position  # stream seq up to which batches were worked out in memory
        self.pending: dict[str, Outcome] = {}  # outcomes prepared but not committed yet

    def process(self, batch: Sequence[Inbound]) -> list[Outcome]:
        """Record the batch; returns the outcome of every message in it.

        Messages at or behind the recorded position were committed before (a redelivery, or a
        commit whose reply was lost): their stored outcomes come back, so that they are published
        even if the first publication never happened. A message id seen before gets its earlier
        outcome back, marked ``replayed``.
        """
        if self.prepared_to != self.position or self.pending:
            self.reset()  # left over from an overlapped batch that was not committed
        parsed = [parse(m, self.prefix, self.tz) for m in self._ours(batch)]
        recorded = self._recorded([p for p in parsed if p.inbound.seq <= self.position])
        parsed = [p for p in parsed if p.inbound.seq > self.position]
        poisoned: dict[str, str] = {}
        conflicts = 0
        while parsed:
            try:
                prepared = self._prepare(parsed, poisoned)
                self.commit(prepared)
                self.settle(prepared)
                return recorded + prepared.outcomes
            except IntegrityError:
                # Another worker changed what we read, or recorded one of our message ids, or
                # this very batch was committed though we never heard back: start again from
                # what is stored now (the reset re-reads the position).
                self.reset()
                conflicts += 1
                metrics.CONFLICTS.inc()
                if conflicts >= MAX_ATTEMPTS:
                    raise RuntimeError(
                        f"batch ending at stream seq {batch[-1].seq} kept conflicting"
                    ) from None
                recorded += self._recorded([p for p in parsed if p.inbound.seq <= self.position])
                parsed = [p for p in parsed if p.inbound.seq > self.position]
            except _Poisoned as p:  # one message hit a bug: it gets an internal_error rejection
                self.reset()
                poisoned[p.message_id] = p.reason
            except BaseException:
                self.reset()  # the cached aggregates hold changes that were not stored
                raise
        return recorded

    def _recorded(self, parsed: list[Parsed]) -> list[Outcome]:
        """The stored outcomes of messages already recorded, in their order."""
        found = self.ledger.outcomes([p.message_id for p in parsed]) if parsed else {}
        return [Outcome.from_json(found[p.message_id]) for p in parsed if p.message_id in found]

    def prepare(self, batch: Sequence[Inbound], parsed: Sequence[Parsed] | None = None) -> Prepared | None:
        """Work out a batch in memory on top of those prepared before; raises on anything unusual.
        ``parsed``: the batch parsed already (by ``read``)."""
        if parsed is None:
            ours = [parse(m, self.prefix, self.tz) for m in self._ours(batch) if m.seq > self.prepared_to]
        else:
            ours = [p for p in self._ours_parsed(parsed) if p.inbound.seq > self.prepared_to]
        if not ours:
            return self._moved_on(batch[-1].seq)
        prepared = self._prepare(ours, {})
        # Ours are all there up to the batch's end: the other shards' messages after our last one
        # move the stored position too (a restart reads less again).
        prepared.last_seq = self.prepared_to = max(prepared.last_seq, batch[-1].seq)
        return prepared

    def _moved_on(self, last_seq: int) -> Prepared | None:
        """A batch with none of our messages: nothing to store, unless what we stored or are
        storing is ``MOVE_ON`` messages behind (a worker whose shards are quiet): then the
        position alone, so that a restart, ours or another worker's, need not read it all again."""
        if self.order is None or last_seq - self.prepared_to < MOVE_ON:
            return None
        self.prepared_to = last_seq
        return Prepared([], [], [], last_seq, [], {}, [])

    def commit(self, prepared: Prepared) -> None:
        """Store a prepared batch: events, inbox rows and position in one transaction, provided
        nothing the batch read has changed in the store meanwhile (else IntegrityError)."""
        self.ledger.record_stored(
            prepared.stored,
            Tracking(self.tracking_name, prepared.last_seq),
            prepared.inbox,
            prepared.expect,
            prepared.snapshots,
        )
        self.position = prepared.last_seq

    @property
    def cache(self) -> dict[Key, Aggregate]:
        """The aggregates the domain works on (the cache's young half)."""
        return self.cached.young

    def cache_full(self) -> bool:
        return self.cached.full()

    def settle(self, prepared: Prepared) -> None:
        for message_id in prepared.new_ids:
            self.pending.pop(message_id, None)
        if self.cached.full() and self.prepared_to == self.position:
            self.cached.turn_over()  # nothing uncommitted is held

    def reset(self) -> None:
        """Forget everything not committed: the next batch starts from the store."""
        self.cached.clear()
        self.pending.clear()
        self.position = self.stored_position()
        self.prepared_to = self.position
        self._refresh_org()

    def _prepare(self, parsed: list[Parsed], poisoned: dict[str, str]) -> Prepared:
        earlier = self.ledger.outcomes(list({p.message_id for p in parsed} - self.pending.keys()))
        self._load(p.command for p in parsed if p.command is not None)
        events: list[Any] = []
        inbox: list[tuple[str, int, str]] = []
        outcomes: list[Outcome] = []
        seen: dict[str, Outcome] = {}
        read: dict[Key, int] = {}
        self._follow_org(read)
        now = self.clock().timestamp()  # for messages the stream gave no receipt time
        skew = self.skew.total_seconds()
        for p in parsed:
            previous = seen.get(p.message_id) or self.pending.get(p.message_id)
            if previous is None and p.message_id in earlier:
                previous = Outcome.from_json(earlier[p.message_id])
            if previous is not None:
                outcomes.append(previous.again())
                continue
            bug = poisoned.get(p.message_id)
            received = p.inbound.received_at or now
            refused = Rejected("internal_error", bug) if bug else _future(p, received + skew)
            if p.stamp is not None and isinstance(p.command, ConfirmSwitch):
                p.stamp = replace(p.stamp, sent_after=received - skew)
            outcome, new_events = self._apply(p, refused, read)
            events += new_events
            inbox.append((p.message_id, p.inbound.seq, outcome.to_json().decode()))
            outcomes.append(outcome)
            seen[p.message_id] = outcome
        self.pending.update(seen)
        self.prepared_to = parsed[-1].inbound.seq
        to_stored = self.ledger.mapper.to_stored_event
        stored = [to_stored(e) for e in events]
        # An aggregate the batch wrote needs no check: its next version is a unique key, so a
        # change by anyone else makes the insert fail. Only what was read and not written is.
        written = {s.originator_id.int for s in stored}
        expect = {UUID(int=a): v for a, v in read.items() if a not in written}
        due = snapshots.of_batch(stored, self.cache)
        return Prepared(stored, inbox, outcomes, parsed[-1].inbound.seq, list(seen), expect, due)

    def _follow_org(self, read: dict[Key, int]) -> None:
        """The organisation's version counts as read by every batch: a batch decided while an
        import was committed fails its commit (no extra query here), and the reset after it moves
        this worker to the new organisation."""
        if self.org_version is not None:
            read[ORG.int] = self.org_version

    def _refresh_org(self) -> None:
        """Decide with the organisation in use now, should an import have replaced it."""
        if self.org_version is None:
            return
        version = self.ledger.versions([ORG]).get(ORG, 0)
        if version != self.org_version:
            organisation = self.ledger.organisation()
            assert organisation is not None
            self.org, self.org_version = organisation.org(), version

    def _load(self, commands: Any) -> None:
        self.cached.bring(commands, self.ledger.load)

    def _apply(self, p: Parsed, refused: Rejected | None, read: dict[Key, int]) -> tuple[Outcome, list[Any]]:
        kind = p.message.kind if p.message is not None else kind_of(p.inbound.data)  # type: ignore[attr-defined]
        rejected = p.rejected or refused
        if rejected is None and p.command is not None and p.stamp is not None:
            ws = CacheView(self.cache, read)
            try:
                p.command.run(ws, self.org, p.stamp)
            except DomainError as e:
                self._check_untouched(p, ws)
                rejected = Rejected(e.code, str(e))
            except Exception as e:  # a bug, not bad input: redo the batch with this message rejected
                raise _Poisoned(p.message_id, f"{type(e).__name__}: {e}") from e
            else:
                new = [e for a in ws.touched.values() for e in a.collect_events()]
                return Outcome(p.message_id, "accepted", kind, [type(e).__qualname__ for e in new]), new
        assert rejected is not None
        rejection = Rejection.record(
            message_id=p.message_id,
            kind=kind,
            code=rejected.code,
            reason=rejected.reason,
            actor=p.message.actor if p.message is not None else None,
            occurred_at=p.stamp.occurred_at if p.stamp is not None else None,
            scope=scope_of(p.message, p.inbound.data),
            subject=p.inbound.subject,
            body=p.inbound.data[:MAX_KEPT_BODY].decode("utf-8", "replace"),
        )
        outcome = Outcome(p.message_id, "rejected", kind, code=rejected.code, reason=rejected.reason)
        return outcome, list(rejection.collect_events())

    @staticmethod
    def _check_untouched(p: Parsed, ws: CacheView) -> None:
        if any(a.pending_events for a in ws.touched.values()):  # type: ignore[attr-defined]
            raise _Poisoned(p.message_id, "command changed state before it was rejected")


def _future(p: Parsed, latest: float) -> Rejected | None:
    """The rejection of a message dated after ``latest`` (Unix seconds: when the stream took it,
    plus the clock skew allowed)."""
    if p.message is None or p.message.occurred_at.timestamp() <= latest:
        return None
    limit = datetime.fromtimestamp(latest, UTC).isoformat(timespec="seconds")
    return Rejected(
        "future",
        f"occurred_at {p.message.occurred_at.isoformat()} is in the future: later than {limit}, "
        "when the stream received the message plus the allowed clock skew",
    )


class _Poisoned(Exception):
    def __init__(self, message_id: str, reason: str):
        super().__init__(reason)
        self.message_id, self.reason = message_id, reason
