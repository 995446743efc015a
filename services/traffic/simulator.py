"""One year (2022) of the whole district's messages, deterministic from a seed, for tests and benchmarks.

The year follows the seed report (``../shared/seed/baota-grid-governance.zh.txt``):

1. January 1: every cadre in scope is registered and dispatched to its grid (from the org file).
2. Every peacetime Wednesday (每周三固定服务日) each cadre checks in, visits 1-4 households (mostly
   collecting their basic information), may collect an opinion, serve as a volunteer or be rated by
   a household, and checks out. About 5% of cadre-Wednesdays are absences; a small fixed set of
   cadres is "present on paper only" (点卯式: they check in and out but never visit). Some collected
   households are verified a few weeks later (``year_peacetime``).
3. Six inspection groups (6个督查组) make unannounced inspections on Wednesdays (``year_peacetime``).
4. January: the district goes to wartime (epidemic, level II); checkpoints are staffed in shifts
   (``year_epidemic``); the 20 cadres of the HR bureau (区人社局) register the three compounds in one
   week (1,702 households, 5,075 persons); stand-down on February 20. March to May: the publicity
   system's (宣传系统) cadres of 南关社区 register its residents for vaccination (``year_drives``).
5. July: a level-II rainstorm in two streets: hazards and their tasks; the court's cadres find the
   blocked 一建巷 flood channel on a routine patrol, the hazard is raised as a problem escalated to
   the city waterlogging office and resolved by way of it; stand-down on July 25 (``year_flood``).
6. October: a one-day drill (exercise) in one community (``year_flood``).
7. Problems (烦心事) reported, escalated and resolved during the year (``year_problems``).
8. About 0.5% of the visits and service messages arrive late (moved to the end, ``occurred_at`` kept);
   only messages nothing depends on are delayed.
9. About 0.2% of the messages are deliberately invalid (not JSON, unknown kind, schema violation;
   ``invalid``), sent on the subjects of the kinds they pretend to be (a schema violation of
   ``hazard.reported`` goes to ``...hazard.reported``); they are counted apart from the valid
   messages per kind (``Plan.counts``), by their rejection code (``Plan.invalid``).

What the year covers for a seed and scale is decided first (``year_plan``); then every part writes
its events into one ``YearRecord``, which this module sorts into the stream. Every other message is
accepted by the domain when the stream is processed in order. Messages come as (id, subject, body)
ready to publish, like ``workload.py``.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

import orjson
from pingzhan.services.org.admin import setup_id
from pingzhan.services.org.data import load_org_data
from pingzhan.services.traffic.district import DISTRICT_TZ, ORG_OPERATOR
from pingzhan.services.traffic.invalid import invalid_message
from pingzhan.services.traffic.workload import compact
from pingzhan.services.traffic.year_drives import registration_drive, vaccination_drive
from pingzhan.services.traffic.year_epidemic import epidemic
from pingzhan.services.traffic.year_flood import drill, flood
from pingzhan.services.traffic.year_peacetime import wednesdays
from pingzhan.services.traffic.year_plan import YEAR, Episode, Places, Plan, plan_year
from pingzhan.services.traffic.year_record import DELAYABLE, VERIFY, Event, YearRecord
from pingzhan.services.wire import MESSAGE, subject_of
from pydantic import ValidationError

__all__ = ["Episode", "Plan", "Simulator", "simulate", "summary"]

LATE_SHARE = 0.005
INVALID_SHARE = 0.002
# Kinds counted for the late share (only the DELAYABLE events among them may actually be late).
SERVICE_KINDS = (
    "household.visited",
    "service.checked_in",
    "service.checked_out",
    "opinion.collected",
    "volunteer.served",
    "satisfaction.rated",
)

Slot = tuple[datetime, int, int, dict[str, Any] | None]  # an event, or None for an invalid message


class Simulator:
    """Builds the whole year in memory (it has to be sorted by time), then yields it one message at
    a time, letting go of each event as it is yielded: nothing holds the encoded stream."""

    def __init__(self, org_data: dict[str, Any], seed: int = 1, scale: float = 1.0, prefix: str = "pingzhan"):
        self.seed, self.prefix = seed, prefix
        self.rng = random.Random(seed)
        places = Places.of(org_data)
        self.plan = plan_year(org_data, places, self.rng, seed, min(max(scale, 0.0), 1.0))
        self.record = YearRecord(org_data, load_org_data(org_data), places, self.plan, self.rng)
        self.total: int | None = None  # how many messages the year has, known once it is built

    def wartime(self, grid: str, at: datetime) -> bool:
        """Is a scope covering the grid in real wartime at this time?"""
        return self.record.wartime(grid, at)

    def build(self) -> None:
        """Write every part of the year into the record (in this order: it fixes the random draws)."""
        _register_cadres(self.record)
        epidemic(self.record)
        registration_drive(self.record)
        vaccination_drive(self.record)
        flood(self.record)
        drill(self.record)
        wednesdays(self.record)

    def messages(self) -> Iterator[tuple[str, str, bytes]]:
        """The year, in stream order: by ``occurred_at``, then the late reports. ``total`` is set
        before the first message comes."""
        self.build()
        plan = self.plan
        events, self.record.events = self.record.events, []  # handed over: let go as they are yielded
        events.sort(key=lambda e: (e[0], e[1]))
        built = self._with_invalid(_verified_once(events))
        del events
        late = self._late(built)
        stream: list[Slot | None] = list(built)  # each slot let go (None) once yielded
        del built
        self.total = len(stream)
        plan.late_ids = [self._id(i) for i in late]
        plan.invalid_ids, plan.invalid = [], {}
        counts: Counter[str] = Counter()
        moved = set(late)
        on_time = (i for i in range(len(stream)) if i not in moved)  # ids are in occurred_at order
        for i in itertools.chain(on_time, late):
            slot, stream[i] = stream[i], None
            assert slot is not None
            at, _seq, _flag, payload = slot
            msg_id = self._id(i)
            if payload is None:  # counted apart, by the code it is rejected with and its subject's kind
                plan.invalid_ids.append(msg_id)
                item, code = invalid_message(self.record, self.prefix, msg_id, at, len(plan.invalid_ids))
                plan.invalid[msg_id] = (code, item[1].split(".", 3)[3])
                yield item
                continue
            counts[payload["kind"]] += 1
            msg_id = setup_id(payload) or msg_id  # the same ids as `pingzhan org import`: recorded once
            body = {"id": msg_id, "occurred_at": at.isoformat(), **payload}
            yield msg_id, subject_of(self.prefix, payload), compact(orjson.dumps(body))
        plan.counts = dict(sorted(counts.items()))

    def _id(self, i: int) -> str:
        """The id of the message at place ``i`` of the year in ``occurred_at`` order."""
        return f"sim-{self.seed}-{i + 1:08d}"

    def _with_invalid(self, events: list[Event]) -> list[Slot]:
        """The events with slots for deliberately invalid messages, at random places after the set-up."""
        setup = 2 * len(self.plan.cadres)
        invalid = max(3, round(INVALID_SHARE * len(events)))
        after = set(self.rng.sample(range(setup, len(events)), min(invalid, len(events) - setup)))
        stream: list[Slot] = []
        for i, event in enumerate(events):
            stream.append(event)
            if i in after:
                stream.append((event[0], -1, -1, None))
        return stream

    def _late(self, stream: list[Slot]) -> list[int]:
        """Where the late reports are (ascending): delayable events, a share of the service messages."""
        base = sum(1 for e in stream if e[3] is not None and e[3]["kind"] in SERVICE_KINDS)
        delayable = [i for i, e in enumerate(stream) if e[2] == DELAYABLE]
        return sorted(self.rng.sample(delayable, min(len(delayable), round(LATE_SHARE * base))))


def _register_cadres(record: YearRecord) -> None:
    """January 1: every cadre in scope is registered, then dispatched to its grid."""
    t = datetime(YEAR, 1, 1, 9, 0, tzinfo=DISTRICT_TZ)
    for i, c in enumerate(record.plan.cadres):
        at = t + timedelta(seconds=2 * i)
        record.emit(at, "cadre.registered", ORG_OPERATOR, cadre_id=c["id"], name=c["name"], unit=c["unit"])
        record.emit(
            at + timedelta(seconds=1), "cadre.dispatched", ORG_OPERATOR, cadre_id=c["id"], grid_id=c["grid"]
        )


def _verified_once(events: list[Event]) -> list[Event]:
    """The events without the verifications of households not collected, or verified since (in order)."""
    unverified: dict[str, bool] = {}
    kept: list[Event] = []
    for event in events:
        fields = event[3]
        if fields["kind"] == "household.visited" and fields["info_collected"]:
            unverified[fields["household_id"]] = True
        elif event[2] == VERIFY:
            if not unverified.get(fields["household_id"]):
                continue
            unverified[fields["household_id"]] = False
        kept.append(event)
    return kept


def simulate(
    org_data: dict[str, Any], seed: int, scale: float = 1.0, prefix: str = "pingzhan"
) -> Iterator[tuple[str, str, bytes]]:
    """The year 2022 for the district (or the first ``scale`` share of its cadres) as (id, subject, body)."""
    return Simulator(org_data, seed, scale, prefix).messages()


def summary(messages: Iterable[tuple[str, str, bytes]]) -> dict[str, int]:
    """Messages per kind that validate, ``invalid`` for those that do not, and ``total``."""
    counts: Counter[str] = Counter()
    for _id, _subject, body in messages:
        try:
            counts[MESSAGE.validate_json(body).kind] += 1  # type: ignore[union-attr]
        except ValidationError:
            counts["invalid"] += 1
    return {**dict(sorted(counts.items())), "total": sum(counts.values())}
