"""A deterministic, realistic stream of field reports for the whole district, for tests and benchmarks.

It registers and dispatches every cadre, then mixes checkpoint shifts, hazards and their
resolution, cadres rotating between grids (recalled, then dispatched elsewhere) and the odd mode
switch (by ``district.OPERATORS``, to be registered in the store), across all grids; a small share
of reports are invalid (they must be rejected). What is open (checkpoints, hazards) is capped, and
checkpoints close and hazards resolve, so generation is linear in time and flat in memory.
Every message is returned as (id, subject, body) ready to publish, one at a time.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import orjson
from pingzhan.services.traffic.district import COMMAND_CENTER, DISTRICT_TZ, RAINSTORM_HAZARDS
from pingzhan.services.wire import subject_of
from pingzhan.services.wire.routing import shard_of

V = TypeVar("V")


class Workload:
    """The benchmark's traffic for one organisation; the same seed gives the same messages."""

    def __init__(self, org_data: dict[str, Any], seed: int = 1, prefix: str = "pingzhan", run: str = "w"):
        self.rng = random.Random(seed)
        self.prefix, self.run = prefix, run
        self.cadres = org_data["cadres"]
        self.grids = [g["id"] for g in org_data["grids"]]
        self.streets = [s["id"] for s in org_data["streets"]]
        self.clock = datetime(2022, 7, 1, 8, 0, tzinfo=DISTRICT_TZ)
        self.n = 0

    def _msg(self, kind: str, actor: str, **fields: Any) -> tuple[str, str, bytes]:
        self.n += 1
        self.clock += timedelta(seconds=3)
        msg_id = f"{self.run}-{self.n:08d}"
        body = {"id": msg_id, "kind": kind, "occurred_at": self.clock.isoformat(), "actor": actor, **fields}
        return msg_id, subject_of(self.prefix, body), compact(orjson.dumps(body))

    def messages(self, count: int, invalid_share: float = 0.01) -> Iterator[tuple[str, str, bytes]]:
        """``count`` messages: set-up of the cadres first, then the mixed field traffic. Streamed,
        in time and memory linear in ``count``: what is open (checkpoints, hazards) is bounded."""
        produced = 0
        for c in self.cadres:
            for m in (
                self._msg("cadre.registered", "zzb", cadre_id=c["id"], name=c["name"], unit=c["unit"]),
                self._msg("cadre.dispatched", "zzb", cadre_id=c["id"], grid_id=c["grid"]),
            ):
                if produced == count:
                    return
                produced += 1
                yield m
        field = _Field(self.cadres)
        k = 0
        while produced < count:
            k += 1
            msg = self._next(k, self.rng.random(), self.rng.choice(self.grids), field, invalid_share)
            if msg is not None:
                produced += 1
                yield msg

    def _next(
        self, k: int, r: float, grid: str, field: _Field, invalid_share: float
    ) -> tuple[str, str, bytes] | None:
        """One message of field traffic (None: nothing to do this time)."""
        if r < invalid_share:
            return self._invalid(grid)
        if r < 0.15 or not field.checkpoints:
            if len(field.checkpoints) >= MAX_OPEN_CHECKPOINTS:
                return self._close_one(field)
            cp = f"{self.run}-K{k}"
            field.checkpoints.add(cp, (grid, []))
            return self._msg(
                "checkpoint.established", "community", checkpoint_id=cp, grid_id=grid, name=f"卡口{k}"
            )
        if r < 0.45:
            cp, (g, on) = field.checkpoints.pick(self.rng)
            if field.free.get(g):
                cadre = field.free[g].pop()
                on.append(cadre)
                return self._msg("checkpoint.staffed", cadre, checkpoint_id=cp, cadre_id=cadre, grid_id=g)
            return self._relieve(cp, g, on, field)
        if r < 0.65:
            cp, (g, on) = field.checkpoints.pick(self.rng)
            return self._relieve(cp, g, on, field)
        if r < 0.70:
            return self._close_one(field)
        if r < 0.83 or not field.hazards:
            if len(field.hazards) >= MAX_OPEN_HAZARDS:
                return self._resolve_one(field)
            hz = f"{self.run}-H{k}"
            field.hazards.add(hz, grid)
            return self._msg(
                "hazard.reported",
                self.rng.choice(field.by_grid[grid]),
                hazard_id=hz,
                grid_id=grid,
                hazard_kind=self.rng.choice(RAINSTORM_HAZARDS),
                location=f"{grid} 巷{k % 97}",
                severity=self.rng.choice(["low", "medium", "high"]),
            )
        if r < 0.98:
            return self._resolve_one(field)
        if r < 0.985:
            return self._rotate(field)
        return self._switch(field)

    def _relieve(self, cp: str, grid: str, on: list[str], field: _Field) -> tuple[str, str, bytes] | None:
        if not on:
            return None
        cadre = on.pop()
        field.free[grid].append(cadre)
        return self._msg("checkpoint.relieved", cadre, checkpoint_id=cp, cadre_id=cadre, grid_id=grid)

    def _close_one(self, field: _Field) -> tuple[str, str, bytes] | None:
        """Close an open checkpoint, relieving whoever is on duty there first."""
        cp, (g, on) = field.checkpoints.pick(self.rng)
        if on:
            return self._relieve(cp, g, on, field)
        field.checkpoints.remove(cp)
        return self._msg("checkpoint.closed", "community", checkpoint_id=cp, grid_id=g)

    def _resolve_one(self, field: _Field) -> tuple[str, str, bytes]:
        hz, g = field.hazards.pick(self.rng)
        field.hazards.remove(hz)
        return self._msg("hazard.resolved", "community", hazard_id=hz, grid_id=g, resolution="cleared")

    def _rotate(self, field: _Field) -> tuple[str, str, bytes] | None:
        """A cadre rotates: recalled from a grid while off duty, dispatched to another one later."""
        if field.recalled:
            cadre, old = field.recalled.pop(0)
            grids = field.same_shard[shard_of(old)]
            grid = self.rng.choice([g for g in grids if g != old] or grids)
            field.free[grid].append(cadre)
            field.grid_of[cadre] = grid
            return self._msg("cadre.dispatched", "zzb", cadre_id=cadre, grid_id=grid)
        if not field.rotating:
            return None
        cadre = self.rng.choice(field.rotating)
        grid = field.grid_of[cadre]
        if cadre not in field.free[grid]:  # on duty at a checkpoint: not now
            return None
        field.free[grid].remove(cadre)
        field.recalled.append((cadre, grid))
        return self._msg("cadre.recalled", "zzb", cadre_id=cadre)

    def _switch(self, field: _Field) -> tuple[str, str, bytes]:
        street = f"street:{self.rng.choice(self.streets)}"
        if street in field.wartime:
            field.wartime.discard(street)
            return self._msg("mode.switched_to_peacetime", COMMAND_CENTER, scope=street, reason="stand-down")
        field.wartime.add(street)
        level = self.rng.choice(["II", "III", "IV"])
        return self._msg(
            "mode.switched_to_wartime", COMMAND_CENTER, scope=street, level=level, reason="rainstorm"
        )

    def _invalid(self, grid: str) -> tuple[str, str, bytes]:
        msg_id, subject, body = self._msg(
            "hazard.reported",
            "x",
            hazard_id="bad",
            grid_id=grid,
            hazard_kind="meteor",
            location="?",
            severity="high",
        )
        return msg_id, subject, body


