"""The `pingzhan` command: the parser, and the dispatch to one module per command group.

Each group module adds its sub-commands with ``set_defaults(func=...)``; ``main`` builds the app
from settings (``services/bootstrap.py``), calls the command with it, and turns every error into
one line on stderr.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from pingzhan.services.bootstrap import build
from pingzhan.services.cli import aar, ledger, operator, org, reads, reports, serve, simulate, tokens
from pingzhan.services.cli.console import CliError, Parser, UsageError, in_words
from pingzhan.services.logs import configure_logging
from pingzhan.services.settings import Settings
from pydantic import ValidationError

# Commands that read a store: on a data directory without one they say so (and create nothing).
READS = {"roster", "audit", "rebuild", "report", "duty", "outcome", "verify", "prove", "aar"}


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
    aar.add_parsers(sub)
    simulate.add_parsers(sub)
    tokens.add_parsers(sub, Parser)
    ledger.add_parsers(sub, Parser)
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
        if args.command in READS and not app.has_store:
            raise CliError(
                f"no store at {settings.data_dir}; start `pingzhan serve` or set PINGZHAN_DATA_DIR"
            )
        code = int(args.func(app, args))
        sys.stdout.flush()  # here, so that a closed pipe is caught below and not at exit
        return code
    except KeyboardInterrupt:
        return 130
    except UsageError as e:
        print(f"pingzhan: error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `pingzhan audit | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as e:  # one line in words, never a traceback
        print(f"pingzhan: error: {in_words(e)}", file=sys.stderr)
        return 1
    finally:
        app.close()


if __name__ == "__main__":
    raise SystemExit(main())
