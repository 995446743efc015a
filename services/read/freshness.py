"""How old the read models are: the last event they include, and whether anyone keeps them current.

Every read answers from the view database, which the projector fills on its own time. A reader
is told the position and the recorded time of the last event the views include, and warned when
the projector is not running (its lock is free) or is behind the event store for longer than
``stale_after_s``.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

import orjson
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import Ledger
from pingzhan.services.store.locks import AlreadyRunning, RoleLock


def freshness(
    settings: Settings, views: ViewDb, ledger: Ledger, running: bool | None = None
) -> dict[str, Any]:
    """``position`` and ``recorded_at`` of the last event the views include, the store's ``head``,
    ``projector_running``, ``behind_s`` (how long the oldest event not included has waited) and a
    ``warning`` (None when the views are current)."""
    position = views.position()
    head = int(ledger.recorder.max_notification_id() or 0)
    now = datetime.now(UTC)
    waiting = _recorded_at(ledger, position) if position < head else None
    behind_s = round((now - waiting).total_seconds(), 1) if waiting else None
    running = projector_running(settings) if running is None else running  # None: look
    included = _recorded_at(ledger, position - 1) if position else None
    doc = {
        "position": position,
        "recorded_at": included.isoformat() if included else None,
        "head": head,
        "projector_running": running,
        "behind_s": behind_s,
        "warning": None,
    }
    if not running:
        doc["warning"] = (
            f"the projector is not running (no `pingzhan serve`): these views include the store up to "
            f"event {position} of {head}"
        )
    elif behind_s is not None and behind_s > settings.stale_after_s:
        doc["warning"] = (
            f"the views are {head - position} events and {behind_s:.0f} s behind the event store "
            f"(more than {settings.stale_after_s:g} s)"
        )
    return doc


def projector_running(settings: Settings) -> bool:
    """Is a projector holding its lock? Taken and released at once when it is free."""
    try:
        RoleLock(settings, "projector").release()
    except AlreadyRunning:
        return True
    return False


def as_of_line(doc: dict[str, Any], tz: tzinfo | None = None) -> str:
    """The line a read prints under its answer; times in ``tz`` (the district's), to the second."""
    recorded = doc["recorded_at"]
    if recorded and tz is not None:
        recorded = datetime.fromisoformat(recorded).astimezone(tz).isoformat(timespec="seconds")
    when = f", recorded {recorded}" if recorded else ""
    return f"(as of event {doc['position']}{when}; the store is at {doc['head']})"


def _recorded_at(ledger: Ledger, after: int) -> datetime | None:
    """When the event right after position ``after`` was recorded."""
    rows = ledger.recorder.select_states(after, 1)  # type: ignore[attr-defined]
    if not rows:
        return None
    stamp = orjson.loads(rows[0][2]).get("timestamp")
    if not stamp:
        return None
    at = datetime.fromisoformat(stamp)
    return at if at.tzinfo else at.replace(tzinfo=UTC)
