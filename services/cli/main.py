"""The `pingzhan` command: serve, demo, switch, roster, audit, outcome, publish, rebuild."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import signal
import sys
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import orjson
from pingzhan.domain.org import Org
from pingzhan.services.bootstrap import Service, build
from pingzhan.services.cli import render
from pingzhan.services.cli import reports as cli_reports
from pingzhan.services.cli import simulate as cli_simulate
from pingzhan.services.ingest.batch import Outcome
from pingzhan.services.logs import configure_logging, log
from pingzhan.services.nats import transport as nats_io
from pingzhan.services.nats.embedded import EmbeddedNats
from pingzhan.services.org import admin as org_admin
from pingzhan.services.org.admin import active_org_data
from pingzhan.services.org.data import load_org_data, read_org_file
from pingzhan.services.read import queries
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.settings import Settings
from pingzhan.services.store.locks import AlreadyRunning, RoleLock
from pingzhan.services.traffic.scenario import STREET, scenario
from pingzhan.services.wire import MESSAGE, Envelope, subject_for
from pydantic import ValidationError


class CliError(Exception):
    """An error the user can act on; printed as one line."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"pingzhan: error: {message} (see pingzhan {self.prog.split()[-1]} --help)", file=sys.stderr)
        raise SystemExit(2)


def _print_json(doc: Any) -> None:
    print(json.dumps(doc, ensure_ascii=False, indent=2))


