"""A small simulated year with late reports and a late switch, through NATS into the store, and
the roster folded afresh from its stored events: what the past roster is checked against.

The fresh fold here is written apart from ``projections/past.py``: the stored events filtered by
their two times (parsed as datetimes) and folded with the roster's handlers, in log order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from pingzhan.projections.roster import Roster
from pingzhan.services.org.data import read_org_file
from pingzhan.services.read.projector import recorded
from pingzhan.services.settings import Settings
from pingzhan.services.traffic.district import OPERATORS
from pingzhan.services.traffic.simulator import Simulator
from pingzhan.services.wire.routing import subject_of

from tests.integration.helpers import drain, on_stream, publish, with_operators

SEED, SCALE, EVERY = 3, 0.02, 1000  # a snapshot every 1,000 positions: about 17 of them
LATE_SWITCH = "late-switch"


def late_reports(cadre: str, grid: str, community: str) -> list[dict[str, Any]]:
    """Reports sent after the whole year, dated within it, in the grid of ``cadre``: a hazard with a
    task, two checkpoints (one staffed by the cadre), a switch of the community (recorded after
    them, so its review shows them), then the rest."""
    op, GRID, COMMUNITY = OPERATORS[0], grid, community
    hazard = {"hazard_id": "LATE-HZ-1", "grid_id": GRID}
    return [
        {"kind": "checkpoint.established", "at": "2022-03-15T09:00:00+08:00", "checkpoint_id": "LATE-CP-1",
         "grid_id": GRID, "name": "late gate"},
        {"kind": "checkpoint.established", "at": "2022-03-15T09:00:00+08:00", "checkpoint_id": "LATE-CP-2",
         "grid_id": GRID, "name": "late bridge"},
        {"kind": "checkpoint.staffed", "at": "2022-03-15T09:10:00+08:00", "checkpoint_id": "LATE-CP-2",
         "cadre_id": cadre, "grid_id": GRID},
        {"kind": "hazard.reported", "at": "2022-03-15T10:00:00+08:00", **hazard,
         "hazard_kind": "waterlogging", "location": "late lane", "severity": "high"},
        {"kind": "hazard.task_assigned", "at": "2022-03-15T10:30:00+08:00", **hazard, "task_id": "LATE-T1",
         "task": "patrol", "cadre_id": cadre},
        {"kind": "mode.switched_to_wartime", "at": "2022-03-15T12:00:00+08:00", "id": LATE_SWITCH, "actor": op,
         "scope": COMMUNITY, "level": "III", "reason": "late test"},
        {"kind": "hazard.task_done", "at": "2022-03-15T15:00:00+08:00", **hazard, "task_id": "LATE-T1"},
        {"kind": "hazard.resolved", "at": "2022-03-15T16:00:00+08:00", **hazard, "resolution": "pumped"},
        {"kind": "checkpoint.relieved", "at": "2022-03-16T08:00:00+08:00", "checkpoint_id": "LATE-CP-2",
         "cadre_id": cadre, "grid_id": GRID},
        {"kind": "mode.switched_to_peacetime", "at": "2022-03-16T09:00:00+08:00", "actor": op,
         "scope": COMMUNITY, "reason": "over"},
        {"kind": "hazard.reported", "at": "2022-08-01T10:00:00+08:00", "hazard_id": "LATE-HZ-2",
         "grid_id": GRID, "hazard_kind": "landslide", "location": "late slope", "severity": "medium"},
    ]  # fmt: skip


def _items(reports: list[dict[str, Any]]) -> list[tuple[str, str, bytes]]:
    items = []
    for i, r in enumerate(reports):
        body = {
            "id": r.pop("id", f"late-{i}"),
            "occurred_at": r.pop("at"),
            "actor": r.pop("actor", "field-app"),
            **r,
        }
        items.append((body["id"], subject_of("pingzhan", body), orjson.dumps(body)))
    return items


@dataclass
class Year:
    settings: Settings
    community: str  # the scope of the late switch
    cadre: str  # on duty at LATE-CP-2 when it was made
    events: list[tuple[int, Any]]  # every stored event, decoded as the read models see them


async def small_year(nats_server: Any, store: Settings) -> Year:
    """The simulated year, then the late reports, ingested and projected with a snapshot every
    ``EVERY`` positions."""
    settings = with_operators(await on_stream(nats_server, store, roster_snapshot_every=EVERY))
    simulator = Simulator(read_org_file(), seed=SEED, scale=SCALE)
    await publish(nats_server.url, simulator.messages())
    cadre = simulator.plan.cadres[0]
    community = simulator.record.org.units[f"grid:{cadre['grid']}"].parent or ""
    await publish(nats_server.url, _items(late_reports(cadre["id"], cadre["grid"], community)))
    await drain(settings, nats_server.url)
    from pingzhan.services.store.ledger import open_ledger

    ledger = open_ledger(settings)
    try:
        rows = ledger.recorder.select_states(0, 10**7)  # type: ignore[attr-defined]
    finally:
        ledger.close()
    return Year(settings, community, cadre["id"], [(p, recorded(topic, state)) for p, topic, state in rows])


def _utc(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def fresh_fold(events: list[tuple[int, Any]], at: datetime | None, known_at: datetime | None) -> Roster:
    """The roster folded from the events that happened by ``at`` and were recorded by
    ``known_at`` (None: no bound), in log order; an event whose rows are not there (its subject's
    first event was filtered out) is left out."""
    model = Roster()
    for position, event in events:
        handler = Roster.handlers.get(type(event).__qualname__)
        if handler is None:
            continue
        if at is not None and _utc(event.occurred_at) > at:
            continue
        if known_at is not None and _utc(event.timestamp) > known_at:
            continue
        try:
            handler(model, position, event)
        except KeyError:
            continue
    return model


def own_rows(model: Roster) -> dict[str, Any]:
    return {
        t.name: model.rows[t.name] for t in Roster.tables if not t.append_only and t.name != "roster_prefix"
    }
