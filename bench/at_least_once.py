"""The worker of the bench's at-least-once phase: `python -m bench.at_least_once` (settings from the
environment, like `pingzhan serve --role ingest`).

It is the real pipeline (the same App, consume loop, pull, parse, decide, optimistic version check,
outcomes published, acknowledgement after commit) with the two things exactly-once adds taken
out: no inbox (no lookup of earlier outcomes, no inbox rows) and no stored position (no tracking
row). A resent message would be decided again, and a restart would read the stream from the
start: that is at-least-once. It prints ``committed SEQ T`` (``T``: ``time.monotonic()``, one clock for every
process of the machine) after each commit, which is how the bench knows when it is done.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from functools import cached_property
from uuid import UUID

from eventsourcing.persistence import StoredEvent, Tracking
from pingzhan.services.bootstrap import App
from pingzhan.services.cli.console import install_stop
from pingzhan.services.logs import configure_logging
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import Ledger, store_env
from pingzhan.services.store.locks import schema_lock
from pingzhan.services.store.snapshots import Snapshot


class AtLeastOnceLedger(Ledger):
    """The event store without the inbox and the position."""

    def outcomes(self, message_ids: Sequence[str]) -> dict[str, str]:
        return {}  # no inbox: every message is new

    def record_stored(
        self,
        stored: Sequence[StoredEvent],
        tracking: Tracking,
        inbox: Sequence[tuple[str, int, str]],
        expect: dict[UUID, int] | None = None,
        snapshots: Sequence[Snapshot] = (),
    ) -> None:
        # events (and snapshots) only, in one transaction
        self.recorder.insert_events(stored, expect=expect or {}, snapshots=snapshots)
        print(f"committed {tracking.notification_id} {time.monotonic()}", flush=True)


class AtLeastOnceApp(App):
    @cached_property
    def ledger(self) -> Ledger:
        with schema_lock(self.settings):
            return AtLeastOnceLedger(env=store_env(self.settings))


async def serve() -> None:
    stop = asyncio.Event()
    install_stop(stop)
    await AtLeastOnceApp(Settings()).run("ingest", stop)


if __name__ == "__main__":
    configure_logging()
    asyncio.run(serve())
