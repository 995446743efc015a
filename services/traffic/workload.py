"""A deterministic, realistic stream of field reports for the whole district, for tests and benchmarks.

It registers and dispatches every cadre, then mixes checkpoint shifts, hazards and their
resolution, and the odd mode switch, across all grids; a small share of reports are invalid (they
must be rejected). Every message is returned as (id, subject, body) ready to publish.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import orjson
from pingzhan.services.traffic.district import DISTRICT_TZ, RAINSTORM_HAZARDS
from pingzhan.services.wire import subject_of


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
        return msg_id, subject_of(self.prefix, body), orjson.dumps(body)

    def messages(self, count: int, invalid_share: float = 0.01) -> Iterator[tuple[str, str, bytes]]:
        """``count`` messages: set-up of the cadres first, then the mixed field traffic."""
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
        by_grid: dict[str, list[str]] = {}
        for c in self.cadres:
            by_grid.setdefault(c["grid"], []).append(c["id"])
        checkpoints: dict[str, tuple[str, list[str]]] = {}  # checkpoint -> grid, on duty
        free = {g: list(ids) for g, ids in by_grid.items()}
        hazards: list[tuple[str, str]] = []
        wartime: set[str] = set()
        k = 0
        while produced < count:
            k += 1
            r = self.rng.random()
            grid = self.rng.choice(self.grids)
            if r < invalid_share:
                m = self._invalid(grid)
            elif r < 0.15 or not checkpoints:
                cp = f"{self.run}-K{k}"
                checkpoints[cp] = (grid, [])
                m = self._msg(
                    "checkpoint.established",
                    "community",
                    checkpoint_id=cp,
                    grid_id=grid,
                    name=f"卡口{k}",
                )
            elif r < 0.45:
                cp = self.rng.choice(list(checkpoints))
                g, on = checkpoints[cp]
                if free.get(g):
                    cadre = free[g].pop()
                    on.append(cadre)
                    m = self._msg("checkpoint.staffed", cadre, checkpoint_id=cp, cadre_id=cadre, grid_id=g)
                elif on:
                    cadre = on.pop()
                    free[g].append(cadre)
                    m = self._msg("checkpoint.relieved", cadre, checkpoint_id=cp, cadre_id=cadre, grid_id=g)
                else:
                    continue
            elif r < 0.70:
                cp = self.rng.choice(list(checkpoints))
                g, on = checkpoints[cp]
                if not on:
                    continue
                cadre = on.pop()
                free[g].append(cadre)
                m = self._msg("checkpoint.relieved", cadre, checkpoint_id=cp, cadre_id=cadre, grid_id=g)
            elif r < 0.85:
                hz = f"{self.run}-H{k}"
                hazards.append((hz, grid))
                m = self._msg(
                    "hazard.reported",
                    self.rng.choice(by_grid[grid]),
                    hazard_id=hz,
                    grid_id=grid,
                    hazard_kind=self.rng.choice(RAINSTORM_HAZARDS),
                    location=f"{grid} 巷{k % 97}",
                    severity=self.rng.choice(["low", "medium", "high"]),
                )
            elif r < 0.995 and hazards:
                hz, g = hazards.pop(self.rng.randrange(len(hazards)))
                m = self._msg("hazard.resolved", "community", hazard_id=hz, grid_id=g, resolution="cleared")
            else:
                street = f"street:{self.rng.choice(self.streets)}"
                if street in wartime:
                    wartime.discard(street)
                    m = self._msg("mode.switched_to_peacetime", "command", scope=street, reason="stand-down")
                else:
                    wartime.add(street)
                    m = self._msg(
                        "mode.switched_to_wartime",
                        "command",
                        scope=street,
                        level=self.rng.choice(["II", "III", "IV"]),
                        reason="rainstorm",
                    )
            produced += 1
            yield m

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
