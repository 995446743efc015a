"""Checkpoints inside ``pingzhan serve``: the log's root signed every N leaves or M seconds,
published to a JetStream stream that refuses deletes and purges, and appended to the auditor's
file.

At start it takes the last published checkpoint and recomputes the log up to its size; if the
store no longer has that root it signs nothing more and says so (it never vouches for a store
that was changed behind its back).
"""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress

from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError
from pingzhan.services.ledger.leaves import END, EVENT, FETCH, LogReader
from pingzhan.services.ledger.merkle import Tree, leaf_hash
from pingzhan.services.ledger.note import Checkpoint, Signer, append_note, parse_note
from pingzhan.services.logs import log
from pingzhan.services.settings import Settings


def origin_of(store_id: str) -> str:
    """The origin line of a store's checkpoints: one log per store."""
    return f"pingzhan/{store_id}"


class Tampered(RuntimeError):
    """The store does not have the root of the last checkpoint any more."""


class Checkpointer:
    def __init__(self, settings: Settings, reader: LogReader, store_id: str):
        self.settings, self.reader = settings, reader
        self.origin = origin_of(store_id)
        self.subject = f"{settings.ledger_subjects[:-1]}{store_id}"
        self.tree = Tree()
        self.after: tuple[int | None, int | None] = (None, None)  # the last event and inbox row in it
        self.last: Checkpoint | None = None
        self.last_at = time.monotonic()
        self.refused: str | None = None  # why it signs nothing, if the store no longer matches

    def catch_up(self, limit: int | None = None) -> None:
        """Add the leaves stored since the last call (up to ``limit`` leaves in all)."""
        event, seq = self.after
        tree, hashes = self.tree, list[bytes]()
        room = END if limit is None else limit - tree.size
        with self.reader.leaves(event, seq) as leaves:
            for kind, key, data in leaves:
                if len(hashes) >= room:
                    break
                hashes.append(leaf_hash(data))
                if kind == EVENT:
                    event = key
                else:
                    seq = key
                if len(hashes) == FETCH:  # the tree a level at a time, a list at a time
                    tree.extend(hashes)
                    room -= FETCH
                    hashes = []
        tree.extend(hashes)
        self.after = (event, seq)

    def resume(self, last: Checkpoint | None) -> None:
        """Start from the last published checkpoint, after checking the store still has its root."""
        if last is not None:
            self.catch_up(limit=last.size)
            if self.tree.size != last.size or self.tree.root() != last.root:
                raise Tampered(
                    f"the store does not match {last.label} (it has {self.tree.size:,} leaves up to "
                    "there, or another root): no checkpoint is signed; run `pingzhan verify`"
                )
        self.last = last
        self.last_at = time.monotonic()

    def due(self) -> bool:
        grown = self.tree.size - (self.last.size if self.last else 0)
        waited = time.monotonic() - self.last_at
        return grown >= self.settings.ledger_every_leaves or (
            grown > 0 and waited >= self.settings.ledger_every_s
        )

    def sign(self, signer: Signer) -> Checkpoint:
        return Checkpoint.make(self.origin, self.tree.size, self.tree.root(), signer)

    async def publish(self, js: JetStreamContext, checkpoint: Checkpoint) -> None:
        """Into the stream (acknowledged: stored), then into the auditor's file."""
        await js.publish(self.subject, checkpoint.note().encode(), stream=self.settings.ledger_stream)
        self.last, self.last_at = checkpoint, time.monotonic()
        try:
            append_note(self.settings.ledger_checkpoints, checkpoint)
        except OSError as e:
            log.error(
                "ledger: the checkpoint file cannot be written",
                file=str(self.settings.ledger_checkpoints),
                error=str(e),
            )

    async def run(self, js: JetStreamContext, signer: Signer, stop: asyncio.Event) -> None:
        """Checkpoint until ``stop``, and once more at the end if the log grew."""
        await ensure_ledger_stream(js, self.settings)
        try:
            await asyncio.to_thread(self.resume, await last_published(js, self.settings, self.subject))
        except Tampered as e:
            self.refused = str(e)
            log.error(f"ledger: {e}")
            return
        log.info(
            "ledger checkpoints",
            origin=self.origin,
            key=signer.name,
            stream=self.settings.ledger_stream,
            file=str(self.settings.ledger_checkpoints),
            size=self.tree.size,
        )
        tick = min(1.0, self.settings.ledger_every_s)
        while True:
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), tick)
            await asyncio.to_thread(self.catch_up)
            last_size = self.last.size if self.last else 0
            if self.due() or (stop.is_set() and self.tree.size > last_size):
                try:
                    await self.publish(js, self.sign(signer))
                except Exception as e:  # NATS away: the next tick signs again
                    log.warning("ledger: checkpoint not published", error=str(e) or type(e).__name__)
            if stop.is_set():
                return


async def ensure_ledger_stream(js: JetStreamContext, settings: Settings) -> None:
    """The checkpoints' stream, made with deny-delete and deny-purge if it is missing."""
    try:
        info = await js.stream_info(settings.ledger_stream)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(
                name=settings.ledger_stream,
                subjects=[settings.ledger_subjects],
                storage=StorageType.FILE,
                deny_delete=True,
                deny_purge=True,
            )
        )
        return
    if not (info.config.deny_delete and info.config.deny_purge):
        log.warning(f"ledger: the stream {settings.ledger_stream} allows deletes or purges; make it anew")


async def last_published(js: JetStreamContext, settings: Settings, subject: str) -> Checkpoint | None:
    """The last checkpoint on this store's subject of the stream, if any."""
    try:
        msg = await js.get_last_msg(settings.ledger_stream, subject)
    except NotFoundError:
        return None
    return parse_note((msg.data or b"").decode())
