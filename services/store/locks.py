"""Every lock pingzhan takes, and their ids, in one place.

- One process per role (``RoleLock``): two workers with the same index would pull from one
  consumer and record positions over each other; two projectors would write the same rows.
  PostgreSQL: a session advisory lock on a connection of its own. SQLite: an flock on a file in the
  data directory.
- Table creation (``schema_lock`` and ``VIEW_SCHEMA_LOCK``): processes starting together on a new
  store create the tables once (CREATE ... IF NOT EXISTS races).
"""

from __future__ import annotations

import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pingzhan.services.settings import Settings

EVENT_SCHEMA_LOCK = 7265  # session lock while the event store's tables are created
VIEW_SCHEMA_LOCK = 7266  # transaction lock while the read models' tables are created


def role_lock_id(role: str) -> int:
    """The advisory lock id of a role (an ingest consumer's name, or "projector")."""
    return zlib.crc32(f"pingzhan:{role}".encode())


class AlreadyRunning(RuntimeError):
    pass


class RoleLock:
    def __init__(self, settings: Settings, role: str):
        self.role = role
        self.handle: Any = None
        if settings.store == "sqlite":
            folder = settings.data_dir / "locks"
            folder.mkdir(parents=True, exist_ok=True)
            self.handle = open(folder / f"{role}.lock", "w")
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self.handle.close()
                raise AlreadyRunning(self._message(settings)) from None
        else:
            self.handle = settings.connect_postgres()
            got = self.handle.execute("SELECT pg_try_advisory_lock(%s)", (role_lock_id(role),)).fetchone()[0]
            if not got:
                self.handle.close()
                raise AlreadyRunning(self._message(settings))

    def _message(self, settings: Settings) -> str:
        where = settings.data_dir if settings.store == "sqlite" else f"database {settings.postgres_dbname}"
        return f"another pingzhan process already runs {self.role} on {where}; stop it first"

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


@contextmanager
def schema_lock(settings: Settings) -> Iterator[None]:
    """Held while the event store's tables are created, so that processes opening a new store
    together create them once (the library's CREATE ... IF NOT EXISTS and its first tracking row
    race otherwise). PostgreSQL: an advisory lock; SQLite: an flock in the data directory."""
    if settings.store == "sqlite":
        folder = settings.data_dir / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "schema.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # waits for the other process
            yield
        return
    with settings.connect_postgres() as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (EVENT_SCHEMA_LOCK,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (EVENT_SCHEMA_LOCK,))
