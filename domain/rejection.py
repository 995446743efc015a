"""The record that a message was rejected, and why. Rejections are history too."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from pingzhan.domain import ids


class Rejection(Aggregate):
    @staticmethod
    def create_id(message_id: str, **_: Any) -> UUID:
        return ids.rejection(message_id)

    @event("MessageRejected")
    def __init__(
        self,
        message_id: str,
        kind: str | None,
        code: str,
        reason: str,
        actor: str | None,
        occurred_at: str | None,
        scope: str | None,
        subject: str,
        body: str,
    ):
        self.message_id = message_id
        self.code = code
        self.reason = reason
