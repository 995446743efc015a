"""Validation of one inbound message against the wire contract, never raising: a bad message
comes back with its rejection (code and reason), a good one with its domain command and stamp.

Besides the schema: the subject is ``{prefix}.in.{shard}.{kind}`` with a shard 0-15 and the body's
kind; a ``Nats-Msg-Id`` header is a valid id equal to the body's; no key appears twice; no text
holds a NUL character.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import tzinfo
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import orjson
from pingzhan.domain.commands import Command
from pingzhan.domain.stamp import Stamp
from pingzhan.services.ingest.outcome import Inbound
from pingzhan.services.wire import KINDS, MESSAGE, SHARDS, Envelope
from pingzhan.services.wire.envelope import SEQ_ID_PREFIX, is_usable_id, seq_id
from pingzhan.services.wire.routing import kind_token
from pydantic import AwareDatetime, ValidationError


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


def parse(inbound: Inbound, prefix: str = "pingzhan", tz: tzinfo | None = None) -> Parsed:
    """Validate one message; never raises: a bad message comes back with its rejection.
    ``tz`` is the district's time zone: the stamp carries the district's date of occurred_at."""
    try:
        return _parse(inbound, prefix, tz)
    except Exception as e:  # a bug, not bad input: this message alone is rejected, the rest go on
        reason = f"{type(e).__name__}: {e}"[:500]
        return Parsed(inbound, _fallback_id(inbound), rejected=Rejected("internal_error", reason))


def _parse(inbound: Inbound, prefix: str, tz: tzinfo | None) -> Parsed:
    token = kind_token(inbound.subject, prefix)
    if token is None:
        reason = f"subject {inbound.subject[:200]!r} is not {prefix}.in.{{shard 0-{SHARDS - 1}}}.{{kind}}"
        return Parsed(inbound, _fallback_id(inbound), rejected=Rejected("subject", reason))
    try:
        message: Envelope = MESSAGE.validate_json(inbound.data)
    except ValidationError as e:
        return Parsed(inbound, _fallback_id(inbound), rejected=_rejection_of(e))
    message_id, rejected = _identify(inbound, message)
    rejected = rejected or _other_kind(token, message) or _raw_problem(message, inbound.data)
    if rejected is not None:
        return Parsed(
            inbound,
            message_id,
            message,
            rejected=rejected,
        )
    stamp = Stamp(message.id, message.actor, message.occurred_at.isoformat(), tz)
    return Parsed(inbound, message.id, message, command=message.command(), stamp=stamp)


def _other_kind(token: str, message: Envelope) -> Rejected | None:
    kind: str = message.kind  # type: ignore[attr-defined]
    if token == kind:
        return None
    return Rejected("subject", f"subject kind {token[:80]!r} differs from the body's kind {kind!r}")


def _identify(inbound: Inbound, message: Envelope) -> tuple[str, Rejected | None]:
    """The id to record the message under, and a rejection when its ids are not usable."""
    header = inbound.header_id
    if message.id.startswith(SEQ_ID_PREFIX):
        reason = f"id: {message.id!r} is reserved ({SEQ_ID_PREFIX}N names a message without a usable id)"
        return _fallback_id(inbound), Rejected("schema", reason)
    if header is None or header == message.id:
        return message.id, None
    if not is_usable_id(header):
        reason = f"Nats-Msg-Id header {header[:200]!r} is not a valid message id (1-128 of A-Za-z0-9_-:)"
        return message.id, Rejected("schema", reason)
    reason = f"body id {message.id!r} differs from the Nats-Msg-Id header {header!r}"
    return header, Rejected("schema", reason)


def _raw_problem(message: Envelope, data: bytes) -> Rejected | None:
    """A key given twice (JSON parsers keep the last one) or a NUL character in a text.

    Quick test first, exact: without a backslash the body has no escapes, so no string holds a
    quote or a NUL (JSON has no raw control characters) and every ``"`` delimits a string. The
    body is a flat object (the model took it), so its strings are its keys and its string values;
    the contract is strict, so a field's value came as a JSON string exactly when it is a text
    (or ``occurred_at``). Given once each, the keys make ``2 × (fields + text values)`` quotes; a
    key given twice adds at least its own two. Only a body that fails the quick test is parsed
    again, keeping every key (measured on the benchmark traffic: none)."""
    given = message.__pydantic_fields_set__
    if b"\\" not in data and data.count(b'"') == 2 * (len(given) + _texts(message, given)):
        return None
    return _duplicate_key(data) or _nul_in_text(message)


def _texts(message: Envelope, given: set[str]) -> int:
    """How many of the given fields hold a text (a JSON string on the wire)."""
    texts, nullable = _TEXT_FIELDS.get(type(message)) or _text_fields(type(message))
    n = len(texts & given)
    for name in nullable & given:
        n -= getattr(message, name) is None
    return n


_TEXT_FIELDS: dict[type, tuple[frozenset[str], frozenset[str]]] = {}


def _text_fields(cls: type[Envelope]) -> tuple[frozenset[str], frozenset[str]]:
    """The fields of a message class whose values are JSON strings, and those that may be null."""
    texts, nullable = set(), set()
    for name, info in cls.model_fields.items():
        for kind in _alternatives(info.annotation):
            if kind is str or kind is AwareDatetime or get_origin(kind) is Literal:
                texts.add(name)
            elif kind is type(None):
                nullable.add(name)
            else:
                assert kind in (int, float, bool), f"{cls.__name__}.{name}: a {kind} on the wire?"
    _TEXT_FIELDS[cls] = frozenset(texts), frozenset(nullable & texts)
    return _TEXT_FIELDS[cls]


def _alternatives(annotation: Any) -> list[Any]:
    """The types a field may hold: the members of a union, without Annotated metadata."""
    kinds = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    return [get_args(k)[0] if get_origin(k) is Annotated else k for k in kinds]


def _duplicate_key(data: bytes) -> Rejected | None:
    twice: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        twice.extend(k for n, k in enumerate(keys) if k in keys[:n])
        return dict(items)

    try:
        json.loads(data, object_pairs_hook=pairs)
    except ValueError:  # taken by pydantic's parser already; nothing more to learn here
        return None
    return Rejected("schema", f"{twice[0]}: the key appears more than once") if twice else None


def _nul_in_text(message: Envelope) -> Rejected | None:
    for name, value in message.__dict__.items():
        if isinstance(value, str) and "\x00" in value:
            return Rejected("schema", f"{name}: contains a NUL character")
    return None


def _fallback_id(inbound: Inbound) -> str:
    """An id for a message that failed validation: its own if usable (it names a NATS subject),
    else ``stream-seq-{stream sequence}``."""
    candidates: list[Any] = [inbound.header_id]
    for loads in (orjson.loads, json.loads):  # json also reads NaN, Infinity and 1e400
        try:
            candidates.append(loads(inbound.data).get("id"))
            break
        except (ValueError, AttributeError, TypeError, RecursionError):
            continue
    for candidate in candidates:
        if is_usable_id(candidate):
            return candidate
    return seq_id(inbound.seq)


def _rejection_of(error: ValidationError) -> Rejected:
    first = error.errors()[0]
    if first["type"] == "json_invalid":
        return Rejected("malformed_json", f"body is not valid JSON: {first['msg']}")
    if first["type"] == "union_tag_invalid":
        return Rejected(
            "unknown_kind",
            f"unknown kind {str(first['input'].get('kind'))[:80]!r}"
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


def kind_of(data: bytes) -> str | None:
    """The kind a rejected body says it is, when it says one that exists (for its outcome)."""
    try:
        kind = orjson.loads(data).get("kind")
    except (ValueError, AttributeError):
        return None
    return kind if kind in KINDS else None


def scope_of(message: Envelope | None, data: bytes) -> str | None:
    fields: Any = message.model_dump() if message is not None else None
    if fields is None:
        try:
            fields = orjson.loads(data)
        except orjson.JSONDecodeError:
            return None
    if not isinstance(fields, dict):
        return None
    # From a raw body only what has the form of a scope or an id: no NUL, no junk in the views.
    scope, grid = fields.get("scope"), fields.get("grid_id")
    if isinstance(scope, str) and _SCOPE.fullmatch(scope):
        return scope
    if isinstance(grid, str) and _IDENT.fullmatch(grid):
        return f"grid:{grid}"
    return None


_SCOPE = re.compile(r"(district|street|community|grid):[A-Za-z0-9_\-]{1,64}")
_IDENT = re.compile(r"[A-Za-z0-9_\-:.]{1,64}")
