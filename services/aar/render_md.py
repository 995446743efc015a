"""The after-action report as Markdown: times in the district's time zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from pingzhan.services.aar import tables
from pingzhan.services.aar.tables import spread_text
from pingzhan.services.cli.render import local

# a decision's own fields, shown with it: not repeated from its review
SHOWN = {"position", "event", "scope", "actor", "occurred_at", "recorded_at"}


def cell(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "-"
    if isinstance(v, list):
        return ", ".join(map(str, v)) or "-"
    return str(v).replace("|", "\\|").replace("\n", " ")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    if not rows:
        return ["(none)", ""]
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(cell(v) for v in r) + " |" for r in rows]
    return [*out, ""]


def review_value(v: Any) -> str:
    """A value of a decision review in a few words: a list by its length and first items."""
    if isinstance(v, dict):
        return ", ".join(f"{k} {cell(x)}" for k, x in v.items())
    if isinstance(v, list):
        shown = ["/".join(cell(x) for x in i.values()) if isinstance(i, dict) else cell(i) for i in v[:5]]
        return f"{len(v)}" + (f": {'; '.join(shown)}" if shown else "") + (" ..." if len(v) > 5 else "")
    return cell(v)


def review_lines(review: dict[str, Any] | None) -> list[str]:
    """A decision's review, when there is one (``read.py``): its keys and values, one a line."""
    if not review:
        return []
    return [f"  - review {k}: {review_value(v)}" for k, v in review.items() if k not in SHOWN]


def render(doc: dict[str, Any], tz: tzinfo | None) -> str:
    ep, ov = doc["episode"], doc["overview"]

    def t(iso: str | None) -> str:
        return local(iso, tz) or "-"

    marks = " (EXERCISE)" * bool(ov["exercise"]) + " (VOID)" * bool(ov["void"])
    out = [f"# After-action report 复盘报告: {ep['episode']}{marks}", ""]
    out += [
        "## Overview 概况",
        "",
        f"- scope: {ov['scope']}",
        f"- from {t(ep['started_at'])} to {t(ep['ended_at']) if ep['ended_at'] else t(ep['until']) + ' (still open)'}"
        f", {ep['duration_h']} h",
        f"- switched by {ov['switched_by']}: {ov['reason']}"
        + (f" (trigger: {ov['trigger']})" if ov["trigger"] else ""),
        f"- proposed by: {cell(ov['proposed_by'])}; confirmed by: {cell(ov['confirmed_by'])}",
        f"- stood down by {cell(ov['stood_down_by'])}: {cell(ov['stood_down_reason'])}",
        f"- {doc['entries']} audit entries",
        "",
        "Levels over time 级别变化:",
        "",
        *table(*tables.levels(ov, t)),
    ]
    out += ["## Decisions 决策", ""]
    for d in doc["decisions"]:
        out.append(f"- #{d['position']} {t(d['occurred_at'])} {d['actor']} ({d['scope']}): {d['summary']}")
        out += review_lines(d["review"])
    if not doc["decisions"]:
        out.append("(none)")
    out.append("")
    out += _staffing(doc["staffing"], t)
    out += _hazards(doc["hazards"], t)
    out += _problems(doc["problems"], t)
    out += ["## Activity logs (ICS-214 style) 工作日志", ""]
    for log in doc["activity"]:
        out += [
            f"### {tables.who(log)}",
            "",
            f"routine records (check-ins, visits ...): {log['routine']}",
            "",
        ]
        out += table(*tables.activities(log, t))
    out += ["## Late reports 迟报", "", *table(*tables.late_reports(doc, t))]
    out += ["## Rejected actions 被拒绝的操作", "", *table(*tables.rejected(doc, t))]
    out += ["## Improvement items 改进事项", ""]
    out += [
        f"- **{i['text']}** ({i['rule']}): {i['count']}: {', '.join(i['which'][:20])}"
        + (" ..." if i["count"] > 20 else "")
        for i in doc["improvements"]
    ] or ["(none)"]
    out += ["", "Thresholds 阈值: " + ", ".join(f"{k} = {v}" for k, v in doc["thresholds"].items()), ""]
    return "\n".join(out)


def _staffing(s: dict[str, Any], t: Any) -> list[str]:
    return [
        "## Checkpoint staffing 卡口值守",
        "",
        f"- from the switch to the first staffing: {spread_text(s['minutes_to_first_staffing'], 'min')}",
        f"- coverage over the episode: {spread_text(s['coverage'], '')}; never staffed: {s['never_staffed']}",
        "",
        *table(*tables.checkpoints(s, t)),
    ]


def _hazards(h: dict[str, Any], t: Any) -> list[str]:
    return [
        "## Hazards 隐患",
        "",
        f"- reported {h['reported']}, resolved {h['resolved']}, open at the end {h['open_at_end']}; "
        f"tasks {h['tasks']}, done {h['tasks_done']}",
        f"- from report to first task: {spread_text(h['minutes_to_first_task'], 'min')}",
        f"- task duration: {spread_text(h['task_hours'], 'h')}",
        f"- from report to resolution: {spread_text(h['hours_to_resolve'], 'h')}",
        "",
        *table(*tables.hazards(h, t)),
    ]


def _problems(p: dict[str, Any], t: Any) -> list[str]:
    return [
        "## Problems escalated 吹哨报到",
        "",
        f"- problems {p['problems']}, escalated to an office {p['escalated']}",
        "",
        *table(*tables.problem_stages(p, t)),
        *table(*tables.offices(p)),
    ]
