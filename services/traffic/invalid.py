"""Deliberately invalid messages for the simulated year: ones the ingest must reject because they are
not JSON, name an unknown kind, or break the schema of a known kind.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from pingzhan.services.traffic.year_record import YearRecord
from pingzhan.services.wire import shard_of

FLAVOURS = ["malformed_json", "unknown_kind", "schema"]
UNKNOWN_KINDS = ["household.teleported", "cadre.promoted", "mode.switched_to_holiday"]
TRUNCATED_SHARE = 0.7  # of the malformed ones; the others are not even text


def invalid_message(
    record: YearRecord, prefix: str, msg_id: str, at: datetime, n: int
) -> tuple[tuple[str, str, bytes], str]:
    """The ``n``-th invalid message of the year, as (id, subject, body), by a cadre in scope, and
    the rejection code the ingest gives it (one of FLAVOURS)."""
    rng = record.rng
    cadre = rng.choice(record.plan.cadres)
    grid, household = cadre["grid"], record.household(cadre["grid"])
    envelope = {"id": msg_id, "occurred_at": at.isoformat(), "actor": cadre["id"]}
    flavour = rng.choice(FLAVOURS)
    if flavour == "malformed_json":
        kind = "household.visited"
        raw = orjson.dumps({**envelope, "kind": kind, "cadre_id": cadre["id"], "household_id": household})
        data = raw[: len(raw) // 2] if rng.random() < TRUNCATED_SHARE else b"\xff\xfe not json at all"
        return (msg_id, _subject(prefix, grid, kind), data), flavour
    if flavour == "unknown_kind":
        kind = rng.choice(UNKNOWN_KINDS)
        fields: dict[str, Any] = {"cadre_id": cadre["id"], "grid_id": grid}
    else:
        kind, fields = _schema_violation(rng.randrange(4), cadre["id"], grid, household, n)
    return (msg_id, _subject(prefix, grid, kind), orjson.dumps({**envelope, "kind": kind, **fields})), flavour


def _schema_violation(
    variant: int, cadre_id: str, grid: str, household: str, n: int
) -> tuple[str, dict[str, Any]]:
    """A known kind with a value out of range, an unknown enum value, or an extra field."""
    if variant == 0:
        return "satisfaction.rated", {"cadre_id": cadre_id, "household_id": household, "score": 9}
    if variant == 1:
        return "household.visited", {
            "cadre_id": cadre_id,
            "household_id": household,
            "persons": 99,
            "info_collected": True,
        }
    if variant == 2:
        return "hazard.reported", {
            "hazard_id": f"HZ-BAD-{n}",
            "grid_id": grid,
            "hazard_kind": "meteor",
            "location": "?",
            "severity": "high",
        }
    return "service.checked_in", {"cadre_id": cadre_id, "grid_id": grid, "mood": "sunny"}


def _subject(prefix: str, grid: str, kind: str) -> str:
    return f"{prefix}.in.{shard_of(grid)}.{kind}"
