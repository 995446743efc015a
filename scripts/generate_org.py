"""Writes services/org/baota_org.json: Baota district at its real size (seed names where it gives them).

Counts from the seed: 6 streets, 35 communities, 358 grids, 1,090 cadres, 160,800 households,
438,800 residents. Names the seed does not give are generated and illustrative. Deterministic.

Who goes where follows the seed's pairings (包抓: each dispatching unit takes one community or two
neighbouring ones, ``UNITS``): 区法院 -> 王家坪社区, 区人社局's twenty cadres -> 桥沟街道 (the
community of the three compounds they registered), 宣传系统's ten cadres -> 南关社区, 区信访局 ->
二十里铺社区. Each grid gets cadres in proportion to its households; a unit's cadres are spread
over the grids of its community. A residential compound spans as many neighbouring grids as its
households and residents need.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

STREETS = [  # (code, name, communities)
    ("QG", "桥沟街道", ["二十里铺社区"]),
    ("NS", "南市街道", ["南关社区"]),
    ("BS", "宝塔山街道", ["王家坪社区"]),
    ("FH", "凤凰山街道", []),
    ("ZY", "枣园街道", []),
    ("XC", "新城街道", []),
]
COMMUNITIES_PER_STREET = [7, 6, 6, 6, 5, 5]  # 35
# Dispatching units and where they are sunk (包抓): each takes one community or two neighbouring
# ones, as (community, cadres) with None for every place left there. The first four are the seed's
# pairings, with the numbers it gives: 下沉在桥沟街道的区人社局20名干部 (高峰 of the HR bureau leads the
# party branch of 南寨雅苑), 区法院的下沉社区是王家坪社区, 宣传系统10名干部下沉到南市街道南关社区,
# 信访局下沉干部根据二十里铺社区的工作安排. The others are illustrative.
UNITS: list[tuple[str, str, list[tuple[str, int | None]]]] = [
    ("RSJ", "区人社局", [("BT-QG-02", 20)]),
    ("FY", "区法院", [("BT-BS-01", None)]),
    ("XC", "宣传系统", [("BT-NS-01", 10)]),
    ("XFJ", "区信访局", [("BT-QG-01", None)]),
    ("ZZB", "区委组织部", [("BT-QG-02", None), ("BT-QG-03", None)]),
    ("CZJ", "区财政局", [("BT-QG-04", None)]),
    ("JYJ", "区教育局", [("BT-QG-05", None), ("BT-QG-06", None)]),
    ("WJJ", "区卫健局", [("BT-QG-07", None)]),
    ("ZJJ", "区住建局", [("BT-NS-01", None), ("BT-NS-02", None)]),
    ("MZJ", "区民政局", [("BT-NS-03", None)]),
    ("YJJ", "区应急管理局", [("BT-NS-04", None)]),
    ("SWJ", "区水务局", [("BT-NS-05", None)]),
    ("JTJ", "区交通运输局", [("BT-NS-06", None)]),
    ("SJJ", "区市场监管局", [("BT-BS-02", None)]),
    ("ZRJ", "区自然资源局", [("BT-BS-03", None)]),
    ("WLJ", "区文旅局", [("BT-BS-04", None)]),
    ("NYJ", "区农业农村局", [("BT-BS-05", None)]),
    ("SFJ", "区司法局", [("BT-BS-06", None)]),
    ("TJJ", "区统计局", [("BT-FH-01", None)]),
    ("SHJ", "区审计局", [("BT-FH-02", None)]),
    ("CGJ", "区城管局", [("BT-FH-03", None), ("BT-FH-04", None)]),
    ("YBJ", "区医保局", [("BT-FH-05", None)]),
    ("TYJ", "区退役军人事务局", [("BT-FH-06", None)]),
    ("FGJ", "区发改局", [("BT-ZY-01", None)]),
    ("GXJ", "区工信局", [("BT-ZY-02", None)]),
    ("STJ", "区生态环境分局", [("BT-ZY-03", None)]),
    ("GAJ", "区公安分局", [("BT-ZY-04", None), ("BT-ZY-05", None)]),
    ("JCY", "区检察院", [("BT-XC-01", None)]),
    ("KXJ", "区科技局", [("BT-XC-02", None)]),
    ("TYU", "区体育局", [("BT-XC-03", None)]),
    ("LYJ", "区林业局", [("BT-XC-04", None), ("BT-XC-05", None)]),
]
# The compounds of the seed's registration drive (南寨雅苑、安置小区和美满国际, 1,702 households and
# 5,075 persons), in the community of the HR bureau's cadres who registered them.
COMPOUNDS = [  # (id, name, households, residents)
    ("NZYY", "南寨雅苑", 712, 2126),
    ("AZXQ", "安置小区", 548, 1631),
    ("MMGJ", "美满国际", 442, 1318),
]
COMPOUND_COMMUNITY = "BT-QG-02"  # the HR bureau's
GRIDS, CADRES, HOUSEHOLDS, RESIDENTS = 358, 1090, 160_800, 438_800
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国志宏晓东海燕丹雪梅峰斌波辉"


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    weights = [rng.uniform(0.7, 1.3) for _ in range(parts)]
    return proportional(total, weights)


def proportional(total: int, weights: list[float]) -> list[int]:
    """``total`` in whole parts proportional to ``weights`` (largest remainders); they add up exactly."""
    raw = [total * w / sum(weights) for w in weights]
    counts = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)[: total - sum(counts)]:
        counts[i] += 1
    return counts


def compounds_in(grids: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The seed's compounds, each over the next grids of the community until its households and
    residents fit in them (no grid is shared by two compounds)."""
    out, free = [], list(grids)
    for cid, name, households, residents in COMPOUNDS:
        taken: list[dict[str, Any]] = []
        while not taken or (
            sum(g["households"] for g in taken) < households or sum(g["residents"] for g in taken) < residents
        ):
            taken.append(free.pop(0))
        out.append(
            {
                "id": cid,
                "name": name,
                "grids": [g["id"] for g in taken],
                "households": households,
                "residents": residents,
            }
        )
    return out


