"""Changes: each stored event as the views show it, for live push (SSE) and NATS-native dashboards.

A change is one audit entry (position, who, what, when, scope, summary) and the grids whose roster
it changes. ``changes_after`` reads them from the view database in position order, so a reader
that resumes after the last position it saw gets no gap and no repeat. ``ChangePublisher``
publishes the roster-changing ones on ``{prefix}.changes.{scope kind}.{scope id}`` as the
projector includes them.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import orjson
from pingzhan.domain.org import Org
from pingzhan.projections.roster import Roster
from pingzhan.services.logs import Trouble
from pingzhan.services.nats.connection import WORKER_INBOX, connect
from pingzhan.services.read.queries import AUDIT_COLUMNS
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.settings import Settings

ROSTER_EVENTS = frozenset(Roster.handlers)  # the events that change the roster
PAGE = 500


def grids_of(org: Org, scope: str | None) -> list[str]:
    """The grids a scope covers (none for an entry without a known scope)."""
    if not scope or scope not in org.units:
        return []
    if scope.startswith("grid:"):
        return [scope.removeprefix("grid:")]
    return org.grids_under(scope)


def change_of(
    org: Org, entry: dict[str, Any], grids: dict[str | None, list[str]] | None = None
) -> dict[str, Any]:
    """``grids``: the grids of each scope worked out before (kept up to date here)."""
    roster = entry["event"] in ROSTER_EVENTS
    scope = entry["scope"]
    covered = grids.get(scope) if grids is not None else None
    if roster and covered is None:
        covered = grids_of(org, scope)
        if grids is not None:
            grids[scope] = covered
    return {
        "position": entry["position"],
        "entry": entry,
        "roster": roster,
        "grids": covered if roster else [],
    }


class ChangeReader:
    """Reads changes from its own connection to the view database (one reader at a time)."""

    def __init__(self, views: ViewDb, org: Org):
        self.views, self.org = views, org
        self.lock = threading.Lock()
        self.grids: dict[str | None, list[str]] = {}  # of each scope seen (the organisation is fixed)

    def position(self) -> int:
        """The last position the views include."""
        with self.lock:
            return self.views.position()

    def after(self, position: int, limit: int = 500) -> list[dict[str, Any]]:
        """The changes after ``position``, at most ``limit``, in position order."""
        cols = ", ".join(AUDIT_COLUMNS)
        with self.lock:
            rows = self.views.query(
                f"SELECT {cols} FROM audit WHERE position > ? ORDER BY position LIMIT ?", [position, limit]
            )
        return [change_of(self.org, dict(zip(AUDIT_COLUMNS, r, strict=True)), self.grids) for r in rows]

    def roster_after(self, position: int, limit: int = 500) -> tuple[list[dict[str, Any]], int]:
        """The roster changes after ``position`` (at most ``limit``), and the position read up to:
        the last one's when there were ``limit``, else the views' own."""
        cols = ", ".join(AUDIT_COLUMNS)
        kinds = ", ".join("?" * len(ROSTER_EVENTS))
        upto = self.position()
        with self.lock:
            rows = self.views.query(
                f"SELECT {cols} FROM audit WHERE position > ? AND position <= ? AND event IN ({kinds}) "
                "ORDER BY position LIMIT ?",
                [position, upto, *sorted(ROSTER_EVENTS), limit],
            )
        changes = [change_of(self.org, dict(zip(AUDIT_COLUMNS, r, strict=True)), self.grids) for r in rows]
        return changes, changes[-1]["position"] if len(changes) == limit else max(upto, position)


class Ticker:
    """Wakes everyone waiting for news: set from any thread, awaited in the event loop."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.event: asyncio.Event | None = None
        self.closed = False  # the service is stopping: waiters return and live streams end

    def close(self) -> None:
        self.closed = True
        self.tick()

    def bind(self) -> None:
        """Tie it to the running event loop (once per loop)."""
        loop = asyncio.get_running_loop()
        if self.loop is not loop:
            self.loop, self.event = loop, asyncio.Event()

    def tick(self, *_: Any) -> None:
        if self.loop is None or self.event is None:
            return
        try:
            self.loop.call_soon_threadsafe(self._tick)
        except RuntimeError:  # the loop has closed
            pass

    def _tick(self) -> None:
        assert self.event is not None
        old, self.event = self.event, asyncio.Event()
        old.set()

    async def wait(self, timeout: float) -> None:
        """Until the next tick, or ``timeout`` seconds."""
        assert self.event is not None
        try:
            await asyncio.wait_for(self.event.wait(), timeout)
        except TimeoutError:
            pass


class ChangePublisher:
    """Publishes each roster change on ``{prefix}.changes.{scope kind}.{scope id}`` once the views
    include it: from the position the views were at when it started (it is a live feed; the
    roster itself, ``GET /api/roster``, is the state to start from)."""

    def __init__(self, reader: ChangeReader, settings: Settings, ticker: Ticker):
        self.reader, self.settings, self.ticker = reader, settings, ticker
        self.prefix = settings.subject_prefix
        self.published = 0

    async def run(self, stop: asyncio.Event) -> None:
        nc = await connect(
            self.settings.nats_url,
            "pingzhan-changes",
            inbox_prefix=WORKER_INBOX,
            **self.settings.nats_credentials,
        )
        try:
            cursor = await asyncio.to_thread(self.reader.position)
            trouble = Trouble("changes not published; retrying")
            while not stop.is_set():
                try:
                    cursor = await self._publish_after(nc, cursor)
                    trouble.ok()
                except Exception as e:  # the views are away: dashboards still read the roster
                    trouble.failed(e)
                    await asyncio.sleep(1.0)
        finally:
            await nc.close()

    async def _publish_after(self, nc: Any, cursor: int) -> int:
        changes, upto = await asyncio.to_thread(self.reader.roster_after, cursor, PAGE)
        for change in changes:
            scope = change["entry"]["scope"]
            if scope:
                kind, _, ident = scope.partition(":")
                await nc.publish(f"{self.prefix}.changes.{kind}.{ident}", orjson.dumps(change))
                self.published += 1
        if len(changes) < PAGE and not self.ticker.closed:
            await self.ticker.wait(1.0)
        return upto
