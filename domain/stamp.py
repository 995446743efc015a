"""Who did something, when it happened in the field, and which message said so."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Stamp:
    message_id: str
    actor: str
    occurred_at: str  # ISO 8601 with offset, as the message said

    def fields(self) -> dict[str, str]:
        return {"message_id": self.message_id, "actor": self.actor, "occurred_at": self.occurred_at}


@dataclass(frozen=True)
class Stamped:
    """Fields every pingzhan event carries (mixed into the events, which are frozen dataclasses)."""

    message_id: str
    actor: str
    occurred_at: str
