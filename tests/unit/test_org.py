"""The organisation, household ids and levels: the one source of each, with no IO."""

from __future__ import annotations

import re

import pytest
from pingzhan.domain import errors
from pingzhan.domain.levels import LEVELS, check_level, level_rank
from pingzhan.domain.org import (
    HOUSEHOLD_ID_PATTERN,
    Org,
    grid_of_household,
    household_id,
    parse_household_id,
    parse_scope,
)

GRID = "BT-QG-01-01"


def test_a_household_id_is_its_grid_and_number() -> None:
    hid = household_id(GRID, 12)

    assert hid == f"{GRID}-H12"
    assert parse_household_id(hid) == (GRID, 12)
    assert grid_of_household(hid) == GRID
    assert re.fullmatch(HOUSEHOLD_ID_PATTERN, hid)


@pytest.mark.parametrize("text", ["", "H1", "-H1", f"{GRID}-H", f"{GRID}-Hx", f"{GRID}-H1\n", f"{GRID}/1"])
def test_text_not_of_the_household_form_has_no_grid(text: str) -> None:
    assert grid_of_household(text) is None
    assert re.fullmatch(HOUSEHOLD_ID_PATTERN, text) is None


def test_the_grid_of_a_household_is_everything_before_the_last_h_number() -> None:
    assert grid_of_household("A-H2-H3") == "A-H2"


def test_households_are_numbered_from_one_to_the_grids_households(org: Org) -> None:
    households = org.grid(GRID).households

    first, last = org.household(household_id(GRID, 1)), org.household(household_id(GRID, households))

    assert first == last == GRID
    for n in (0, households + 1):
        with pytest.raises(errors.UnknownHouseholdError):
            org.household(household_id(GRID, n))


def test_levels_run_from_one_the_highest_to_four() -> None:
    ranks = [level_rank(level) for level in LEVELS]

    assert LEVELS == ("I", "II", "III", "IV")
    assert ranks == [1, 2, 3, 4]
    assert min(["III", "I", "IV"], key=level_rank) == "I"


def test_check_level_returns_the_level_and_rejects_anything_else() -> None:
    assert check_level("II") == "II"
    for check in (check_level, level_rank):
        with pytest.raises(errors.LevelError, match="'V' is outside I-IV"):
            check("V")


def test_the_scopes_covering_a_grid_are_the_grid_and_everything_above_it(org: Org) -> None:
    chain = org.ancestors(f"grid:{GRID}")

    assert chain == [f"grid:{GRID}", "community:BT-QG-01", "street:BT-QG", "district:BT"]
    assert org.ancestors("district:BT") == ["district:BT"]


def test_the_grids_under_a_scope_are_those_it_covers(org: Org) -> None:
    grids = org.grids_under("community:BT-QG-01")

    assert GRID in grids
    assert all("community:BT-QG-01" in org.ancestors(f"grid:{g}") for g in grids)
    assert len(org.grids_under("district:BT")) == 358


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("BT", "scope 'BT' is not KIND:ID"),
        ("street:", "scope 'street:' is not KIND:ID"),
        ("planet:X", "scope kind 'planet' is not one of district, street, community, grid"),
    ],
)
def test_a_scope_is_kind_colon_id(text: str, reason: str) -> None:
    with pytest.raises(errors.UnknownScopeError) as rejected:
        parse_scope(text)

    assert str(rejected.value) == reason
