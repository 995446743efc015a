"""The fields every message shares (the envelope) and the field types of the wire contract.

The contract is strict: JSON types are taken as they are (``"3"`` is not an integer, ``1`` is not
a boolean), ``occurred_at`` is an ISO 8601 string with an offset, and ``actor`` is recorded and
compared in its canonical form, lowercase (ids are ASCII), so ``OP-LI`` and ``op-li`` are one person.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pingzhan.domain import commands as c
from pingzhan.domain.org import HOUSEHOLD_ID_PATTERN
from pingzhan.services.wire.routing import routing_key
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_serializer,
)

IDENT_CHARS = r"^[A-Za-z0-9_\-:.]+$"
Ident = Annotated[str, Field(min_length=1, max_length=64, pattern=IDENT_CHARS)]
Actor = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=IDENT_CHARS, to_lower=True)]
MESSAGE_ID_LENGTH, MESSAGE_ID_CHARS = 128, r"^[A-Za-z0-9_\-:]+$"  # it names the outcome subject: no dots
MessageId = Annotated[str, Field(min_length=1, max_length=MESSAGE_ID_LENGTH, pattern=MESSAGE_ID_CHARS)]
Text = Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S")]  # not only white space
Scope = Annotated[str, Field(pattern=r"^(district|street|community|grid):[A-Za-z0-9_\-]+$")]
HazardKind = Literal["waterlogging", "blocked_channel", "landslide", "road_damage", "building", "other"]
Severity = Literal["low", "medium", "high", "critical"]
HouseholdId = Annotated[str, Field(min_length=1, max_length=80, pattern=HOUSEHOLD_ID_PATTERN)]

# A message without a usable id (none, or not a valid one) is recorded under this id, from its
# stream sequence; such ids are reserved: a message may not carry one itself.
SEQ_ID_PREFIX = "stream-seq-"

_ISO_8601 = re.compile(r"(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}")
YEARS = range(1970, 3000)  # field times pingzhan takes; beyond them, offsets can overflow datetime


def _iso_8601(value: object) -> object:
    """Only a date-time string: pydantic alone also takes Unix times, even as strings."""
    match = _ISO_8601.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError("must be an ISO 8601 date and time with an offset, e.g. 2022-07-15T20:25:00+08:00")
    if int(match.group(1)) not in YEARS:
        raise ValueError(f"the year must be from {YEARS.start} to {YEARS.stop - 1}")
    return value


OccurredAt = Annotated[
    AwareDatetime, Field(strict=False), BeforeValidator(_iso_8601)
]  # strict: the string only


def is_message_id(text: object) -> bool:
    """Whether ``text`` is a valid message id (the same rule as ``MessageId``)."""
    return (
        isinstance(text, str)
        and 0 < len(text) <= MESSAGE_ID_LENGTH
        and bool(re.match(MESSAGE_ID_CHARS, text))
    )


def seq_id(seq: int) -> str:
    """The id a message without a usable id of its own is recorded under."""
    return f"{SEQ_ID_PREFIX}{seq}"


def is_usable_id(text: object) -> bool:
    """A valid message id that is not one of the reserved ``stream-seq-N``."""
    return is_message_id(text) and not str(text).startswith(SEQ_ID_PREFIX)


class Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    id: MessageId
    occurred_at: OccurredAt
    actor: Actor

    @field_serializer("occurred_at")
    def _iso(self, value: datetime) -> str:
        return value.isoformat()

    def routing_key(self) -> str:
        return routing_key(self.__dict__)

    def command(self) -> c.Command:
        raise NotImplementedError
