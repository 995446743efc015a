"""Episode membership goes by field time, and the episode list by start instant."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from pingzhan.domain import commands as c
from pingzhan.projections.audit import AuditTrail, episode_list
from pingzhan.projections.episodes import EpisodeSpans

if TYPE_CHECKING:
    from tests.unit.conftest import Domain


@pytest.fixture(autouse=True)
def operators(domain: Domain) -> None:
    """The operators these tests switch as, registered as `pingzhan token add` registers them."""
    domain.operators("op")


STREET = "street:BT-QG"
GRID = "BT-QG-01-01"
EPISODE = f"{STREET}#1"


def members(domain: Domain) -> dict[str, list[str]]:
    """Per episode, the message ids of its audit rows."""
    model = AuditTrail(domain.org).fold(domain.events)
    ids = {r[0]: r[3] for r in model.appended["audit"]}
    out: dict[str, list[str]] = {}
    for episode, position in model.appended["audit_episode"]:
        out.setdefault(episode, []).append(ids[position])
    return out


def test_a_late_report_that_happened_during_an_episode_belongs_to_it(domain: Domain) -> None:
    domain.when(c.SwitchToWartime(STREET, "II", "rain"), at="2022-07-15T20:00:00+08:00", message_id="on")
    domain.when(c.SwitchToPeacetime(STREET, "over"), at="2022-07-16T06:00:00+08:00", message_id="off")

    domain.when(  # a phone that was offline all night reports after the stand-down
        c.ReportHazard("H1", GRID, "waterlogging", "路口", "high"),
        at="2022-07-15T23:00:00+08:00",
        message_id="late",
    )

    assert members(domain) == {EPISODE: ["on", "off", "late"]}


def test_a_report_from_before_the_episode_recorded_during_it_does_not_belong_to_it(domain: Domain) -> None:
    domain.when(c.SwitchToWartime(STREET, "II", "rain"), at="2022-07-15T20:00:00+08:00", message_id="on")

    domain.when(
        c.ReportHazard("H1", GRID, "waterlogging", "路口", "high"),
        at="2022-07-15T19:00:00+08:00",
        message_id="before",
    )

    assert members(domain) == {EPISODE: ["on"]}


def test_a_report_after_the_stand_down_belongs_to_no_episode(domain: Domain) -> None:
    domain.when(c.SwitchToWartime(STREET, "II", "rain"), at="2022-07-15T20:00:00+08:00", message_id="on")
    domain.when(c.SwitchToPeacetime(STREET, "over"), at="2022-07-16T06:00:00+08:00", message_id="off")

    domain.when(
        c.ReportHazard("H1", GRID, "waterlogging", "路口", "high"),
        at="2022-07-16T06:00:00+08:00",
        message_id="after",
    )

    assert members(domain) == {EPISODE: ["on", "off"]}


def test_a_late_report_belongs_to_the_episode_of_a_scope_above_it_by_field_time(domain: Domain) -> None:
    domain.when(
        c.SwitchToWartime("district:BT", "III", "flood"), at="2022-07-15T20:00:00+08:00", message_id="d"
    )
    domain.when(c.SwitchToPeacetime("district:BT", "over"), at="2022-07-16T06:00:00+08:00", message_id="e")
    domain.when(c.SwitchToWartime(STREET, "II", "again"), at="2022-07-20T20:00:00+08:00", message_id="s")

    domain.when(  # recorded while the street's episode is open, but it happened in the district's
        c.ReportHazard("H1", GRID, "waterlogging", "路口", "high"),
        at="2022-07-15T12:30:00+00:00",
        message_id="late",
    )

    assert members(domain) == {"district:BT#1": ["d", "e", "late"], EPISODE: ["s"]}


def episode_row(scope: str, started_at: str) -> tuple[Any, ...]:
    return (scope, "II", "x", started_at, "op", None, None, None, None, None, None)


def test_episodes_are_listed_by_start_instant_then_scope_not_by_string() -> None:
    rows = {
        ("street:BT-QG#1",): episode_row("street:BT-QG", "2022-07-15T13:00:00+00:00"),  # 21:00 in Yan'an
        ("street:BT-BS#1",): episode_row("street:BT-BS", "2022-07-15T20:00:00+08:00"),  # 12:00 UTC
        ("street:BT-NS#1",): episode_row("street:BT-NS", "2022-07-15T12:00:00+00:00"),  # the same instant
    }

    listed = [e["episode"] for e in episode_list(rows)]

    assert listed == ["street:BT-BS#1", "street:BT-NS#1", "street:BT-QG#1"]


def test_ending_an_episode_changes_its_own_span_only(domain: Domain) -> None:
    """A scope's spans are looked through from the latest when one ends: ending one that is not
    the latest (which the domain does not do today) ends that one, and the others stay as they were."""
    spans = EpisodeSpans(domain.org)
    for n, day in enumerate(("10", "12", "14"), 1):
        spans.add(STREET, f"{STREET}#{n}", f"2022-07-{day}T08:00:00+08:00")
    spans.end(STREET, f"{STREET}#2", "2022-07-13T08:00:00+08:00")
    spans.end(STREET, f"{STREET}#1", "2022-07-11T08:00:00+08:00")

    def at(day: str) -> list[str]:
        return spans.of(f"grid:{GRID}", f"2022-07-{day}T09:00:00+08:00")

    assert (at("10"), at("11"), at("12"), at("13"), at("15")) == (
        [f"{STREET}#1"],
        [],
        [f"{STREET}#2"],
        [],
        [f"{STREET}#3"],
    )
