"""The `pingzhan` command: the parser, and the dispatch to one module per command group.

Each group module adds its sub-commands with ``set_defaults(func=...)``; ``main`` builds the app
from settings (``services/bootstrap.py``), calls the command with it, and turns every error into
one line on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from pingzhan.services.bootstrap import build
from pingzhan.services.cli import operator, org, reads, reports, serve, simulate
from pingzhan.services.cli.console import CliError, Parser
from pingzhan.services.logs import configure_logging
from pingzhan.services.nats.connection import NatsUnreachable
from pingzhan.services.nats.stream import StreamBehind
from pingzhan.services.settings import Settings
from pingzhan.services.store.locks import AlreadyRunning
from pydantic import ValidationError


def parser() -> Parser:
    p = Parser(
        prog="pingzhan", description="Peacetime/wartime switching and duty records for community grids."
    )
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    serve.add_parsers(sub)
    operator.add_parsers(sub)
    reads.add_parsers(sub)
    org.add_parsers(sub, Parser)
    reports.add_parsers(sub)
    simulate.add_parsers(sub)
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
    app = build(settings)
    try:
        return int(args.func(app, args))
    except KeyboardInterrupt:
        return 130
    except (CliError, LookupError, NatsUnreachable, StreamBehind, AlreadyRunning) as e:
        print(f"pingzhan: error: {e.args[0] if e.args else e}", file=sys.stderr)
        return 1
    except Exception as e:  # the last line of defence: one line, never a traceback
        print(
            f"pingzhan: error: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}",
            file=sys.stderr,
        )
        return 1
    finally:
        app.close()


if __name__ == "__main__":
    raise SystemExit(main())