def _install_stop(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


# serve ------------------------------------------------------------------------------------------
async def _serve(settings: Settings, role: str) -> None:
    service = build(settings)
    stop = asyncio.Event()
    _install_stop(stop)
    log.info(
        "serving",
        nats=settings.nats_url,
        store=settings.store,
        consumer=settings.consumer_name,
        position=service.ingest.position,
    )
    try:
        if role == "project":
            lock = RoleLock(settings, "projector")
            try:
                await asyncio.to_thread(_project_until, service, stop)
            finally:
                lock.release()
        else:
            await service.run(stop, project=role == "all")
    finally:
        service.close()


def _project_until(service: Service, stop: asyncio.Event) -> None:
    """Follow the store by polling (a projector in its own process sees no in-process signal)."""
    while not stop.is_set():
        if service.projector.step() == 0:
            time.sleep(0.05)


# demo -------------------------------------------------------------------------------------------
async def _publish_and_wait(
    service: Service, js: Any, nc: Any, messages: list[Envelope], timeout: float = 30
) -> list[Outcome]:
    pending = {m.id for m in messages}
    outcomes: dict[str, Outcome] = {}
    done = asyncio.Event()

    async def on_outcome(msg: Any) -> None:
        outcome = Outcome.from_json(msg.data)
        if outcome.message_id in pending:
            outcomes[outcome.message_id] = outcome
            if len(outcomes) == len(pending):
                done.set()

    sub = await nc.subscribe(f"{service.settings.subject_prefix}.outcome.>", cb=on_outcome)
    await nats_io.publish(js, service.settings.subject_prefix, messages)
    try:
        await asyncio.wait_for(done.wait(), timeout)
    except TimeoutError:
        raise CliError(
            f"only {len(outcomes)} of {len(pending)} demo messages were processed within {timeout:.0f} s"
        ) from None
    finally:
        await sub.unsubscribe()
    head = service.ledger.recorder.max_notification_id() or 0
    await asyncio.to_thread(service.projector.wait_for, head, timeout)
    return [outcomes[m.id] for m in messages]


async def _demo(settings: Settings, exit_after: bool) -> None:
    root = settings.data_dir / "demo"
    if root.exists():
        shutil.rmtree(root)
    with EmbeddedNats(root / "nats") as server:
        settings = settings.model_copy(update={"data_dir": root, "store": "sqlite", "nats_url": server.url})
        service = build(settings)
        stop = asyncio.Event()
        _install_stop(stop)
        runner = asyncio.create_task(service.run(stop))
        nc = await nats_io.connect(server.url, "pingzhan-demo")
        js = nc.jetstream()
        await nats_io.ensure_stream(js, settings)
        try:
            act1, act2 = scenario(read_org_file(settings.org_file), service.org)
            started = time.monotonic()
            outcomes = await _publish_and_wait(service, js, nc, act1)
            print(f"== July rainstorm: {STREET} switched to wartime level II ({len(act1)} reports) ==")
            for o in outcomes:
                if o.status == "rejected":
                    print(f"rejected {o.message_id} ({o.kind}): {o.reason}")
            print(render.roster(queries.roster(service.views, service.org, STREET)))
            await _publish_and_wait(service, js, nc, act2)
            print(f"\n== Stand-down: {STREET} back to peacetime ({len(act2)} reports) ==")
            print(render.roster(queries.roster(service.views, service.org, STREET)))
            episode = f"{STREET}#1"
            print(f"\n== Audit trail of episode {episode} ==")
            print(render.audit(queries.audit(service.views, service.org, episode)))
            print(f"\nDemo processed {len(act1) + len(act2)} messages in {time.monotonic() - started:.2f} s.")
            if not exit_after:
                print(
                    f"\nStill serving (Ctrl-C stops). In another shell:\n"
                    f"  export PINGZHAN_NATS_URL={server.url} PINGZHAN_DATA_DIR={root}\n"
                    f"  .venv/bin/pingzhan switch wartime --scope district:BT --level III --reason rainstorm --operator me\n"
                    f"  .venv/bin/pingzhan roster"
                )
                await stop.wait()
        finally:
            stop.set()
            await nc.close()
            await runner
            service.close()


# switch / publish / outcome -----------------------------------------------------------------------
async def _send(settings: Settings, items: list[nats_io.Item], timeout: float) -> list[Outcome]:
    """Publish (id, subject, body) items and wait for the outcome of each, in their order."""
    nc = await nats_io.connect(settings.nats_url, "pingzhan-cli", give_up_after_s=5, reconnect=False)
    try:
        js = nc.jetstream()
        await nats_io.ensure_stream(
            js, settings
        )  # so the messages wait in the stream even if nobody serves yet
        outcomes: dict[str, Outcome] = {}
        done = asyncio.Event()
        wanted = {i for i, _, _ in items}

        async def on_outcome(msg: Any) -> None:
            o = Outcome.from_json(msg.data)
            if o.message_id in wanted:
                outcomes[o.message_id] = o
                if len(outcomes) == len(wanted):
                    done.set()

        await nc.subscribe(f"{settings.subject_prefix}.outcome.>", cb=on_outcome)
        acks = await nats_io.publish_items(js, items)
        # NATS drops an id sent again within its duplicate window: no new outcome will come on
        # NATS for it, so its first one is read from the store.
        resent = [i for (i, _, _), ack in zip(items, acks, strict=True) if ack.duplicate]
        try:
            if resent:
                await asyncio.wait_for(
                    _stored_outcomes(settings, resent, outcomes, done, len(wanted)), timeout
                )
            await asyncio.wait_for(done.wait(), timeout)
        except TimeoutError:
            missing = sorted(wanted - set(outcomes))
            raise CliError(
                f"published, but no outcome for {', '.join(missing[:5])} within {timeout:.0f} s; "
                f"is `pingzhan serve` running? (`pingzhan outcome ID` looks it up later)"
            ) from None
        return [outcomes[i] for i, _, _ in items]
    finally:
        await nc.close()


async def _stored_outcomes(
    settings: Settings, ids: list[str], outcomes: dict[str, Outcome], done: asyncio.Event, wanted: int
) -> None:
    from pingzhan.services.store.ledger import open_ledger

    ledger = await asyncio.to_thread(open_ledger, settings)
    missing = set(ids)
    while missing:  # the first send may still be on its way into the store
        for message_id, text in (await asyncio.to_thread(ledger.outcomes, sorted(missing))).items():
            outcomes[message_id] = Outcome.from_json(text, replayed=True)
            missing.discard(message_id)
        if missing:
            await asyncio.sleep(0.2)
    if len(outcomes) == wanted:
        done.set()


def _print_outcome(o: Outcome, as_json: bool) -> None:
    if as_json:
        print(o.to_json().decode())
    elif o.status == "accepted":
        print(
            f"accepted {o.message_id}: {', '.join(o.events)}" + (" (recorded earlier)" if o.replayed else "")
        )
    else:
        print(f"rejected {o.message_id} ({o.code}): {o.reason}")


SWITCH_KINDS = {
    "wartime": "mode.switched_to_wartime",
    "peacetime": "mode.switched_to_peacetime",
    "level": "mode.level_changed",
    "confirm": "mode.switch_confirmed",
}


def _switch(settings: Settings, args: argparse.Namespace) -> int:
    fields: dict[str, Any] = {
        "id": f"op-{uuid.uuid4().hex[:20]}",
        "kind": SWITCH_KINDS[args.mode],
        "occurred_at": datetime.now(UTC).isoformat(),
        "actor": args.operator,
        "scope": args.scope,
    }
    if args.mode in ("wartime", "level"):
        if args.level is None:
            raise CliError(f"switch {args.mode} needs --level I|II|III|IV")
        fields["level"] = args.level
    elif args.level is not None:
        raise CliError("--level only goes with wartime or level")
    if args.mode == "confirm":
        if args.proposal is None:
            raise CliError("switch confirm needs --proposal ID (the id printed when the switch was proposed)")
        fields["proposal_id"] = args.proposal
    else:
        if args.reason is None:
            raise CliError(f"switch {args.mode} needs --reason TEXT")
        fields["reason"] = args.reason
    if args.exercise:
        if args.mode != "wartime":
            raise CliError("--exercise only goes with wartime (a drill is a whole episode)")
        fields["exercise"] = True
    try:
        message = MESSAGE.validate_python(fields)
    except ValidationError as e:
        err = e.errors()[0]
        raise CliError(f"{'.'.join(map(str, err['loc'][1:]))}: {err['msg']}") from None
    item = (message.id, subject_for(settings.subject_prefix, message), message.model_dump_json().encode())
    (outcome,) = asyncio.run(_send(settings, [item], args.timeout))
    _print_outcome(outcome, args.json)
    if not args.json and "ScopeMode.SwitchProposed" in outcome.events:
        print(
            f"level I takes a second operator: pingzhan switch confirm --scope {args.scope} "
            f"--proposal {outcome.message_id} --operator OTHER_OPERATOR (within 30 minutes)"
        )
    return 0 if outcome.status == "accepted" else 1


def _publish(settings: Settings, args: argparse.Namespace) -> int:
    from pingzhan.services.wire import subject_of

    items = []
    for n, line in enumerate(Path(args.file).read_bytes().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            doc = orjson.loads(line)
            msg_id = str(doc["id"])
            subject = subject_of(settings.subject_prefix, doc)
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
            raise CliError(f"{args.file}:{n}: not a JSON object with an id") from None
        items.append((msg_id, subject, line))
    outcomes = asyncio.run(_send(settings, items, args.timeout))
    for o in outcomes:
        _print_outcome(o, args.json)
    return 0 if all(o.status == "accepted" for o in outcomes) else 1


def _outcome(settings: Settings, args: argparse.Namespace) -> int:
    from pingzhan.services.store.ledger import open_ledger

    ledger = open_ledger(settings)
    found = ledger.outcomes([args.message_id])
    if args.message_id not in found:
        raise CliError(f"no outcome recorded for message {args.message_id!r}")
    _print_outcome(Outcome.from_json(found[args.message_id]), args.json)
    return 0


# read models ----------------------------------------------------------------------------------------
def _org(settings: Settings, db: ViewDb) -> Org:
    return load_org_data(active_org_data(settings, db))


def _roster(settings: Settings, args: argparse.Namespace) -> int:
    db = ViewDb(settings)
    doc = queries.roster(db, _org(settings, db), args.scope)
    _print_json(doc) if args.json else print(render.roster(doc, args.all))
    return 0


def _audit(settings: Settings, args: argparse.Namespace) -> int:
    db = ViewDb(settings)
    org = _org(settings, db)
    if args.episodes:
        eps = queries.episodes(db, org)
        _print_json(eps) if args.json else print(render.episodes(eps))
        return 0
    rows = queries.audit(db, org, args.episode, args.limit)
    _print_json(rows) if args.json else print(render.audit(rows))
    return 0


def _rebuild(settings: Settings, args: argparse.Namespace) -> int:
    lock = RoleLock(settings, "projector")  # not while a running service projects
    try:
        service = build(settings)
        started = time.monotonic()
        n = service.projector.rebuild()
        took = time.monotonic() - started
    finally:
        lock.release()
    print(
        f"rebuilt roster and audit trail from {n} events in {took:.2f} s ({n / took if took else 0:,.0f} events/s)"
    )
    return 0


def _org_command(settings: Settings, args: argparse.Namespace) -> int:
    db = ViewDb(settings)
    if args.org_command == "show":
        data = active_org_data(settings, db)
        figures = org_admin.counts(data)
        if args.json:
            _print_json(figures)
        else:
            print(render.table(("level", "count"), [(k, f"{v:,}") for k, v in figures.items()]))
        return 0
    result = org_admin.import_file(settings, db, Path(args.file))
    added = ", ".join(f"{n:,} {level}" for level, n in result["added"].items() if n) or "nothing new"
    print(f"organisation {'updated' if result['changed'] else 'unchanged'}: {added}")
    if result["changed"]:
        # Workers read the organisation when they start: a cadre dispatched to a grid they do
        # not know yet would be rejected for good. Register the cadres once they know it.
        cadres = "" if args.no_cadres else ", then run this import again to register and dispatch its cadres"
        print(f"restart `pingzhan serve` so that every worker uses the new organisation{cadres}")
    elif not args.no_cadres:
        now = datetime.now(UTC).isoformat()
        items = org_admin.cadre_messages(result["data"], now, settings.subject_prefix)
        outcomes = asyncio.run(_send(settings, items, args.timeout))
        fresh = [o for o in outcomes if not o.replayed and o.status == "accepted"]
        rejected = [o for o in outcomes if o.status == "rejected" and not o.replayed]
        print(
            f"cadres: {len(fresh):,} registrations/dispatches recorded, "
            f"{sum(o.replayed for o in outcomes):,} already recorded, {len(rejected):,} rejected"
        )
        for o in rejected[:10]:
            print(f"  rejected {o.message_id} ({o.code}): {o.reason}")
    return 0


def _report(settings: Settings, args: argparse.Namespace) -> int:
    db = ViewDb(settings)
    return cli_reports.run_report(db, _org(settings, db), args)


def _duty(settings: Settings, args: argparse.Namespace) -> int:
    db = ViewDb(settings)
    return cli_reports.run_duty(db, _org(settings, db), args)


def parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="pingzhan", description="Peacetime/wartime switching and duty records for community grids."
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    sv = sub.add_parser("serve", help="ingest from NATS and keep the read models current")
    sv.add_argument(
        "--role",
        choices=("all", "ingest", "project"),
        default="all",
        help="ingest only (extra workers), project only, or both (default)",
    )
    d = sub.add_parser("demo", help="embedded NATS + the July rainstorm scenario from the seed")
    d.add_argument("--exit", action="store_true", help="return when the scenario has been processed")
    s = sub.add_parser("switch", help="switch a scope to wartime or back to peacetime")
    s.add_argument(
        "mode", choices=tuple(SWITCH_KINDS), help="wartime, peacetime, level (escalate/de-escalate), confirm"
    )
    s.add_argument("--scope", required=True, help="KIND:ID, e.g. street:BT-QG")
    s.add_argument(
        "--level", help="I (highest) to IV; with wartime and level. Level I needs a second operator"
    )
    s.add_argument("--reason", help="why (not with confirm)")
    s.add_argument("--proposal", help="with confirm: the id of the level-I proposal")
    s.add_argument(
        "--exercise", action="store_true", help="with wartime: a drill, kept apart from real episodes"
    )
    s.add_argument("--operator", required=True)
    s.add_argument("--timeout", type=float, default=10.0)
    s.add_argument("--json", action="store_true")
    pb = sub.add_parser("publish", help="publish JSON-lines messages and print their outcomes")
    pb.add_argument("file")
    pb.add_argument("--timeout", type=float, default=30.0)
    pb.add_argument("--json", action="store_true")
    o = sub.add_parser("outcome", help="the recorded outcome of a message id")
    o.add_argument("message_id")
    o.add_argument("--json", action="store_true")
    r = sub.add_parser("roster", help="the live duty roster")
    r.add_argument("--scope", help="KIND:ID; default the whole district")
    r.add_argument("--all", action="store_true", help="list every grid, not only those with something on")
    r.add_argument("--json", action="store_true")
    a = sub.add_parser("audit", help="the audit trail")
    a.add_argument("--episode", help="only this emergency episode, e.g. street:BT-BS#1")
    a.add_argument("--episodes", action="store_true", help="list the emergency episodes")
    a.add_argument("--limit", type=int, help="only the last N entries")
    a.add_argument("--json", action="store_true")
    sub.add_parser("rebuild", help="rebuild the read models from the event store")
    og = sub.add_parser("org", help="the organisation: show its size, or import a file")
    org_sub = og.add_subparsers(dest="org_command", required=True, parser_class=Parser)
    show = org_sub.add_parser("show", help="counts per level")
    show.add_argument("--json", action="store_true")
    imp = org_sub.add_parser("import", help="import an organisation file (only adds; idempotent)")
    imp.add_argument("file")
    imp.add_argument(
        "--no-cadres", action="store_true", help="do not register and dispatch the file's cadres"
    )
    imp.add_argument("--timeout", type=float, default=60.0)
    cli_reports.add_parsers(sub)
    cli_simulate.add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as e:
        err = e.errors()[0]
        where = f"setting {'.'.join(map(str, err['loc']))}: " if err["loc"] else ""
        print(f"pingzhan: error: {where}{err['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 2
    configure_logging()
    try:
        match args.command:
            case "serve":
                asyncio.run(_serve(settings, args.role))
                return 0
            case "demo":
                asyncio.run(_demo(settings, args.exit))
                return 0
            case "switch":
                return _switch(settings, args)
            case "publish":
                return _publish(settings, args)
            case "outcome":
                return _outcome(settings, args)
            case "roster":
                return _roster(settings, args)
            case "audit":
                return _audit(settings, args)
            case "rebuild":
                return _rebuild(settings, args)
            case "org":
                return _org_command(settings, args)
            case "report":
                return _report(settings, args)
            case "duty":
                return _duty(settings, args)
            case "simulate":
                return cli_simulate.run(settings, active_org_data(settings, ViewDb(settings)), args)
    except KeyboardInterrupt:
        return 130
    except (CliError, LookupError, nats_io.NatsUnreachable, nats_io.StreamBehind, AlreadyRunning) as e:
        print(f"pingzhan: error: {e.args[0] if e.args else e}", file=sys.stderr)
        return 1
    except Exception as e:  # the last line of defence: one line, never a traceback
        print(
            f"pingzhan: error: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