def compact(data: bytes) -> bytes:
    """The same bytes in an object of their own size: each result of ``orjson.dumps`` keeps its
    whole write buffer (about 4 KB, measured with orjson 3.13), twenty times a message's size in
    anything that holds many of them (a test's list of messages)."""
    return bytes(memoryview(data))


MAX_OPEN_CHECKPOINTS = 1_000  # beyond it, new checkpoints wait until old ones close
MAX_OPEN_HAZARDS = 500


class _Open(Generic[V]):
    """What is open now (checkpoints, hazards): add, remove and pick at random, each in O(1)."""

    def __init__(self) -> None:
        self.keys: list[str] = []
        self.index: dict[str, int] = {}
        self.values: dict[str, V] = {}

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, key: str, value: V) -> None:
        self.index[key] = len(self.keys)
        self.keys.append(key)
        self.values[key] = value

    def remove(self, key: str) -> None:
        i, last = self.index.pop(key), self.keys.pop()
        if last != key:
            self.keys[i], self.index[last] = last, i
        del self.values[key]

    def pick(self, rng: random.Random) -> tuple[str, V]:
        key = self.keys[rng.randrange(len(self.keys))]
        return key, self.values[key]


class _Field:
    """The state of the field traffic: who is free in which grid, what is open, where it is war."""

    def __init__(self, cadres: list[dict[str, Any]]):
        self.by_grid: dict[str, list[str]] = {}
        for c in cadres:
            self.by_grid.setdefault(c["grid"], []).append(c["id"])
        self.free = {g: list(ids) for g, ids in self.by_grid.items()}
        self.grid_of = {c["id"]: c["grid"] for c in cadres}
        # Only cadres whose id lands on their grid's shard rotate, and only between grids of that
        # shard: a recall is routed by cadre and a dispatch or a shift by grid, so with several
        # workers a rotation across shards could be decided out of stream order.
        self.same_shard: dict[int, list[str]] = {}
        for g in self.by_grid:
            self.same_shard.setdefault(shard_of(g), []).append(g)
        self.rotating = [c["id"] for c in cadres if shard_of(c["id"]) == shard_of(c["grid"])]
        self.recalled: list[tuple[str, str]] = []  # (cadre, the grid left), waiting to go elsewhere
        self.checkpoints: _Open[tuple[str, list[str]]] = _Open()  # grid, on duty
        self.hazards: _Open[str] = _Open()  # grid
        self.wartime: set[str] = set()
