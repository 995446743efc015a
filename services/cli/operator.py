"""What an operator sends: `pingzhan switch ...`, `pingzhan publish FILE`, and `pingzhan outcome ID`."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

import orjson
from pingzhan.domain.proposals import CONFIRMATION_WINDOW
from pingzhan.domain.scope_mode import ScopeMode
from pingzhan.services.accounts import authenticate
from pingzhan.services.bootstrap import App
from pingzhan.services.cli.console import CliError, UsageError, seconds
from pingzhan.services.cli.send import send
from pingzhan.services.ingest.outcome import Outcome
from pingzhan.services.wire import subject_for, subject_of
from pingzhan.services.wire.envelope import is_usable_id
from pingzhan.services.wire.operator import SWITCH_KINDS, SWITCH_OPTIONS, SwitchError, switch_message

PROPOSED = (ScopeMode.SwitchProposed.__qualname__, ScopeMode.VoidProposed.__qualname__)


def add_parsers(sub: Any) -> None:
    s = sub.add_parser("switch", help="switch a scope to wartime or back to peacetime")
    s.add_argument(
        "mode",
        choices=tuple(SWITCH_KINDS),
        help="wartime, peacetime, level (escalate/de-escalate), confirm, void (a mistaken switch)",
    )
    s.add_argument("--scope", required=True, help="KIND:ID, e.g. street:BT-QG")
    s.add_argument(
        "--level", help="I (highest) to IV; with wartime and level. Level I needs a second operator"
    )
    s.add_argument("--reason", help="why (not with confirm)")
    s.add_argument(
        "--trigger", help="with wartime or level: what set it off (a weather warning, a notice, a report id)"
    )
    s.add_argument("--proposal", help="with confirm: the id of the level-I or void proposal")
    s.add_argument("--episode", help="with void: the episode switched by mistake, e.g. street:BT-QG#1")
    s.add_argument(
        "--exercise", action="store_true", help="with wartime: a drill, kept apart from real episodes"
    )
    s.add_argument(
        "--operator",
        help="your name, checked against your token (PINGZHAN_TOKEN or --token-file); the token says it anyway",
    )
    s.add_argument(
        "--token-file", help="a file holding your operator token (else PINGZHAN_TOKEN): who you are"
    )
    s.add_argument("--timeout", type=seconds, default=10.0)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=switch)
    pb = sub.add_parser("publish", help="publish JSON-lines messages and print their outcomes")
    pb.add_argument("file")
    pb.add_argument("--timeout", type=seconds, default=30.0)
    pb.add_argument("--json", action="store_true")
    pb.set_defaults(func=publish)
    o = sub.add_parser("outcome", help="the recorded outcome of a message id or stream sequence")
    o.add_argument("message_id", nargs="?", help="the message's id (stream-seq-N for one without)")
    o.add_argument("--seq", type=int, help="the message's stream sequence instead of its id")
    o.add_argument("--json", action="store_true")
    o.set_defaults(func=outcome)


def switch(app: App, args: argparse.Namespace) -> int:
    options = {o: getattr(args, o) for o in SWITCH_OPTIONS}
    try:
        message = switch_message(
            args.mode,
            args.scope,
            args.operator or "operator",  # checked below: the actor is whose token it is
            app.settings.tz,
            args.exercise,
            args.trigger,
            **options,
        )
    except SwitchError as e:
        raise (UsageError("switch", str(e)) if e.usage else CliError(str(e))) from None
    message = message.model_copy(update={"actor": signed_in_operator(app, args)})
    item = (message.id, subject_for(app.settings.subject_prefix, message), message.model_dump_json().encode())
    (result,) = asyncio.run(send(app, [item], args.timeout))
    print_outcome(result, args.json)
    if not args.json and any(e in PROPOSED for e in result.events):
        minutes = int(CONFIRMATION_WINDOW.total_seconds() // 60)
        what = "a void" if args.mode == "void" else "level I"
        print(
            f"{what} takes a second operator: pingzhan switch confirm --scope {args.scope} "
            f"--proposal {result.message_id} (another operator, with their own token, within {minutes} minutes)"
        )
    return 0 if result.status == "accepted" else 1


def signed_in_operator(app: App, args: argparse.Namespace) -> str:
    """The operator whose token this is (PINGZHAN_TOKEN, or --token-file): a switch is made in
    the name of an authenticated operator, so level I and void take two different people."""
    if not app.has_store:
        raise CliError(f"no store at {app.settings.data_dir}, so no operators: set PINGZHAN_DATA_DIR")
    token = app.settings.token
    if args.token_file:
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip()
        except OSError as e:
            raise CliError(f"{args.token_file}: {(e.strerror or str(e)).lower()}") from None
    if not token:
        who = f"{args.operator}'s" if args.operator else "your"
        raise CliError(
            f"switch needs {who} operator token: set PINGZHAN_TOKEN or give --token-file FILE "
            "(pingzhan token add NAME --role operator prints one)"
        )
    found = authenticate(app.ledger, token)
    if found is None:
        raise CliError("that token is not valid (or was revoked): pingzhan token list shows the accounts")
    name, role = found
    if role != "operator":
        raise CliError(f"{name} is a {role} account; only operators switch")
    if args.operator and args.operator.lower() != name:
        raise CliError(f"the token is {name}'s, not {args.operator}'s")
    return name


def publish(app: App, args: argparse.Namespace) -> int:
    items = []
    for line in (
        Path(args.file).read_bytes().removeprefix(b"\xef\xbb\xbf").splitlines()
    ):  # a BOM is no message
        if not line.strip():
            continue
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError:
            doc = None
        fields = doc if isinstance(doc, dict) else {}
        # A line without a usable id goes out all the same: it is recorded as stream-seq-N.
        msg_id = fields["id"] if is_usable_id(fields.get("id")) else ""
        items.append((msg_id, subject_of(app.settings.subject_prefix, fields), line))
    if not items:
        raise CliError(f"{args.file} has no messages: nothing to publish")
    outcomes = asyncio.run(send(app, items, args.timeout))
    for o in outcomes:
        print_outcome(o, args.json)
    return 0 if all(o.status == "accepted" for o in outcomes) else 1


def outcome(app: App, args: argparse.Namespace) -> int:
    if (args.message_id is None) == (args.seq is None):
        raise UsageError("outcome", "outcome needs a MESSAGE_ID or --seq N (not both)")
    if args.seq is not None:
        found = app.ledger.outcome_at(args.seq)
        if found is None:
            raise CliError(f"no outcome recorded for stream sequence {args.seq}")
    else:
        found = app.ledger.outcomes([args.message_id]).get(args.message_id)
        if found is None:
            raise CliError(f"no outcome recorded for message {args.message_id!r}")
    print_outcome(Outcome.from_json(found), args.json)
    return 0


def print_outcome(o: Outcome, as_json: bool) -> None:
    if as_json:
        print(o.to_json().decode())
    elif o.status == "accepted":
        print(
            f"accepted {o.message_id}: {', '.join(o.events)}" + (" (recorded earlier)" if o.replayed else "")
        )
    else:
        print(
            f"rejected {o.message_id} ({o.code}): {o.reason}" + (" (recorded earlier)" if o.replayed else "")
        )
