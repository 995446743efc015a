"""What durability costs (`python -m bench ... --sync-always`).

JetStream's default fsyncs its files every 2 minutes: a message it has acknowledged to its
publisher can be lost on a power cut or a crash of the machine.
``sync_interval: always`` fsyncs after every write. This phase runs the same backlog ingest as the
main one, on a nats-server with that setting, so the two figures of one run can be compared:
the publishers' rate (every acknowledgement waits for an fsync) and the ingest's (the consumer's
acknowledgements are writes too).
"""

from __future__ import annotations

import asyncio
import urllib.request
from typing import Any

import orjson

from . import phases
from .env import Stores
from .traffic import Traffic


def sync_always(stores: Stores, traffic: Traffic, batch_size: int, default: dict[str, Any]) -> dict[str, Any]:
    """The ingest and publish figures with ``sync_interval: always``, and each as a share of the
    same figure with the default (``default``: the main ingest phase's result)."""
    result = asyncio.run(phases.ingest_backlog(stores, traffic, batch_size, sync_always=True))
    result.pop("settings")
    server = result.pop("server")
    varz = orjson.loads(urllib.request.urlopen(f"http://127.0.0.1:{server.monitor_port}/varz").read())
    server.stop()
    return {
        "server_sync_always": varz["jetstream"]["config"].get("sync_always", False),  # as the server says
        "ingest_msgs_per_s": result["ingest_msgs_per_s"],
        "publish_msgs_per_s": result["publish_msgs_per_s"],
        "ingest_vs_default": result["ingest_msgs_per_s"] / default["ingest_msgs_per_s"],
        "publish_vs_default": result["publish_msgs_per_s"] / default["publish_msgs_per_s"],
        "lost": result["lost"],
        "duplicated": result["duplicated"],
    }
