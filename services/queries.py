"""What the CLI (and any other reader) asks of the read models."""

from __future__ import annotations

from typing import Any

from pingzhan.domain.org import Org
from pingzhan.projections.audit import AuditTrail
from pingzhan.projections.roster import Roster, roster_view
from pingzhan.services.projector import read_rows
from pingzhan.services.views import ViewDb

AUDIT_COLUMNS = (
    "position",
    "recorded_at",
    "occurred_at",
    "message_id",
    "actor",
    "event",
    "scope",
    "summary",
    "outcome",
)


def roster(db: ViewDb, org: Org, scope: str | None = None) -> dict[str, Any]:
    if scope is not None:
        org.unit(scope)
    return roster_view(org, read_rows(db, Roster()).rows, scope)


def audit(db: ViewDb, org: Org, episode: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    read_rows(db, AuditTrail(org))
    cols = ", ".join(f"a.{c}" for c in AUDIT_COLUMNS)
    if episode is None:
        sql, params = f"SELECT {cols} FROM audit a ORDER BY a.position", []
    else:
        if not db.query("SELECT 1 FROM episodes WHERE episode = ?", [episode]):
            raise LookupError(f"no episode {episode!r} (pingzhan audit --episodes lists them)")
        sql = (
            f"SELECT {cols} FROM audit a JOIN audit_episode e ON e.position = a.position "
            "WHERE e.episode = ? ORDER BY a.position"
        )
        params = [episode]
    rows = [dict(zip(AUDIT_COLUMNS, r, strict=True)) for r in db.query(sql, params)]
    return rows[-limit:] if limit else rows


def episodes(db: ViewDb, org: Org) -> list[dict[str, Any]]:
    model = read_rows(db, AuditTrail(org))
    names = (
        "scope",
        "level",
        "reason",
        "started_at",
        "started_by",
        "ended_at",
        "ended_by",
        "ended_reason",
        "exercise",
    )
    return [
        {"episode": k[0], **dict(zip(names, v, strict=True)), "exercise": bool(v[8])}
        for k, v in sorted(model.rows["episodes"].items(), key=lambda kv: kv[1][3])
    ]
