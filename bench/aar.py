"""aar_seconds: `pingzhan aar` on the simulated year's July flood (`street:BT-BS#1`), each format
timed as a person runs it (a fresh process: start, read the views and the store, render). The
year (seed 1; scale 1.0 is the full district, 0.1 with ``--quick``) is published to a nats-server
of its own, ingested by a `pingzhan serve --role ingest` process and projected by a rebuild.
`python -m bench --store sqlite|postgres --aar-only [--quick]`."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pingzhan.services.bootstrap import build
from pingzhan.services.org.data import read_org_file
from pingzhan.services.traffic.simulator import Simulator

from . import phases
from .env import Stores, Worker, env_for
from .traffic import publish

EPISODE = "street:BT-BS#1"
FORMATS = ("json", "md", "html")
PINGZHAN = str(Path(sys.executable).with_name("pingzhan"))


def run(store: str, quick: bool, scale: float | None = None) -> dict[str, Any]:
    """``scale``: of the year (default 1.0, or 0.1 when ``quick``)."""
    scale = scale or (0.1 if quick else 1.0)
    stores = Stores(store)
    try:
        settings = stores.fresh("aar")
        with stores.nats("aar") as server:
            settings = settings.model_copy(update={"nats_url": server.url})
            position = phases.position_of(settings, settings.consumer_name)
            items = Simulator(read_org_file(), seed=1, scale=scale).messages()
            sent = asyncio.run(publish(server.url, settings, items))
            worker = Worker(settings)
            try:
                worker.wait_ready()
                phases.wait_for(lambda: position() >= sent.last_seq, 3600, "ingest of the year", every=0.5)
            finally:
                worker.stop()
        service = build(settings)  # the read models folded from the whole year, in place
        try:
            events = service.projector.rebuild()
        finally:
            service.close()
        seconds = {}
        for fmt in FORMATS:
            out = settings.data_dir.parent / f"aar.{fmt}"
            started = time.perf_counter()
            ran = subprocess.run(
                [PINGZHAN, "aar", EPISODE, "--format", fmt, "-o", str(out)],
                env=env_for(settings),
                capture_output=True,
                text=True,
            )
            seconds[fmt] = round(time.perf_counter() - started, 2)
            if ran.returncode != 0:
                raise RuntimeError(f"pingzhan aar failed: {ran.stderr.strip()}")
    finally:
        stores.close()
    return {
        "store": store,
        "aar_episode": EPISODE,
        "aar_scale": scale,
        "aar_events": events,
        "aar_seconds": seconds,
    }


def table(r: dict[str, Any]) -> str:
    took = ", ".join(f"{fmt} {s} s" for fmt, s in r["aar_seconds"].items())
    return f"aar_seconds ({r['aar_episode']}, year at scale {r['aar_scale']}, {r['aar_events']:,} events, {r['store']}): {took}"
