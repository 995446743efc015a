"""What the reports are computed from: a period (month, quarter or year of the district's
calendar) and the assessment facts of it, as loaded from the read model's tables."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # inclusive

    @property
    def share_of_year(self) -> float:
        days_in_year = 366 if calendar.isleap(self.start.year) else 365
        return ((self.end - self.start).days + 1) / days_in_year

    def wednesdays(self) -> list[date]:
        """The fixed service days (每周三固定服务日) of the period."""
        first = self.start + timedelta(days=(2 - self.start.weekday()) % 7)
        return [
            first + timedelta(weeks=k) for k in range(((self.end - first).days // 7) + 1) if first <= self.end
        ]


def period(label: str) -> Period:
    """``2022``, ``2022-Q3`` or ``2022-07``; ValueError with the reason otherwise."""
    try:
        if len(label) == 4:
            y = int(label)
            return Period(label, date(y, 1, 1), date(y, 12, 31))
        year, _, part = label.partition("-")
        y = int(year)
        if part.upper().startswith("Q") and part[1:] in ("1", "2", "3", "4"):
            q = int(part[1:])
            start = date(y, 3 * q - 2, 1)
            end_month = 3 * q
            return Period(label, start, date(y, end_month, calendar.monthrange(y, end_month)[1]))
        m = int(part)
        return Period(label, date(y, m, 1), date(y, m, calendar.monthrange(y, m)[1]))
    except ValueError:
        raise ValueError(f"period {label!r} is not YYYY, YYYY-Qn or YYYY-MM") from None


@dataclass
class Facts:
    """The assessment facts of one period (days are the district's dates, ISO strings)."""

    cadres: dict[str, tuple[str, str, str | None]]  # cadre -> name, unit, grid
    service: list[tuple[str, str, str]] = field(default_factory=list)  # cadre, day, grid
    visits: list[tuple[str, str, str, str]] = field(default_factory=list)  # cadre, day, household, info
    verifications: list[tuple[str, str, str, str]] = field(
        default_factory=list
    )  # collected_by, day, hh, result
    ratings: list[tuple[str, str, str]] = field(default_factory=list)  # cadre, day, score
    inspections: list[tuple[str, str, str, str, str]] = field(
        default_factory=list
    )  # cadre, day, grid, group, finding
    work: list[tuple[str, str, str, str]] = field(default_factory=list)  # cadre, day, what, amount
    shifts: list[tuple[str, str, str]] = field(default_factory=list)  # cadre, day, checkpoint (starts)
    tasks: list[tuple[str, str, str, str | None]] = field(
        default_factory=list
    )  # cadre, day assigned, task, day done (None: open)
    episodes: list[tuple[str, str, str | None]] = field(
        default_factory=list
    )  # real episodes: scope, start, end
