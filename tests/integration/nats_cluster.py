"""A 3-node NATS JetStream cluster started from deploy/nats-cluster.conf (with its users and
permissions, nats-accounts.conf), on loopback ports, each node with a store directory of its own.

Each node gets a copy of the file with only its ``store_dir`` changed (nats-server refuses ``-sd``
beside a store_dir in the file); its name, client, monitoring and cluster ports and the routes
are given on the command line, which overrides the file."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import nats
from pingzhan.services.nats.connection import WORKER_INBOX
from pingzhan.services.nats.embedded import free_port, nats_server_binary

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ROLES = ("operator", "field", "dashboard", "worker")


class Node:
    def __init__(self, name: str, root: Path):
        self.name, self.dir = name, root / name
        self.port, self.monitor, self.cluster = free_port(), free_port(), free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"


class Cluster:
    def __init__(self, root: Path):
        self.passwords = {role: f"pz{secrets.token_hex(12)}" for role in ROLES}
        self.nodes = [Node(f"pingzhan-nats-{i}", root) for i in (1, 2, 3)]

    @property
    def urls(self) -> str:
        """All three, as PINGZHAN_NATS_URL takes them."""
        return ",".join(n.url for n in self.nodes)

    async def connect(self, role: str) -> Any:
        """A nats-py connection as ``role`` to any node (the worker's replies on its own inbox)."""
        inbox = WORKER_INBOX if role == "worker" else "_INBOX"
        return await nats.connect(self.urls.split(","), user=role, password=self.passwords[role],
                                  inbox_prefix=inbox, max_reconnect_attempts=-1)  # fmt: skip

    def start(self) -> Cluster:
        for node in self.nodes:
            self._start(node)
        for node in self.nodes:
            self._wait_listening(node)
        return self

    def _start(self, node: Node) -> None:
        node.dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(DEPLOY / "nats-accounts.conf", node.dir / "nats-accounts.conf")
        conf = (DEPLOY / "nats-cluster.conf").read_text(encoding="utf-8")
        conf, changed = re.subn(r"(?m)^(\s*store_dir:).*$", rf"\1 {node.dir / 'jetstream'}", conf)
        assert changed == 1, "deploy/nats-cluster.conf has no store_dir line"
        (node.dir / "nats.conf").write_text(conf, encoding="utf-8")
        routes = ",".join(f"nats://127.0.0.1:{n.cluster}" for n in self.nodes if n is not node)
        args = ["-c", str(node.dir / "nats.conf"), "-a", "127.0.0.1", "-p", str(node.port),
                "-m", str(node.monitor), "--name", node.name,
                "--cluster", f"nats://127.0.0.1:{node.cluster}", "--routes", routes]  # fmt: skip
        env = {**os.environ, **{f"NATS_{r.upper()}_PASSWORD": p for r, p in self.passwords.items()}}
        node.process = subprocess.Popen(
            [str(nats_server_binary()), *args],
            env=env,
            stdout=open(node.dir / "nats-server.log", "ab"),
            stderr=subprocess.STDOUT,
        )

    @staticmethod
    def _wait_listening(node: Node, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert node.process is not None and node.process.poll() is None, (
                node.dir / "nats-server.log"
            ).read_text()[-1500:]
            try:
                with socket.create_connection(("127.0.0.1", node.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"{node.name} did not listen within {timeout} s")

    def node(self, name: str) -> Node:
        return next(n for n in self.nodes if n.name == name)

    def kill(self, name: str) -> None:
        node = self.node(name)
        assert node.process is not None
        node.process.send_signal(signal.SIGKILL)
        node.process.wait()

    def restart(self, name: str) -> None:
        node = self.node(name)
        self._start(node)
        self._wait_listening(node)

    def stop(self) -> None:
        for node in self.nodes:
            if node.process is not None and node.process.poll() is None:
                node.process.terminate()
                node.process.wait(timeout=15)
