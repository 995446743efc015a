"""Loads the organisation (district > streets > communities > grids) from its JSON data file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pingzhan.domain.org import Org, Unit

SHIPPED = Path(__file__).with_name("baota_org.json")


def read_org_file(path: Path | None = None) -> dict[str, Any]:
    with open(path or SHIPPED, encoding="utf-8") as f:
        return json.load(f)  # type: ignore[no-any-return]


def load_org(path: Path | None = None) -> Org:
    """The organisation in the given file, or the shipped Baota district."""
    return load_org_data(read_org_file(path))


def load_org_data(data: dict[str, Any]) -> Org:
    """The organisation described by a parsed organisation file."""
    district = data["district"]
    units = [Unit("district", district["id"], district["name"], None)]
    units += [Unit("street", s["id"], s["name"], f"district:{district['id']}") for s in data["streets"]]
    units += [Unit("community", c["id"], c["name"], f"street:{c['street']}") for c in data["communities"]]
    units += [
        Unit("grid", g["id"], g["name"], f"community:{g['community']}", g["households"], g["residents"])
        for g in data["grids"]
    ]
    return Org(
        {u.key: u for u in units},
        {u["id"]: u["name"] for u in data.get("units", [])},
        {c["id"]: (c["name"], c["grid"], c["households"], c["residents"]) for c in data.get("compounds", [])},
    )
