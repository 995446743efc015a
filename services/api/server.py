"""Runs the HTTP app inside `pingzhan serve` / `pingzhan demo`, on their event loop, until ``stop``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI


class HttpServer:
    """uvicorn on ``host:port`` (port 0: a free one); ``url`` once started. Signals stay with the
    caller (which already turns Ctrl-C and SIGTERM into ``stop``)."""

    def __init__(self, api: FastAPI, host: str, port: int):
        config = uvicorn.Config(api, host=host, port=port, log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.server.capture_signals = _no_signals  # type: ignore[method-assign,assignment]
        self.host, self.where = host, f"{host}:{port}"
        self.url: str | None = None

    async def run(self, stop: asyncio.Event, ready: Callable[[str], None] = lambda _: None) -> None:
        task = asyncio.create_task(self.server.serve())
        while not self.server.started and not task.done():
            await asyncio.sleep(0.02)
        if task.done():  # uvicorn exits when it cannot listen; it has logged why
            try:
                task.result()
            except SystemExit:
                pass
            raise OSError(
                f"the HTTP API could not listen on {self.where} (is the port in use? "
                "PINGZHAN_HTTP_PORT=0 picks a free one)"
            )
        port = self.server.servers[0].sockets[0].getsockname()[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{host}:{port}"
        ready(self.url)
        try:
            await stop.wait()
        finally:
            self.server.should_exit = True
            await task


class _NoSignals:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


def _no_signals() -> _NoSignals:
    return _NoSignals()
