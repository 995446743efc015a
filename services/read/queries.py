"""What the CLI (and any other reader) asks of the read models."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from pingzhan.domain.org import Org
from pingzhan.projections.assessment import Assessment
from pingzhan.projections.audit import PROPOSAL_EVENTS, AuditTrail, episode_list
from pingzhan.projections.contradictions import contradictions
from pingzhan.projections.deadlines import Deadlines
from pingzhan.projections.drives import Drives, Registration
from pingzhan.projections.duty import on_duty
from pingzhan.projections.episodes import real_episodes
from pingzhan.projections.facts import Facts, Period
from pingzhan.projections.problems import OpinionRow, Problems, Step
from pingzhan.projections.roster import Roster
from pingzhan.projections.roster_view import roster_view
from pingzhan.services.read.tables import read_rows
from pingzhan.services.read.viewdb import ViewDb

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


def roster(
    db: ViewDb,
    org: Org,
    scope: str | None = None,
    now: datetime | None = None,
    deadlines: Deadlines | None = None,
) -> dict[str, Any]:
    """The roster; proposals that lapsed by ``now`` are not pending any more, problems whose
    office's step fell due by ``now`` are overdue."""
    if scope is not None:
        org.unit(scope)
    return roster_view(org, read_rows(db, Roster()).rows, scope, now, deadlines)


