"""The aggregates a command works on, how commands find them, and the shape cadres' commands share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids
from pingzhan.domain.cadre import Cadre
from pingzhan.domain.checkpoint import Checkpoint
from pingzhan.domain.errors import (
    DomainError,
    ProblemError,
    UnknownCadreError,
    UnknownCheckpointError,
    UnknownHazardError,
    UnknownOpinionError,
)
from pingzhan.domain.hazard import Hazard
from pingzhan.domain.opinion import Opinion
from pingzhan.domain.org import Org
from pingzhan.domain.problem import Problem
from pingzhan.domain.stamp import Stamp

A = TypeVar("A", bound=Aggregate)


class Workspace(Protocol):
    """The aggregates a command works on; filled by whoever runs the command.

    A command adds an aggregate it creates only once nothing can reject the command any more, so a
    rejected command leaves no new aggregate and no pending event behind.
    """

    def get(self, aggregate_id: UUID) -> Aggregate | None: ...

    def add(self, aggregate: Aggregate) -> None: ...


def existing(ws: Workspace, cls: type[A], aggregate_id: UUID, error: type[DomainError], what: str) -> A:
    """The aggregate with this id, or ``error`` saying ``unknown {what}``."""
    aggregate = ws.get(aggregate_id)
    if aggregate is None:
        raise error(f"unknown {what}")
    assert isinstance(aggregate, cls)
    return aggregate


def change_or_create(
    ws: Workspace,
    cls: type[A],
    aggregate_id: UUID,
    create: Callable[[], A],
    change: Callable[[A], None],
) -> None:
    """Call ``change`` on the aggregate, or on a new one from ``create()`` when there is none yet.
    The aggregate's own rules decide; a new aggregate joins the workspace only once they accepted
    the change."""
    found = ws.get(aggregate_id)
    if found is not None:
        assert isinstance(found, cls)
        change(found)
        return
    new = create()
    change(new)
    ws.add(new)


def get_cadre(ws: Workspace, cadre_id: str) -> Cadre:
    return existing(ws, Cadre, ids.cadre(cadre_id), UnknownCadreError, f"cadre {cadre_id!r}")


def get_checkpoint(ws: Workspace, checkpoint_id: str) -> Checkpoint:
    return existing(
        ws, Checkpoint, ids.checkpoint(checkpoint_id), UnknownCheckpointError, f"checkpoint {checkpoint_id!r}"
    )


def get_hazard(ws: Workspace, hazard_id: str) -> Hazard:
    return existing(ws, Hazard, ids.hazard(hazard_id), UnknownHazardError, f"hazard {hazard_id!r}")


def get_problem(ws: Workspace, problem_id: str) -> Problem:
    return existing(ws, Problem, ids.problem(problem_id), ProblemError, f"problem {problem_id!r}")


def get_opinion(ws: Workspace, opinion_id: str) -> Opinion:
    return existing(ws, Opinion, ids.opinion(opinion_id), UnknownOpinionError, f"opinion {opinion_id!r}")


def check_new(ws: Workspace, aggregate_id: UUID, error: DomainError) -> None:
    """Raise ``error`` when the aggregate a command would create exists already."""
    if ws.get(aggregate_id) is not None:
        raise error


class CadreInGrid:
    """The shape of a command a cadre carries out in a grid: the grid must be one of the
    organisation's, the cadre is loaded and decides. Each command declares its own fields (in its
    own order) and ``carry_out``."""

    __slots__ = ()
    cadre_id: str
    grid_id: str

    def needs(self) -> tuple[UUID, ...]:
        return (ids.cadre(self.cadre_id),)

    def run(self, ws: Workspace, org: Org, stamp: Stamp) -> None:
        org.grid(self.grid_id)
        self.carry_out(get_cadre(ws, self.cadre_id), stamp)

    def carry_out(self, cadre: Cadre, stamp: Stamp) -> None:
        raise NotImplementedError
