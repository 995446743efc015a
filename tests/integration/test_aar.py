"""The after-action report of the small simulated year's episodes (through a real nats-server into
SQLite and PostgreSQL): its figures against figures computed here from the generated messages
(not with the report's code), its Markdown and HTML, and the HTML opened in chromium."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy
import orjson
import pytest
from pingzhan.services.aar import render_html, render_md
from pingzhan.services.aar.read import episode_report
from pingzhan.services.bootstrap import build
from pingzhan.services.org.data import read_org_file
from pingzhan.services.settings import Settings
from pingzhan.services.traffic.simulator import Simulator
from pingzhan.services.wire.routing import subject_of

from tests.integration.helpers import drain, on_stream, publish, with_operators

SEED, SCALE = 3, 0.02
TZ = ZoneInfo("Asia/Shanghai")
FLOOD, EPIDEMIC = "street:BT-BS#1", "district:BT#1"


def t(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


async def reports(
    nats_server: Any, store: Settings
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """The small year through NATS into the store, one late report more (a volunteer's hours in
    the flood, sent after everything else), and the reports of the flood and the epidemic; with
    the valid messages sent, in stream order."""
    settings = with_operators(await on_stream(nats_server, store))
    simulator = Simulator(read_org_file(), seed=SEED, scale=SCALE)
    items = list(simulator.messages())
    invalid = set(simulator.plan.invalid_ids)
    bodies = [b for i, _, body in items if i not in invalid and isinstance(b := _json(body), dict)]
    cadre, grid = next(
        (b["cadre_id"], b["grid_id"])
        for b in bodies
        if b["kind"] == "cadre.dispatched" and b["grid_id"].startswith("BT-BS-")
    )
    late = {
        "id": "late-1",
        "kind": "volunteer.served",
        "occurred_at": "2022-07-12T09:00:00+08:00",
        "actor": cadre,
        "cadre_id": cadre,
        "grid_id": grid,
        "activity": "沙袋 sandbags",
        "hours": 2,
    }
    items.append(("late-1", subject_of(settings.subject_prefix, late), orjson.dumps(late)))
    bodies.append(late)
    await publish(nats_server.url, items)
    await drain(settings, nats_server.url)
    app = build(settings)
    try:
        now = datetime.now(UTC)
        docs = {
            e: json.loads(
                json.dumps(episode_report(app.views, app.ledger, app.org, e, settings.deadlines, now))
            )
            for e in (FLOOD, EPIDEMIC)  # as `aar --format json` prints it
        }
    finally:
        app.close()
    return docs, bodies


def _json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def window(bodies: list[dict[str, Any]], scope: str) -> tuple[datetime, datetime]:
    start = next(
        t(b["occurred_at"]) for b in bodies if b["kind"] == "mode.switched_to_wartime" and b["scope"] == scope
    )
    end = next(
        t(b["occurred_at"])
        for b in bodies
        if b["kind"] == "mode.switched_to_peacetime" and b["scope"] == scope
    )
    return start, end


def expected_hazards(
    bodies: list[dict[str, Any]], prefix: str, start: datetime, end: datetime
) -> dict[str, Any]:
    """From the messages: the hazards reported in the street's grids within the episode, the
    minutes to their first task and the hours to their resolution."""
    within = [b for b in bodies if b["kind"].startswith("hazard.") and start <= t(b["occurred_at"]) < end]
    reported = {
        b["hazard_id"]: t(b["occurred_at"])
        for b in within
        if b["kind"] == "hazard.reported" and b["grid_id"].startswith(prefix)
    }
    first: dict[str, datetime] = {}
    tasks = 0
    for b in within:
        if b["kind"] == "hazard.task_assigned" and b["hazard_id"] in reported:
            tasks += 1
            first[b["hazard_id"]] = min(first.get(b["hazard_id"], t(b["occurred_at"])), t(b["occurred_at"]))
    resolved = {
        b["hazard_id"]: t(b["occurred_at"])
        for b in within
        if b["kind"] == "hazard.resolved" and b["hazard_id"] in reported
    }
    to_task = [(first[h] - reported[h]).total_seconds() / 60 for h in first]
    to_resolve = [(resolved[h] - reported[h]).total_seconds() / 3600 for h in resolved]
    return {
        "reported": len(reported),
        "resolved": len(resolved),
        "tasks": tasks,
        "to_task": to_task,
        "to_resolve": to_resolve,
    }


def expected_coverage(
    bodies: list[dict[str, Any]], start: datetime, end: datetime
) -> dict[str, tuple[float | None, float]]:
    """From the messages, per checkpoint: minutes from the switch to its first staffing, and the
    share of its open time in the episode with someone on duty (a sweep over +1/-1 steps)."""
    steps: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    opened: dict[str, datetime] = {}
    closed: dict[str, datetime] = {}
    for b in bodies:
        k = b["kind"]
        if not k.startswith("checkpoint.") or not start <= t(b["occurred_at"]) < end:
            continue
        cp = b["checkpoint_id"]
        if k == "checkpoint.established":
            opened[cp] = t(b["occurred_at"])
        elif k == "checkpoint.closed":
            closed[cp] = t(b["occurred_at"])
        elif k in ("checkpoint.staffed", "checkpoint.relieved"):
            steps[cp].append((t(b["occurred_at"]), 1 if k == "checkpoint.staffed" else -1))
    found = {}
    for cp, changes in steps.items():
        lo, hi = max(start, opened.get(cp, start)), min(end, closed.get(cp, end))
        on, last, staffed = 0, lo, 0.0
        for when, step in sorted(changes, key=lambda c: (c[0], -c[1])):
            when = min(max(when, lo), hi)
            if on > 0:
                staffed += (when - last).total_seconds()
            on, last = on + step, when
        if on > 0:
            staffed += (hi - last).total_seconds()
        first = min(w for w, s in changes if s == 1)
        found[cp] = ((first - start).total_seconds() / 60, staffed / (hi - lo).total_seconds())
    return found


def assert_spread(spread: dict[str, Any], values: list[float]) -> None:
    assert spread["count"] == len(values)
    assert spread["median"] == pytest.approx(numpy.median(values), abs=0.01)
    assert spread["p90"] == pytest.approx(numpy.percentile(values, 90), abs=0.01)


class Facts(HTMLParser):
    """The overview's figures (by id), the inline SVGs and the text of an HTML report."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}
        self.svgs, self.text, self.current = 0, [], None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.svgs += tag == "svg"
        self.current = dict(attrs).get("id") if tag == "td" else None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.current:
            self.ids[self.current] = data
            self.current = None


