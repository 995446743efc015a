"""Level-I proposals that lapse or are superseded: the roster stops showing them as pending at
their expiry, and the audit trail keeps what became of each one."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pytest
from pingzhan.domain import commands as c
from pingzhan.domain.scope_mode import ScopeMode
from pingzhan.projections.audit import AuditTrail
from pingzhan.projections.roster import Roster
from pingzhan.projections.roster_view import roster_view

if TYPE_CHECKING:
    from tests.unit.conftest import Domain


@pytest.fixture(autouse=True)
def operators(domain: Domain) -> None:
    """The operators these tests switch as, registered as `pingzhan token add` registers them."""
    domain.operators("op", "op-a", "op-b", "op-c")


STREET = "street:BT-QG"
PROPOSED_AT = "2022-07-15T21:00:00+08:00"  # expires at 21:30


def propose(domain: Domain, message_id: str = "p1", at: str = PROPOSED_AT) -> None:
    domain.when(c.SwitchToWartime(STREET, "I", "epidemic"), actor="op-a", at=at, message_id=message_id)


def pending_at(domain: Domain, now: str) -> list[str]:
    doc = roster_view(domain.org, Roster().fold(domain.events).rows, now=datetime.fromisoformat(now))
    return [p["proposal"] for p in doc["pending_proposals"]]


def test_a_proposal_shows_as_pending_until_its_expiry_and_not_after(domain: Domain) -> None:
    propose(domain)

    assert pending_at(domain, "2022-07-15T21:30:00+08:00") == ["p1"]
    assert pending_at(domain, "2022-07-15T21:30:01+08:00") == []
    assert pending_at(domain, "2022-07-15T13:31:00+00:00") == []  # the same instant as 21:31 in Yan'an


def test_a_new_proposal_on_the_same_scope_records_that_the_first_was_superseded(domain: Domain) -> None:
    propose(domain, "p1")

    events = domain.when(
        c.SwitchToWartime(STREET, "I", "worse"), actor="op-c", at="2022-07-15T21:10:00+08:00", message_id="p2"
    )

    domain.then(
        events,
        (ScopeMode.ProposalSuperseded, {"proposal_id": "p1", "proposed": "level I", "message_id": "p2"}),
        (ScopeMode.SwitchProposed, {"message_id": "p2"}),
    )


def test_a_stand_down_supersedes_a_pending_escalation(domain: Domain) -> None:
    domain.when(c.SwitchToWartime(STREET, "II", "rain"), at="2022-07-15T20:00:00+08:00")
    domain.when(c.ChangeLevel(STREET, "I", "worse"), actor="op-a", at=PROPOSED_AT, message_id="p1")

    events = domain.when(c.SwitchToPeacetime(STREET, "over"), at="2022-07-15T21:05:00+08:00")

    domain.then(events, (ScopeMode.ProposalSuperseded, {"proposal_id": "p1"}), ScopeMode.SwitchedToPeacetime)


def test_a_proposal_that_lapsed_is_not_superseded_by_a_later_one(domain: Domain) -> None:
    propose(domain, "p1")

    events = domain.when(
        c.SwitchToWartime(STREET, "I", "again"), actor="op-a", at="2022-07-15T22:00:00+08:00", message_id="p2"
    )

    domain.then(events, ScopeMode.SwitchProposed)


def test_the_audit_trail_keeps_what_became_of_each_proposal(domain: Domain) -> None:
    propose(domain, "p1")  # lapses
    propose(domain, "p2", at="2022-07-15T22:00:00+08:00")
    domain.when(
        c.SwitchToWartime(STREET, "I", "x"), actor="op-c", at="2022-07-15T22:05:00+08:00", message_id="p3"
    )  # supersedes p2
    domain.when(c.ConfirmSwitch(STREET, "p3"), actor="op-b", at="2022-07-15T22:10:00+08:00")

    proposals = AuditTrail(domain.org).fold(domain.events).rows["audit_proposal"]

    assert {k[0]: v[2] for k, v in proposals.items()} == {"p1": None, "p2": "superseded", "p3": "confirmed"}


def test_the_audit_trail_says_a_proposal_was_superseded(domain: Domain) -> None:
    propose(domain, "p1")
    domain.when(
        c.SwitchToWartime(STREET, "I", "worse"), actor="op-c", at="2022-07-15T21:10:00+08:00", message_id="p2"
    )

    rows = AuditTrail(domain.org).fold(domain.events).appended["audit"]

    assert f"{STREET} proposal p1 (level I) superseded" in [r[7] for r in rows]
