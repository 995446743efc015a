"""The roster at any past moment, bi-temporal: as it was at field time T1, as far as it was
recorded by T2.

By definition that is the fold, in log order, of the events that happened by T1 (``occurred_at``)
and were recorded by T2 (the store's ``timestamp``), with the live roster's own model
(``projections/roster.py``). An event whose subject the filtered events do not hold (a dispatch
whose cadre's registration happened after T1) is left out: it could not have been seen then.

Folding the whole log for every question is too slow, so the live fold keeps, beside the
roster (see ``History``):

- snapshots of the roster's rows every K positions, each with the prefix maxima of field time
  and recorded time of the roster's events up to it;
- the late events: a roster event dated (in field or recorded time) before the maximum of the
  events before it in the log.

A question (T1, T2) starts from the latest snapshot whose maxima are within (T1, T2): every
roster event up to it qualifies. It folds the events after it while they qualify; the first one
that does not ends the qualifying prefix, at P*. Any later event that qualifies is earlier than
the one at P* in one of the two times, so earlier than a maximum before it: a late event. Those
are read from their own table, filtered by (T1, T2), and folded in log order. The work is at
most K events and the late ones. Times are compared as UTC instants (``instant``), never as the
strings the messages gave.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from pingzhan.projections.base import ReadModel, Table

Rows = dict[str, dict[tuple[Any, ...], tuple[Any, ...]]]
Bounds = tuple[datetime, datetime]  # (field time, recorded time), both inclusive
Event = tuple[int, Any]  # (position, event)

HISTORY_TABLES = (
    # the roster's rows after ``position``, with the maxima of its events' times up to there
    Table("roster_snapshot", ("position",), ("max_occurred", "max_recorded", "rows"), append_only=True),
    # roster events earlier, in field or recorded time, than an event before them in the log
    Table("roster_late", ("position",), ("occurred", "recorded", "event", "state"), append_only=True),
    # where the live fold is: the maxima so far, the last snapshot's position, the first times
    # (each as the event gave it: compared as instants when loaded)
    Table(
        "roster_prefix",
        ("name",),
        ("max_occurred", "max_recorded", "snapshot_at", "min_occurred", "min_recorded"),
    ),
)
_HISTORY = {t.name for t in HISTORY_TABLES}


def moment(value: str | datetime) -> datetime:
    """An ISO 8601 time (or a datetime) as an aware datetime: compared as an instant."""
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # the library's timestamps are UTC


def instant(value: str | datetime) -> str:
    """A moment as a UTC instant that sorts as text (ISO 8601, microseconds, ``Z``): the stored
    columns the reads compare in SQL."""
    return moment(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _raw(value: str | datetime) -> str:
    return value if isinstance(value, str) else value.isoformat()


def times(event: Any) -> Bounds:
    """When an event happened in the field and when it was recorded; an event without a field time
    counts as happening when it was recorded."""
    recorded = moment(event.timestamp)
    occurred = getattr(event, "occurred_at", None)
    return (moment(occurred) if occurred else recorded), recorded


def within(t: Bounds, bounds: Bounds | None) -> bool:
    return bounds is None or (t[0] <= bounds[0] and t[1] <= bounds[1])


def roster_rows(model: ReadModel) -> Rows:
    """The roster's own rows, without the history kept beside them."""
    return {name: rows for name, rows in model.rows.items() if name not in _HISTORY}


def dump_rows(rows: Rows) -> str:
    """The rows as JSON, by key: the same text however the rows came to be (folded or loaded)."""
    return orjson.dumps(
        {name: [[*k, *table[k]] for k in sorted(table)] for name, table in rows.items()}
    ).decode()


def load_rows(model: ReadModel, blob: str | bytes) -> None:
    """Put a snapshot's rows into ``model`` (as the storage side loads rows)."""
    widths = {t.name: len(t.keys) for t in model.tables}
    for name, rows in orjson.loads(blob).items():
        n = widths[name]
        model.rows[name] = {tuple(r[:n]): tuple(r[n:]) for r in rows}
    model.dirty.clear()
    model.loaded()


def apply_known(model: ReadModel, position: int, event: Any) -> None:
    """Fold one event with the roster's handler, leaving it out when the rows it changes are not
    there (its subject's first event is not among the filtered ones). The handlers read before
    they write, so a left-out event changes nothing."""
    handler = model.handlers.get(type(event).__qualname__)
    if handler is not None:
        try:
            handler(model, position, event)
        except KeyError:
            pass


def filtered_fold(model: ReadModel, events: Iterable[Event], bounds: Bounds) -> ReadModel:
    """The definition: fold, in log order, the events within ``bounds`` (field, recorded)."""
    for position, event in events:
        if type(event).__qualname__ in model.handlers and within(times(event), bounds):
            apply_known(model, position, event)
    return model