async def test_the_report_figures_match_those_computed_from_the_generated_messages(
    nats_server, store: Settings, tmp_path: Path
) -> None:
    docs, bodies = await reports(nats_server, store)

    flood, epidemic = docs[FLOOD], docs[EPIDEMIC]
    start, end = window(bodies, "street:BT-BS")
    hz = expected_hazards(bodies, "BT-BS-", start, end)
    assert hz["reported"] > 0
    assert (flood["hazards"]["reported"], flood["hazards"]["resolved"], flood["hazards"]["tasks"]) == (
        hz["reported"],
        hz["resolved"],
        hz["tasks"],
    )
    assert_spread(flood["hazards"]["minutes_to_first_task"], hz["to_task"])
    assert_spread(flood["hazards"]["hours_to_resolve"], hz["to_resolve"])
    modes = [
        (b["actor"], b["kind"])
        for b in bodies
        if b["kind"].startswith("mode.") and b.get("scope") == "street:BT-BS"
    ]
    assert [(d["actor"], d["event"]) for d in flood["decisions"]] == [
        (
            a,
            {
                "mode.switched_to_wartime": "ScopeMode.SwitchedToWartime",
                "mode.switched_to_peacetime": "ScopeMode.SwitchedToPeacetime",
            }[k],
        )
        for a, k in modes
    ]
    assert flood["episode"]["duration_h"] == round((end - start).total_seconds() / 3600, 2)
    assert [r["occurred_at"] for r in flood["late_reports"]] == ["2022-07-12T09:00:00+08:00"]
    switch = next(
        b for b in bodies if b["kind"] == "mode.switched_to_wartime" and b["scope"] == "street:BT-BS"
    )
    where: dict[str, str] = {}  # cadre -> grid, from the messages before the switch
    team = {
        b["cadre_id"] for b in bodies if b["kind"] == "cadre.registered" and b.get("role", "cadre") != "cadre"
    }
    for b in bodies[: bodies.index(switch)]:
        if (
            b["kind"] == "cadre.dispatched" and b["cadre_id"] not in team
        ):  # a checkpoint team's others: no cadres
            where[b["cadre_id"]] = b["grid_id"]
        elif b["kind"] == "cadre.recalled":
            where.pop(b["cadre_id"], None)
    reviews = [d["review"] for d in flood["decisions"]]
    assert [r["decision"] for r in reviews] == ["switch to wartime", "stand-down"]
    assert reviews[0]["cadres_dispatched"] == sum(g.startswith("BT-BS-") for g in where.values())
    assert reviews[1]["open_hazards"] == []  # every one resolved by the stand-down
    grid_of = {b["problem_id"]: b["grid_id"] for b in bodies if b["kind"] == "problem.reported"}
    steps = [
        b
        for b in bodies
        if b["kind"].startswith("problem.") and grid_of[b["problem_id"]].startswith("BT-BS-")
    ]
    met = {b["problem_id"] for b in steps if start <= t(b["occurred_at"]) < end}
    acked = {}  # (problem, office) -> hours from its escalation to the office's first acknowledgement
    for b in steps:
        if b["problem_id"] in met and b["kind"] == "problem.escalated":
            ack = next(
                a
                for a in steps
                if a["kind"] == "problem.acknowledged"
                and (a["problem_id"], a["office"]) == (b["problem_id"], b["office"])
                and t(a["occurred_at"]) >= t(b["occurred_at"])
            )
            acked[(b["problem_id"], b["office"])] = (
                t(ack["occurred_at"]) - t(b["occurred_at"])
            ).total_seconds() / 3600
    assert met and {p["problem"] for p in flood["problems"]["list"]} == met
    shown = {
        (p["problem"], s["office"]): s["acknowledge_h"]
        for p in flood["problems"]["list"]
        for s in p["stages"]
        if s["via"] == "escalated"
    }
    assert shown == pytest.approx({k: round(v, 2) for k, v in acked.items()})
    logs = {log["person"]: {a["occurred_at"] for a in log["activities"]} for log in flood["activity"]}
    done = [b for b in bodies if b["kind"] == "hazard.task_done" and b["grid_id"].startswith("BT-BS-")]
    done = [b for b in done if start <= t(b["occurred_at"]) < end]
    assert done and all(b["occurred_at"] in logs[b["actor"].upper()] for b in done)  # ICS-214: by the cadre
    e_start, e_end = window(bodies, "district:BT")
    coverage = expected_coverage(bodies, e_start, e_end)
    assert coverage and len(epidemic["staffing"]["checkpoints"]) == len(coverage)
    for row in epidemic["staffing"]["checkpoints"]:
        first, share = coverage[row["checkpoint"]]
        assert row["minutes_to_first_staffing"] == pytest.approx(first, abs=0.01)
        assert row["coverage"] == pytest.approx(share, abs=1e-4), row["checkpoint"]

    md = render_md.render(flood, TZ)
    assert md.startswith(f"# After-action report 复盘报告: {FLOOD}") and "## Improvement items 改进事项" in md
    facts = Facts()
    facts.feed(render_html.render(flood, TZ))
    assert facts.svgs == 3
    assert int(facts.ids["hazards-reported"]) == hz["reported"]
    assert float(facts.ids["resolve-p90-h"]) == pytest.approx(
        numpy.percentile(hz["to_resolve"], 90), abs=0.01
    )
    assert "未解决隐患" in "".join(facts.text)


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
async def test_the_html_report_opens_in_chromium_with_its_plots_and_chinese_text(
    nats_server, store: Settings, tmp_path: Path, chromium_path: str
) -> None:
    from playwright.async_api import async_playwright

    docs, bodies = await reports(nats_server, store)
    page_file = tmp_path / "aar.html"
    page_file.write_text(render_html.render(docs[FLOOD], TZ), encoding="utf-8")
    start, end = window(bodies, "street:BT-BS")
    hz = expected_hazards(bodies, "BT-BS-", start, end)

    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_path, headless=True)
        page = await browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        await page.goto(page_file.as_uri())
        plots = await page.locator("figure svg").count()
        reported = await page.locator("#hazards-reported").inner_text()
        titles = await page.evaluate(
            "[...document.querySelectorAll('figure svg text')].map(t => [t.textContent, t.getBBox().width])"
        )
        body = await page.locator("body").inner_text()
        sizes = await page.evaluate(
            "[...document.querySelectorAll('figure svg')].map(s => s.getBoundingClientRect().height)"
        )
        Path("test-artifacts").mkdir(exist_ok=True)
        await page.screenshot(path="test-artifacts/aar.png", full_page=True)
        await browser.close()

    assert errors == []
    assert plots == 3 and all(h > 50 for h in sizes)
    assert int(reported) == hz["reported"]
    assert "复盘报告" in body and any("未解决隐患" in x and w > 0 for x, w in titles)
