"""`pingzhan serve` (the service itself) and `pingzhan demo` (the same, on an embedded NATS, with
the seed's July rainstorm published through it)."""

from __future__ import annotations

import argparse
import asyncio
import shutil
import time
from typing import Any

from pingzhan.services.accounts import add_token, ensure_operators
from pingzhan.services.bootstrap import ROLES, App, build
from pingzhan.services.cli import render
from pingzhan.services.cli.console import install_stop, seconds
from pingzhan.services.cli.send import send
from pingzhan.services.logs import log
from pingzhan.services.nats.connection import connect, redacted
from pingzhan.services.nats.embedded import EmbeddedNats
from pingzhan.services.org.data import read_org_file
from pingzhan.services.read import queries
from pingzhan.services.store.locks import RoleLock
from pingzhan.services.traffic.district import OPERATORS
from pingzhan.services.traffic.scenario import STREET, scenario
from pingzhan.services.wire import Envelope, subject_for


def add_parsers(sub: Any) -> None:
    sv = sub.add_parser("serve", help="ingest from NATS and keep the read models current")
    sv.add_argument(
        "--role",
        choices=ROLES,
        default="all",
        help="ingest only (extra workers), project only, or both (default)",
    )
    sv.set_defaults(func=serve)
    d = sub.add_parser("demo", help="embedded NATS + the July rainstorm scenario from the seed")
    d.add_argument("--exit", action="store_true", help="return when the scenario has been processed")
    d.add_argument("--timeout", type=seconds, default=30.0, help="seconds to wait for each act's outcomes")
    d.set_defaults(func=demo)


def serve(app: App, args: argparse.Namespace) -> int:
    asyncio.run(_serve(app, args.role))
    return 0


async def _serve(app: App, role: Any) -> None:
    stop = asyncio.Event()
    install_stop(stop)
    where = {"position": app.ingest.position} if role != "project" else {}
    store = str(app.settings.data_dir) if app.settings.store == "sqlite" else app.settings.postgres_dbname
    nats = {"nats": redacted(app.settings.nats_url)}
    if app.settings.nats_user:
        nats["nats_user"] = app.settings.nats_user
    log.info("serving", **nats, store=app.settings.store, at=store, role=role,
             consumer=app.settings.consumer_name, **where)  # fmt: skip
    await app.run(role, stop, on_http=_announce)


def _announce(url: str) -> None:
    print(f"HTTP API and dashboard: {url}/  (OpenAPI: {url}/docs, NATS contract: {url}/asyncapi)", flush=True)


def demo(app: App, args: argparse.Namespace) -> int:
    # One demo per data directory: a second one would empty the first one's directory under it.
    lock = RoleLock(app.settings.model_copy(update={"store": "sqlite"}), "demo")
    try:
        asyncio.run(_demo(app, args.exit, args.timeout))
    finally:
        lock.release()
    return 0


async def _demo(base: App, exit_after: bool, timeout: float) -> None:
    root = base.settings.data_dir / "demo"
    if root.exists():
        shutil.rmtree(root)
    log.info("demo", data_dir=str(root))
    with EmbeddedNats(root / "nats") as server:
        settings = base.settings.model_copy(
            update={"data_dir": root, "store": "sqlite", "nats_url": server.url}
        )
        app = build(settings)
        ensure_operators(settings, app.ledger, OPERATORS)  # the scenario's command centre
        tokens = {name: add_token(settings, app.ledger, name, role) for name, role in DEMO_ACCOUNTS}
        stop = asyncio.Event()
        install_stop(stop)
        http: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        runner = asyncio.create_task(app.run("all", stop, on_http=http.set_result))
        nc = await connect(server.url, "pingzhan-demo")
        try:
            act1, act2 = scenario(read_org_file(settings.org_file), app.org)
            started = time.monotonic()
            outcomes = await _publish_and_project(app, nc, act1, timeout)
            print(f"== July rainstorm: {STREET} switched to wartime level II ({len(act1)} reports) ==")
            for o in outcomes:
                if o.status == "rejected":
                    print(f"rejected {o.message_id} ({o.kind}): {o.reason}")
            print(render.roster(queries.roster(app.views, app.org, STREET), tz=app.settings.tz))
            await _publish_and_project(app, nc, act2, timeout)
            print(f"\n== Stand-down: {STREET} back to peacetime ({len(act2)} reports) ==")
            print(render.roster(queries.roster(app.views, app.org, STREET), tz=app.settings.tz))
            episode = f"{STREET}#1"
            print(f"\n== Audit trail of episode {episode} ==")
            print(render.audit(queries.audit(app.views, app.org, episode), app.settings.tz))
            print(f"\nDemo processed {len(act1) + len(act2)} messages in {time.monotonic() - started:.2f} s.")
            if settings.http:
                _sign_in_links(await asyncio.wait_for(http, timeout), tokens)
            if not exit_after:
                print(
                    f"\nStill serving (Ctrl-C stops). In another shell:\n"
                    f"  export PINGZHAN_NATS_URL={server.url} PINGZHAN_DATA_DIR={root}\n"
                    f"  export PINGZHAN_TOKEN={tokens['duty-li']}   # duty-li's: who switches\n"
                    f"  .venv/bin/pingzhan switch wartime --scope district:BT --level III --reason rainstorm\n"
                    f"  .venv/bin/pingzhan roster"
                )
                await stop.wait()
        finally:
            stop.set()
            await nc.close()
            await runner
            app.close()


# Accounts of the demo, made afresh (with new tokens) on each run: two operators, so that a
# level-I switch can be proposed by one and confirmed by the other, and a read-only screen.
DEMO_ACCOUNTS = (("duty-li", "operator"), ("duty-wang", "operator"), ("screen", "dashboard"))


def _sign_in_links(url: str, tokens: dict[str, str]) -> None:
    print(f"\n== Dashboard: {url}/ (OpenAPI {url}/docs, NATS contract {url}/asyncapi) ==")
    print("Open a link to sign in as that account (a second browser for the second operator):")
    for name, role in DEMO_ACCOUNTS:
        print(f"  {role:<9} {name:<9} {url}/#token={tokens[name]}")
    print(f"API: curl -s -H 'Authorization: Bearer {tokens['screen']}' {url}/api/roster", flush=True)


async def _publish_and_project(app: App, nc: Any, messages: list[Envelope], timeout: float) -> list[Any]:
    """Send the messages, then wait until the read models include them."""
    prefix = app.settings.subject_prefix
    items = [(m.id, subject_for(prefix, m), m.model_dump_json().encode()) for m in messages]
    outcomes = await send(app, items, timeout, nc)
    head = app.ledger.recorder.max_notification_id() or 0
    await asyncio.to_thread(app.projector.wait_for, head, timeout)
    return outcomes
