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
    # The earliest moment the message can have been sent, by the service's clock (when the stream
    # took it, less the clock skew allowed for phones), Unix seconds; None when not known.
    sent_after: float | None = None

    @property
    def day(self) -> str:
        """The district's date of this moment (the service day); the date the message gives when
        the ingest gave no time zone (its offset is then taken to be the district's). Worked out
        only when asked: few commands need it."""
        if self.district_tz is None:
            return self.occurred_at[:10]
        return datetime.fromisoformat(self.occurred_at).astimezone(self.district_tz).date().isoformat()

    def sent_later_than(self, moment: str) -> bool:
        """Whether the message was certainly sent after ``moment`` (ISO 8601), whatever its own
        field time says: a message cannot be backdated past the time the service received it."""
        return self.sent_after is not None and self.sent_after > datetime.fromisoformat(moment).timestamp()

    def fields(self) -> dict[str, str]:
        return {"message_id": self.message_id, "actor": self.actor, "occurred_at": self.occurred_at}


@dataclass(frozen=True)
class Stamped:
    """Fields every pingzhan event carries (mixed into the events, which are frozen dataclasses)."""

    message_id: str
    actor: str
    occurred_at: str
