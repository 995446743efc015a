"""The after-action report of one episode as a document: pure, from the episode's audit rows,
each with its stored event's fields (``fields``), and the loop steps of its problems.

An entry is an audit row (``queries.AUDIT_COLUMNS``) and ``fields``, the event as stored. The
document is what `pingzhan aar --format json` prints; Markdown and HTML render it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pingzhan.domain.scope_mode import ScopeMode
from pingzhan.projections.base import event_name
from pingzhan.projections.deadlines import Deadlines
from pingzhan.projections.problems import Step
from pingzhan.services.aar import thresholds as t
from pingzhan.services.aar.activity import Person, activity_logs
from pingzhan.services.aar.figures import at, hours, minutes
from pingzhan.services.aar.hazards import hazards, problems
from pingzhan.services.aar.staffing import staffing

WARTIME, LEVEL = event_name(ScopeMode.SwitchedToWartime), event_name(ScopeMode.LevelChanged)
ENDS = {event_name(ScopeMode.SwitchedToPeacetime), event_name(ScopeMode.EpisodeVoided)}
PROPOSALS = {event_name(ScopeMode.SwitchProposed), event_name(ScopeMode.VoidProposed)}
DECISIONS = {
    event_name(c)
    for c in (
        ScopeMode.SwitchedToWartime,
        ScopeMode.LevelChanged,
        ScopeMode.SwitchProposed,
        ScopeMode.VoidProposed,
        ScopeMode.ProposalSuperseded,
        ScopeMode.EpisodeVoided,
        ScopeMode.SwitchedToPeacetime,
    )
}
_DECISION_FIELDS = ("level", "previous", "reason", "trigger", "confirmed_by", "proposed_by", "episode")


def after_action(
    episode: Mapping[str, Any],
    entries: Sequence[dict[str, Any]],
    steps: Sequence[Step],
    people: Mapping[str, Person],
    deadlines: Deadlines,
    now: datetime,
    before: Sequence[dict[str, Any]] = (),
    reviews: Mapping[int, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The report of ``episode`` (an ``audit.episode_list`` row) from its ``entries`` in store
    order; ``before``: the proposals that opened it (recorded before it began), ``reviews``:
    the decision reviews by position, ``now``: the end of an episode still open."""
    start = at(episode["started_at"])
    end = at(episode["ended_at"]) if episode["ended_at"] else now
    late = late_reports(entries, t.LATE_REPORT_MIN, episode["episode"])
    decided = decisions([*before, *entries], reviews or {})
    staffed = staffing(entries, start, end)
    found = hazards(entries, end)
    loop = problems(entries, steps, deadlines)
    rejected = [_rejected(e) for e in entries if e["outcome"] == "rejected"]
    late_rows = [_late(e) for e in entries if e["position"] in late]
    return {
        "episode": {
            **episode,
            "open": not episode["ended_at"],
            "until": end.isoformat(),
            "duration_h": round(hours(start, end), 2),
        },
        "overview": _overview(episode, decided),
        "thresholds": t.stated(),
        "entries": len(entries),
        "decisions": decided,
        "staffing": staffed,
        "hazards": found,
        "problems": loop,
        "activity": activity_logs(entries, people, late),
        "late_reports": late_rows,
        "rejected": rejected,
        "improvements": improvements(staffed, found, loop, late_rows, rejected),
    }


