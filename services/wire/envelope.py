"""The fields every message shares (the envelope) and the field types of the wire contract."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pingzhan.domain import commands as c
from pingzhan.domain.org import HOUSEHOLD_ID_PATTERN
from pingzhan.services.wire.routing import routing_key
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_serializer

Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-:.]+$")]
MESSAGE_ID_LENGTH, MESSAGE_ID_CHARS = 128, r"^[A-Za-z0-9_\-:]+$"  # it names the outcome subject: no dots
MessageId = Annotated[str, Field(min_length=1, max_length=MESSAGE_ID_LENGTH, pattern=MESSAGE_ID_CHARS)]
Text = Annotated[str, Field(min_length=1, max_length=500)]
Scope = Annotated[str, Field(pattern=r"^(district|street|community|grid):[A-Za-z0-9_\-]+$")]
HazardKind = Literal["waterlogging", "blocked_channel", "landslide", "road_damage", "building", "other"]
Severity = Literal["low", "medium", "high", "critical"]
HouseholdId = Annotated[str, Field(min_length=1, max_length=80, pattern=HOUSEHOLD_ID_PATTERN)]


def is_message_id(text: object) -> bool:
    """Whether ``text`` is a valid message id (the same rule as ``MessageId``)."""
    return (
        isinstance(text, str)
        and 0 < len(text) <= MESSAGE_ID_LENGTH
        and bool(re.match(MESSAGE_ID_CHARS, text))
    )


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: MessageId
    occurred_at: AwareDatetime
    actor: Ident

    @field_serializer("occurred_at")
    def _iso(self, value: datetime) -> str:
        return value.isoformat()

    def routing_key(self) -> str:
        return routing_key(self.__dict__)

    def command(self) -> c.Command:
        raise NotImplementedError
