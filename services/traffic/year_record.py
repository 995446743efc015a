"""The simulated year while it is written: the seed's random source, the district, the plan, and
the events emitted so far (in emission order; the simulator sorts them by time at the end).

Every ``year_*`` module writes through one ``YearRecord``, so they all draw from the same random
source in a fixed order: the same seed gives the same year.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from pingzhan.domain.org import Org, household_id
from pingzhan.services.traffic.district import COMMAND_CENTER
from pingzhan.services.traffic.year_plan import Episode, Places, Plan

# Event flags: an ordinary event, one that may arrive late (nothing depends on it), and a
# verification that is dropped unless its household was collected and not verified since.
NORMAL, DELAYABLE, VERIFY = 0, 1, 2

Event = tuple[datetime, int, int, dict[str, Any]]  # occurred at, emission number, flag, fields


class YearRecord:
    """The events of the year, and what writing them needs to know about the district."""

    def __init__(
        self, org_data: dict[str, Any], org: Org, places: Places, plan: Plan, rng: random.Random
    ) -> None:
        self.org_data, self.org, self.places, self.plan, self.rng = org_data, org, places, plan, rng
        self.share = len(plan.cadres) / max(1, len(org_data["cadres"]))  # of the district's cadres
        self.events: list[Event] = []
        self.persons: dict[str, int] = {}
        self.cadres_in: dict[str, list[str]] = {}
        for c in plan.cadres:
            self.cadres_in.setdefault(c["grid"], []).append(c["id"])
        self._covering: dict[str, frozenset[str]] = {}
        self._told: dict[str, int] = {}

    def count(self, what: str) -> int:
        """How many times ``what`` has been told so far, this one included (1 the first time)."""
        self._told[what] = self._told.get(what, 0) + 1
        return self._told[what]

    def emit(self, at: datetime, kind: str, actor: str, flag: int = NORMAL, **fields: Any) -> None:
        self.events.append((at, len(self.events), flag, {"kind": kind, "actor": actor, **fields}))

    def grid_name(self, grid: str) -> str:
        return self.org.grid(grid).name

    def community_actor(self, grid: str) -> str:
        """The community office of a grid, as the actor of what the community does."""
        return f"community-{self.places.community_of[grid]}"

    def household(self, grid: str) -> str:
        """A household of the grid, at random."""
        return household_id(grid, self.rng.randint(1, self.org.grid(grid).households))

    def persons_in(self, household: str) -> int:
        """How many persons live in a household (drawn the first time it is asked about)."""
        if household not in self.persons:
            self.persons[household] = self.rng.choices([1, 2, 3, 4, 5, 6], [10, 25, 30, 20, 10, 5])[0]
        return self.persons[household]

    def wartime(self, grid: str, at: datetime) -> bool:
        """Is a scope covering the grid (the organisation's ancestors) in real wartime at this time?"""
        covering = self._covering.get(grid)
        if covering is None:
            covering = self._covering[grid] = frozenset(self.org.ancestors(f"grid:{grid}"))
        return any(
            not e.exercise and e.start <= at <= e.end and e.scope in covering for e in self.plan.episodes
        )

    def switch(self, episode: Episode) -> None:
        """The command centre's switch to wartime for an episode, and its stand-down."""
        self.emit(
            episode.start,
            "mode.switched_to_wartime",
            COMMAND_CENTER,
            scope=episode.scope,
            level=episode.level,
            reason=episode.reason,
            exercise=episode.exercise,
            **({"trigger": episode.trigger} if episode.trigger else {}),
        )
        self.emit(
            episode.end,
            "mode.switched_to_peacetime",
            COMMAND_CENTER,
            scope=episode.scope,
            reason="解除 (stand-down)",
        )