def audit(
    db: ViewDb,
    org: Org,
    episode: str | None = None,
    limit: int | None = None,
    after: int = 0,
    now: datetime | None = None,
    events: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """The audit entries after position ``after``, in store order, at most ``limit`` of them
    (all when None), only of the ``events`` named (event class names; all when None); only those
    rows are read. A proposal still unanswered after its expiry (by ``now``) is marked lapsed."""
    model = read_rows(db, AuditTrail(org))
    cols = ", ".join(f"a.{c}" for c in AUDIT_COLUMNS)
    only = f" AND a.event IN ({', '.join('?' * len(events))})" if events is not None else ""
    page = " LIMIT ?" if limit is not None else ""
    if episode is None:
        sql = f"SELECT {cols} FROM audit a WHERE a.position > ?{only} ORDER BY a.position{page}"
        params: list[Any] = [after]
    else:
        if not db.query("SELECT 1 FROM episodes WHERE episode = ?", [episode]):
            raise LookupError(f"no episode {episode!r} (pingzhan audit --episodes lists them)")
        sql = (
            f"SELECT {cols} FROM audit_episode e JOIN audit a ON a.position = e.position "
            f"WHERE e.episode = ? AND e.position > ?{only} ORDER BY e.position{page}"
        )
        params = [episode, after]
    params += list(events or ())
    if limit is not None:
        params.append(limit)
    rows = [dict(zip(AUDIT_COLUMNS, r, strict=True)) for r in db.query(sql, params)]
    for row in rows:
        if row["event"] in PROPOSAL_EVENTS and now is not None:
            _, expires, outcome = model.rows["audit_proposal"].get((row["message_id"],), (None, None, "?"))
            if outcome is None and datetime.fromisoformat(expires) < now:
                row["summary"] += f" -- LAPSED at {expires}, never confirmed"
    return rows


def episodes(db: ViewDb, org: Org) -> list[dict[str, Any]]:
    return episode_list(read_rows(db, AuditTrail(org)).rows["episodes"])


def report_facts(db: ViewDb, p: Period, tz: tzinfo | None = None) -> Facts:
    """The assessment facts of a period, and the real wartime episodes (neither exercises nor
    void), from the read models; the episodes' times in the district's time zone ``tz``, so
    that their dates are the district's."""
    read_rows(db, Assessment())
    span = [p.start.isoformat(), p.end.isoformat()]

    def rows(sql: str, also: str = "") -> list[Any]:
        """The rows of ``sql`` dated within the period (and meeting ``also``)."""
        where = " WHERE day >= ? AND day <= ?" + (f" AND {also}" if also else "")
        return [tuple(r) for r in db.query(sql + where, span)]

    cadres = {r[0]: (r[1], r[2], r[3]) for r in db.query("SELECT cadre_id, name, unit, grid FROM cadre_info")}

    episodes = real_episodes(
        db.query("SELECT scope, started_at, ended_at, exercise, voided_at FROM episodes"), tz
    )
    return Facts(
        cadres=cadres,
        service=rows("SELECT cadre_id, day, grid FROM fact_service"),
        visits=rows("SELECT cadre_id, day, household_id, info_collected FROM fact_visit"),
        verifications=rows("SELECT collected_by, day, household_id, result FROM fact_verification"),
        ratings=rows("SELECT cadre_id, day, score FROM fact_rating"),
        inspections=rows("SELECT cadre_id, day, grid, inspection_group, finding FROM fact_inspection"),
        work=rows("SELECT cadre_id, day, what, amount FROM fact_work"),
        shifts=rows("SELECT cadre_id, day, checkpoint_id FROM fact_shift", "action = 'start'"),
        tasks=rows("SELECT cadre_id, day, task, done_day FROM fact_task"),
        episodes=episodes,
    )


def registrations(db: ViewDb) -> tuple[list[Registration], dict[str, str]]:
    """Every drive's registrations, and the dispatching unit of each cadre."""
    read_rows(db, Drives())
    read_rows(db, Assessment())
    facts = [
        tuple(r)
        for r in db.query("SELECT drive_id, target, cadre_id, day, households, persons FROM fact_drive")
    ]
    units = {r[0]: r[1] for r in db.query("SELECT cadre_id, unit FROM cadre_info")}
    return facts, units  # type: ignore[return-value]


def inspection_contradictions(db: ViewDb, p: Period) -> list[dict[str, Any]]:
    """The "absent" findings of the period that the cadres' own records contradict
    (``projections/contradictions.py``)."""
    read_rows(db, Assessment())
    span = [p.start.isoformat(), p.end.isoformat()]
    within = " WHERE day >= ? AND day <= ?"
    inspections = db.query(
        "SELECT inspection_id, cadre_id, day, grid, inspection_group, finding, checkpoint_id, occurred_at "
        "FROM inspection_log" + within + " AND finding = 'absent'",
        span,
    )
    service = db.query("SELECT cadre_id, day, grid FROM fact_service" + within, span)
    shifts = db.query("SELECT cadre_id, day, checkpoint_id FROM fact_shift" + within, span)
    return contradictions(
        [tuple(r) for r in inspections],  # type: ignore[misc]
        [tuple(r) for r in service],  # type: ignore[misc]
        [tuple(r) for r in shifts],  # type: ignore[misc]
    )


def problem_steps(db: ViewDb) -> list[Step]:
    """Every step of every problem's whistle-and-report loop, in store order."""
    read_rows(db, Problems())
    sql = "SELECT problem_id, grid, step, office, occurred_at, detail FROM problem_step ORDER BY position"
    return [tuple(r) for r in db.query(sql)]  # type: ignore[misc]


def opinions(db: ViewDb, p: Period) -> list[OpinionRow]:
    """The opinions collected in the period (by the district's date)."""
    read_rows(db, Problems())
    sql = "SELECT opinion_id, cadre_id, grid, category, day FROM opinion_log WHERE day >= ? AND day <= ?"
    return [tuple(r) for r in db.query(sql, [p.start.isoformat(), p.end.isoformat()])]  # type: ignore[misc]


def on_duty_at(db: ViewDb, org: Org, at: datetime, grid: str | None = None) -> list[dict[str, Any]]:
    """Who was on duty at ``at``, by when things happened in the field: checkpoint shifts and
    flood-duty tasks assigned and not yet done (``projections/duty.py``)."""
    read_rows(db, Assessment())
    shifts = db.query(
        "SELECT checkpoint_id, cadre_id, grid, action, occurred_at, recorded_at FROM fact_shift"
    )
    tasks = db.query(
        "SELECT hazard_id, task_id, cadre_id, grid, task, assigned_at, recorded_at, done_at FROM duty_task"
    )
    roles = {r[0]: r[1] for r in db.query("SELECT person_id, role FROM team_info")}
    return on_duty([tuple(r) for r in shifts], [tuple(r) for r in tasks], at, grid, roles)  # type: ignore[misc]