def places(grids: list[dict[str, Any]], community_ids: list[str]) -> dict[str, list[str]]:
    """Per community, a place for each of its cadres (a grid id), grids taking turns so that the
    cadres of one unit spread over the community. Each grid has places in proportion to its
    households."""
    seats = proportional(CADRES, [float(g["households"]) for g in grids])
    per_grid: dict[str, list[str]] = {c: [] for c in community_ids}
    for grid in grids:
        per_grid[grid["community"]].append(grid["id"])
    left = dict(zip((g["id"] for g in grids), seats, strict=True))
    out: dict[str, list[str]] = {}
    for community, ids in per_grid.items():
        order = []
        while any(left[g] for g in ids):
            for g in ids:
                if left[g]:
                    order.append(g)
                    left[g] -= 1
        out[community] = order
    return out


def assign(free: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(unit, grid) for every cadre, in unit order: the given numbers of places first, then every
    place left in a community to the unit that takes the rest of it."""
    placed: dict[tuple[str, str], list[str]] = {}
    for rest in (False, True):
        for code, _, communities in UNITS:
            for community, n in communities:
                if (n is None) == rest:
                    take = len(free[community]) if n is None else n
                    placed[(code, community)] = free[community][:take]
                    free[community] = free[community][take:]
    assert not any(free.values()), "every place has a cadre"
    return [
        (code, grid) for code, _, communities in UNITS for c, _ in communities for grid in placed[(code, c)]
    ]


def build() -> dict[str, Any]:
    """The organisation file's content."""
    rng = random.Random(20220801)
    assert sum(COMMUNITIES_PER_STREET) == 35
    org: dict = {"district": {"id": "BT", "name": "宝塔区"}, "streets": [], "communities": [], "grids": []}
    community_ids = []
    for (code, name, named), n in zip(STREETS, COMMUNITIES_PER_STREET, strict=True):
        street_id = f"BT-{code}"
        org["streets"].append({"id": street_id, "name": name})
        for i in range(n):
            cname = named[i] if i < len(named) else f"{name[:-2]}第{i + 1}社区"
            cid = f"{street_id}-{i + 1:02d}"
            community_ids.append(cid)
            org["communities"].append({"id": cid, "name": cname, "street": street_id})
    grids_per_community = [11] * 8 + [10] * 27
    households = split(HOUSEHOLDS, GRIDS, rng)
    residents = [round(h * RESIDENTS / HOUSEHOLDS) for h in households]
    residents[-1] += RESIDENTS - sum(residents)
    g = 0
    for cid, n in zip(community_ids, grids_per_community, strict=True):
        for j in range(n):
            org["grids"].append(
                {
                    "id": f"{cid}-{j + 1:02d}",
                    "name": f"第{j + 1}网格",
                    "community": cid,
                    "households": households[g],
                    "residents": residents[g],
                }
            )
            g += 1
    org["compounds"] = compounds_in([gr for gr in org["grids"] if gr["community"] == COMPOUND_COMMUNITY])
    org["units"] = [{"id": code, "name": name} for code, name, _ in UNITS]
    cadres = []
    for k, (unit, grid) in enumerate(assign(places(org["grids"], community_ids))):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        cadres.append({"id": f"CD{k + 1:04d}", "name": name, "unit": unit, "grid": grid})
    org["cadres"] = cadres
    # Who to call about each grid: its full-time grid worker (网格员). Illustrative names and
    # numbers, drawn from their own generator so that everything above stays as it was.
    contacts = random.Random(2024)
    for n, grid in enumerate(org["grids"]):
        worker = contacts.choice(SURNAMES) + contacts.choice(GIVEN) + contacts.choice(GIVEN)
        grid["contact"] = {"name": worker, "phone": f"0911-{2100000 + 37 * n + contacts.randrange(37):07d}"}
    return org


def main() -> None:
    org = build()
    out = Path(__file__).resolve().parent.parent / "services" / "org" / "baota_org.json"
    out.write_text(json.dumps(org, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {out}: {len(org['grids'])} grids, {len(org['cadres'])} cadres")


if __name__ == "__main__":
    main()
