"""Subjects: ``{prefix}.in.{shard}.{kind}``, shard = crc32(routing key) mod ``SHARDS``.

The shard decides which worker decides a message, never what is decided: several workers give
the answers of one (services/ingest/order.py).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pingzhan.domain.org import grid_of_household

if TYPE_CHECKING:
    from pingzhan.services.wire.envelope import Envelope

SHARDS = 16
SHARD_TOKENS = frozenset(str(s) for s in range(SHARDS))  # "0" to "15", as written in subjects


def routing_key(fields: Mapping[str, Any]) -> str:
    """What a message is routed by, from its fields (a model's or a raw JSON object's): its grid
    (given, or the grid of its household), else its scope, else the checkpoint, hazard, problem
    or cadre it is about, else its id. Messages about one grid land on one shard."""
    if isinstance(fields.get("grid_id"), str):
        return str(fields["grid_id"])
    if isinstance(fields.get("household_id"), str):
        return grid_of_household(fields["household_id"]) or ""
    for key in ("scope", "checkpoint_id", "hazard_id", "problem_id", "cadre_id", "id"):
        if isinstance(fields.get(key), str):
            return str(fields[key])
    return ""


def shard_of(key: str) -> int:
    return zlib.crc32(key.encode()) % SHARDS


def subject_of(prefix: str, fields: Mapping[str, Any]) -> str:
    """The inbound subject of a message given as a JSON object (valid or not)."""
    kind = fields.get("kind")
    token = (
        kind
        if isinstance(kind, str) and re.fullmatch(r"[A-Za-z0-9_\-]+(\.[A-Za-z0-9_\-]+)*", kind)
        else "unknown"
    )
    return f"{prefix}.in.{shard_of(routing_key(fields))}.{token}"


def subject_for(prefix: str, message: Envelope) -> str:
    return subject_of(prefix, message.__dict__)


def kind_token(subject: str, prefix: str) -> str | None:
    """The kind token of ``{prefix}.in.{shard}.{kind}`` with a shard 0-15, None when the subject is
    not of that form."""
    head = f"{prefix}.in."
    if not subject.startswith(head):
        return None
    shard, dot, token = subject[len(head) :].partition(".")
    return token if dot and token and shard in SHARD_TOKENS else None
