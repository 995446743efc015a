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


@dataclass(frozen=True, slots=True)
class Compound:
    """A residential compound (小区); its households and residents live in its grids."""

    id: str
    name: str
    grids: tuple[str, ...]  # neighbouring grids of one community, the first one its main grid
    households: int
    residents: int

    @property
    def grid(self) -> str:
        """The grid the compound's registrations are recorded in: the first of its grids."""
        return self.grids[0]

    @classmethod
    def from_data(cls, c: dict[str, Any]) -> Compound:
        """A compound of an organisation file: ``grids`` (a list), or ``grid`` (one id) in files
        written before compounds could span grids."""
        grids = c["grids"] if "grids" in c else [c["grid"]]
        if not isinstance(grids, list) or not grids:
            raise ValueError(f"compound {c['id']!r}: grids must be a list of grid ids")
        return cls(c["id"], c["name"], tuple(grids), c["households"], c["residents"])


@dataclass(frozen=True)
class Org:
    """All units, looked up by scope key."""

    units: dict[str, Unit]
    dispatching_units: dict[str, str] = field(default_factory=dict)  # id -> name
    compounds: dict[str, Compound] = field(default_factory=dict)

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
            {c["id"]: Compound.from_data(c) for c in data.get("compounds", [])},
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

    def compound(self, compound_id: str) -> Compound:
        """A residential compound, or UnknownScopeError naming it."""
        try:
            return self.compounds[compound_id]
        except KeyError:
            raise UnknownScopeError(f"unknown compound {compound_id!r}") from None

    def compound_problems(self) -> list[str]:
        """What is wrong with the compounds, in words: a grid that is not the organisation's, or
        households or residents that do not fit in the grids a compound spans (compounds that
        share a grid are counted together against all their grids)."""
        unknown = [
            f"compound {c.name} ({c.id}) is in unknown grid {g!r}"
            for c in self.compounds.values()
            for g in c.grids
            if f"grid:{g}" not in self.units
        ]
        if unknown:
            return unknown
        problems = []
        for compounds in _sharing_grids(list(self.compounds.values())):
            grids = sorted({g for c in compounds for g in c.grids})
            for what in ("households", "residents"):
                need = sum(getattr(c, what) for c in compounds)
                room = sum(getattr(self.units[f"grid:{g}"], what) for g in grids)
                if need > room:
                    names = " and ".join(f"{c.name} ({c.id})" for c in compounds)
                    problems.append(
                        f"{names}: {need:,} {what} do not fit in grid(s) {', '.join(grids)} ({room:,})"
                    )
        return problems

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


def _sharing_grids(compounds: list[Compound]) -> list[list[Compound]]:
    """The compounds in groups that share grids (a compound that shares none is a group alone)."""
    groups: list[list[Compound]] = []
    for c in compounds:
        joined = [grp for grp in groups if any(set(c.grids) & set(x.grids) for x in grp)]
        groups = [grp for grp in groups if grp not in joined] + [[x for grp in joined for x in grp] + [c]]
    return groups


def parse_scope(text: str) -> tuple[str, str]:
    """Split ``KIND:ID`` and check the kind; raises UnknownScopeError with the reason."""
    kind, sep, ident = text.partition(":")
    if not sep or not ident:
        raise UnknownScopeError(f"scope {text!r} is not KIND:ID")
    if kind not in SCOPE_KINDS:
        raise UnknownScopeError(f"scope kind {kind!r} is not one of {', '.join(SCOPE_KINDS)}")
    return kind, ident
