"""The year simulator: deterministic, valid on the wire, and accepted by the real domain (no IO)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import orjson
import pytest
from pingzhan.domain.errors import DomainError
from pingzhan.services.ingest.outcome import Inbound
from pingzhan.services.ingest.parse import parse
from pingzhan.services.org.data import read_org_file
from pingzhan.services.traffic.district import OPERATORS
from pingzhan.services.traffic.simulator import Plan, Simulator, simulate, summary
from pingzhan.services.wire import MESSAGE, Envelope, subject_for
from pydantic import ValidationError

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

ORG_DATA = read_org_file()
SEED, SCALE = 7, 0.02
STREET_OF_GRID = {
    g["id"]: next(c["street"] for c in ORG_DATA["communities"] if c["id"] == g["community"])
    for g in ORG_DATA["grids"]
}
COMMUNITY_OF_GRID = {g["id"]: g["community"] for g in ORG_DATA["grids"]}
COMPOUNDS = {c["id"]: (c["households"], c["residents"]) for c in ORG_DATA["compounds"]}

Message = tuple[str, str, bytes]


@cache
def year(seed: int = SEED) -> tuple[Plan, tuple[Message, ...]]:
    sim = Simulator(ORG_DATA, seed, SCALE)
    messages = tuple(sim.messages())
    return sim.plan, messages


@cache
def parsed(seed: int = SEED) -> tuple[Envelope, ...]:
    """The valid messages, in stream order."""
    plan, messages = year(seed)
    invalid = set(plan.invalid_ids)
    return tuple(MESSAGE.validate_json(body) for msg_id, _, body in messages if msg_id not in invalid)


def of_kind(kind: str) -> list[Any]:
    return [m for m in parsed() if m.kind == kind]  # type: ignore[attr-defined]


def test_the_year_is_deterministic_for_a_seed() -> None:
    again = tuple(simulate(ORG_DATA, SEED, SCALE))

    assert again == year()[1]
    assert tuple(simulate(ORG_DATA, SEED + 1, SCALE)) != again


def test_the_scope_is_the_first_cadres_with_the_seeds_teams() -> None:
    plan = year()[0]
    first = [c["id"] for c in ORG_DATA["cadres"][: round(SCALE * len(ORG_DATA["cadres"]))]]
    teams = plan.drive_cadres + plan.vaccination_cadres + plan.court_cadres
    cadre = {c["id"]: c for c in ORG_DATA["cadres"]}

    assert [c["id"] for c in plan.cadres] == [c for c in cadre if c in set(first + teams)]
    assert len(plan.drive_cadres) == 20 and {cadre[c]["unit"] for c in plan.drive_cadres} == {"RSJ"}
    assert {STREET_OF_GRID[cadre[c]["grid"]] for c in plan.drive_cadres} == {"BT-QG"}  # 下沉在桥沟街道
    assert len(plan.vaccination_cadres) == 10 and {cadre[c]["unit"] for c in plan.vaccination_cadres} == {
        "XC"
    }
    assert {COMMUNITY_OF_GRID[cadre[c]["grid"]] for c in plan.vaccination_cadres} == {"BT-NS-01"}  # 南关社区
    assert plan.court_cadres and {cadre[c]["unit"] for c in plan.court_cadres} == {"FY"}
    assert {COMMUNITY_OF_GRID[cadre[c]["grid"]] for c in plan.court_cadres} == {"BT-BS-01"}  # 王家坪社区
    assert plan.grids == list(dict.fromkeys(c["grid"] for c in plan.cadres))


def test_message_ids_are_unique() -> None:
    ids = [msg_id for msg_id, _, _ in year()[1]]

    assert len(ids) == len(set(ids))
    assert all(msg_id.startswith((f"sim-{SEED}-", "org-")) for msg_id in ids)  # set-up shares org-import ids


def test_valid_messages_validate_and_the_invalid_ones_do_not() -> None:
    plan, messages = year()
    invalid = set(plan.invalid_ids)
    flavours: Counter[str] = Counter()

    for msg_id, subject, body in messages:
        if msg_id in invalid:
            with pytest.raises(ValidationError) as e:
                MESSAGE.validate_json(body)
            flavours[e.value.errors()[0]["type"]] += 1
            continue
        message = MESSAGE.validate_json(body)
        assert message.id == msg_id
        assert subject == subject_for("pingzhan", message)
        assert orjson.loads(body)["occurred_at"].endswith("+08:00")

    assert 0.001 < len(invalid) / len(messages) < 0.004
    assert {"json_invalid", "union_tag_invalid"} <= set(flavours)
    assert set(flavours) - {"json_invalid", "union_tag_invalid"}, "no schema violations"


def test_messages_come_in_time_order_except_the_late_reports_at_the_end() -> None:
    plan, messages = year()
    late = set(plan.late_ids)
    times = [m.occurred_at for m in parsed() if m.id not in late]
    positions = [i for i, (msg_id, _, _) in enumerate(messages) if msg_id in late]
    kinds = Counter(m.kind for m in parsed() if m.id in late)  # type: ignore[attr-defined]

    assert times == sorted(times)
    assert late and positions == list(range(len(messages) - len(late), len(messages)))
    assert not late & set(plan.invalid_ids)
    assert set(kinds) <= {"household.visited", "opinion.collected", "volunteer.served", "satisfaction.rated"}
    late_visits = [m for m in parsed() if m.id in late and m.kind == "household.visited"]  # type: ignore[attr-defined]
    assert not any(m.info_collected for m in late_visits)  # type: ignore[attr-defined]


def test_the_registration_drive_adds_up_exactly_per_compound() -> None:
    plan = year()[0]
    drive = [m for m in of_kind("registration.recorded") if m.compound_id is not None]
    per_compound: dict[str, list[int]] = {}
    for m in drive:
        totals = per_compound.setdefault(m.compound_id, [0, 0])
        totals[0] += m.households
        totals[1] += m.persons

    assert {m.drive_id for m in drive} == {"DRIVE-2022-01"}
    assert {m.cadre_id for m in drive} == set(plan.drive_cadres)
    assert all(date(2022, 1, 10) <= m.occurred_at.date() <= date(2022, 1, 16) for m in drive)
    assert {k: tuple(v) for k, v in per_compound.items()} == COMPOUNDS
    assert sum(v[0] for v in per_compound.values()) == 1702
    assert sum(v[1] for v in per_compound.values()) == 5075


def test_the_vaccination_drive_covers_every_grid_of_nanguan_within_its_size() -> None:
    plan = year()[0]
    grids = {g["id"]: g for g in ORG_DATA["grids"] if g["community"] == "BT-NS-01"}
    drive = [m for m in of_kind("registration.recorded") if m.drive_id == "VAX-2022-NG"]
    per_grid: Counter[str] = Counter()
    persons: Counter[str] = Counter()
    for m in drive:
        per_grid[m.grid_id] += m.households
        persons[m.grid_id] += m.persons

    assert all(m.compound_id is None for m in drive)  # the same model, a grid as the target
    assert set(per_grid) == set(grids)
    assert {m.cadre_id for m in drive} == set(plan.vaccination_cadres)
    assert all(m.occurred_at.weekday() == 2 and 3 <= m.occurred_at.month <= 5 for m in drive)
    for grid, g in grids.items():
        assert 0.9 * g["households"] <= per_grid[grid] <= g["households"], grid
        assert 0.8 * g["residents"] <= persons[grid] <= g["residents"], grid


def _episodes() -> list[tuple[str, datetime, datetime, bool]]:
    start: dict[str, tuple[datetime, bool]] = {}
    episodes = []
    for m in parsed():
        if m.kind == "mode.switched_to_wartime":  # type: ignore[attr-defined]
            start[m.scope] = (m.occurred_at, m.exercise)  # type: ignore[attr-defined]
        elif m.kind == "mode.switched_to_peacetime":  # type: ignore[attr-defined]
            began, exercise = start.pop(m.scope)  # type: ignore[attr-defined]
            episodes.append((m.scope, began, m.occurred_at, exercise))  # type: ignore[attr-defined]
    assert not start, "every episode ends"
    return episodes


def test_the_episodes_of_the_year() -> None:
    episodes = {(scope, a.date().isoformat(), b.date().isoformat(), ex) for scope, a, b, ex in _episodes()}
    plan = year()[0]

    assert ("district:BT", "2022-01-10", "2022-02-20", False) in episodes
    assert {(f"street:{s}", "2022-07-11", "2022-07-25", False) for s in plan.flood_streets} <= episodes
    assert len(plan.flood_streets) == 2
    drills = [e for e in episodes if e[3]]
    assert len(drills) == 1 and drills[0][0].startswith("community:") and drills[0][1][:7] == "2022-10"


def test_every_switch_says_what_set_it_off() -> None:
    triggers = {m.scope: m.trigger for m in of_kind("mode.switched_to_wartime")}
    plan = year()[0]

    assert all(triggers.values()) and len(triggers) == len(plan.episodes)
    assert "通告" in triggers["district:BT"]  # the epidemic: a notice of the district's command
    assert all(
        "暴雨" in triggers[f"street:{s}"] and "预警" in triggers[f"street:{s}"] for s in plan.flood_streets
    )


def test_no_check_in_on_a_wednesday_in_wartime_for_the_cadres_street() -> None:
    real = [(scope, a, b) for scope, a, b, exercise in _episodes() if not exercise]
    check_ins = of_kind("service.checked_in")

    for m in check_ins:
        assert m.occurred_at.weekday() == 2
        street = f"street:{STREET_OF_GRID[m.grid_id]}"
        for scope, a, b in real:
            if scope == "district:BT" or scope == street:
                assert not a <= m.occurred_at <= b, (m.id, scope)
    days = {m.occurred_at.date() for m in check_ins}
    assert date(2022, 1, 5) in days and date(2022, 1, 12) not in days and date(2022, 2, 23) in days
    assert len(days) >= 44


def test_paper_only_cadres_check_in_but_never_visit() -> None:
    plan = year()[0]
    paper = set(plan.paper_only)

    assert paper
    assert paper & {m.cadre_id for m in of_kind("service.checked_in")}
    assert not paper & {m.cadre_id for m in of_kind("household.visited")}
    service_day = [m for m in of_kind("inspection.made") if m.checkpoint_id is None]
    assert {m.finding for m in service_day if m.cadre_id in paper} <= {"idle", "absent"}


def test_inspection_findings_match_the_check_ins() -> None:
    """On the service day (no checkpoint); at a checkpoint: see test_assessment_year."""
    checked_in = {(m.cadre_id, m.occurred_at.date()): m.occurred_at for m in of_kind("service.checked_in")}
    paper = set(year()[0].paper_only)
    inspections = [m for m in of_kind("inspection.made") if m.checkpoint_id is None]

    assert {m.group for m in inspections} == set(range(1, 7))
    for m in inspections:
        at = checked_in.get((m.cadre_id, m.occurred_at.date()))
        if at is None:
            assert m.finding == "absent"
        else:
            assert m.occurred_at > at
            assert m.finding == ("idle" if m.cadre_id in paper else "present")


def test_every_hazard_is_resolved_after_all_its_tasks_are_done() -> None:
    assigned: dict[str, set[str]] = {}
    done: dict[str, set[str]] = {}
    last_done: dict[str, datetime] = {}
    resolved = 0
    for m in parsed():
        if m.kind == "hazard.task_assigned":  # type: ignore[attr-defined]
            assigned.setdefault(m.hazard_id, set()).add(m.task_id)  # type: ignore[attr-defined]
        elif m.kind == "hazard.task_done":  # type: ignore[attr-defined]
            done.setdefault(m.hazard_id, set()).add(m.task_id)  # type: ignore[attr-defined]
            last_done[m.hazard_id] = m.occurred_at  # type: ignore[attr-defined]
        elif m.kind == "hazard.resolved":  # type: ignore[attr-defined]
            resolved += 1
            assert assigned[m.hazard_id] == done[m.hazard_id]  # type: ignore[attr-defined]
            assert m.occurred_at > last_done[m.hazard_id]  # type: ignore[attr-defined]

    assert resolved and resolved == len(of_kind("hazard.reported"))


def test_the_yijianxiang_story_is_told_as_the_seed_tells_it() -> None:
    """区法院的下沉社区是王家坪社区, 在与网格员例行走访巡查过程中, 发现一建巷的排洪渠堵塞 ... 和市内涝办协调."""
    plan = year()[0]
    unit = {c["id"]: c["unit"] for c in ORG_DATA["cadres"]}
    story = [
        m
        for m in parsed()
        if {"HZ-YJX-1", "PB-YJX-1"} & {getattr(m, "hazard_id", None), getattr(m, "problem_id", None)}
    ]
    kinds = [m.kind for m in story]  # type: ignore[attr-defined]
    found, raised = story[0], next(m for m in story if m.kind == "problem.reported")  # type: ignore[attr-defined]
    escalated = next(m for m in story if m.kind == "problem.escalated")  # type: ignore[attr-defined]
    hazard_resolved = story[-1]

    assert kinds[0] == "hazard.reported" and "例行走访巡查" in found.location  # type: ignore[attr-defined]
    assert unit[found.actor.upper()] == "FY" and found.actor.upper() in plan.court_cadres
    assert COMMUNITY_OF_GRID[found.grid_id] == "BT-BS-01"  # type: ignore[attr-defined]
    assert "路面出现裂缝" in raised.what and raised.hazard_id == found.hazard_id  # type: ignore[attr-defined]
    assert escalated.office == "市内涝办 (city waterlogging office)"  # type: ignore[attr-defined]
    loop = [k for k in kinds if k.startswith("problem.")]
    assert loop == [  # 吹哨报到: escalated, acknowledged, reported back, confirmed by the community
        "problem.reported",
        "problem.escalated",
        "problem.acknowledged",
        "problem.reported_back",
        "problem.resolved",
    ]
    acknowledged = next(m for m in story if m.kind == "problem.acknowledged")  # type: ignore[attr-defined]
    back = next(m for m in story if m.kind == "problem.reported_back")  # type: ignore[attr-defined]
    confirmed = next(m for m in story if m.kind == "problem.resolved")  # type: ignore[attr-defined]
    assert acknowledged.office == back.office == escalated.office  # type: ignore[attr-defined]
    assert confirmed.actor == escalated.actor == "community-bt-bs-01"  # the community confirms
    assert kinds[-1] == "hazard.resolved" and kinds[-2] == "problem.resolved"
    assert hazard_resolved.problem_id == raised.problem_id  # type: ignore[attr-defined]
    times = [m.occurred_at for m in story]
    assert times == sorted(times)
    assert set(kinds) == {
        "hazard.reported",
        "hazard.task_assigned",
        "hazard.task_done",
        "problem.reported",
        "problem.escalated",
        "problem.acknowledged",
        "problem.reported_back",
        "problem.resolved",
        "hazard.resolved",
    }


def test_every_valid_message_is_accepted_by_the_domain_in_stream_order(domain: Domain) -> None:
    domain.operators(*OPERATORS)
    rejected = []

    for m in parsed():
        try:
            domain.when(m.command(), actor=m.actor, at=m.occurred_at.isoformat(), message_id=m.id)
        except DomainError as e:
            rejected.append((m.id, m.kind, str(e)))  # type: ignore[attr-defined]

    assert rejected == []
    assert len(parsed()) > 5000


def test_summary_counts_every_kind() -> None:
    plan, messages = year()
    counts = summary(messages)

    assert counts["total"] == len(messages)
    assert counts["invalid"] == len(plan.invalid_ids) == len(plan.invalid)
    assert {k: v for k, v in counts.items() if k not in ("total", "invalid")} == plan.counts
    for kind in ("cadre.registered", "service.checked_in", "household.visited", "information.verified"):
        assert counts[kind] > 0
    # the cadres, and each checkpoint's team of community staff, property staff and a volunteer
    team = 3 * counts["checkpoint.established"]
    assert counts["cadre.registered"] == counts["cadre.dispatched"] == len(plan.cadres) + team
    assert counts["service.checked_in"] == counts["service.checked_out"]


def test_the_valid_messages_are_counted_per_kind_and_the_invalid_ones_apart_by_their_rejection() -> None:
    bad_hazard = next(
        s for s in range(1, 100) if "hazard.reported" in {k for _, k in year(s)[0].invalid.values()}
    )
    plan, messages = year(bad_hazard)  # a year with a broken hazard.reported among its invalid messages
    sent_on = Counter(subject.split(".", 3)[3] for _, subject, _ in messages)

    rejections = {}
    for seq, (msg_id, subject, body) in enumerate(messages, start=1):
        parsed = parse(Inbound(seq, subject, body))
        if parsed.rejected is not None:
            rejections[msg_id] = parsed.rejected.code

    assert "invalid" not in plan.counts and sum(plan.counts.values()) + len(plan.invalid) == len(messages)
    assert rejections == {i: code for i, (code, _) in plan.invalid.items()}
    bad_hazards = sum(1 for code, kind in plan.invalid.values() if kind == "hazard.reported")
    # sent on hazard.reported's subject, but no hazard: the valid ones, every one of them resolved, are counted
    assert (
        plan.counts["hazard.reported"]
        == plan.counts["hazard.resolved"]
        == sent_on["hazard.reported"] - bad_hazards
    )
