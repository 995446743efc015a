"""The organisation: district > street > community > grid, as immutable value types.

Scopes are written ``KIND:ID`` (``district:BT``, ``street:BT-QG``, ``community:BT-QG-01``,
``grid:BT-QG-01-03``). The organisation is data handed to the domain; the domain never loads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pingzhan.domain.errors import UnknownHouseholdError, UnknownScopeError

SCOPE_KINDS = ("district", "street", "community", "grid")


@dataclass(frozen=True, slots=True)
class Unit:
    """One node of the hierarchy."""

    kind: str
    id: str
    name: str
    parent: str | None  # scope key of the parent, None for the district
    households: int = 0
    residents: int = 0

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
        """The grid of a household ``{grid id}-H{n}`` (n from 1 to the grid's households)."""
        grid_id, sep, number = household_id.rpartition("-H")
        unit = self.units.get(f"grid:{grid_id}")
        if not sep or unit is None or not number.isdigit() or not 1 <= int(number) <= unit.households:
            raise UnknownHouseholdError(f"unknown household {household_id!r} (households are GRID-Hn)")
        return grid_id

    def compound(self, compound_id: str) -> tuple[str, str, int, int]:
        """(name, grid id, households, residents) of a residential compound."""
        try:
            return self.compounds[compound_id]
        except KeyError:
            raise UnknownScopeError(f"unknown compound {compound_id!r}") from None

    def ancestors(self, scope: str) -> list[str]:
        """The scope and every scope above it, nearest first."""
        chain = []
        key: str | None = scope
        while key is not None:
            chain.append(key)
            key = self.units[key].parent
        return chain

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
