"""The report's tables as headers and rows of plain values. The Markdown and the HTML draw the
same tables (``render_md.py``, ``render_html.py``): each table's columns are said here once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Table = tuple[tuple[str, ...], list[tuple[Any, ...]]]
Clock = Callable[[str | None], str]  # an ISO time as the report shows it

LEVEL_NAMES = {None: "peacetime (平时)", "I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ"}
_NO_STAGE = dict.fromkeys(("office", "via", "received_at", "acknowledge_h", "report_back_h", "late"))


def spread_text(s: dict[str, Any], unit: str) -> str:
    """A spread of figures (``figures.py``) in words."""
    if not s["count"]:
        return "none"
    u = f" {unit}" if unit else ""
    return f"{s['count']}: median {s['median']}{u}, p90 {s['p90']}{u}, max {s['max']}{u}"


def levels(overview: dict[str, Any], t: Clock) -> Table:
    return ("at", "level", "by", "confirmed by"), [
        (t(lv["at"]), LEVEL_NAMES.get(lv["level"], lv["level"]), lv["by"], lv["confirmed_by"])
        for lv in overview["levels"]
    ]


def checkpoints(staffing: dict[str, Any], t: Clock) -> Table:
    headers = ("checkpoint", "grid", "first staffed", "min from switch", "shifts", "coverage",
               "longest unstaffed min")  # fmt: skip
    return headers, [
        (
            c["checkpoint"],
            c["grid"],
            t(c["first_staffed_at"]),
            c["minutes_to_first_staffing"],
            c["shifts"],
            c["coverage"],
            c["longest_unstaffed_min"],
        )  # fmt: skip
        for c in staffing["checkpoints"]
    ]


def hazards(h: dict[str, Any], t: Clock) -> Table:
    headers = ("hazard", "grid", "kind", "severity", "reported", "first task min", "tasks", "resolved",
               "open h", "problem")  # fmt: skip
    return headers, [
        (
            x["hazard"],
            x["grid"],
            x["kind"],
            x["severity"],
            t(x["reported_at"]),
            x["first_task_min"],
            f"{x['tasks_done']}/{x['tasks']}",
            t(x["resolved_at"]),
            x["open_h"],
            x["problem"],
        )  # fmt: skip
        for x in h["list"]
    ]


def problem_stages(p: dict[str, Any], t: Clock) -> Table:
    """One row per office a problem went to (a problem sent to none: one row without an office)."""
    headers = ("problem", "grid", "office", "via", "received", "ack h", "report-back h", "late",
               "h to resolve")  # fmt: skip
    return headers, [
        (
            x["problem"],
            x["grid"],
            s["office"],
            s["via"],
            t(s["received_at"]),
            s["acknowledge_h"],
            s["report_back_h"],
            "LATE" if s["late"] else "-",
            x["hours_to_resolve"],
        )  # fmt: skip
        for x in p["list"]
        for s in x["stages"] or [_NO_STAGE]
    ]


def offices(p: dict[str, Any]) -> Table:
    return ("office", "received", "acknowledge h", "report back h", "late", "open"), [
        (
            o["office"],
            o["received"],
            spread_text(o["acknowledge_h"], "h"),
            spread_text(o["report_back_h"], "h"),
            o["late"],
            o["open"],
        )  # fmt: skip
        for o in p["by_office"]
    ]


def activities(log: dict[str, Any], t: Clock) -> Table:
    return ("occurred", "recorded", "activity"), [
        (t(a["occurred_at"]), t(a["recorded_at"]), ("LATE " if a["late"] else "") + a["activity"])
        for a in log["activities"]
    ]


def late_reports(doc: dict[str, Any], t: Clock) -> Table:
    return ("#", "occurred", "recorded", "actor", "what"), [
        (r["position"], t(r["occurred_at"]), t(r["recorded_at"]), r["actor"], r["summary"])
        for r in doc["late_reports"]
    ]


def rejected(doc: dict[str, Any], t: Clock) -> Table:
    return ("#", "occurred", "actor", "kind", "code", "reason"), [
        (r["position"], t(r["occurred_at"]), r["actor"], r["kind"], r["code"], r["reason"])
        for r in doc["rejected"]
    ]


def who(log: dict[str, Any]) -> str:
    """The heading of a cadre's activity log."""
    return f"{log['person']} {log['name'] or ''} ({log['unit'] or '-'}, {log['role']}, grid {log['grid'] or '-'})"
