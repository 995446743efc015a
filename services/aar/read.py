"""What the after-action report reads: the episode and its audit rows from the read models, the
stored events of those rows from the event store (the notification log, by position), the loop
steps of its problems, who the cadres are, and the review of each decision (the roster of its
scope as known when it was recorded: ``services/read/past.reviews_of``). The figures are
``model.py``'s."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from pingzhan.domain.org import Org
from pingzhan.domain.proposals import CONFIRMATION_WINDOW
from pingzhan.projections.assessment import Assessment
from pingzhan.projections.deadlines import Deadlines
from pingzhan.services.aar.activity import COPIES, Person
from pingzhan.services.aar.model import PROPOSALS, after_action
from pingzhan.services.read import queries
from pingzhan.services.read.past import reviews_of
from pingzhan.services.read.tables import read_rows
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.store.ledger import Ledger

GAP = 2000  # positions apart: read as two stretches of the log rather than one


def episode_report(
    views: ViewDb, ledger: Ledger, org: Org, episode: str, deadlines: Deadlines, now: datetime
) -> dict[str, Any]:
    """The after-action report of ``episode`` (``SCOPE#N``); LookupError in words when there is
    no such episode."""
    found = {e["episode"]: e for e in queries.episodes(views, org)}
    if episode not in found:
        raise LookupError(f"no episode {episode!r} (pingzhan audit --episodes lists them)")
    row = found[episode]
    entries = with_fields(ledger, queries.audit(views, org, episode, now=now))
    before = with_fields(ledger, _opening_proposals(views, row))
    reviews = reviews_of(views, ledger, org, [*before, *entries], deadlines)  # the decision reviews
    return after_action(
        row, entries, queries.problem_steps(views), people(views), deadlines, now, before, reviews
    )


def with_fields(ledger: Ledger, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The audit rows, each given its stored event's fields (but the cadres' copies of checkpoint
    shifts, which the report does not read: half of an epidemic's rows)."""
    states = states_at(ledger, [r["position"] for r in rows if r["event"] not in COPIES])
    for r in rows:
        r["fields"] = states.get(r["position"], {})
    return rows


def states_at(ledger: Ledger, positions: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The stored events at ``positions``, as the JSON they are stored as; the log is read in
    stretches of nearby positions (an episode's rows are mostly together, its late reports later)."""
    wanted, found = sorted(set(positions)), {}
    i = 0
    while i < len(wanted):
        j = i
        while j + 1 < len(wanted) and wanted[j + 1] - wanted[j] <= GAP:
            j += 1
        first, last = wanted[i], wanted[j]
        rows = ledger.recorder.select_states(first - 1, last - first + 1)  # type: ignore[attr-defined]
        keep = set(wanted[i : j + 1])
        found.update({p: orjson.loads(state) for p, _, state in rows if p in keep})
        i = j + 1
    return found


def _opening_proposals(views: ViewDb, episode: dict[str, Any]) -> list[dict[str, Any]]:
    """The level-I proposals of the episode's scope made within the confirmation window before it
    began (recorded before it, so not among its rows): who proposed what opened it."""
    cols = ", ".join(queries.AUDIT_COLUMNS)
    marks = ", ".join("?" * len(PROPOSALS))
    rows = views.query(
        f"SELECT {cols} FROM audit WHERE scope = ? AND event IN ({marks}) ORDER BY position",
        [episode["scope"], *sorted(PROPOSALS)],
    )
    start = datetime.fromisoformat(episode["started_at"])
    return [
        r
        for r in (dict(zip(queries.AUDIT_COLUMNS, row, strict=True)) for row in rows)
        if start - CONFIRMATION_WINDOW <= datetime.fromisoformat(r["occurred_at"]) < start
    ]


def people(views: ViewDb) -> dict[str, Person]:
    """Every cadre and checkpoint-team member: name, unit, role (None: a cadre), grid."""
    read_rows(views, Assessment())
    found: dict[str, Person] = {
        r[0]: (r[1], r[2], None, r[3])
        for r in views.query("SELECT cadre_id, name, unit, grid FROM cadre_info")
    }
    for pid, name, unit, role in views.query("SELECT person_id, name, unit, role FROM team_info"):
        grid = found.get(pid, (None, None, None, None))[3]
        found[pid] = (name, unit, role, grid)
    return found
