"""The domain as a whole: every error class is reachable, and a rejection changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pingzhan.domain import commands as c
from pingzhan.domain import errors
from pingzhan.domain.accounts import AddAccount, RevokeAccount, token_hash
from pingzhan.domain.cadre import Cadre
from pingzhan.domain.organisation import ImportOrganisation

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

GRID = "BT-QG-01-01"
CADRE = c.RegisterCadre("CD1", "张三", "RSJ")
IN_GRID = (CADRE, c.DispatchCadre("CD1", GRID))
CHECKPOINT = c.EstablishCheckpoint("K1", GRID, "南门")
ON_DUTY = (*IN_GRID, CHECKPOINT, c.StaffCheckpoint("K1", "CD1"))
HAZARD = c.ReportHazard("H1", GRID, "waterlogging", "路口", "high")

# given, when (a command, or a command and its field time), the reason of the rejection
Scenario = tuple[tuple[c.Command, ...], c.Command | tuple[c.Command, str], str]

# Every error class in domain/errors.py, with a scenario that raises it.
REJECTIONS: dict[type[errors.DomainError], Scenario] = {
    errors.UnknownScopeError: (
        (),
        c.SwitchToWartime("street:NOPE", "II", "x"),
        "unknown scope 'street:NOPE'",
    ),
    errors.UnknownCadreError: ((), c.RecallCadre("CD1"), "unknown cadre 'CD1'"),
    errors.CadreAlreadyRegisteredError: ((CADRE,), CADRE, "cadre CD1 is already registered"),
    errors.CadreNotDispatchedError: (
        (CADRE,),
        c.RecallCadre("CD1"),
        "cadre CD1 is not dispatched to any grid",
    ),
    errors.CadreAlreadyDispatchedError: (
        IN_GRID,
        c.DispatchCadre("CD1", GRID),
        f"cadre CD1 is already dispatched to grid {GRID}; recall first",
    ),
    errors.CadreOnDutyError: (ON_DUTY, c.RecallCadre("CD1"), "cadre CD1 is on duty at checkpoint K1"),
    errors.UnknownCheckpointError: ((), c.CloseCheckpoint("K1"), "unknown checkpoint 'K1'"),
    errors.CheckpointExistsError: ((CHECKPOINT,), CHECKPOINT, "checkpoint K1 already exists"),
    errors.CheckpointClosedError: (
        (CHECKPOINT, c.CloseCheckpoint("K1")),
        c.CloseCheckpoint("K1"),
        "checkpoint K1 is closed",
    ),
    errors.NotOnDutyError: (
        (*IN_GRID, CHECKPOINT),
        c.RelieveCheckpoint("K1", "CD1"),
        "cadre CD1 is not on duty at checkpoint K1",
    ),
    errors.UnknownHazardError: ((), c.ResolveHazard("H1", "x"), "unknown hazard 'H1'"),
    errors.HazardExistsError: ((HAZARD,), HAZARD, "hazard H1 was already reported"),
    errors.HazardResolvedError: (
        (HAZARD, c.ResolveHazard("H1", "x")),
        c.ResolveHazard("H1", "x"),
        "hazard H1 is already resolved",
    ),
    errors.ModeError: ((), c.SwitchToPeacetime("district:BT", "x"), "district:BT is already in peacetime"),
    errors.LevelError: ((), c.SwitchToWartime("district:BT", "V", "x"), "level 'V' is outside I-IV"),
    errors.ConfirmationError: (
        (),
        c.ConfirmSwitch("district:BT", "p"),
        "district:BT has no pending proposal 'p'",
    ),
    errors.TimeOrderError: (
        (c.SwitchToWartime("district:BT", "II", "x"),),
        (c.SwitchToPeacetime("district:BT", "x"), "2022-07-15T19:00:00+08:00"),
        "the stand-down at 2022-07-15T19:00:00+08:00 is dated before district:BT's current state "
        "(episode district:BT#1 at level II) began at 2022-07-15T20:00:00+08:00",
    ),
    errors.ServiceDayError: (IN_GRID, c.CheckOut("CD1"), "cadre CD1 is not checked in"),
    errors.UnknownHouseholdError: (
        IN_GRID,
        c.VisitHousehold("CD1", f"{GRID}-H0", 1, True),
        f"unknown household '{GRID}-H0' (households are GRID-Hn)",
    ),
    errors.InformationError: (
        (),
        c.VerifyInformation(f"{GRID}-H1", "correct"),
        f"no information was collected for household {GRID}-H1",
    ),
    errors.ProblemError: ((), c.ResolveProblem("P1", "x"), "unknown problem 'P1'"),
    errors.UnknownOpinionError: (
        (),
        c.ReportProblem("P1", GRID, "w", "v", opinion_id="OP-1"),
        "unknown opinion 'OP-1'",
    ),
    errors.OpinionExistsError: (
        (*IN_GRID, c.CollectOpinion("CD1", GRID, "other", "x", "OP-1")),
        c.CollectOpinion("CD1", GRID, "other", "y", "OP-1"),
        "opinion OP-1 was already collected",
    ),
    errors.TaskError: ((HAZARD,), c.FinishHazardTask("H1", "T1"), "hazard H1 has no open task T1"),
    errors.OrganisationError: (
        (ImportOrganisation("{}", "d1", "x"),),
        ImportOrganisation("{}", "d1", "x"),
        "this organisation is already the one in use",
    ),
    errors.AccountError: (
        (),
        AddAccount("op", "field", token_hash("pz_another")),
        "op already has a token; revoke it first",
    ),
    errors.NotAuthorisedError: (
        (RevokeAccount("op"),),
        c.SwitchToWartime("district:BT", "II", "x"),
        "'op' is not a registered operator: its token was revoked at 2022-07-15T20:00:00+08:00",
    ),
}


def _error_classes() -> set[type[errors.DomainError]]:
    return {
        value
        for value in vars(errors).values()
        if isinstance(value, type)
        and issubclass(value, errors.DomainError)
        and value is not errors.DomainError
    }


def test_every_error_class_has_a_scenario_that_raises_it() -> None:
    assert set(REJECTIONS) == _error_classes()


def test_every_error_class_has_its_own_code() -> None:
    codes = [cls.code for cls in _error_classes()]

    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize(
    ("error_class", "scenario"), list(REJECTIONS.items()), ids=[cls.__name__ for cls in REJECTIONS]
)
def test_each_error_class_is_raised_with_its_code_and_reason(
    domain: Domain, error_class: type[errors.DomainError], scenario: Scenario
) -> None:
    given, when, reason = scenario
    command, at = when if isinstance(when, tuple) else (when, None)
    domain.operators("op")  # the actor of every scenario; mode commands take only operators
    domain.given(*given)

    error = domain.rejects(command, at=at)

    domain.then_rejected(error, error_class, reason)


def test_a_rejected_command_changes_nothing(domain: Domain) -> None:
    domain.given(*IN_GRID, CHECKPOINT)
    versions = {i: a.version for i, a in domain.aggregates.items()}

    domain.rejects(c.StaffCheckpoint("K1", "CD2"))  # K1 is read before CD2 is found unknown

    assert {i: a.version for i, a in domain.aggregates.items()} == versions


def test_events_carry_who_when_and_which_message(domain: Domain) -> None:
    domain.given(CADRE)

    events = domain.when(
        c.DispatchCadre("CD1", GRID), actor="op-7", at="2022-07-15T21:00:00+08:00", message_id="x1"
    )

    domain.then(
        events,
        (
            Cadre.DispatchedToGrid,
            {"actor": "op-7", "occurred_at": "2022-07-15T21:00:00+08:00", "message_id": "x1"},
        ),
    )


def test_every_command_is_part_of_the_command_type() -> None:
    classes = {value for name, value in vars(c).items() if isinstance(value, type) and name[0].isupper()}

    assert classes - {c.Workspace} == set(c.Command.__args__)
