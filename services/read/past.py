"""The roster at any past moment, bi-temporal, and the decision reviews: read from the roster's
snapshots and late events (``projections/past.py``) and the event store's log.

``roster_at`` answers "the roster at field time T1 as far as it was recorded by T2";
``decision_reviews`` gives, for each decision (switch, level change, confirmation, void,
stand-down, proposal), the roster of its scope as known when it was recorded. Both answer as of
the event the roster's read model has reached, like every other read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pingzhan.domain.org import Org
from pingzhan.projections.deadlines import Deadlines
from pingzhan.projections.past import (
    Bounds,
    Event,
    apply_known,
    instant,
    load_rows,
    replay,
    roster_rows,
)
from pingzhan.projections.past import moment as instant_of
from pingzhan.projections.reviews import DECISIONS, review
from pingzhan.projections.roster import Roster
from pingzhan.projections.roster_view import roster_view
from pingzhan.services.read import queries, tables
from pingzhan.services.read.projector import recorded
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.store.ledger import Ledger

PAGE = 5000
_RELEVANT = frozenset(Roster.handlers)


def parse_moment(text: str, name: str) -> datetime:
    """A moment given by a reader: ISO 8601 with an offset, else ValueError in words."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} {text!r} is not ISO 8601 (e.g. 2022-07-15T23:00:00+08:00)") from None
    if at.tzinfo is None:
        raise ValueError(f"{name} {text!r} has no offset (e.g. 2022-07-15T23:00:00+08:00)")
    return at


@dataclass
class Method:
    """How an answer was reached: the snapshot started from, the events folded after it, where
    the qualifying prefix ended (P*) and the late events folded; as of event ``until``."""

    snapshot: int = 0
    replayed: int = 0
    prefix_end: int | None = None
    late: int = 0
    until: int = 0


class PastReader:
    """The reads behind the past roster: snapshots, the log after one, the late events."""

    def __init__(self, db: ViewDb, ledger: Ledger):
        self.db, self.ledger = db, ledger
        with db.transaction(write=False) as cur:
            if not tables.exists(cur, "roster_prefix"):
                raise LookupError("no read models yet: start `pingzhan serve` (or `pingzhan demo`) first")
            cols = "max_occurred, max_recorded, snapshot_at, min_occurred, min_recorded"
            self.prefix = cur.execute(f"SELECT {cols} FROM roster_prefix WHERE name = 'prefix'").fetchone()
            row = cur.execute("SELECT position FROM view_tracking WHERE name = ?", [Roster.name]).fetchone()
        self.until = int(row[0]) if row else 0  # the event the roster's read model has reached

    def snapshot(self, model: Roster, bounds: Bounds | None, before: int, after: int = 0) -> int:
        """Load into ``model`` the latest snapshot before position ``before`` (and after ``after``)
        whose maxima are within ``bounds``; returns its position (0: none, ``model`` left as it is)."""
        sql = "SELECT position, rows FROM roster_snapshot WHERE position < ? AND position > ?"
        params: list[Any] = [before, after]
        if bounds is not None:
            sql += " AND max_occurred <= ? AND max_recorded <= ?"
            params += [instant(b) for b in bounds]
        found = self.db.query(sql + " ORDER BY position DESC LIMIT 1", params)
        if not found:
            return 0
        load_rows(model, found[0][1])
        return int(found[0][0])

    def events(self, after: int, until: int) -> Iterator[Event]:
        """The roster's events after position ``after`` up to ``until``, in log order (the others
        are not decoded)."""
        while after < until:
            rows = self.ledger.recorder.select_states(after, min(PAGE, until - after))  # type: ignore[attr-defined]
            if not rows:
                return
            for position, topic, state in rows:
                if topic.rsplit(":", 1)[1] in _RELEVANT:
                    yield position, recorded(topic, state)
            after = rows[-1][0]

    def late(self, after: int, bounds: Bounds) -> list[Event]:
        """The late events after position ``after`` (up to ``until``) within ``bounds``."""
        rows = self.db.query(
            "SELECT position, event, state FROM roster_late WHERE position > ? AND position <= ? "
            "AND occurred <= ? AND recorded <= ? ORDER BY position",
            [after, self.until, *(instant(b) for b in bounds)],
        )
        return [(int(p), recorded(f"late:{name}", state.encode())) for p, name, state in rows]


