"""`pingzhan aar EPISODE`: the after-action report of an emergency episode (``services/aar``)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pingzhan.services.aar import render_html, render_md
from pingzhan.services.aar.read import episode_report
from pingzhan.services.bootstrap import App
from pingzhan.services.cli.console import CliError
from pingzhan.services.cli.reads import as_of

FORMATS = ("md", "html", "json")


def add_parsers(sub: Any) -> None:
    a = sub.add_parser("aar", help="the after-action report (复盘) of an emergency episode")
    a.add_argument("episode", help="SCOPE#N, e.g. street:BT-QG#1 (pingzhan audit --episodes lists them)")
    a.add_argument("--format", choices=FORMATS, default="md", help="md (default), html (with plots) or json")
    a.add_argument("-o", "--output", type=Path, help="write it to this file instead of standard output")
    a.set_defaults(func=aar)


def aar(app: App, args: argparse.Namespace) -> int:
    tz = app.settings.tz
    if args.output is not None and not args.output.parent.is_dir():  # said before the work, not after
        raise CliError(f"cannot write {args.output}: no such directory {args.output.parent}")
    doc = episode_report(
        app.views, app.ledger, app.org, args.episode, app.settings.deadlines, datetime.now(UTC)
    )
    if args.format == "json":
        text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "html":
        text = render_html.render(doc, tz)
    else:
        text = render_md.render(doc, tz) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as e:
            raise CliError(f"cannot write {args.output}: {(e.strerror or str(e)).lower()}") from None
        print(f"wrote {args.output} ({len(text.encode()):,} bytes)", file=sys.stderr)
    as_of(app, argparse.Namespace(json=True))  # beside the report, on stderr
    return 0
