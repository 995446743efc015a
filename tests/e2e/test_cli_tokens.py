"""`pingzhan token add|list|revoke` as people use them, and switches that only registered operators make."""

from __future__ import annotations

import json
from pathlib import Path

from pingzhan.services.accounts import authenticate
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger

from tests.e2e.helpers import cli, register_operators, serving, switch


def who(data_dir: Path, token: str) -> tuple[str, str] | None:
    """What the HTTP API will do with a bearer token: authenticate it against the store."""
    ledger = open_ledger(Settings(data_dir=data_dir))
    try:
        return authenticate(ledger, token)
    finally:
        ledger.close()


def test_a_token_is_printed_once_and_authenticates_until_it_is_revoked(env, tmp_path: Path) -> None:
    data = tmp_path / "data"

    added = cli("token", "add", "op-li", "--role", "operator", env=env)
    token = added.stdout.strip()
    listed = cli("token", "list", env=env)
    as_json = cli("token", "list", "--json", env=env)
    accepted, wrong = who(data, token), who(data, token[:-1] + ("x" if token[-1] != "x" else "y"))
    revoked = cli("token", "revoke", "op-li", env=env)
    after = who(data, token)

    assert added.returncode == 0, added.stderr
    assert token.startswith("pz_") and len(added.stdout.splitlines()) == 1
    assert added.stderr == (
        "the token of operator account op-li, shown only this once: pingzhan keeps only its hash\n"
    )
    assert accepted == ("op-li", "operator") and wrong is None
    assert revoked.returncode == 0 and revoked.stdout == "op-li: token revoked; it is refused from now on\n"
    assert after is None
    assert listed.stdout.splitlines()[0].split() == ["name", "role", "added", "revoked"]
    assert listed.stdout.splitlines()[2].split()[:2] == ["op-li", "operator"]
    (account,) = json.loads(as_json.stdout)
    assert set(account) == {"name", "role", "added_at", "revoked_at"} and account["revoked_at"] is None
    assert token not in listed.stdout + as_json.stdout
    assert token.encode() not in (data / "events.sqlite").read_bytes()  # only its hash is stored


def test_a_second_token_for_a_name_or_a_name_in_capitals_is_refused_in_one_line(env) -> None:
    cli("token", "add", "op-li", "--role", "operator", env=env)

    again = cli("token", "add", "op-li", "--role", "dashboard", env=env)
    capitals = cli("token", "add", "OP-LI", "--role", "operator", env=env)
    unknown = cli("token", "revoke", "op-wang", env=env)

    assert again.returncode == 1
    assert again.stderr == "pingzhan: error: op-li already has a token; revoke it first\n"
    assert capitals.returncode == 1 and capitals.stderr.count("\n") == 1
    assert "'OP-LI' is not an account name: use lowercase letters" in capitals.stderr
    assert unknown.returncode == 1 and unknown.stderr == "pingzhan: error: there is no account 'op-wang'\n"


def test_listing_accounts_where_there_is_no_store_says_so_and_creates_nothing(env, tmp_path: Path) -> None:
    result = cli("token", "list", env=env)

    assert result.returncode == 1
    assert result.stderr.startswith("pingzhan: error: no store at ") and result.stderr.count("\n") == 1
    assert not (tmp_path / "data").exists()


def test_a_switch_is_made_only_with_an_operators_own_token_and_others_are_rejected_not_authorised(
    env, tmp_path: Path
) -> None:
    register_operators("op-a", env=env)
    screen = cli("token", "add", "screen-1", "--role", "dashboard", env=env).stdout.strip()
    line = {"id": "raw-1", "kind": "mode.switched_to_wartime", "occurred_at": "2022-07-15T20:00:00+08:00",
            "actor": "me", "scope": "street:BT-QG", "level": "II", "reason": "x"}  # fmt: skip
    (tmp_path / "raw.jsonl").write_text(json.dumps(line) + "\n")
    with serving(env, tmp_path) as (env, _):
        stranger = switch("wartime", scope="street:BT-QG", level="II", reason="x", operator="me", env=env)
        dashboard = switch(
            "wartime", scope="street:BT-QG", level="II", reason="x", env={**env, "PINGZHAN_TOKEN": screen}
        )
        raw = cli("publish", str(tmp_path / "raw.jsonl"), env=env)
        operator = switch("wartime", scope="street:BT-QG", level="II", reason="x", operator="op-a", env=env)
        cli("token", "revoke", "op-a", env=env)
        revoked = switch("peacetime", scope="street:BT-QG", reason="over", operator="op-a", env=env)

    assert stranger.returncode == 1 and "switch needs me's operator token" in stranger.stderr
    assert dashboard.returncode == 1 and "screen-1 is a dashboard account" in dashboard.stderr
    assert raw.returncode == 1 and raw.stdout.split(" ", 2)[2] == (
        "(not_authorised): 'me' is not a registered operator (pingzhan token add me --role operator)\n"
    )
    assert operator.returncode == 0, operator.stdout + operator.stderr
    assert revoked.returncode == 1 and "not valid (or was revoked)" in revoked.stderr
