"""Every lock pingzhan takes, and their ids, in one place.

- One process per role (``RoleLock``): two workers with the same index would pull from one
  consumer and record positions over each other; two projectors would write the same rows.
  PostgreSQL: a session advisory lock on a connection of its own. SQLite: an flock on a file in the
  data directory.
- One number of ingest workers at a time (``WorkerCount``): workers keep the stream order only
  among workers of one number (README "Several workers: stream order"); a worker started with
  another number waits until the others have stopped.
- Table creation (``schema_lock`` and ``VIEW_SCHEMA_LOCK``): processes starting together on a new
  store create the tables once (CREATE ... IF NOT EXISTS races).
- One rebuild of the read models at a time (``rebuild_lock``, a ``RoleLock``): `pingzhan rebuild`,
  or serve rebuilding models for a new layout. Its swap and the live projector's flushes exclude
  each other (``VIEW_SWAP_LOCK`` on PostgreSQL, the write lock of ``views.sqlite`` on SQLite), and
  each flush checks the models' generations (``services/read/rebuild.py``).
"""

from __future__ import annotations

import contextlib
import fcntl
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pingzhan.services.settings import Settings

EVENT_SCHEMA_LOCK = 7265  # session lock while the event store's tables are created
VIEW_SCHEMA_LOCK = 7266  # transaction lock while the read models' tables are created
VIEW_SWAP_LOCK = 7267  # transaction lock: shared by the projector's flush, exclusive by a rebuild's swap


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


def rebuild_lock(settings: Settings) -> RoleLock:
    """Held by the one rebuild of the store's read models (`pingzhan rebuild`, or serve
    rebuilding models for a new layout)."""
    try:
        return RoleLock(settings, "rebuild")
    except AlreadyRunning:
        raise AlreadyRunning(
            "another rebuild of the read models is running on this store (pingzhan rebuild, or "
            "pingzhan serve rebuilding for a new layout); wait for it to end"
        ) from None


class WorkerCount:
    """Held (shared) by every ingest worker with its number of workers, for as long as it runs.

    ``take`` succeeds when no worker with another number runs: under a short exclusive lock (so
    that two workers of different numbers never both pass), it tries the other numbers' locks
    exclusively and, if all are free, takes its own shared. PostgreSQL: advisory locks on a
    connection of its own; SQLite: flocks on files in the data directory. A killed worker's lock
    goes with its process."""

    MAX = 16  # the most workers there can be (PINGZHAN_WORKERS)

    def __init__(self, settings: Settings):
        self.settings, self.number = settings, settings.workers
        self.handle: Any = None  # the PostgreSQL connection, or the SQLite lock file

    def take(self) -> int | None:
        """Take it and return None, or return the number of workers of the others still running."""
        with self._exclusive("ingest-workers-start"):
            for other in range(1, self.MAX + 1):
                if other != self.number and not self._free(f"ingest-workers-{other}"):
                    return other
            self._hold_shared(f"ingest-workers-{self.number}")
            return None

    def release(self) -> None:
        if self.handle is not None:
            # At once: a closed session's locks go a moment later. Not on a connection known to be
            # broken, where the statement could wait for a server that does not answer.
            if self.settings.store == "postgres" and not self.handle.broken:
                with contextlib.suppress(Exception):
                    self.handle.execute("SELECT pg_advisory_unlock_all()")
            self.handle.close()
            self.handle = None

    def _pg(self) -> Any:
        if self.handle is None:
            self.handle = self.settings.connect_postgres()
        return self.handle

    def _file(self, name: str) -> Any:
        folder = self.settings.data_dir / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        return open(folder / f"{name}.lock", "w")

    @contextmanager
    def _exclusive(self, name: str) -> Iterator[None]:
        if self.settings.store == "sqlite":
            with self._file(name) as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                yield
            return
        conn = self._pg()
        conn.execute("SELECT pg_advisory_lock(%s)", (role_lock_id(name),))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (role_lock_id(name),))

    def _free(self, name: str) -> bool:
        """Is nobody holding this lock? (Tried exclusively and let go at once.)"""
        if self.settings.store == "sqlite":
            with self._file(name) as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return False
                return True
        conn = self._pg()
        if not conn.execute("SELECT pg_try_advisory_lock(%s)", (role_lock_id(name),)).fetchone()[0]:
            return False
        conn.execute("SELECT pg_advisory_unlock(%s)", (role_lock_id(name),))
        return True

    def _hold_shared(self, name: str) -> None:
        if self.settings.store == "sqlite":
            self.handle = self._file(name)
            fcntl.flock(self.handle, fcntl.LOCK_SH)
            return
        self._pg().execute("SELECT pg_advisory_lock_shared(%s)", (role_lock_id(name),))


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
