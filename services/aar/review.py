"""SEAM for the decision review (built on the `past` branch, ``services/read/past.reviews_of``:
for each decision, the roster of its scope as known when it was recorded). Until it is wired
here, no decision has a review; the renderers show one when this returns it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pingzhan.domain.org import Org
from pingzhan.projections.deadlines import Deadlines
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.store.ledger import Ledger


def reviews_for(
    views: ViewDb, ledger: Ledger, org: Org, entries: Sequence[dict[str, Any]], deadlines: Deadlines
) -> dict[int, dict[str, Any]]:
    """The decision review of each decision among the audit ``entries`` (plain dicts, by
    position); none yet. Wiring: ``return past.reviews_of(views, ledger, org, entries, deadlines)``."""
    return {}
