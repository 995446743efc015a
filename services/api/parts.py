"""What the HTTP app works with, built once from the composition root's ``App``.

The app reads the views through a connection of its own (one query at a time, behind ``lock``),
never the projector's, and never writes to the store.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pingzhan.domain import ids
from pingzhan.domain.org import Org
from pingzhan.services.bootstrap import App
from pingzhan.services.read.changes import ChangeReader, Ticker
from pingzhan.services.read.freshness import freshness, projector_running
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.settings import Settings

ORG_CHECK_S = 5.0  # how soon an `org import` made while serving shows in the API
RUNNING_CHECK_S = 3.0


@dataclass
class Parts:
    app: App
    ticker: Ticker = field(default_factory=Ticker)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _org: tuple[Org, int | None, float] | None = None  # the organisation, its version, checked when
    _running: tuple[bool, float] | None = None  # is a projector running, and when that was looked up

    @property
    def settings(self) -> Settings:
        return self.app.settings

    @property
    def org(self) -> Org:
        """The organisation in use: followed in the store (an import while serving shows within
        ORG_CHECK_S seconds), unless PINGZHAN_ORG_FILE fixes it."""
        now = time.monotonic()
        if self._org is None:
            self._org = (self.app.org, self.app.org_in_use[1], now)
        org, version, checked = self._org
        if version is not None and now - checked > ORG_CHECK_S:
            latest = self.app.ledger.versions([ids.organisation()]).get(ids.organisation(), 0)
            if latest != version and (imported := self.app.ledger.organisation()) is not None:
                org = imported.org()
                self.__dict__.pop("tree", None)
                if "changes" in self.__dict__:
                    self.changes.org = org
            self._org = (org, latest, now)
        return org

    @cached_property
    def views(self) -> ViewDb:
        return ViewDb(self.settings)

    @cached_property
    def changes(self) -> ChangeReader:
        reader = ChangeReader(self.views, self.org)
        reader.lock = self.lock  # one connection: one query at a time
        return reader

    def as_of(self) -> dict[str, Any]:
        with self.lock:
            return freshness(self.settings, self.views, self.app.ledger, self._projector_running())

    def _projector_running(self) -> bool:
        """Looked up at most every few seconds (on PostgreSQL each look is a connection)."""
        now = time.monotonic()
        if self._running is None or now - self._running[1] > RUNNING_CHECK_S:
            self._running = (projector_running(self.settings), now)
        return self._running[0]

    @cached_property
    def tree(self) -> dict[str, Any]:
        return org_tree(self.org)

    def org_tree(self) -> dict[str, Any]:
        return self.tree

    def close(self) -> None:
        if "views" in self.__dict__:
            self.views.close()


def org_tree(org: Org) -> dict[str, Any]:
    """The district > streets > communities > grids tree, in id order, with each grid's contact."""
    (district,) = org.of_kind("district")
    children: dict[str | None, list[Any]] = {}
    for unit in sorted(org.units.values(), key=lambda u: u.id):
        children.setdefault(unit.parent, []).append(unit)

    def node(unit: Any) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": unit.id, "name": unit.name}
        if unit.kind == "grid":
            doc["contact"] = org.contact(unit.id)
        else:
            key = {"street": "communities", "community": "grids"}.get(unit.kind, "streets")
            doc[key] = [node(u) for u in children.get(unit.key, [])]
        return doc

    return {
        "district": {"id": district.id, "name": district.name},
        **{"streets": [node(u) for u in children.get(district.key, [])]},
    }
