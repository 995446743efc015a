"""The shipped organisation (services/org/baota_org.json) against the seed: its counts, the units
paired with communities as the seed pairs them (包抓), and compounds that fit in their grids."""

from __future__ import annotations

import copy
import importlib.util
from collections import defaultdict
from pathlib import Path

import pytest
from pingzhan.domain.org import Org
from pingzhan.services.org.data import SHIPPED, read_org_file

DATA = read_org_file()
COMMUNITY = {g["id"]: g["community"] for g in DATA["grids"]}
STREET = {c["id"]: c["street"] for c in DATA["communities"]}
NAMED = {c["name"]: c["id"] for c in DATA["communities"]}
GRID = {g["id"]: g for g in DATA["grids"]}


def communities_of(unit: str) -> dict[str, int]:
    """How many cadres of a dispatching unit each community has."""
    out: dict[str, int] = defaultdict(int)
    for c in DATA["cadres"]:
        if c["unit"] == unit:
            out[COMMUNITY[c["grid"]]] += 1
    return dict(out)


def test_the_counts_are_the_seeds() -> None:
    assert (len(DATA["streets"]), len(DATA["communities"]), len(DATA["grids"]), len(DATA["cadres"])) == (
        6,
        35,
        358,
        1090,
    )
    assert sum(g["households"] for g in DATA["grids"]) == 160_800
    assert sum(g["residents"] for g in DATA["grids"]) == 438_800
    assert all(g["contact"]["name"] and g["contact"]["phone"] for g in DATA["grids"])


def test_the_court_is_sunk_into_wangjiaping() -> None:
    """区法院的下沉社区是王家坪社区."""
    court = communities_of("FY")

    assert court == {NAMED["王家坪社区"]: sum(court.values())} and sum(court.values()) > 0


def test_the_twenty_hr_bureau_cadres_are_in_qiaogou_with_the_compounds_they_registered() -> None:
    """下沉在桥沟街道的区人社局20名干部 ... 南寨雅苑、安置小区和美满国际."""
    hr = communities_of("RSJ")
    compound_communities = {COMMUNITY[g] for c in DATA["compounds"] for g in c["grids"]}

    assert sum(hr.values()) == 20
    assert {STREET[c] for c in hr} == {STREET[NAMED["二十里铺社区"]]}  # 桥沟街道
    assert compound_communities == set(hr)


def test_the_ten_publicity_cadres_are_in_nanguan() -> None:
    """宣传系统10名干部下沉到南市街道南关社区."""
    assert communities_of("XC") == {NAMED["南关社区"]: 10}


def test_the_petitions_bureau_is_in_ershilipu() -> None:
    """信访局下沉干部根据二十里铺社区的工作安排."""
    assert set(communities_of("XFJ")) == {NAMED["二十里铺社区"]}


def test_every_unit_takes_one_community_or_two_neighbouring_ones_of_a_street() -> None:
    order = [c["id"] for c in DATA["communities"]]
    units_of: dict[str, set[str]] = defaultdict(set)

    for unit in (u["id"] for u in DATA["units"]):
        places = sorted(communities_of(unit), key=order.index)
        assert 1 <= len(places) <= 2, (unit, places)
        assert len({STREET[c] for c in places}) == 1, (unit, places)
        assert order.index(places[-1]) - order.index(places[0]) == len(places) - 1, (unit, places)
        for c in places:
            units_of[c].add(unit)
    assert set(units_of) == set(order) and max(len(u) for u in units_of.values()) <= 2


def test_every_compound_fits_in_the_grids_it_spans() -> None:
    taken: list[str] = []
    for compound in DATA["compounds"]:
        grids = [GRID[g] for g in compound["grids"]]
        taken += compound["grids"]

        assert compound["households"] <= sum(g["households"] for g in grids), compound["name"]
        assert compound["residents"] <= sum(g["residents"] for g in grids), compound["name"]
        assert len({g["community"] for g in grids}) == 1, compound["name"]
    assert len(taken) == len(set(taken))  # no grid shared by two compounds
    assert sum(c["households"] for c in DATA["compounds"]) == 1702
    assert Org.from_data(DATA).compound_problems() == []


def test_a_file_with_a_compound_in_one_grid_is_still_read_and_its_overflow_is_said_in_words() -> None:
    """Organisation files written before compounds spanned grids name one ``grid``."""
    old = copy.deepcopy(DATA)
    old["compounds"] = [
        {"id": "NZYY", "name": "南寨雅苑", "grid": "BT-QG-01-01", "households": 712, "residents": 2126}
    ]

    org = Org.from_data(old)

    assert org.compound("NZYY").grids == ("BT-QG-01-01",) and org.compound("NZYY").grid == "BT-QG-01-01"
    assert org.compound_problems() == [
        f"南寨雅苑 (NZYY): 712 households do not fit in grid(s) BT-QG-01-01 ({GRID['BT-QG-01-01']['households']:,})",
        f"南寨雅苑 (NZYY): 2,126 residents do not fit in grid(s) BT-QG-01-01 "
        f"({GRID['BT-QG-01-01']['residents']:,})",
    ]


def test_compounds_sharing_a_grid_are_counted_together() -> None:
    data = copy.deepcopy(DATA)
    grid = GRID["BT-QG-01-01"]
    half = grid["households"] // 2 + 1
    data["compounds"] = [
        {"id": "A", "name": "甲", "grids": ["BT-QG-01-01"], "households": half, "residents": 1},
        {"id": "B", "name": "乙", "grids": ["BT-QG-01-01"], "households": half, "residents": 1},
        {"id": "C", "name": "丙", "grids": ["BT-QG-01-02", "BT-QG-01-09"], "households": 1, "residents": 1},
    ]

    problems = Org.from_data(data).compound_problems()

    assert problems == [
        f"甲 (A) and 乙 (B): {2 * half:,} households do not fit in grid(s) BT-QG-01-01 ({grid['households']:,})"
    ]


def test_the_shipped_file_is_what_the_generator_writes() -> None:
    script = Path(__file__).resolve().parents[2] / "scripts" / "generate_org.py"
    spec = importlib.util.spec_from_file_location("generate_org", script)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)

    assert generator.build() == read_org_file(SHIPPED)


@pytest.mark.parametrize("grids", [[], "BT-QG-01-01"])
def test_a_compound_whose_grids_are_not_a_list_is_refused_in_words(grids: object) -> None:
    data = copy.deepcopy(DATA)
    data["compounds"] = [{"id": "X", "name": "某", "grids": grids, "households": 1, "residents": 1}]

    with pytest.raises(ValueError, match="compound 'X': grids must be a list of grid ids"):
        Org.from_data(data)
