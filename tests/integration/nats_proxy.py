"""A TCP proxy in front of a nats-server that can cut its connections mid-stream."""

from __future__ import annotations

import asyncio


class Proxy:
    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.pairs: list[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = []
        self.cut_after: int | None = None  # server->client bytes still let through before cutting

    async def start(self) -> Proxy:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        pair = (client_w, server_w)
        self.pairs.append(pair)

        async def pipe(r: asyncio.StreamReader, w: asyncio.StreamWriter, downstream: bool) -> None:
            try:
                while data := await r.read(65536):
                    if downstream and self.cut_after is not None:
                        if len(data) >= self.cut_after:
                            w.write(data[: self.cut_after])
                            self.cut_after = None
                            self.cut()
                            return
                        self.cut_after -= len(data)
                    w.write(data)
                    await w.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                for writer in pair:
                    writer.close()

        await asyncio.gather(pipe(client_r, server_w, False), pipe(server_r, client_w, True))

    def cut(self) -> None:
        for a, b in self.pairs:
            a.close()
            b.close()
        self.pairs.clear()

    def close(self) -> None:
        self.cut()
        self.server.close()
