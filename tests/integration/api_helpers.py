"""The service with its HTTP API, running in this process on a real NATS and store, for API tests."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from pingzhan.services.accounts import add_token
from pingzhan.services.bootstrap import App, build
from pingzhan.services.settings import Settings

ACCOUNTS = {
    "op-li": "operator",
    "op-wang": "operator",
    "dash": "dashboard",
    "audit": "auditor",
    "field-1": "field",
}


@dataclass
class Service:
    app: App
    url: str
    tokens: dict[str, str]
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, name: str | None = None) -> httpx.Client:
        """An HTTP client signed in as ``name`` (a bearer token), or not signed in."""
        headers = {"Authorization": f"Bearer {self.tokens[name]}"} if name else {}
        c = httpx.Client(base_url=self.url, headers=headers, timeout=30)
        self.clients.append(c)
        return c


@contextlib.contextmanager
def api_service(settings: Settings, accounts: dict[str, str] = ACCOUNTS) -> Iterator[Service]:
    """`pingzhan serve` (role all, HTTP on a free port) in a thread; accounts made with tokens."""
    settings = settings.model_copy(update={"http_port": 0})
    app = build(settings)
    tokens = {name: add_token(settings, app.ledger, name, role) for name, role in accounts.items()}
    ready = threading.Event()
    holder: dict[str, Any] = {}

    async def main() -> None:
        holder["stop"], holder["loop"] = asyncio.Event(), asyncio.get_running_loop()

        def on_http(url: str) -> None:
            holder["url"] = url
            ready.set()

        try:
            await app.run("all", holder["stop"], on_http)
        finally:
            ready.set()

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    assert ready.wait(30) and "url" in holder, "the service did not start its HTTP API"
    service = Service(app, holder["url"], tokens)
    try:
        yield service
    finally:
        for c in service.clients:
            c.close()
        holder["loop"].call_soon_threadsafe(holder["stop"].set)
        thread.join(30)
        app.close()


def eventually(check: Callable[[], Any], within: float = 10.0) -> Any:
    """``check()`` again until it returns something true, or ``within`` seconds have passed."""
    deadline = time.monotonic() + within
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)
