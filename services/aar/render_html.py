"""The after-action report as one self-contained HTML file: the plots inline as SVG, no script,
no file or network fetch; Chinese labels drawn by the browser's fonts."""

from __future__ import annotations

from datetime import tzinfo
from html import escape
from typing import Any

from pingzhan.services.aar import tables
from pingzhan.services.aar.plots import figures
from pingzhan.services.aar.render_md import SHOWN, cell, review_value
from pingzhan.services.aar.tables import spread_text
from pingzhan.services.cli.render import local

STYLE = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei",sans-serif;margin:2em;max-width:70em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%;text-align:left}
th{background:#f3f3f3}.late{color:#b03a2e;font-weight:bold}figure{margin:1em 0}figure svg{max-width:100%;height:auto}
.note{color:#7d6608}.improve li{margin:.3em 0}
"""


def table(spec: tables.Table, cls: str = "") -> str:
    headers, rows = spec
    if not rows:
        return "<p>(none)</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(cell(v))}</td>" for v in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><tr>{head}</tr>{body}</table>'


def fact(ident: str, label: str, value: Any) -> str:
    """One figure of the overview, with an id to find it by."""
    return f'<tr><th>{escape(label)}</th><td id="{ident}">{escape(cell(value))}</td></tr>'


def render(doc: dict[str, Any], tz: tzinfo | None) -> str:
    ep, ov, hz, st = doc["episode"], doc["overview"], doc["hazards"], doc["staffing"]

    def t(iso: str | None) -> str:
        return local(iso, tz) or "-"

    plots, note = figures(doc, tz)
    parts = [
        f"<h1>复盘报告 After-action report: {escape(ep['episode'])}</h1>",
        "<h2>概况 Overview</h2><table>",
        fact("scope", "范围 scope", ov["scope"]),
        fact("started", "开始 started", t(ep["started_at"])),
        fact("ended", "结束 ended", t(ep["ended_at"]) if ep["ended_at"] else "(open)"),
        fact("duration-h", "时长 duration (h)", ep["duration_h"]),
        fact("switched-by", "启动 switched by", ov["switched_by"]),
        fact("reason", "原因 reason", ov["reason"]),
        fact("trigger", "触发 trigger", ov["trigger"]),
        fact("proposed-by", "提议 proposed by", ov["proposed_by"]),
        fact("confirmed-by", "确认 confirmed by", ov["confirmed_by"]),
        fact("stood-down-by", "解除 stood down by", ov["stood_down_by"]),
        fact("stood-down-reason", "解除原因 why", ov["stood_down_reason"]),
        fact("decisions", "决策 decisions", len(doc["decisions"])),
        fact("checkpoints", "卡口 checkpoints", len(st["checkpoints"])),
        fact("hazards-reported", "上报隐患 hazards reported", hz["reported"]),
        fact("hazards-resolved", "已排除 hazards resolved", hz["resolved"]),
        fact("tasks", "任务 tasks", hz["tasks"]),
        fact(
            "first-task-median-min",
            "首个任务 median min to first task",
            hz["minutes_to_first_task"]["median"],
        ),
        fact("first-task-p90-min", "首个任务 p90 min to first task", hz["minutes_to_first_task"]["p90"]),
        fact("resolve-median-h", "排除 median h to resolve", hz["hours_to_resolve"]["median"]),
        fact("resolve-p90-h", "排除 p90 h to resolve", hz["hours_to_resolve"]["p90"]),
        fact("problems-escalated", "吹哨 problems escalated", doc["problems"]["escalated"]),
        fact("late-reports", "迟报 late reports", len(doc["late_reports"])),
        fact("rejected", "被拒绝 rejected", len(doc["rejected"])),
        "</table>",
        table(tables.levels(ov, t)),
    ]
    if note:
        parts.append(f'<p class="note">{escape(note)}</p>')
    parts += [f'<figure id="{i}"><figcaption>{escape(c)}</figcaption>{svg}</figure>' for i, c, svg in plots]
    parts += ["<h2>决策 Decisions</h2>", _decisions(doc["decisions"], t)]
    parts += [
        "<h2>卡口值守 Checkpoint staffing</h2>",
        f"<p>from the switch to the first staffing: {escape(spread_text(st['minutes_to_first_staffing'], 'min'))}; "
        f"coverage: {escape(spread_text(st['coverage'], ''))}; never staffed: {st['never_staffed']}</p>",
        table(tables.checkpoints(st, t)),
        "<h2>隐患 Hazards</h2>",
        f"<p>task duration: {escape(spread_text(hz['task_hours'], 'h'))}</p>",
        table(tables.hazards(hz, t)),
        "<h2>吹哨报到 Problems escalated</h2>",
        table(tables.problem_stages(doc["problems"], t)),
        table(tables.offices(doc["problems"])),
        "<h2>工作日志 Activity logs (ICS-214 style)</h2>",
        *(_activity(log, t) for log in doc["activity"]),
        "<h2>迟报 Late reports</h2>",
        table(tables.late_reports(doc, t), "late"),
        "<h2>被拒绝的操作 Rejected actions</h2>",
        table(tables.rejected(doc, t)),
        "<h2>改进事项 Improvement items</h2>",
        '<ul class="improve">'
        + "".join(
            f'<li data-rule="{escape(i["rule"])}"><b>{escape(i["text"])}</b>: {i["count"]} '
            f"({escape(', '.join(i['which'][:20]))}{' ...' if i['count'] > 20 else ''})</li>"
            for i in doc["improvements"]
        )
        + "</ul>",
        "<p>阈值 Thresholds: "
        + escape(", ".join(f"{k} = {v}" for k, v in doc["thresholds"].items()))
        + "</p>",
    ]
    title = escape(f"复盘报告 {ep['episode']}")
    return (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>\n"
    )


def _decisions(decisions: list[dict[str, Any]], t: Any) -> str:
    if not decisions:
        return "<p>(none)</p>"
    items = []
    for d in decisions:
        review = d["review"]
        detail = (
            table((("review", ""), [(k, review_value(v)) for k, v in review.items() if k not in SHOWN]))
            if review
            else ""
        )
        items.append(
            f'<li id="decision-{d["position"]}">#{d["position"]} {escape(t(d["occurred_at"]))} '
            f"{escape(d['actor'] or '-')} ({escape(d['scope'] or '-')}): {escape(d['summary'])}{detail}</li>"
        )
    return "<ul>" + "".join(items) + "</ul>"


def _activity(log: dict[str, Any], t: Any) -> str:
    return (
        f"<h3>{escape(tables.who(log))}</h3><p>routine records (check-ins, visits ...): {log['routine']}</p>"
        + table(tables.activities(log, t))
    )
