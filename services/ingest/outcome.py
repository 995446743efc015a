"""What a message is on the way in (``Inbound``) and what became of it (``Outcome``).

The outcome is stored in the inbox with the message's events, published on
``{prefix}.outcome.{message id}`` after the commit, and looked up by ``pingzhan outcome``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class Inbound:
    """A message as it came off the stream."""

    seq: int  # stream sequence
    subject: str
    data: bytes
    header_id: str | None = None  # the Nats-Msg-Id header
    received_at: float | None = None  # when the stream took it (Unix seconds): the same on every re-read


@dataclass(slots=True)
class Outcome:
    message_id: str
    status: str  # accepted | rejected
    kind: str | None
    events: list[str] = field(default_factory=list)
    code: str | None = None
    reason: str | None = None
    replayed: bool = False  # true when this is an earlier outcome, sent again for a resent id
    encoded: bytes | None = None

    def again(self) -> Outcome:
        """This outcome, sent again for a resent id (marked as such)."""
        return replace(self, replayed=True, encoded=None)

    def doc(self) -> dict[str, Any]:
        """The outcome as the JSON object it is published as."""
        return orjson.loads(self.to_json())  # type: ignore[no-any-return]

    def to_json(self) -> bytes:
        if self.encoded is None:
            self.encoded = self._encode()
        return self.encoded

    def _encode(self) -> bytes:
        doc: dict[str, Any] = {"message_id": self.message_id, "status": self.status, "kind": self.kind}
        if self.status == "accepted":
            doc["events"] = self.events
        else:
            doc["code"], doc["reason"] = self.code, self.reason
        if self.replayed:
            doc["replayed"] = True  # an earlier outcome, sent again for a resent id
        return orjson.dumps(doc)

    @classmethod
    def from_json(cls, text: str | bytes, replayed: bool = False) -> Outcome:
        doc = orjson.loads(text)
        return cls(
            doc["message_id"],
            doc["status"],
            doc.get("kind"),
            doc.get("events", []),
            doc.get("code"),
            doc.get("reason"),
            replayed or doc.get("replayed", False),
            None if replayed else (text if isinstance(text, bytes) else text.encode()),
        )
