"""Wire contract v1: the inbound messages, validated by pydantic, each turned into a domain command.

Every message is a JSON object: the envelope (``id``, ``kind``, ``occurred_at``, ``actor``) and
the kind's own fields. ``MESSAGE`` validates a body; ``KINDS`` lists every kind; ``subject_of``
says on which subject a message travels (see ``routing``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import orjson
from pingzhan.services.wire.emergency import (
    CadreDispatched,
    CadreRecalled,
    CadreRegistered,
    CheckpointClosed,
    CheckpointEstablished,
    CheckpointRelieved,
    CheckpointStaffed,
    HazardReported,
    HazardResolved,
    ModeLevelChanged,
    ModeSwitchConfirmed,
    ModeSwitchedToPeacetime,
    ModeSwitchedToWartime,
    ModeSwitchVoided,
)
from pingzhan.services.wire.envelope import Envelope
from pingzhan.services.wire.peacetime import (
    HazardTaskAssigned,
    HazardTaskDone,
    HouseholdVisited,
    InformationVerified,
    InspectionMade,
    OpinionCollected,
    ProblemAcknowledged,
    ProblemEscalated,
    ProblemForwarded,
    ProblemReopened,
    ProblemReported,
    ProblemReportedBack,
    ProblemResolved,
    RegistrationRecorded,
    SatisfactionRated,
    ServiceCheckedIn,
    ServiceCheckedOut,
    VolunteerServed,
)
from pingzhan.services.wire.routing import SHARDS, routing_key, shard_of, subject_for, subject_of
from pydantic import Field, TypeAdapter

Message = Annotated[
    CadreRegistered
    | CadreDispatched
    | CadreRecalled
    | CheckpointEstablished
    | CheckpointStaffed
    | CheckpointRelieved
    | CheckpointClosed
    | HazardReported
    | HazardResolved
    | ModeSwitchedToWartime
    | ModeLevelChanged
    | ModeSwitchConfirmed
    | ModeSwitchedToPeacetime
    | ModeSwitchVoided
    | ServiceCheckedIn
    | ServiceCheckedOut
    | HouseholdVisited
    | InformationVerified
    | OpinionCollected
    | VolunteerServed
    | SatisfactionRated
    | InspectionMade
    | RegistrationRecorded
    | ProblemReported
    | ProblemEscalated
    | ProblemAcknowledged
    | ProblemForwarded
    | ProblemReportedBack
    | ProblemReopened
    | ProblemResolved
    | HazardTaskAssigned
    | HazardTaskDone,
    Field(discriminator="kind"),
]
MESSAGE = TypeAdapter(Message)


def message_of(fields: Mapping[str, Any]) -> Envelope:
    """A message built in Python, validated as the same JSON the wire would carry (the contract is
    strict about JSON types, which Python values are not)."""
    return MESSAGE.validate_json(orjson.dumps(fields))  # type: ignore[no-any-return]


MESSAGE_MODELS: dict[str, type[Envelope]] = {
    m.model_fields["kind"].annotation.__args__[0]: m  # type: ignore[union-attr]
    for m in Envelope.__subclasses__()
}
KINDS = tuple(MESSAGE_MODELS)  # every inbound kind

__all__ = [
    "KINDS",
    "MESSAGE",
    "MESSAGE_MODELS",
    "SHARDS",
    "Envelope",
    "Level",
    "Message",
    "message_of",
    "routing_key",
    "shard_of",
    "subject_for",
    "subject_of",
]