def roster_at(
    db: ViewDb,
    ledger: Ledger,
    org: Org,
    at: datetime,
    known_at: datetime | None = None,
    scope: str | None = None,
    deadlines: Deadlines | None = None,
) -> tuple[dict[str, Any], Method]:
    """The roster document at field time ``at`` as far as it was recorded by ``known_at`` (default:
    now), for ``scope`` (default the district), with how it was reached. Proposals lapsed by ``at``
    are not pending, problems overdue by ``at`` are. ValueError / LookupError in words."""
    known_at = known_at or datetime.now(UTC)
    if scope is not None:
        org.unit(scope)
    reader = PastReader(db, ledger)
    if reader.prefix is None:
        raise LookupError("the roster has no events yet: nothing to look back on")
    bounds = (at, known_at)
    first_occurred, first_recorded = reader.prefix[3], reader.prefix[4]
    if at < instant_of(first_occurred):
        raise ValueError(
            f"{at.isoformat()} is before the roster's first event, which happened at {first_occurred}"
        )
    if known_at < instant_of(first_recorded):
        raise ValueError(
            f"nothing was recorded by {known_at.isoformat()}: the roster's first event was recorded at {first_recorded}"
        )
    model = Roster()
    how = Method(until=reader.until)
    how.snapshot = reader.snapshot(model, bounds, reader.until + 1)
    how.replayed, how.prefix_end, how.late = replay(
        model, reader.events(how.snapshot, reader.until), bounds, lambda p: reader.late(p, bounds)
    )
    return roster_view(org, roster_rows(model), scope, at, deadlines), how


def roster_doc(
    db: ViewDb,
    ledger: Ledger,
    org: Org,
    at: str | None,
    known_at: str | None = None,
    scope: str | None = None,
    deadlines: Deadlines | None = None,
    names: tuple[str, str] = ("at", "known_at"),
) -> dict[str, Any]:
    """``roster_at`` of the moments a reader gave (``names``: what the reader calls them, for the
    errors), its document with ``past``: the moments and how the answer was reached."""
    if at is None:
        raise ValueError(f"{names[1]} goes with {names[0]} (the field time to look back on)")
    t1 = parse_moment(at, names[0])
    t2 = parse_moment(known_at, names[1]) if known_at else None
    doc, how = roster_at(db, ledger, org, t1, t2, scope, deadlines)
    said = {"at": t1.isoformat(), "known_at": t2.isoformat() if t2 else None}
    return {**doc, "past": {**said, **vars(how)}}


def reviews_of(
    db: ViewDb,
    ledger: Ledger,
    org: Org,
    entries: Sequence[dict[str, Any]],
    deadlines: Deadlines | None = None,
) -> dict[int, dict[str, Any]]:
    """The reviews of the accepted decisions among audit ``entries`` (rows of ``queries.audit``),
    by position. One walk in log order: from the nearest snapshot before each decision, or on from
    the previous decision when that is nearer."""
    wanted = sorted(e["position"] for e in entries if e["event"] in DECISIONS and e["outcome"] == "accepted")
    if not wanted:
        return {}
    reader = PastReader(db, ledger)
    recorded_at = {e["position"]: e["recorded_at"] for e in entries}
    found: dict[int, dict[str, Any]] = {}
    model, at = Roster(), 0
    for position in wanted:
        if position > reader.until:
            break
        start = Roster()
        if snapshot := reader.snapshot(start, None, position, after=at):
            model, at = start, snapshot
        for p, event in reader.events(at, position):
            if p < position:
                apply_known(model, p, event)
            else:
                scope = event.scope if event.scope in org.units else None
                now = datetime.fromisoformat(event.occurred_at)
                doc = roster_view(org, roster_rows(model), scope, now, deadlines)
                found[position] = review(doc, position, event, recorded_at[position])
                apply_known(model, p, event)
        at = position
    return found


def decision_reviews(
    db: ViewDb,
    ledger: Ledger,
    org: Org,
    episode: str | None = None,
    deadlines: Deadlines | None = None,
) -> list[dict[str, Any]]:
    """For the after-action report: one review per accepted decision of ``episode`` (every
    episode's when None), in log order. Each is a plain dict: ``position`` (the decision's place in
    the log, the audit trail's ``#``), ``decision`` ("switch to wartime", "level change",
    "confirmation (...)", "level I proposed", "void proposed", "void", "stand-down"), ``event``,
    ``scope``, ``actor``, ``occurred_at``, ``recorded_at``, ``known_up_to`` (the last event the
    roster below includes: the one before the decision), and the roster of the scope then:
    ``grids``, ``grids_in_wartime``, ``cadres_dispatched``, ``checkpoints_staffed``,
    ``checkpoints_unstaffed``, ``on_duty`` ([{grid, checkpoint, cadre, since}]),
    ``unstaffed_checkpoints`` ([{grid, checkpoint, name, since}]), ``open_hazards`` ([{grid,
    hazard, kind, severity, reported_at, age_h (hours at the decision's field time), open_tasks,
    problem}]), ``open_problems``, ``overdue_problems``, ``wartime_scopes`` and
    ``pending_proposals`` (as in the roster document). LookupError for an unknown episode."""
    entries = queries.audit(db, org, episode, events=sorted(DECISIONS))
    found = reviews_of(db, ledger, org, entries, deadlines)
    return [found[p] for p in sorted(found)]


def with_reviews(
    db: ViewDb,
    ledger: Ledger,
    org: Org,
    entries: Iterable[dict[str, Any]],
    deadlines: Deadlines | None = None,
) -> list[dict[str, Any]]:
    """Audit entries with ``review`` on each accepted decision (``reviews_of``)."""
    entries = list(entries)
    found = reviews_of(db, ledger, org, entries, deadlines)
    return [{**e, "review": found[e["position"]]} if e["position"] in found else e for e in entries]
