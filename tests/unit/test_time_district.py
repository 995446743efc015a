"""Field time is the district's own time (Asia/Shanghai), not the sender's offset: service days,
the dates of the facts, and the dates of wartime episodes are the district's dates."""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import orjson
import pytest
from pingzhan.domain import commands as c
from pingzhan.domain.cadre import Cadre
from pingzhan.domain.stamp import Stamp
from pingzhan.projections.assessment import Assessment
from pingzhan.projections.episodes import real_episodes
from pingzhan.projections.facts import Facts, period
from pingzhan.projections.grading import cadre_assessment
from pingzhan.services.ingest.outcome import Inbound
from pingzhan.services.ingest.parse import parse
from pingzhan.services.settings import Settings
from pydantic import ValidationError

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

YANAN = ZoneInfo("Asia/Shanghai")
GRID = "BT-QG-01-01"
WEDNESDAY_0730_IN_YANAN = "2023-01-03T23:30:00+00:00"  # Tuesday in London


def check_in(at: str) -> Inbound:
    body = {"id": "m1", "kind": "service.checked_in", "occurred_at": at, "actor": "CD1"}
    return Inbound(
        1, "pingzhan.in.0.service.checked_in", orjson.dumps({**body, "cadre_id": "CD1", "grid_id": GRID})
    )


def test_the_ingest_stamps_a_message_with_the_district_date_of_its_field_time() -> None:
    parsed = parse(check_in(WEDNESDAY_0730_IN_YANAN), tz=YANAN)

    assert parsed.stamp is not None
    assert (parsed.stamp.occurred_at, parsed.stamp.day) == (WEDNESDAY_0730_IN_YANAN, "2023-01-04")


def test_a_check_in_counts_for_the_district_date_not_the_senders(domain: Domain) -> None:
    domain.given(c.RegisterCadre("CD1", "张三", "RSJ"), c.DispatchCadre("CD1", GRID))
    stamp = Stamp("m9", "CD1", WEDNESDAY_0730_IN_YANAN, YANAN)

    c.CheckIn("CD1", GRID).run(domain, domain.org, stamp)

    (event,) = [e for a in domain.aggregates.values() for e in a.collect_events()]
    assert (type(event), event.service_day, event.occurred_at) == (
        Cadre.CheckedIn,
        "2023-01-04",
        WEDNESDAY_0730_IN_YANAN,  # stored as the message said it
    )


def test_the_wednesday_check_in_sent_in_utc_keeps_the_cadres_attendance(domain: Domain) -> None:
    domain.given(c.RegisterCadre("CD1", "张三", "RSJ"), c.DispatchCadre("CD1", GRID))
    stamp = parse(check_in(WEDNESDAY_0730_IN_YANAN), tz=YANAN).stamp
    assert stamp is not None
    c.CheckIn("CD1", GRID).run(domain, domain.org, stamp)
    domain.events += [e for a in domain.aggregates.values() for e in a.collect_events()]
    model = Assessment(YANAN).fold(domain.events)
    facts = Facts(
        cadres={k[0]: v for k, v in model.rows["cadre_info"].items()},
        service=[r[1:] for r in model.appended["fact_service"]],
    )

    (row,) = cadre_assessment(facts, domain.org, period("2023-01"))

    assert (row["service_days"], row["expected_service_days"]) == (1, 4)  # Jan 4, 11, 18, 25


def test_facts_are_dated_by_the_district_date(domain: Domain) -> None:
    domain.given(c.RegisterCadre("CD1", "张三", "RSJ"), c.DispatchCadre("CD1", GRID))
    domain.when(c.VisitHousehold("CD1", f"{GRID}-H1", 3, False), at="2022-03-31T17:00:00+00:00")

    model = Assessment(YANAN).fold(domain.events)

    assert [r[2] for r in model.appended["fact_visit"]] == ["2022-04-01"]  # a visit of April, Q2


def test_wartime_episodes_are_dated_by_the_district_date() -> None:
    rows = [("street:BT-QG", "2023-01-03T23:00:00+00:00", "2023-01-04T00:00:00+00:00", None, None)]

    assert real_episodes(rows, YANAN) == [
        ("street:BT-QG", "2023-01-04T07:00:00+08:00", "2023-01-04T08:00:00+08:00")
    ]


def test_the_district_time_zone_is_a_setting_checked_at_start() -> None:
    assert Settings().district_tz == "Asia/Shanghai"
    with pytest.raises(ValidationError, match="not a known time zone"):
        Settings(district_tz="Asia/Yanan")
