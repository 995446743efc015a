"""What dashboards and auditors read: the roster, episodes, the audit trail, reports and outcomes.

Every answer that shows a read model carries ``as_of``: the position and recorded time of the last
event the views include, and a warning when they are stale or nobody keeps them current.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pingzhan.services.api.auth import READERS, Principal, allow
from pingzhan.services.api.parts import Parts
from pingzhan.services.ingest.outcome import Outcome
from pingzhan.services.read import past, queries, reporting

router = APIRouter(prefix="/api", tags=["read"])
Reader = Annotated[Principal, Depends(allow(*READERS))]
PAGE, MAX_PAGE = 200, 10_000


def parts(request: Request) -> Parts:
    return request.app.state.parts  # type: ignore[no-any-return]


@router.get("/org", summary="The district, its streets, communities and grids (for the map)")
def org(request: Request, _: Reader) -> dict[str, Any]:
    return parts(request).org_tree()


@router.get("/roster", summary="The live duty roster: the district or one scope")
def roster(
    request: Request,
    _: Reader,
    scope: Annotated[str | None, Query(description="KIND:ID, e.g. street:BT-QG")] = None,
    unstaffed: Annotated[bool, Query(description="only grids with unstaffed open checkpoints")] = False,
    hazards: Annotated[bool, Query(description="only grids with open hazards")] = False,
    at: Annotated[
        str | None, Query(description="the roster at this field time (ISO 8601 with offset)")
    ] = None,
    known_at: Annotated[str | None, Query(description="with at: as recorded by then (default now)")] = None,
) -> dict[str, Any]:
    p = parts(request)
    as_of = p.as_of()  # first: the rows include at least this (a stream from it misses nothing)
    with p.lock:
        if at is None and known_at is None:
            doc = queries.roster(p.views, p.org, scope, datetime.now(UTC), p.settings.deadlines)
        else:
            doc = past.roster_doc(p.views, p.app.ledger, p.org, at, known_at, scope, p.settings.deadlines)
    if unstaffed:
        doc["grids"] = [g for g in doc["grids"] if g["unstaffed_checkpoints"]]
    if hazards:
        doc["grids"] = [g for g in doc["grids"] if g["open_hazards"]]
    return {**doc, "as_of": as_of}


@router.get("/episodes", summary="The emergency episodes, drills and void ones included")
def episodes(request: Request, _: Reader) -> dict[str, Any]:
    p = parts(request)
    as_of = p.as_of()
    with p.lock:
        found = queries.episodes(p.views, p.org)
    return {"episodes": found, "as_of": as_of}


@router.get("/audit", summary="The whole audit trail, a page at a time")
def audit(
    request: Request,
    _: Reader,
    after: Annotated[int, Query(ge=0, description="the page after this position")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE,
) -> dict[str, Any]:
    return _page(parts(request), None, after, limit)


@router.get("/episodes/{episode}/audit", summary="The audit trail of one episode, a page at a time")
def episode_audit(
    request: Request,
    episode: str,
    _: Reader,
    after: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE,
) -> dict[str, Any]:
    return _page(parts(request), episode, after, limit)


def _page(p: Parts, episode: str | None, after: int, limit: int) -> dict[str, Any]:
    as_of = p.as_of()
    with p.lock:
        rows = queries.audit(p.views, p.org, episode, limit + 1, after, datetime.now(UTC))
        more = len(rows) > limit
        rows = past.with_reviews(p.views, p.app.ledger, p.org, rows[:limit], p.settings.deadlines)
    return {"entries": rows, "next_after": rows[-1]["position"] if more else None, "as_of": as_of}


@router.get("/reports/duty", summary="Who was on duty at which checkpoint at a moment of field time")
def duty(
    request: Request,
    _: Annotated[Principal, Depends(allow(*READERS))],
    at: Annotated[str, Query(description="ISO 8601; without an offset, district time")],
    grid: str | None = None,
) -> dict[str, Any]:
    p = parts(request)
    as_of = p.as_of()
    with p.lock:
        rows = reporting.duty(p.views, p.org, p.settings.tz, at, grid)
    return {"rows": rows, "columns": reporting.COLUMNS["duty"], "as_of": as_of}


@router.get(
    "/reports/documents/{kind}",
    summary="monthly, quarterly or yearly: the reporting chain's documents, one per recipient",
)
def documents(
    request: Request,
    kind: str,
    _: Annotated[Principal, Depends(allow(*READERS))],
    period: Annotated[str, Query(description="YYYY-MM (monthly), YYYY-Qn (quarterly), YYYY (yearly)")],
    lang: Annotated[str, Query(description="zh (default) or en")] = "zh",
) -> dict[str, Any]:
    if kind not in ("monthly", "quarterly", "yearly"):
        raise HTTPException(404, f"no documents {kind!r}: one of monthly, quarterly, yearly")
    p = parts(request)
    as_of = p.as_of()
    with p.lock:
        docs = reporting.documents(p.views, p.org, p.settings.tz, kind, period, lang)
    return {"documents": docs, "as_of": as_of}


@router.get(
    "/reports/{name}",
    summary="cadres, attendance, units, drive, contradictions, problems or opinions: as `pingzhan report`",
)
def report(
    request: Request,
    name: str,
    _: Annotated[Principal, Depends(allow(*READERS))],
    period: Annotated[str | None, Query(description="YYYY, YYYY-Qn or YYYY-MM")] = None,
    cadre: str | None = None,
    unit: str | None = None,
    drive: str | None = None,
    scope: Annotated[str | None, Query(description="opinions: only the grids under KIND:ID")] = None,
) -> dict[str, Any]:
    if name not in reporting.COLUMNS or name == "duty":
        raise HTTPException(
            404,
            f"no report {name!r}: one of cadres, attendance, units, drive, contradictions, problems, "
            "opinions, duty",
        )
    p = parts(request)
    as_of = p.as_of()
    with p.lock:
        rows = reporting.report(
            p.views, p.org, p.settings.tz, name, period, cadre, unit, drive, scope, p.settings.deadlines
        )
    return {"rows": rows, "columns": reporting.COLUMNS[name], "as_of": as_of}


@router.get("/outcomes/{message_id}", summary="The recorded outcome of a message")
def outcome(
    request: Request,
    message_id: str,
    _: Annotated[Principal, Depends(allow(*READERS, "field"))],
) -> dict[str, Any]:
    found = parts(request).app.ledger.outcomes([message_id]).get(message_id)
    if found is None:
        raise HTTPException(404, f"no outcome recorded for message {message_id!r}")
    return Outcome.from_json(found).doc()