class History:
    """What the live roster keeps beside its rows for the questions about the past: the prefix
    maxima (and the first roster event's times), a snapshot every ``every`` positions, and the
    late events. Times are compared as datetimes and stored as the events gave them, once per
    flush; only the snapshots' maxima and the late events' times are made sortable text
    (``instant``), and those are few."""

    def __init__(self, every: int):
        self.every = every
        self.load({"roster_prefix": {}})

    def load(self, rows: Rows) -> None:
        stored = rows["roster_prefix"].get(("prefix",))
        self.snapshot_at = int(stored[2]) if stored else 0
        # the highest and lowest field and recorded times so far: (datetime, as the event gave it)
        self.top_occurred = self.top_recorded = self.low_occurred = self.low_recorded = _NONE
        if stored:
            self.top_occurred, self.top_recorded = _kept(stored[0]), _kept(stored[1])
            self.low_occurred, self.low_recorded = _kept(stored[3]), _kept(stored[4])
        self.moved = False

    def before(self, model: ReadModel, position: int, event: Any) -> None:
        """A roster event about to be folded: keep it if late, and move the maxima."""
        occurred, recorded = _times_fast(event)
        if self.top_occurred is _NONE:
            given = getattr(event, "occurred_at", None) or event.timestamp
            self.top_occurred = self.low_occurred = (occurred, given)
            self.top_recorded = self.low_recorded = (recorded, event.timestamp)
            self.moved = True
            return
        if occurred < self.top_occurred[0] or recorded < self.top_recorded[0]:
            state = orjson.dumps(event.__dict__, default=_iso).decode()
            row = (position, instant(occurred), instant(recorded), type(event).__qualname__, state)
            model.append("roster_late", row)
        if occurred > self.top_occurred[0]:
            self.top_occurred, self.moved = (occurred, event.occurred_at), True
        elif occurred < self.low_occurred[0]:
            self.low_occurred, self.moved = (occurred, event.occurred_at), True
        if recorded > self.top_recorded[0]:
            self.top_recorded, self.moved = (recorded, event.timestamp), True
        elif recorded < self.low_recorded[0]:
            self.low_recorded, self.moved = (recorded, event.timestamp), True

    def after(self, model: ReadModel, position: int) -> None:
        """Any event folded (or not): a snapshot when ``every`` positions have passed."""
        if position - self.snapshot_at < self.every:
            return
        self.snapshot_at, self.moved = position, True
        none = self.top_occurred is _NONE  # no roster event yet: the snapshot qualifies for any times
        maxima = ("", "") if none else (instant(self.top_occurred[0]), instant(self.top_recorded[0]))
        model.append("roster_snapshot", (position, *maxima, dump_rows(roster_rows(model))))

    def keep(self, model: ReadModel) -> None:
        """Before the rows are written: the maxima with them, so that a fold restarted from the
        stored rows goes on from the same point."""
        if self.moved and self.top_occurred is not _NONE:
            times = [_raw(t[1]) for t in (self.top_occurred, self.top_recorded)]
            firsts = [_raw(t[1]) for t in (self.low_occurred, self.low_recorded)]
            model.put("roster_prefix", ("prefix",), (*times, str(self.snapshot_at), *firsts))
        self.moved = False


_NONE: tuple[datetime, Any] = (datetime.min.replace(tzinfo=UTC), None)  # no roster event yet


def _times_fast(event: Any) -> Bounds:
    """``times`` for the live fold, where it runs for every roster event: the stored strings (with
    their offsets) parsed straight away."""
    occurred, recorded = event.__dict__.get("occurred_at"), event.timestamp
    if type(occurred) is str and type(recorded) is str:
        at, by = datetime.fromisoformat(occurred), datetime.fromisoformat(recorded)
        if at.tzinfo is not None and by.tzinfo is not None:
            return at, by
    return times(event)


def _kept(value: str) -> tuple[datetime, str]:
    return moment(value), value


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)  # UUIDs of events folded straight from the domain (tests)


def replay(
    model: ReadModel,
    events: Iterator[Event],
    bounds: Bounds | None,
    late: Callable[[int], Iterable[Event]],
) -> tuple[int, int | None, int]:
    """From a model holding a qualifying prefix, fold ``events`` (the roster events after it, in
    log order) while they are within ``bounds``; at the first one that is not (P*), fold the late
    events after P* that ``late(P*)`` gives (already filtered by ``bounds``). Returns how many
    events were folded from the log, P* (None: every event qualified) and how many late ones."""
    folded = 0
    for position, event in events:
        if not within(times(event), bounds):
            n = 0
            for late_position, late_event in late(position):
                apply_known(model, late_position, late_event)
                n += 1
            return folded, position, n
        apply_known(model, position, event)
        folded += 1
    return folded, None, 0
