"""A simulated year (small scale) through NATS into the store: the reports match what was sent.

The expected figures are computed here from the generated messages themselves, not with the
projection or report code.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import orjson
import pytest
from pingzhan.projections.drives import drive_progress
from pingzhan.projections.facts import period
from pingzhan.projections.grading import cadre_assessment
from pingzhan.services.org.data import load_org, read_org_file
from pingzhan.services.read import queries
from pingzhan.services.settings import Settings
from pingzhan.services.traffic.simulator import Simulator

from tests.integration.helpers import drain, on_stream, publish, running, with_operators

SEED, SCALE = 3, 0.02


@pytest.fixture
async def simulated(nats_server, store: Settings) -> Any:
    settings = with_operators(await on_stream(nats_server, store))  # as `pingzhan simulate` does
    simulator = Simulator(read_org_file(), seed=SEED, scale=SCALE)
    items = list(simulator.messages())
    await publish(nats_server.url, items)
    await drain(settings, nats_server.url)
    bodies = []
    invalid = set(simulator.plan.invalid_ids)  # the simulator's own deliberately broken messages
    for msg_id, _, body in items:
        if msg_id in invalid:
            continue
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError:
            continue
        if isinstance(doc, dict):
            bodies.append(doc)
    return settings, simulator, items, bodies


def expected_for(bodies: list[dict[str, Any]], start: str, end: str) -> dict[str, dict[str, Any]]:
    """Per cadre, straight from the messages: check-in days, visits, households, verifications
    of what the cadre collected, ratings, inspection findings, checkpoint shifts and hazard tasks
    (assigned, and of those done) within [start, end]."""
    out: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "days": set(),
            "visits": 0,
            "households": set(),
            "verified": 0,
            "correct": 0,
            "scores": [],
            "absent": 0,
            "idle": 0,
            "shifts": 0,
            "tasks": 0,
            "tasks_done": 0,
        }
    )
    assigned: dict[tuple[str, str], tuple[str, str]] = {}  # hazard task -> cadre, day assigned
    collector: dict[str, str] = {}
    for b in bodies:  # stream order: collection comes before its verification
        kind, day = b.get("kind"), str(b.get("occurred_at", ""))[:10]
        if kind == "household.visited" and b.get("info_collected"):
            collector[b["household_id"]] = b["cadre_id"]
        if kind == "hazard.task_assigned":
            assigned[(b["hazard_id"], b["task_id"])] = (b["cadre_id"], day)
            if start <= day <= end:
                out[b["cadre_id"]]["tasks"] += 1
        if kind == "hazard.task_done":  # counted in the period the task was assigned in
            cadre, assigned_on = assigned[(b["hazard_id"], b["task_id"])]
            if start <= assigned_on <= end:
                out[cadre]["tasks_done"] += 1
        if not start <= day <= end:
            continue
        if kind == "service.checked_in":
            out[b["cadre_id"]]["days"].add(day)
        elif kind == "household.visited":
            out[b["cadre_id"]]["visits"] += 1
            out[b["cadre_id"]]["households"].add(b["household_id"])
        elif kind == "information.verified" and b["household_id"] in collector:
            who = collector[b["household_id"]]
            out[who]["verified"] += 1
            out[who]["correct"] += b["result"] == "correct"
        elif kind == "satisfaction.rated" and isinstance(b.get("score"), int) and 1 <= b["score"] <= 5:
            out[b["cadre_id"]]["scores"].append(b["score"])
        elif kind == "inspection.made" and b.get("finding") in ("absent", "idle"):
            out[b["cadre_id"]][b["finding"]] += 1
        elif kind == "checkpoint.staffed":
            out[b["cadre_id"]]["shifts"] += 1
    return out


@pytest.mark.parametrize("label", ["2022", "2022-Q2", "2022-09", "2022-02", "2022-07"])
async def test_the_cadre_reports_match_what_the_simulator_sent(simulated, label: str) -> None:
    settings, simulator, _, bodies = simulated
    p = period(label)
    expected = expected_for(bodies, p.start.isoformat(), p.end.isoformat())

    async with running(settings, project=False) as service:
        rows = cadre_assessment(queries.report_facts(service.views, p), service.org, p)

    assert len(rows) == len(simulator.plan.cadres)
    for row in rows:
        e = expected[row["cadre_id"]]
        assert row["service_days"] == len(e["days"]), row["cadre_id"]
        assert (row["visits"], row["households_visited"]) == (e["visits"], len(e["households"])), row[
            "cadre_id"
        ]
        assert (row["verified"], row["verified_correct"]) == (e["verified"], e["correct"]), row["cadre_id"]
        assert row["ratings"] == len(e["scores"]), row["cadre_id"]
        if e["scores"]:
            assert row["satisfaction_mean"] == round(sum(e["scores"]) / len(e["scores"]), 4)
        assert (row["absent"], row["idle"]) == (e["absent"], e["idle"]), row["cadre_id"]
        assert (row["shifts"], row["tasks"], row["tasks_done"]) == (e["shifts"], e["tasks"], e["tasks_done"])
    paper_only = {r["cadre_id"] for r in rows if r["paper_only"]}
    if label == "2022":
        assert set(simulator.plan.paper_only) <= paper_only


async def test_the_registration_drive_report_shows_1702_households_and_5075_persons(simulated) -> None:
    settings, _, _, bodies = simulated

    async with running(settings, project=False) as service:
        rows = drive_progress(*queries.registrations(service.views), service.org, "DRIVE-2022-01")

    sent = Counter()
    for b in bodies:
        if b.get("kind") == "registration.recorded" and b["drive_id"] == "DRIVE-2022-01":
            sent[f"compound:{b['compound_id']}"] += b["households"]
    assert {r["target"]: r["households"] for r in rows} == dict(sent)
    assert (sum(r["households"] for r in rows), sum(r["persons"] for r in rows)) == (1702, 5075)
    assert all(r["households"] == r["households_total"] and r["persons"] == r["persons_total"] for r in rows)
    assert {(r["street"], tuple(r["units"])) for r in rows} == {("BT-QG", ("RSJ",))}  # 区人社局, 桥沟街道
    assert sum(sum(r["units"].values()) for r in rows) == 20


async def test_the_vaccination_drive_report_shows_every_grid_of_nanguan_by_the_publicity_system(
    simulated,
) -> None:
    settings, _, _, bodies = simulated

    async with running(settings, project=False) as service:
        rows = drive_progress(*queries.registrations(service.views), service.org, "VAX-2022-NG")

    sent: Counter[str] = Counter()
    for b in bodies:
        if b.get("kind") == "registration.recorded" and b["drive_id"] == "VAX-2022-NG":
            sent[f"grid:{b['grid_id']}"] += b["persons"]
    grids = {f"grid:{g.id}" for g in service.org.of_kind("grid") if g.parent == "community:BT-NS-01"}
    assert {r["target"]: r["persons"] for r in rows} == dict(sent) and set(sent) == grids
    assert all(r["persons"] <= r["persons_total"] and r["community"] == "BT-NS-01" for r in rows)
    assert {u for r in rows for u in r["units"]} == {"XC"}  # 宣传系统


async def test_every_message_has_one_outcome_and_only_the_invalid_ones_are_rejected(simulated) -> None:
    settings, simulator, items, _ = simulated

    async with running(settings, project=False) as service:
        outcomes = {k: orjson.loads(v) for k, v in service.ledger.outcomes([i for i, _, _ in items]).items()}

    assert len(outcomes) == len({i for i, _, _ in items})
    rejected = {k for k, v in outcomes.items() if v["status"] == "rejected"}
    assert rejected == set(simulator.plan.invalid_ids)


async def test_drills_stay_out_of_the_real_episodes(simulated) -> None:
    settings, simulator, _, _ = simulated

    async with running(settings, project=False) as service:
        episodes = queries.episodes(service.views, load_org())
        facts = queries.report_facts(service.views, period("2022"))

    drills = [e for e in simulator.plan.episodes if e.exercise]
    assert drills and {e["scope"] for e in episodes if e["exercise"]} == {d.scope for d in drills}
    assert {scope for scope, _, _ in facts.episodes} == {
        e.scope for e in simulator.plan.episodes if not e.exercise
    }


async def test_each_episode_of_the_year_begins_with_what_set_it_off(simulated) -> None:
    settings, simulator, _, _ = simulated

    async with running(settings, project=False) as service:
        org = load_org()
        first = {
            e["episode"]: queries.audit(service.views, org, e["episode"], limit=1)[0]
            for e in queries.episodes(service.views, org)
        }

    assert len(first) == len(simulator.plan.episodes)
    for episode in simulator.plan.episodes:
        (entry,) = [v for k, v in first.items() if k.startswith(f"{episode.scope}#")]
        assert episode.trigger and f"(trigger: {episode.trigger})" in entry["summary"], entry
