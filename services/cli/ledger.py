"""The tamper-evident ledger (services/ledger): `pingzhan ledger init`, `pingzhan verify`,
`pingzhan prove POSITION`, `pingzhan verify-proof FILE`, `pingzhan ledger checkpoints`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from pingzhan.services.bootstrap import App
from pingzhan.services.cli.console import CliError, UsageError, print_json
from pingzhan.services.ledger.checkpointer import origin_of
from pingzhan.services.ledger.keys import init_key, load_verifier
from pingzhan.services.ledger.leaves import EVENT, OUTCOME
from pingzhan.services.ledger.note import Checkpoint, read_notes
from pingzhan.services.ledger.proofs import check_proof, describe, prove
from pingzhan.services.ledger.verify import Report, verify_log


def add_parsers(sub: Any, parser_class: type) -> None:
    lg = sub.add_parser("ledger", help="the tamper-evident ledger's key and checkpoints")
    lg_sub = lg.add_subparsers(dest="ledger_command", required=True, parser_class=parser_class)
    init = lg_sub.add_parser(
        "init", help="make the Ed25519 key that signs checkpoints (outside the data directory)"
    )
    init.add_argument("--name", default="pingzhan-ledger", help="the key's name in signature lines")
    init.set_defaults(func=ledger_init)
    cps = lg_sub.add_parser(
        "checkpoints", help="copy every checkpoint of this store from the JetStream stream"
    )
    cps.add_argument("-o", "--out", type=Path, help="write them to this file (default: print them)")
    cps.set_defaults(func=ledger_checkpoints)

    vf = sub.add_parser("verify", help="recompute the ledger and check it against the signed checkpoints")
    vf.add_argument(
        "--checkpoint", type=Path, help="the checkpoint file (default PINGZHAN_LEDGER_CHECKPOINTS)"
    )
    vf.add_argument(
        "--public-key", type=Path, help="the ledger's public key (default PINGZHAN_LEDGER_PUBLIC_KEY)"
    )
    vf.add_argument("--json", action="store_true")
    vf.set_defaults(func=verify)

    pv = sub.add_parser(
        "prove", help="an inclusion proof of one event (or outcome) against the latest checkpoint"
    )
    pv.add_argument(
        "position", type=int, nargs="?", help="the event's position (the # column of `pingzhan audit`)"
    )
    pv.add_argument("--message", help="instead: the inbox row (the recorded outcome) of this message id")
    pv.add_argument(
        "--checkpoint", type=Path, help="the checkpoint file (default PINGZHAN_LEDGER_CHECKPOINTS)"
    )
    pv.add_argument(
        "--public-key", type=Path, help="the ledger's public key (default PINGZHAN_LEDGER_PUBLIC_KEY)"
    )
    pv.add_argument("-o", "--out", type=Path, help="write the proof to this file (default: print it)")
    pv.set_defaults(func=prove_event)

    vp = sub.add_parser("verify-proof", help="check an inclusion proof made by `pingzhan prove`")
    vp.add_argument("proof", help="the proof file, or - for standard input")
    vp.add_argument(
        "--public-key", type=Path, help="the ledger's public key (default PINGZHAN_LEDGER_PUBLIC_KEY)"
    )
    vp.set_defaults(func=verify_proof)


def ledger_init(app: App, args: argparse.Namespace) -> int:
    signer = init_key(app.settings, args.name)
    print(f"ledger key {signer.name} ({signer.verifier.id.hex()}) written to {app.settings.ledger_key}")
    print(f"its public key, for auditors: {app.settings.verifier_key}")
    print(signer.verifier.text())
    return 0


def _checkpoints(app: App, path: Path | None) -> list[Checkpoint]:
    path = path or app.settings.ledger_checkpoints
    if not path.exists():
        raise CliError(f"no checkpoint file at {path}; give one with --checkpoint FILE")
    return list(read_notes(path.read_text(encoding="utf-8")))


def verify(app: App, args: argparse.Namespace) -> int:
    verifier = load_verifier(app.settings, args.public_key)
    checkpoints = _checkpoints(app, args.checkpoint)
    with app.log_reader.data() as chunks:
        report = verify_log(
            chunks, checkpoints, verifier, origin_of(app.store_id), lambda i: _leaf_at(app, i)
        )
    if args.json:
        print_json(report.as_json())
    else:
        _print_report(report)
    if report.problems:
        more = len(report.problems) - 1
        raise CliError(
            report.headline.words + (f" (and {more} more problem{'s' * (more > 1)})" if more else "")
        )
    if not report.matched:
        raise CliError(
            f"no checkpoint of {report.origin} to verify against; is `pingzhan serve` signing them?"
        )
    return 0


def _leaf_at(app: App, index: int) -> str:
    """What the leaf at ``index`` is (read again: only when there is a difference to name)."""
    with app.log_reader.leaves() as leaves:
        for i, (kind, key, _) in enumerate(leaves):
            if i == index:
                return describe(kind, key)
    return ""


def _print_report(r: Report) -> None:
    print(
        f"{r.origin}: {r.leaves:,} leaves ({r.events:,} events, {r.outcomes:,} inbox rows) recomputed in "
        f"{r.seconds:.2f} s ({r.rate(r.events):,.0f} events/s), root {r.root.hex()}"
    )
    print(f"checkpoints: {r.checkpoints:,} of this store, {len(r.matched):,} signed and matched")
    if r.matched and r.first_difference is None:
        last = r.matched[-1]
        print(f"the last is {last.label}; {r.uncovered:,} leaves after it are not covered yet")
    for p in r.problems:
        print(f"PROBLEM: {p.words}")
    if r.ok:
        print("ok: the log is the one the checkpoints signed")


def prove_event(app: App, args: argparse.Namespace) -> int:
    if (args.position is None) == (args.message is None):
        raise UsageError("prove", "give an event's POSITION or --message ID, one of them")
    verifier = load_verifier(app.settings, args.public_key)
    origin = origin_of(app.store_id)
    signed = [c for c in _checkpoints(app, args.checkpoint) if c.origin == origin and c.signed_by(verifier)]
    if not signed:
        raise CliError(f"no signed checkpoint of {origin} in the checkpoint file")
    latest = max(signed, key=lambda c: c.size)
    if args.message is None:
        want = (EVENT, args.position)
    else:
        seq = app.log_reader.ledger_seq_of(args.message)
        if seq is None:
            raise CliError(f"no outcome of message {args.message!r} is recorded in this store")
        want = (OUTCOME, seq)
    with app.log_reader.leaves() as leaves:
        doc = prove(leaves, latest, want)
    text = json.dumps(doc, indent=2) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(
            f"the proof of {doc['leaf']} (leaf {doc['leaf_index']:,} of {doc['tree_size']:,}) written to {args.out}"
        )
    else:
        sys.stdout.write(text)
    return 0


def verify_proof(app: App, args: argparse.Namespace) -> int:
    verifier = load_verifier(app.settings, args.public_key)
    text = sys.stdin.read() if args.proof == "-" else Path(args.proof).read_text(encoding="utf-8")
    try:
        doc = json.loads(text)
    except ValueError:
        raise CliError(f"{args.proof}: not a JSON proof made by `pingzhan prove`") from None
    print(f"ok: {check_proof(doc, verifier)}")
    return 0


def ledger_checkpoints(app: App, args: argparse.Namespace) -> int:
    from pingzhan.services.ledger.fetch import fetch_checkpoints

    notes = asyncio.run(fetch_checkpoints(app.settings, app.store_id))
    text = "".join(c.note() + "\n" for c in notes)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"{len(notes):,} checkpoints written to {args.out}")
    else:
        sys.stdout.write(text)
    return 0
