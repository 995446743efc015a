"""SEAM for the decision review (built by the `past` branch: for each decision, the roster of its
scope as known when it was recorded). Until it is wired here, no decision has a review; the
renderers show one when this returns it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pingzhan.domain.org import Org
from pingzhan.services.read.viewdb import ViewDb


def reviews_for(views: ViewDb, org: Org, positions: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The decision review of each decision at ``positions`` (plain dicts, by position); none
    yet: the lead wires the `past` branch's review here."""
    return {}