def decisions(
    entries: Sequence[dict[str, Any]], reviews: Mapping[int, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Every mode decision (switch, level change, proposal, confirmation, void, stand-down) with
    who, when, what and why, and its review when one is given."""
    return [
        {
            **{
                k: e[k]
                for k in ("position", "occurred_at", "recorded_at", "actor", "event", "scope", "summary")
            },
            **{k: e["fields"].get(k) for k in _DECISION_FIELDS},
            "review": reviews.get(e["position"]),
        }
        for e in entries
        if e["event"] in DECISIONS and e["outcome"] == "accepted"
    ]


def _overview(episode: Mapping[str, Any], decided: list[dict[str, Any]]) -> dict[str, Any]:
    own = [d for d in decided if d["scope"] == episode["scope"] and d["episode"] == episode["episode"]]
    levels = [
        {"at": d["occurred_at"], "level": d["level"], "by": d["actor"], "confirmed_by": d["confirmed_by"]}
        for d in own
        if d["event"] in (WARTIME, LEVEL)
    ]
    if episode["ended_at"]:
        levels.append(
            {"at": episode["ended_at"], "level": None, "by": episode["ended_by"], "confirmed_by": None}
        )
    switch = next((d for d in own if d["event"] == WARTIME), None)
    return {
        "scope": episode["scope"],
        "levels": levels,
        "switched_by": episode["started_by"],
        "reason": episode["reason"],
        "trigger": switch["trigger"] if switch else None,
        "proposed_by": sorted({d["actor"] for d in decided if d["event"] in PROPOSALS}),
        "confirmed_by": sorted({d["confirmed_by"] for d in decided if d["confirmed_by"]}),
        "stood_down_by": episode["ended_by"],
        "stood_down_reason": episode["ended_reason"],
        "void": episode.get("void", False),
        "exercise": episode.get("exercise", False),
    }


def late_reports(entries: Sequence[dict[str, Any]], after_min: float, episode: str | None = None) -> set[int]:
    """The positions of late reports: accepted entries recorded when the episode's record had
    already reached a field time more than ``after_min`` minutes after they happened (an offline
    phone sending later), or after the stand-down (or void) of ``episode`` was recorded. Decided
    by store order, so a replay marks the same ones."""
    late, front, ended = set(), None, False
    for e in entries:
        if e["outcome"] != "accepted" or not e["occurred_at"]:
            continue
        when = at(e["occurred_at"])
        if ended or (front is not None and minutes(when, front) > after_min):
            late.add(e["position"])
        front = when if front is None or when > front else front
        ended = ended or (e["event"] in ENDS and e["fields"].get("episode") == episode)
    return late


def _late(e: dict[str, Any]) -> dict[str, Any]:
    return {k: e[k] for k in ("position", "occurred_at", "recorded_at", "actor", "event", "summary")}


def _rejected(e: dict[str, Any]) -> dict[str, Any]:
    f = e["fields"]
    return {
        **{k: e[k] for k in ("position", "occurred_at", "recorded_at", "actor", "scope")},
        "kind": f.get("kind"),
        "code": f.get("code"),
        "reason": f.get("reason"),
    }


def improvements(
    staffed: dict[str, Any],
    found: dict[str, Any],
    loop: dict[str, Any],
    late: list[dict[str, Any]],
    rejected: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The improvement items: each rule whose threshold was crossed, with what crossed it."""
    items = []

    def item(rule: str, text: str, which: list[str]) -> None:
        if which:
            items.append({"rule": rule, "text": text, "count": len(which), "which": which})

    item(
        "unstaffed",
        f"checkpoints unstaffed for more than {t.UNSTAFFED_MAX_MIN} min at a stretch",
        [c["checkpoint"] for c in staffed["checkpoints"] if c["unstaffed_over_threshold"]],
    )
    item(
        "hazard_open",
        f"hazards open for more than {t.HAZARD_OPEN_MAX_H} h",
        [h["hazard"] for h in found["list"] if h["open_h"] > t.HAZARD_OPEN_MAX_H],
    )
    item(
        "hazard_first_task",
        f"hazards waiting more than {t.HAZARD_FIRST_TASK_MAX_MIN} min for a first task (or none)",
        [
            h["hazard"]
            for h in found["list"]
            if h["first_task_min"] is None or h["first_task_min"] > t.HAZARD_FIRST_TASK_MAX_MIN
        ],
    )
    item(
        "office_late",
        "problems an office acknowledged or reported back on after its deadline",
        [p["problem"] for p in loop["list"] if any(s["late"] for s in p["stages"])],
    )
    item(
        "late_reports",
        f"reports recorded more than {t.LATE_REPORT_MIN} min late",
        [str(r["position"]) for r in late],
    )
    if len(rejected) > t.REJECTED_MAX:
        item("rejected", "messages rejected in the episode", [str(r["position"]) for r in rejected])
    return items
