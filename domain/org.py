"""The organisation: district > street > community > grid, as immutable value types.

Scopes are written ``KIND:ID`` (``district:BT``, ``street:BT-QG``, ``community:BT-QG-01``,
``grid:BT-QG-01-03``). The organisation is data handed to the domain; the domain never loads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pingzhan.domain.errors import UnknownHouseholdError, UnknownScopeError

SCOPE_KINDS = ("district", "street", "community", "grid")
HOUSEHOLD_ID_PATTERN = r"^[A-Za-z0-9_\-]+-H[0-9]+$"  # {grid id}-H{n}, n from 1 to the grid's households


def household_id(grid_id: str, n: int) -> str:
    """The id of the n-th household (from 1) of a grid."""
    return f"{grid_id}-H{n}"


def parse_household_id(household_id: str) -> tuple[str, int] | None:
    """(grid id, n) of a household id, or None when it is not of the form ``{grid id}-H{n}``."""
    if re.fullmatch(HOUSEHOLD_ID_PATTERN, household_id) is None:
        return None
    grid_id, _, n = household_id.rpartition("-H")
    return grid_id, int(n)


def grid_of_household(household_id: str) -> str | None:
    """The grid part of a household id, or None when it is not of the form ``{grid id}-H{n}``."""
    parsed = parse_household_id(household_id)
    return parsed[0] if parsed is not None else None


@dataclass(frozen=True, slots=True)
class Unit:
    """One node of the hierarchy."""

    kind: str
    id: str
    name: str
    parent: str | None  # scope key of the parent, None for the district
    households: int = 0
    residents: int = 0
    contact: tuple[str, str] | None = None  # a grid's who-to-call: name, phone

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class Org:
    """All units, looked up by scope key."""

    units: dict[str, Unit]
    dispatching_units: dict[str, str] = field(default_factory=dict)  # id -> name
    compounds: dict[str, tuple[str, str, int, int]] = field(
        default_factory=dict
    )  # id -> name, grid, households, residents

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Org:
        """The organisation described by a parsed organisation file (the shipped one, or an import)."""
        district = data["district"]
        units = [Unit("district", district["id"], district["name"], None)]
        units += [Unit("street", s["id"], s["name"], f"district:{district['id']}") for s in data["streets"]]
        units += [Unit("community", c["id"], c["name"], f"street:{c['street']}") for c in data["communities"]]
        units += [
            Unit(
                "grid",
                g["id"],
                g["name"],
                f"community:{g['community']}",
                g["households"],
                g["residents"],
                (g["contact"]["name"], g["contact"]["phone"]) if g.get("contact") else None,
            )
            for g in data["grids"]
        ]
        return cls(
            {u.key: u for u in units},
            {u["id"]: u["name"] for u in data.get("units", [])},
            {
                c["id"]: (c["name"], c["grid"], c["households"], c["residents"])
                for c in data.get("compounds", [])
            },
        )

    def unit(self, scope: str) -> Unit:
        """The unit for a scope key, or UnknownScopeError."""
        try:
            return self.units[scope]
        except KeyError:
            raise UnknownScopeError(f"unknown scope {scope!r}") from None

    def grid(self, grid_id: str) -> Unit:
        """The grid with this id, or UnknownScopeError naming it."""
        unit = self.units.get(f"grid:{grid_id}")
        if unit is None:
            raise UnknownScopeError(f"unknown grid {grid_id!r}")
        return unit

    def household(self, household_id: str) -> str:
        """The grid of a household ``{grid id}-H{n}`` (n from 1 to the grid's households), or
        UnknownHouseholdError."""
        parsed = parse_household_id(household_id)
        unit = self.units.get(f"grid:{parsed[0]}") if parsed is not None else None
        if parsed is None or unit is None or not 1 <= parsed[1] <= unit.households:
            raise UnknownHouseholdError(f"unknown household {household_id!r} (households are GRID-Hn)")
        return parsed[0]

    def compound(self, compound_id: str) -> tuple[str, str, int, int]:
        """(name, grid id, households, residents) of a residential compound."""
        try:
            return self.compounds[compound_id]
        except KeyError:
            raise UnknownScopeError(f"unknown compound {compound_id!r}") from None

    def ancestors(self, scope: str) -> list[str]:
        """The scopes covering a scope: itself and every scope above it, nearest first (for a grid:
        grid, community, street, district). A switch of any of them applies to the scope; this is
        the one place that walks the hierarchy upwards. KeyError for a scope not in the organisation.
        """
        chain = []
        key: str | None = scope
        while key is not None:
            chain.append(key)
            key = self.units[key].parent
        return chain

    def contact(self, grid_id: str) -> dict[str, str] | None:
        """Who to call about a grid (name, phone), when the organisation file says."""
        contact = self.units[f"grid:{grid_id}"].contact
        return {"name": contact[0], "phone": contact[1]} if contact else None

    def of_kind(self, kind: str) -> list[Unit]:
        return [u for u in self.units.values() if u.kind == kind]

    def grids_under(self, scope: str) -> list[str]:
        """Ids of all grids at or below a scope."""
        return [u.id for u in self.of_kind("grid") if scope in self.ancestors(u.key)]


def parse_scope(text: str) -> tuple[str, str]:
    """Split ``KIND:ID`` and check the kind; raises UnknownScopeError with the reason."""
    kind, sep, ident = text.partition(":")
    if not sep or not ident:
        raise UnknownScopeError(f"scope {text!r} is not KIND:ID")
    if kind not in SCOPE_KINDS:
        raise UnknownScopeError(f"scope kind {kind!r} is not one of {', '.join(SCOPE_KINDS)}")
    return kind, ident
