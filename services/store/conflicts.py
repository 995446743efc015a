"""The check at commit that nothing a batch read has changed since it read it."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.persistence import IntegrityError

CHUNK = 500  # ids per query


def hex_id(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else UUID(originator_id).hex


def check_unchanged(expect: dict[UUID, int], stored: dict[UUID, int]) -> None:
    changed = [a for a, v in expect.items() if stored.get(a, 0) != v]
    if changed:
        raise IntegrityError(
            f"{len(changed)} aggregate(s) changed since the batch read them, e.g. {changed[0]}"
        )
