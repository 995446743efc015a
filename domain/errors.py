"""Domain errors: every rejection a message can get from the domain, with a reason people read."""

from __future__ import annotations


class DomainError(Exception):
    """A command broke an invariant; the message says which and why."""

    code = "invariant"


class UnknownScopeError(DomainError):
    code = "unknown_scope"


class UnknownCadreError(DomainError):
    code = "unknown_cadre"


class CadreAlreadyRegisteredError(DomainError):
    code = "cadre_already_registered"


class CadreNotDispatchedError(DomainError):
    code = "cadre_not_dispatched"


class CadreAlreadyDispatchedError(DomainError):
    code = "cadre_already_dispatched"


class CadreOnDutyError(DomainError):
    code = "cadre_on_duty"


class UnknownCheckpointError(DomainError):
    code = "unknown_checkpoint"


class CheckpointExistsError(DomainError):
    code = "checkpoint_exists"


class CheckpointClosedError(DomainError):
    code = "checkpoint_closed"


class NotOnDutyError(DomainError):
    code = "not_on_duty"


class UnknownHazardError(DomainError):
    code = "unknown_hazard"


class HazardExistsError(DomainError):
    code = "hazard_exists"


class HazardResolvedError(DomainError):
    code = "hazard_resolved"


class UnknownOpinionError(DomainError):
    code = "unknown_opinion"


class OpinionExistsError(DomainError):
    code = "opinion_exists"


class ModeError(DomainError):
    code = "mode"


class LevelError(DomainError):
    code = "level"


class ConfirmationError(DomainError):
    code = "confirmation"


class TimeOrderError(DomainError):
    """A mode command dated before the scope's current state began, or a confirmation before its
    proposal: within a scope, time moves forward."""

    code = "time_order"


class ServiceDayError(DomainError):
    code = "service_day"


class UnknownHouseholdError(DomainError):
    code = "unknown_household"


class InformationError(DomainError):
    code = "information"


class ProblemError(DomainError):
    code = "problem"


class TaskError(DomainError):
    code = "task"


class OrganisationError(DomainError):
    code = "organisation"


class AccountError(DomainError):
    """An account cannot be added or revoked as asked (its name, role, or current state)."""

    code = "account"


class NotAuthorisedError(DomainError):
    """The message's actor may not do this: mode messages come only from registered operators."""

    code = "not_authorised"
