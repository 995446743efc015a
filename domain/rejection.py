"""The record that a message was rejected, and why. Rejections are history too."""

from __future__ import annotations

from eventsourcing.domain import Aggregate
from pingzhan.domain import ids


class Rejection(Aggregate):
    class MessageRejected(Aggregate.Created):
        message_id: str
        kind: str | None
        code: str
        reason: str
        actor: str | None
        occurred_at: str | None
        scope: str | None
        subject: str
        body: str

    def __init__(self, message_id: str, code: str, reason: str, **_: object):
        self.message_id = message_id
        self.code = code
        self.reason = reason

    @classmethod
    def record(
        cls,
        message_id: str,
        kind: str | None,
        code: str,
        reason: str,
        actor: str | None,
        occurred_at: str | None,
        scope: str | None,
        subject: str,
        body: str,
    ) -> Rejection:
        return cls._create(
            cls.MessageRejected,
            id=ids.rejection(message_id),
            message_id=message_id,
            kind=kind,
            code=code,
            reason=reason,
            actor=actor,
            occurred_at=occurred_at,
            scope=scope,
            subject=subject,
            body=body,
        )
