"""Loads the organisation (district > streets > communities > grids) from its JSON data file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pingzhan.domain.org import Org

SHIPPED = Path(__file__).with_name("baota_org.json")


def read_org_file(path: Path | None = None) -> dict[str, Any]:
    with open(path or SHIPPED, encoding="utf-8") as f:
        return json.load(f)  # type: ignore[no-any-return]


def load_org(path: Path | None = None) -> Org:
    """The organisation in the given file, or the shipped Baota district."""
    return load_org_data(read_org_file(path))


def load_org_data(data: dict[str, Any]) -> Org:
    """The organisation described by a parsed organisation file."""
    return Org.from_data(data)
