"""`duty --at`: checkpoint shifts and flood-duty tasks alike, by field time. From commands to rows,
with no database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pingzhan.domain import commands as c

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

GRID = "BT-QG-01-01"


def at(hour: int, day: int = 15) -> str:
    return f"2022-07-{day:02d}T{hour:02d}:00:00+08:00"


def setup(domain: Domain) -> None:
    domain.operators("op")
    domain.given(
        c.RegisterCadre("A", "甲", "FY"),
        c.DispatchCadre("A", GRID),
        c.RegisterCadre("B", "乙", "FY"),
        c.DispatchCadre("B", GRID),
        c.EstablishCheckpoint("CP-1", GRID, "一建巷排洪渠值守点"),
    )
    domain.when(c.StaffCheckpoint("CP-1", "A"), at=at(20))
    domain.when(c.RelieveCheckpoint("CP-1", "A"), at=at(7, 16))
    domain.when(c.ReportHazard("HZ-1", GRID, "blocked_channel", "一建巷", "high"), at=at(20))
    domain.when(c.AssignHazardTask("HZ-1", "T1", "patrol", "B"), at=at(21))
    domain.when(c.AssignHazardTask("HZ-1", "T2", "warning", "A"), at=at(21))
    domain.when(c.FinishHazardTask("HZ-1", "T2"), at=at(22))


def test_flood_tasks_assigned_and_not_done_are_on_duty_beside_checkpoints(domain: Domain) -> None:
    setup(domain)

    assert domain.duty_at(at(23)) == [
        ("checkpoint", "CP-1", "A"),
        ("flood task: patrol", "HZ-1/T1", "B"),
    ]
    assert domain.duty_at(at(21).replace(":00:00", ":30:00")) == [
        ("checkpoint", "CP-1", "A"),
        ("flood task: patrol", "HZ-1/T1", "B"),
        ("flood task: warning", "HZ-1/T2", "A"),
    ]


def test_a_task_is_off_duty_before_its_assignment_and_from_the_moment_it_is_done(domain: Domain) -> None:
    setup(domain)
    domain.when(c.FinishHazardTask("HZ-1", "T1"), at=at(6, 16))

    assert domain.duty_at(at(20)) == [("checkpoint", "CP-1", "A")]
    assert domain.duty_at(at(22)) == [("checkpoint", "CP-1", "A"), ("flood task: patrol", "HZ-1/T1", "B")]
    assert domain.duty_at(at(6, 16)) == [("checkpoint", "CP-1", "A")]
    assert domain.duty_at(at(8, 16)) == []
    assert domain.duty_at(at(23), grid="BT-QG-01-02") == []
