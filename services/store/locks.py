"""One process per role: a lock held as long as the process runs.

Two workers with the same index would pull from one consumer and record positions over each
other; two projectors would write the same rows. PostgreSQL: a session advisory lock on a
connection of its own. SQLite: an flock on a file in the data directory.
"""

from __future__ import annotations

import fcntl
import zlib
from typing import Any

from pingzhan.services.settings import Settings


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
            key = zlib.crc32(f"pingzhan:{role}".encode())
            got = self.handle.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]
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
