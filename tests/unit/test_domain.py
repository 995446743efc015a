"""The domain, given/when/then, with no IO: commands against an in-memory workspace."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from pingzhan.domain import commands as c
from pingzhan.domain import errors
from pingzhan.domain.stamp import Stamp
from pingzhan.services.org.data import load_org

ORG = load_org()
GRID, OTHER_GRID = "BT-QG-01-01", "BT-QG-01-02"


class Workspace:
    def __init__(self) -> None:
        self.aggregates: dict[UUID, Aggregate] = {}

    def get(self, aggregate_id: UUID) -> Aggregate | None:
        return self.aggregates.get(aggregate_id)

    def add(self, aggregate: Aggregate) -> None:
        self.aggregates[aggregate.id] = aggregate


def given(*commands: Any) -> Workspace:
    ws = Workspace()
    for n, command in enumerate(commands):
        command.run(ws, ORG, Stamp(f"g{n}", "op", "2022-07-15T20:00:00+08:00"))
    for aggregate in ws.aggregates.values():
        aggregate.collect_events()
    return ws


def when(ws: Workspace, command: Any, actor: str = "op", at: str = "2022-07-15T21:00:00+08:00") -> list[Any]:
    command.run(ws, ORG, Stamp("w", actor, at))
    return [e for a in ws.aggregates.values() for e in a.collect_events()]


def names(events: list[Any]) -> list[str]:
    return [type(e).__qualname__ for e in events]


REGISTERED = c.RegisterCadre("CD1", "张三", "RSJ")
DISPATCHED = c.DispatchCadre("CD1", GRID)
CHECKPOINT = c.EstablishCheckpoint("K1", GRID, "南门卡口")


def test_a_dispatched_cadre_can_staff_a_checkpoint_in_their_grid() -> None:
    ws = given(REGISTERED, DISPATCHED, CHECKPOINT)

    events = when(ws, c.StaffCheckpoint("K1", "CD1"))

    assert sorted(names(events)) == ["Cadre.WentOnDuty", "Checkpoint.Staffed"]
    staffed = next(e for e in events if names([e]) == ["Checkpoint.Staffed"])
    assert (staffed.cadre_id, staffed.grid_id, staffed.message_id) == ("CD1", GRID, "w")


def test_staffing_with_a_cadre_of_another_grid_is_rejected_and_changes_nothing() -> None:
    ws = given(REGISTERED, c.DispatchCadre("CD1", OTHER_GRID), CHECKPOINT)

    with pytest.raises(
        errors.CadreNotDispatchedError, match=f"dispatched to grid {OTHER_GRID}, not to grid {GRID}"
    ):
        when(ws, c.StaffCheckpoint("K1", "CD1"))

    assert all(not a.pending_events for a in ws.aggregates.values())


def test_a_cadre_cannot_be_on_duty_at_two_checkpoints() -> None:
    ws = given(
        REGISTERED,
        DISPATCHED,
        CHECKPOINT,
        c.EstablishCheckpoint("K2", GRID, "北门"),
        c.StaffCheckpoint("K1", "CD1"),
    )

    with pytest.raises(errors.CadreOnDutyError, match="on duty at checkpoint K1"):
        when(ws, c.StaffCheckpoint("K2", "CD1"))


def test_relieving_ends_the_shift_and_allows_closing() -> None:
    ws = given(REGISTERED, DISPATCHED, CHECKPOINT, c.StaffCheckpoint("K1", "CD1"))

    relieved = when(ws, c.RelieveCheckpoint("K1", "CD1"))
    closed = when(ws, c.CloseCheckpoint("K1"))

    assert sorted(names(relieved)) == ["Cadre.CameOffDuty", "Checkpoint.Relieved"]
    assert names(closed) == ["Checkpoint.Closed"]


def test_a_checkpoint_with_someone_on_duty_cannot_be_closed() -> None:
    ws = given(REGISTERED, DISPATCHED, CHECKPOINT, c.StaffCheckpoint("K1", "CD1"))

    with pytest.raises(errors.CheckpointClosedError, match="still has 1 cadre"):
        when(ws, c.CloseCheckpoint("K1"))


def test_a_closed_checkpoint_cannot_be_staffed() -> None:
    ws = given(REGISTERED, DISPATCHED, CHECKPOINT, c.CloseCheckpoint("K1"))

    with pytest.raises(errors.CheckpointClosedError, match="K1 is closed"):
        when(ws, c.StaffCheckpoint("K1", "CD1"))


def test_an_unknown_grid_is_rejected() -> None:
    with pytest.raises(errors.UnknownScopeError, match="unknown grid 'NOWHERE'"):
        when(given(REGISTERED), c.DispatchCadre("CD1", "NOWHERE"))


def test_a_cadre_must_be_recalled_before_being_dispatched_again() -> None:
    ws = given(REGISTERED, DISPATCHED)

    with pytest.raises(errors.CadreAlreadyDispatchedError, match="recall first"):
        when(ws, c.DispatchCadre("CD1", OTHER_GRID))
    assert names(when(ws, c.RecallCadre("CD1"))) == ["Cadre.Recalled"]
    assert names(when(ws, c.DispatchCadre("CD1", OTHER_GRID))) == ["Cadre.DispatchedToGrid"]


def test_a_cadre_on_duty_cannot_be_recalled() -> None:
    ws = given(REGISTERED, DISPATCHED, CHECKPOINT, c.StaffCheckpoint("K1", "CD1"))

    with pytest.raises(errors.CadreOnDutyError):
        when(ws, c.RecallCadre("CD1"))


def test_registering_a_cadre_twice_is_rejected() -> None:
    with pytest.raises(errors.CadreAlreadyRegisteredError):
        when(given(REGISTERED), REGISTERED)


def test_switching_to_wartime_opens_a_numbered_episode() -> None:
    ws = given(c.SwitchToWartime("street:BT-QG", "II", "rain"), c.SwitchToPeacetime("street:BT-QG", "over"))

    events = when(ws, c.SwitchToWartime("street:BT-QG", "III", "again"))

    assert names(events) == ["ScopeMode.SwitchedToWartime"]
    assert events[0].episode == "street:BT-QG#2" and events[0].level == "III"


def test_switching_a_scope_already_in_wartime_to_wartime_is_rejected() -> None:
    ws = given(c.SwitchToWartime("street:BT-QG", "II", "rain"))

    with pytest.raises(errors.ModeError, match="already in wartime \\(level II, episode street:BT-QG#1\\)"):
        when(ws, c.SwitchToWartime("street:BT-QG", "III", "more rain"))


def test_switching_to_peacetime_in_peacetime_is_rejected() -> None:
    with pytest.raises(errors.ModeError, match="already in peacetime"):
        when(given(), c.SwitchToPeacetime("district:BT", "nothing on"))


@pytest.mark.parametrize("level", ["V", "0", "", "ii"])
def test_a_level_outside_one_to_four_is_rejected(level: str) -> None:
    with pytest.raises(errors.LevelError, match="outside I-IV"):
        when(given(), c.SwitchToWartime("district:BT", level, "x"))


def test_an_unknown_scope_is_rejected() -> None:
    with pytest.raises(errors.UnknownScopeError, match="unknown scope 'street:NOPE'"):
        when(given(), c.SwitchToWartime("street:NOPE", "II", "x"))


def test_a_hazard_is_reported_once_and_resolved_once() -> None:
    report = c.ReportHazard("H1", GRID, "blocked_channel", "一建巷", "high")
    ws = given(report)

    with pytest.raises(errors.HazardExistsError):
        when(ws, report)
    assert names(when(ws, c.ResolveHazard("H1", "channel cleared"))) == ["Hazard.Resolved"]
    with pytest.raises(errors.HazardResolvedError):
        when(ws, c.ResolveHazard("H1", "again"))


def test_a_level_one_switch_is_only_a_proposal_until_a_second_operator_confirms_it() -> None:
    ws = given()

    proposed = when(ws, c.SwitchToWartime("district:BT", "I", "epidemic"), actor="op-a")
    confirmed = when(ws, c.ConfirmSwitch("district:BT", "w"), actor="op-b", at="2022-07-15T21:10:00+08:00")

    assert names(proposed) == ["ScopeMode.Tracked", "ScopeMode.SwitchProposed"]
    assert names(confirmed) == ["ScopeMode.SwitchedToWartime"]
    assert (confirmed[0].level, confirmed[0].confirmed_by, confirmed[0].actor) == ("I", "op-b", "op-b")


def test_the_proposer_cannot_confirm_their_own_level_one_switch() -> None:
    ws = given()
    when(ws, c.SwitchToWartime("district:BT", "I", "epidemic"), actor="op-a")

    with pytest.raises(errors.ConfirmationError, match="needs a second operator"):
        when(ws, c.ConfirmSwitch("district:BT", "w"), actor="op-a")


def test_an_unconfirmed_proposal_expires() -> None:
    ws = given()
    when(ws, c.SwitchToWartime("district:BT", "I", "epidemic"), actor="op-a", at="2022-07-15T21:00:00+08:00")

    with pytest.raises(errors.ConfirmationError, match="expired at 2022-07-15T21:30:00\\+08:00"):
        when(ws, c.ConfirmSwitch("district:BT", "w"), actor="op-b", at="2022-07-15T21:31:00+08:00")


def test_a_scope_in_wartime_can_be_escalated_and_de_escalated() -> None:
    ws = given(c.SwitchToWartime("street:BT-QG", "III", "rain"))

    up = when(ws, c.ChangeLevel("street:BT-QG", "II", "worse"))
    down = when(ws, c.ChangeLevel("street:BT-QG", "IV", "easing"))

    assert [(e.previous, e.level, e.episode) for e in up + down] == [
        ("III", "II", "street:BT-QG#1"),
        ("II", "IV", "street:BT-QG#1"),
    ]


def test_escalating_to_level_one_also_needs_confirmation() -> None:
    ws = given(c.SwitchToWartime("street:BT-QG", "II", "rain"))

    proposed = when(ws, c.ChangeLevel("street:BT-QG", "I", "dam at risk"), actor="op-a")
    confirmed = when(ws, c.ConfirmSwitch("street:BT-QG", "w"), actor="op-b")

    assert names(proposed) == ["ScopeMode.SwitchProposed"]
    assert names(confirmed) == ["ScopeMode.LevelChanged"] and confirmed[0].level == "I"


def test_changing_the_level_in_peacetime_is_rejected() -> None:
    with pytest.raises(errors.ModeError, match="switch it to wartime first"):
        when(given(), c.ChangeLevel("street:BT-QG", "II", "x"))


def test_a_drill_is_an_episode_flagged_as_an_exercise() -> None:
    ws = given()

    events = when(ws, c.SwitchToWartime("community:BT-QG-01", "III", "flood drill", exercise=True))

    assert events[-1].exercise is True
    with pytest.raises(errors.ModeError, match="already in an exercise"):
        when(ws, c.SwitchToWartime("community:BT-QG-01", "II", "real flood"))
