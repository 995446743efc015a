"""Readable tables for people, times in the district's time zone with its offset; the CLI prints
JSON instead when asked (times there as stored: field times as the message said them)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any


def local(iso: str | None, tz: tzinfo | None) -> str | None:
    """An ISO 8601 time (with an offset) in the district's time zone, to the second."""
    if not iso or tz is None:
        return iso
    return datetime.fromisoformat(iso).astimezone(tz).isoformat(timespec="seconds")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def roster(doc: dict[str, Any], show_all: bool = False, tz: tzinfo | None = None) -> str:
    out = []
    real = [s for s in doc["wartime_scopes"] if not s["exercise"]]
    drills = [s for s in doc["wartime_scopes"] if s["exercise"]]
    if real:
        out.append(
            "Wartime: "
            + "; ".join(
                f"{s['scope']} level {s['level']} since {local(s['since'], tz)} (episode {s['episode']})"
                for s in real
            )
        )
    else:
        out.append("Wartime: none, every scope is in peacetime")
    if drills:
        out.append(
            "Exercises: "
            + "; ".join(
                f"{s['scope']} level {s['level']} since {local(s['since'], tz)} (episode {s['episode']})"
                for s in drills
            )
        )
    for p in doc["pending_proposals"]:
        what = f"void of episode {p['voids']}" if p.get("voids") else f"level {p['level']}"
        out.append(
            f"PENDING: {p['scope']} {what} proposed by {p['proposed_by']}, needs a second operator "
            f"by {local(p['expires_at'], tz)} "
            f"(pingzhan switch confirm --scope {p['scope']} --proposal {p['proposal']} ...)"
        )
    grids = doc["grids"]
    in_war = sum(1 for g in grids if g["mode"] == "wartime")
    out.append(
        f"{doc['scope']}: {len(grids)} grids, {in_war} in wartime, "
        f"{sum(len(g['cadres']) for g in grids)} cadres dispatched, "
        f"{sum(len(g['on_duty']) for g in grids)} on duty, "
        f"{sum(len(g['unstaffed_checkpoints']) for g in grids)} unstaffed checkpoints, "
        f"{sum(len(g['open_hazards']) for g in grids)} open hazards, "
        f"{sum(len(g['open_problems']) for g in grids)} open problems "
        f"({sum(p['overdue'] for g in grids for p in g['open_problems'])} overdue)"
    )
    shown = [g for g in grids if show_all or g["on_duty"] or g["unstaffed_checkpoints"] or g["open_hazards"]]
    if shown:
        rows = [
            (
                g["grid"],
                g["mode"] + (f" {g['level']}" if g["level"] else ""),
                len(g["cadres"]),
                ", ".join(f"{d['cadre']}@{d['checkpoint']}" for d in g["on_duty"]) or "-",
                ", ".join(c["checkpoint"] for c in g["unstaffed_checkpoints"]) or "-",
                ", ".join(_hazard(h, g["open_problems"]) for h in g["open_hazards"]) or "-",
            )
            for g in shown
        ]
        out.append(table(("grid", "mode", "cadres", "on duty", "unstaffed", "open hazards"), rows))
    elif not show_all:
        out.append(
            "No grid has anyone on duty, an unstaffed checkpoint or an open hazard (--all lists every grid)."
        )
    late = [(g["grid"], p) for g in grids for p in g["open_problems"] if p["overdue"]]
    if late:
        out.append("Overdue problems (逾期), the office's step past its deadline:")
        overdue = [
            (p["problem"], grid, p["escalated_to"], _waiting_for(p), local(p["overdue_since"], tz))
            for grid, p in sorted(late, key=lambda x: datetime.fromisoformat(x[1]["overdue_since"]))
        ]
        out.append(table(("problem", "grid", "office", "waiting for", "overdue since"), overdue))
    return "\n".join(out)


def _waiting_for(problem: dict[str, Any]) -> str:
    return "report-back" if problem["state"] == "acknowledged" else "acknowledgement"


def _hazard(h: dict[str, Any], problems: list[dict[str, Any]]) -> str:
    """A hazard, and the problem it was raised as with the office that problem went to."""
    text = f"{h['hazard']} ({h['severity']} {h['kind']})"
    if h.get("problem"):
        office = next((p["escalated_to"] for p in problems if p["problem"] == h["problem"]), None)
        text += f" -> {h['problem']}" + (f" @ {office}" if office else "")
    return text


def audit(rows: Sequence[dict[str, Any]], tz: tzinfo | None = None) -> str:
    if not rows:
        return "No audit entries."
    return table(
        ("#", "occurred at", "recorded at", "actor", "scope", "what"),
        [
            (
                r["position"],
                local(r["occurred_at"], tz) or "-",
                local(r["recorded_at"], tz) if tz else r["recorded_at"][:19],
                r["actor"] or "-",
                r["scope"] or "-",
                ("REJECTED " if r["outcome"] == "rejected" else "") + r["summary"],
            )
            for r in rows
        ],
    )


def episodes(rows: Sequence[dict[str, Any]], tz: tzinfo | None = None) -> str:
    if not rows:
        return "No emergency episodes."
    return table(
        ("episode", "level", "started", "by", "ended", "by", "reason"),  # drills marked (exercise)
        [
            (
                e["episode"],
                e["level"],
                local(e["started_at"], tz),
                e["started_by"],
                local(e["ended_at"], tz) or "(open)",
                e["ended_by"] or "-",
                e["reason"]
                + (" (exercise)" if e["exercise"] else "")
                + (f" (VOID: {e['void_reason']})" if e.get("void") else ""),
            )
            for e in rows
        ],
    )
