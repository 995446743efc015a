"""`pingzhan report monthly|quarterly|yearly`: the documents of the reporting chain, one per
recipient, as Markdown or JSON, printed one after another or written one file each to --out."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from pingzhan.projections.document_text import markdown
from pingzhan.services.bootstrap import App
from pingzhan.services.cli.console import CliError
from pingzhan.services.cli.reads import as_of
from pingzhan.services.read import reporting

KINDS = ("monthly", "quarterly", "yearly")
HELP = {
    "monthly": "per community to its street: attendance and conduct (考勤和现实表现) per cadre",
    "quarterly": "per street per dispatching unit: the street 党工委's notice on the unit's cadres",
    "yearly": "per dispatching unit to its higher Party organisation: the year's summary",
}


def add_parsers(kinds: Any) -> None:
    for kind in KINDS:
        p = kinds.add_parser(kind, help=HELP[kind])
        if kind == "monthly":
            p.add_argument("--month", dest="period", required=True, help="YYYY-MM")
        else:
            p.add_argument("--period", required=True, help="YYYY-Qn" if kind == "quarterly" else "YYYY")
        p.add_argument("--lang", choices=("zh", "en"), default="zh", help="zh (default) or en")
        p.add_argument("--json", action="store_true", help="JSON instead of Markdown")
        p.add_argument("--out", help="a directory: one file per recipient instead of printing them")


def write(app: App, args: argparse.Namespace) -> int:
    try:
        docs = reporting.documents(app.views, app.org, app.settings.tz, args.report, args.period, args.lang)
    except ValueError as e:  # a period of another kind, or not one
        raise CliError(str(e)) from None
    texts = [(d["file"] + (".json" if args.json else ".md"), _text(d, args.json)) for d in docs]
    if args.out:
        out = Path(args.out)
        try:
            out.mkdir(parents=True, exist_ok=True)
            for name, text in texts:
                (out / name).write_text(text, encoding="utf-8")
        except OSError as e:
            raise CliError(f"--out: cannot write the documents to {out.resolve()}: {e.strerror}") from None
        print(f"{len(texts)} {args.report} documents for {args.period} written to {out.resolve()}")
    elif args.json:
        print(json.dumps(docs, ensure_ascii=False, indent=2))
    elif not texts:
        print("Nothing to report.")
    else:
        print("\n".join(text for _, text in texts), end="")
    as_of(app, args)
    return 0


def _text(doc: dict[str, Any], as_json: bool) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n" if as_json else markdown(doc)
