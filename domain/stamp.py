"""Who did something, when it happened in the field, and which message said so."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Stamp:
    message_id: str
    actor: str
    occurred_at: str  # ISO 8601 with offset, as the message said
    local_date: str | None = None  # the district's date at occurred_at, worked out by the ingest

    @property
    def day(self) -> str:
        """The district's date of this moment (the service day); the date the message gives when
        the ingest did not say (its offset is then taken to be the district's)."""
        return self.local_date or self.occurred_at[:10]

    def fields(self) -> dict[str, str]:
        return {"message_id": self.message_id, "actor": self.actor, "occurred_at": self.occurred_at}


@dataclass(frozen=True)
class Stamped:
    """Fields every pingzhan event carries (mixed into the events, which are frozen dataclasses)."""

    message_id: str
    actor: str
    occurred_at: str
