"""Writes services/org/baota_org.json: Baota district at its real size (seed names where it gives them).

Counts from the seed: 6 streets, 35 communities, 358 grids, 1,090 cadres, 160,800 households,
438,800 residents. Names the seed does not give are generated and illustrative. Deterministic.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

STREETS = [  # (code, name, communities)
    ("QG", "桥沟街道", ["二十里铺社区"]),
    ("NS", "南市街道", ["南关社区"]),
    ("BS", "宝塔山街道", ["王家坪社区"]),
    ("FH", "凤凰山街道", []),
    ("ZY", "枣园街道", []),
    ("XC", "新城街道", []),
]
COMMUNITIES_PER_STREET = [7, 6, 6, 6, 5, 5]  # 35
UNITS = [  # (code, name, cadres); the first ones are named in the seed
    ("RSJ", "区人社局", 60),
    ("FY", "区法院", 40),
    ("XC", "宣传系统", 30),
    ("XFJ", "区信访局", 30),
    ("ZZB", "区委组织部", 30),
    ("CZJ", "区财政局", 40),
    ("JYJ", "区教育局", 50),
    ("WJJ", "区卫健局", 50),
    ("ZJJ", "区住建局", 40),
    ("MZJ", "区民政局", 35),
    ("YJJ", "区应急管理局", 35),
    ("SWJ", "区水务局", 35),
    ("JTJ", "区交通运输局", 35),
    ("SJJ", "区市场监管局", 40),
    ("ZRJ", "区自然资源局", 35),
    ("WLJ", "区文旅局", 30),
    ("NYJ", "区农业农村局", 35),
    ("SFJ", "区司法局", 30),
    ("TJJ", "区统计局", 25),
    ("SHJ", "区审计局", 25),
    ("CGJ", "区城管局", 45),
    ("YBJ", "区医保局", 25),
    ("TYJ", "区退役军人事务局", 25),
    ("FGJ", "区发改局", 30),
    ("GXJ", "区工信局", 25),
    ("STJ", "区生态环境分局", 25),
    ("GAJ", "区公安分局", 50),
    ("JCY", "区检察院", 35),
    ("KXJ", "区科技局", 40),
    ("TYU", "区体育局", 30),
    ("LYJ", "区林业局", 30),
]
GRIDS, CADRES, HOUSEHOLDS, RESIDENTS = 358, 1090, 160_800, 438_800
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国志宏晓东海燕丹雪梅峰斌波辉"


def split(total: int, parts: int, rng: random.Random) -> list[int]:
    weights = [rng.uniform(0.7, 1.3) for _ in range(parts)]
    raw = [total * w / sum(weights) for w in weights]
    counts = [int(x) for x in raw]
    for i in sorted(range(parts), key=lambda i: raw[i] - counts[i], reverse=True)[: total - sum(counts)]:
        counts[i] += 1
    return counts


def main() -> None:
    rng = random.Random(20220801)
    assert sum(COMMUNITIES_PER_STREET) == 35 and sum(u[2] for u in UNITS) == CADRES
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
    # Compounds of the seed's registration drive, in 桥沟街道's grids.
    org["compounds"] = [
        {"id": "NZYY", "name": "南寨雅苑", "grid": "BT-QG-01-01", "households": 712, "residents": 2126},
        {"id": "AZXQ", "name": "安置小区", "grid": "BT-QG-01-02", "households": 548, "residents": 1631},
        {"id": "MMGJ", "name": "美满国际", "grid": "BT-QG-01-03", "households": 442, "residents": 1318},
    ]
    org["units"] = [{"id": code, "name": name} for code, name, _ in UNITS]
    grid_ids = [gr["id"] for gr in org["grids"]]
    slots = [grid_ids[i % GRIDS] for i in range(CADRES)]
    rng.shuffle(slots)
    cadres, k = [], 0
    for code, _, n in UNITS:
        for _ in range(n):
            name = (
                rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
            )
            cadres.append({"id": f"CD{k + 1:04d}", "name": name, "unit": code, "grid": slots[k]})
            k += 1
    org["cadres"] = cadres
    # Who to call about each grid: its full-time grid worker (网格员). Illustrative names and
    # numbers, drawn from their own generator so that everything above stays as it was.
    contacts = random.Random(2024)
    for n, grid in enumerate(org["grids"]):
        worker = contacts.choice(SURNAMES) + contacts.choice(GIVEN) + contacts.choice(GIVEN)
        grid["contact"] = {"name": worker, "phone": f"0911-{2100000 + 37 * n + contacts.randrange(37):07d}"}
    out = Path(__file__).resolve().parent.parent / "services" / "org" / "baota_org.json"
    out.write_text(json.dumps(org, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {out}: {len(org['grids'])} grids, {len(cadres)} cadres")


if __name__ == "__main__":
    main()
