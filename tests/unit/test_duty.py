"""Cadres sent into grids and the checkpoints they staff, given/when/then with no IO."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pingzhan.domain import commands as c
from pingzhan.domain import errors
from pingzhan.domain.cadre import Cadre
from pingzhan.domain.checkpoint import Checkpoint

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

GRID, OTHER_GRID = "BT-QG-01-01", "BT-QG-01-02"
REGISTERED = c.RegisterCadre("CD1", "张三", "RSJ")
DISPATCHED = c.DispatchCadre("CD1", GRID)
CHECKPOINT = c.EstablishCheckpoint("K1", GRID, "南门卡口")
ON_DUTY = (REGISTERED, DISPATCHED, CHECKPOINT, c.StaffCheckpoint("K1", "CD1"))


def test_a_registered_cadre_can_be_dispatched_to_a_grid(domain: Domain) -> None:
    domain.given(REGISTERED)

    events = domain.when(DISPATCHED)

    domain.then(events, (Cadre.DispatchedToGrid, {"cadre_id": "CD1", "grid_id": GRID}))


def test_registering_a_cadre_twice_is_rejected(domain: Domain) -> None:
    domain.given(REGISTERED)

    error = domain.rejects(REGISTERED)

    domain.then_rejected(error, errors.CadreAlreadyRegisteredError, "cadre CD1 is already registered")


def test_an_unregistered_cadre_cannot_be_dispatched(domain: Domain) -> None:
    error = domain.rejects(DISPATCHED)

    domain.then_rejected(error, errors.UnknownCadreError, "unknown cadre 'CD1'")


def test_a_cadre_cannot_be_dispatched_to_an_unknown_grid(domain: Domain) -> None:
    domain.given(REGISTERED)

    error = domain.rejects(c.DispatchCadre("CD1", "NOWHERE"))

    domain.then_rejected(error, errors.UnknownScopeError, "unknown grid 'NOWHERE'")


def test_a_cadre_must_be_recalled_before_being_dispatched_again(domain: Domain) -> None:
    domain.given(REGISTERED, DISPATCHED)

    refused = domain.rejects(c.DispatchCadre("CD1", OTHER_GRID))
    recalled = domain.when(c.RecallCadre("CD1"))
    dispatched = domain.when(c.DispatchCadre("CD1", OTHER_GRID))

    domain.then_rejected(
        refused,
        errors.CadreAlreadyDispatchedError,
        f"cadre CD1 is already dispatched to grid {GRID}; recall first",
    )
    domain.then(recalled, (Cadre.Recalled, {"grid_id": GRID}))
    domain.then(dispatched, (Cadre.DispatchedToGrid, {"grid_id": OTHER_GRID}))


def test_a_cadre_not_dispatched_cannot_be_recalled(domain: Domain) -> None:
    domain.given(REGISTERED)

    error = domain.rejects(c.RecallCadre("CD1"))

    domain.then_rejected(error, errors.CadreNotDispatchedError, "cadre CD1 is not dispatched to any grid")


def test_a_cadre_on_duty_cannot_be_recalled(domain: Domain) -> None:
    domain.given(*ON_DUTY)

    error = domain.rejects(c.RecallCadre("CD1"))

    domain.then_rejected(error, errors.CadreOnDutyError, "cadre CD1 is on duty at checkpoint K1")


def test_a_checkpoint_is_established_once(domain: Domain) -> None:
    established = domain.when(CHECKPOINT)
    again = domain.rejects(c.EstablishCheckpoint("K1", OTHER_GRID, "北门"))

    domain.then(established, (Checkpoint.Established, {"checkpoint_id": "K1", "grid_id": GRID}))
    domain.then_rejected(again, errors.CheckpointExistsError, "checkpoint K1 already exists")


def test_a_dispatched_cadre_can_staff_a_checkpoint_in_their_grid(domain: Domain) -> None:
    domain.given(REGISTERED, DISPATCHED, CHECKPOINT)

    events = domain.when(c.StaffCheckpoint("K1", "CD1"), message_id="w")

    domain.then(
        events,
        (Checkpoint.Staffed, {"cadre_id": "CD1", "grid_id": GRID, "message_id": "w"}),
        (Cadre.WentOnDuty, {"checkpoint_id": "K1", "grid_id": GRID}),
    )


def test_staffing_with_a_cadre_of_another_grid_is_rejected(domain: Domain) -> None:
    domain.given(REGISTERED, c.DispatchCadre("CD1", OTHER_GRID), CHECKPOINT)

    error = domain.rejects(c.StaffCheckpoint("K1", "CD1"))

    domain.then_rejected(
        error,
        errors.CadreNotDispatchedError,
        f"cadre CD1 is dispatched to grid {OTHER_GRID}, not to grid {GRID}",
    )


def test_an_unknown_checkpoint_cannot_be_staffed(domain: Domain) -> None:
    domain.given(REGISTERED, DISPATCHED)

    error = domain.rejects(c.StaffCheckpoint("K9", "CD1"))

    domain.then_rejected(error, errors.UnknownCheckpointError, "unknown checkpoint 'K9'")


def test_a_cadre_cannot_be_on_duty_at_two_checkpoints(domain: Domain) -> None:
    domain.given(*ON_DUTY, c.EstablishCheckpoint("K2", GRID, "北门"))

    error = domain.rejects(c.StaffCheckpoint("K2", "CD1"))

    domain.then_rejected(error, errors.CadreOnDutyError, "cadre CD1 is on duty at checkpoint K1")


def test_relieving_ends_the_shift_and_allows_closing(domain: Domain) -> None:
    domain.given(*ON_DUTY)

    relieved = domain.when(c.RelieveCheckpoint("K1", "CD1"))
    closed = domain.when(c.CloseCheckpoint("K1"))

    domain.then(relieved, Checkpoint.Relieved, (Cadre.CameOffDuty, {"checkpoint_id": "K1"}))
    domain.then(closed, (Checkpoint.Closed, {"checkpoint_id": "K1", "grid_id": GRID}))


def test_a_cadre_not_on_duty_there_cannot_be_relieved(domain: Domain) -> None:
    domain.given(REGISTERED, DISPATCHED, CHECKPOINT)

    error = domain.rejects(c.RelieveCheckpoint("K1", "CD1"))

    domain.then_rejected(error, errors.NotOnDutyError, "cadre CD1 is not on duty at checkpoint K1")


def test_a_checkpoint_with_someone_on_duty_cannot_be_closed(domain: Domain) -> None:
    domain.given(*ON_DUTY)

    error = domain.rejects(c.CloseCheckpoint("K1"))

    domain.then_rejected(
        error,
        errors.CheckpointClosedError,
        "checkpoint K1 still has 1 cadre(s) on duty (CD1); relieve them first",
    )


def test_a_closed_checkpoint_cannot_be_staffed_or_closed_again(domain: Domain) -> None:
    domain.given(REGISTERED, DISPATCHED, CHECKPOINT, c.CloseCheckpoint("K1"))

    staffed = domain.rejects(c.StaffCheckpoint("K1", "CD1"))
    closed = domain.rejects(c.CloseCheckpoint("K1"))

    domain.then_rejected(staffed, errors.CheckpointClosedError, "checkpoint K1 is closed")
    domain.then_rejected(closed, errors.CheckpointClosedError, "checkpoint K1 is closed")
