"""Who did something, when it happened in the field, and which message said so."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo


@dataclass(frozen=True, slots=True)
class Stamp:
    message_id: str
    actor: str
    occurred_at: str  # ISO 8601 with offset, as the message said
    district_tz: tzinfo | None = None  # the district's time zone, given by the ingest

    @property
    def day(self) -> str:
        """The district's date of this moment (the service day); the date the message gives when
        the ingest gave no time zone (its offset is then taken to be the district's). Worked out
        only when asked: few commands need it."""
        if self.district_tz is None:
            return self.occurred_at[:10]
        return datetime.fromisoformat(self.occurred_at).astimezone(self.district_tz).date().isoformat()

    def fields(self) -> dict[str, str]:
        return {"message_id": self.message_id, "actor": self.actor, "occurred_at": self.occurred_at}


@dataclass(frozen=True)
class Stamped:
    """Fields every pingzhan event carries (mixed into the events, which are frozen dataclasses)."""

    message_id: str
    actor: str
    occurred_at: str
