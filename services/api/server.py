"""Runs the HTTP app inside `pingzhan serve` / `pingzhan demo`, on their event loop, until ``stop``."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI

GRACE_S = 3  # open requests get this long to finish once the service stops


class CannotListen(OSError):
    """The HTTP API's address is taken or not ours; the message says what to do."""

    in_words = True


class HttpServer:
    """uvicorn on ``host:port`` (port 0: a free one); ``url`` once started. Signals stay with the
    caller (which already turns Ctrl-C and SIGTERM into ``stop``)."""

    def __init__(self, api: FastAPI, host: str, port: int):
        self.api, self.host, self.port = api, host, port
        self.url: str | None = None
        self.sock = self._listen()  # now: a port in use stops the service before anything starts

    def _listen(self) -> socket.socket:
        """The listening socket, bound here so that a port in use is one line in words (uvicorn
        would exit the whole process)."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as e:
            sock.close()
            why = (e.strerror or str(e)).lower()
            raise CannotListen(
                f"the HTTP API cannot listen on {self.host}:{self.port} ({why}; "
                "PINGZHAN_HTTP_PORT=0 picks a free port, PINGZHAN_HTTP=false serves none)"
            ) from None
        sock.listen(128)
        sock.setblocking(False)
        return sock

    async def run(self, stop: asyncio.Event, ready: Callable[[str], None] = lambda _: None) -> None:
        sock = self.sock
        config = uvicorn.Config(
            self.api, log_level="warning", access_log=False, timeout_graceful_shutdown=GRACE_S
        )
        server = uvicorn.Server(config)
        server.capture_signals = _no_signals  # type: ignore[method-assign,assignment]
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.02)
        if task.done():
            task.result()
            raise OSError(f"the HTTP API did not start on {self.host}:{self.port}")
        port = sock.getsockname()[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{host}:{port}"
        ready(self.url)
        try:
            await stop.wait()
        finally:
            server.should_exit = True
            await task


class _NoSignals:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


def _no_signals() -> _NoSignals:
    return _NoSignals()
