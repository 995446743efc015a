"""`pingzhan token add NAME --role ROLE`, `pingzhan token list`, `pingzhan token revoke NAME`: the
accounts that may act, and their bearer tokens (services/accounts.py)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pingzhan.domain.accounts import ROLES
from pingzhan.services import accounts
from pingzhan.services.bootstrap import App
from pingzhan.services.cli import render
from pingzhan.services.cli.console import CliError, print_json


def add_parsers(sub: Any, parser_class: type) -> None:
    tk = sub.add_parser("token", help="accounts and their bearer tokens: add, list, revoke")
    tk_sub = tk.add_subparsers(dest="token_command", required=True, parser_class=parser_class)
    add = tk_sub.add_parser("add", help="a new account and its token, printed once")
    add.add_argument("name", help="lowercase letters, digits, '.', '_' and '-', starting with a letter")
    add.add_argument("--role", required=True, choices=ROLES, help="operators may switch modes")
    add.set_defaults(func=add_token)
    ls = tk_sub.add_parser("list", help="the accounts: name, role, added, revoked (never a token)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=list_tokens)
    rv = tk_sub.add_parser("revoke", help="revoke an account's token")
    rv.add_argument("name")
    rv.set_defaults(func=revoke_token)


def add_token(app: App, args: argparse.Namespace) -> int:
    token = accounts.add_token(app.settings, app.ledger, args.name, args.role)
    print(token)
    print(
        f"the token of {args.role} account {args.name}, shown only this once: pingzhan keeps only its hash",
        file=sys.stderr,
    )
    return 0


def list_tokens(app: App, args: argparse.Namespace) -> int:
    _need_store(app)
    found = accounts.list_accounts(app.ledger)
    if args.json:
        print_json(found)
    elif not found:
        print("no accounts yet (pingzhan token add NAME --role ROLE)")
    else:
        tz = app.settings.tz
        rows = [
            (a["name"], a["role"], render.local(a["added_at"], tz), render.local(a["revoked_at"], tz) or "")
            for a in found
        ]
        print(render.table(("name", "role", "added", "revoked"), rows))
    return 0


def revoke_token(app: App, args: argparse.Namespace) -> int:
    _need_store(app)
    accounts.revoke(app.settings, app.ledger, args.name)
    print(f"{args.name}: token revoked; it is refused from now on")
    return 0


def _need_store(app: App) -> None:
    """Listing or revoking on a directory without a store says so and creates nothing there."""
    if not app.has_store:
        raise CliError(
            f"no store at {app.settings.data_dir}; start `pingzhan serve` or set PINGZHAN_DATA_DIR"
        )
