"""The client's shortcut for the one header inbound messages carry gives what nats-py's parser gives."""

from __future__ import annotations

import asyncio

import nats.aio.client
import pytest
from pingzhan.services.nats.connection import Client

BLOCKS = [
    b"NATS/1.0\r\nNats-Msg-Id: w-00000001\r\n\r\n",
    b"NATS/1.0\r\nNats-Msg-Id:op-\xe7\x8e\x8b-1\r\n\r\n",  # no space, UTF-8 in the id
    b"NATS/1.0\r\nNats-Msg-Id:   padded  \r\n\r\n",
    b"NATS/1.0\r\nNats-Msg-Id: a\r\nOther: b\r\n\r\n",  # two headers: nats-py's parser
    b"NATS/1.0\r\nOther: b\r\nNats-Msg-Id: a\r\n\r\n",
    b"NATS/1.0 100\r\nIdle Heartbeat\r\nNats-Last-Consumer: 1\r\nNats-Last-Stream: 2\r\n\r\n",
    b"NATS/1.0 404 No Messages\r\n\r\n",
    b"NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 500\r\n\r\n",
]


@pytest.mark.parametrize("block", BLOCKS)
def test_headers_read_as_nats_py_reads_them(block: bytes) -> None:
    ours = asyncio.run(Client()._process_headers(block))

    theirs = asyncio.run(nats.aio.client.Client()._process_headers(block))

    assert ours == theirs
    assert ours  # every block above has something to read
