"""How long an office has (吹哨报到): hours to acknowledge a problem sent to it, and hours to report
back once it acknowledged it. The one place a deadline of the loop is worked out.

Deadlines are the command center's setting (``PINGZHAN_OFFICE_DEADLINES``), per office with a
default for the others; they are applied when the roster or a report is read, never recorded,
so a changed setting shows at once, on the whole history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pingzhan.domain.problem import ACKNOWLEDGED, AWAITING_OFFICE

DEFAULT_OFFICE = "*"  # the key of the default in the setting


@dataclass(frozen=True)
class Deadline:
    acknowledge_h: float = 24.0  # from the moment the problem reaches the office
    report_back_h: float = 168.0  # from its acknowledgement


@dataclass(frozen=True)
class Deadlines:
    by_office: Mapping[str, Deadline] = field(default_factory=dict)
    default: Deadline = Deadline()

    def of(self, office: str | None) -> Deadline:
        """The office's deadline: by its name, or by its name without the words in brackets after
        it (``市内涝办`` for ``市内涝办 (city waterlogging office)``); else the default."""
        name = office or ""
        found = self.by_office.get(name) or self.by_office.get(name.partition(" (")[0])
        return found or self.default

    def due(self, state: str, since: str, office: str | None) -> str | None:
        """When the step the office owes on a problem in ``state`` since ``since`` falls due (an
        acknowledgement, or a report-back); None when no office owes one."""
        if state in AWAITING_OFFICE:
            hours = self.of(office).acknowledge_h
        elif state == ACKNOWLEDGED:
            hours = self.of(office).report_back_h
        else:
            return None
        return (datetime.fromisoformat(since) + timedelta(hours=hours)).isoformat()


def overdue(due: str | None, now: datetime | None) -> bool:
    return due is not None and now is not None and datetime.fromisoformat(due) < now


def hours_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 3600
