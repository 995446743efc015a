"""Validation of one inbound message against the wire contract, never raising: a bad message
comes back with its rejection (code and reason), a good one with its domain command and stamp."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

import orjson
from pingzhan.domain.commands import Command
from pingzhan.domain.stamp import Stamp
from pingzhan.services.ingest.outcome import Inbound
from pingzhan.services.wire import MESSAGE, Envelope
from pingzhan.services.wire.envelope import is_message_id
from pydantic import ValidationError


class Rejected(Exception):
    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass(slots=True)
class Parsed:
    inbound: Inbound
    message_id: str
    message: Envelope | None = None
    rejected: Rejected | None = None
    command: Command | None = None
    stamp: Stamp | None = None


def parse(inbound: Inbound, tz: tzinfo | None = None) -> Parsed:
    """Validate one message; never raises: a bad message comes back with its rejection.
    ``tz`` is the district's time zone: the stamp carries the district's date of occurred_at."""
    try:
        message: Envelope = MESSAGE.validate_json(inbound.data)
    except ValidationError as e:
        return Parsed(inbound, _fallback_id(inbound), rejected=_rejection_of(e))
    if inbound.header_id is not None and inbound.header_id != message.id and is_message_id(inbound.header_id):
        return Parsed(
            inbound,
            inbound.header_id,
            rejected=Rejected(
                "schema", f"body id {message.id!r} differs from the Nats-Msg-Id header {inbound.header_id!r}"
            ),
        )
    at = message.occurred_at
    stamp = Stamp(
        message.id, message.actor, at.isoformat(), (at.astimezone(tz) if tz else at).date().isoformat()
    )
    return Parsed(inbound, message.id, message, command=message.command(), stamp=stamp)


def _fallback_id(inbound: Inbound) -> str:
    """An id for a message that failed validation: its own if usable (it names a NATS subject)."""
    candidates: list[Any] = [inbound.header_id]
    try:
        candidates.append(orjson.loads(inbound.data).get("id"))
    except (orjson.JSONDecodeError, AttributeError):
        pass
    for candidate in candidates:
        if is_message_id(candidate):
            return candidate
    return f"stream-seq-{inbound.seq}"


def _rejection_of(error: ValidationError) -> Rejected:
    first = error.errors()[0]
    if first["type"] == "json_invalid":
        return Rejected("malformed_json", f"body is not valid JSON: {first['msg']}")
    if first["type"] == "union_tag_invalid":
        return Rejected(
            "unknown_kind",
            f"unknown kind {first['input'].get('kind')!r}"
            if isinstance(first["input"], dict)
            else "unknown kind",
        )
    if first["type"] == "model_attributes_type":
        return Rejected("schema", "body is not a JSON object")
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err['loc'][1:] or err['loc']) or 'body'}: {err['msg']}"
        for err in error.errors()[:5]
    )
    return Rejected("schema", problems)


def scope_of(message: Envelope | None, data: bytes) -> str | None:
    fields: Any = message.model_dump() if message is not None else None
    if fields is None:
        try:
            fields = orjson.loads(data)
        except orjson.JSONDecodeError:
            return None
    if not isinstance(fields, dict):
        return None
    if isinstance(fields.get("scope"), str):
        return fields["scope"][:80]
    if isinstance(fields.get("grid_id"), str):
        return f"grid:{fields['grid_id'][:64]}"
    return None
