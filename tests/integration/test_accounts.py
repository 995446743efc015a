"""Accounts in a real store (SQLite and PostgreSQL): tokens, authentication, and the ingest's check."""

from __future__ import annotations

from pingzhan.services import accounts
from pingzhan.services.ingest.batch import Ingest
from pingzhan.services.org.data import load_org
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger

from tests.integration.helpers import inbound

SWITCH = {"scope": "street:BT-QG", "level": "II", "reason": "rain"}


def test_authenticate_knows_a_token_until_it_is_revoked_and_never_a_wrong_one(store: Settings) -> None:
    ledger = open_ledger(store)
    token = accounts.add_token(store, ledger, "op-li", "operator")
    dashboard = accounts.add_token(store, ledger, "screen-1", "dashboard")

    before = accounts.authenticate(ledger, token), accounts.authenticate(ledger, dashboard)
    wrong = [accounts.authenticate(ledger, t) for t in ("", "pz_", token + "x", token.upper())]
    accounts.revoke(store, ledger, "op-li")
    after = accounts.authenticate(ledger, token), accounts.authenticate(ledger, dashboard)
    listed = accounts.list_accounts(ledger)
    ledger.close()

    assert before == (("op-li", "operator"), ("screen-1", "dashboard"))
    assert wrong == [None, None, None, None]
    assert after == (None, ("screen-1", "dashboard"))
    assert [(a["name"], a["role"], a["revoked_at"] is not None) for a in listed] == [
        ("op-li", "operator", True),
        ("screen-1", "dashboard", False),
    ]
    assert all(set(a) == {"name", "role", "added_at", "revoked_at"} for a in listed)


def test_registering_the_generators_operators_twice_registers_them_once(store: Settings) -> None:
    ledger = open_ledger(store)

    first = accounts.ensure_operators(store, ledger, ["command-center-01"])
    second = accounts.ensure_operators(store, ledger, ["command-center-01"])

    assert (first, second) == (["command-center-01"], [])
    assert [a["name"] for a in accounts.list_accounts(ledger)] == ["command-center-01"]
    ledger.close()


def test_the_ingest_takes_mode_messages_only_from_operators_and_field_reports_from_anyone(
    store: Settings,
) -> None:
    ledger = open_ledger(store)
    accounts.add_token(store, ledger, "op-a", "operator")
    accounts.add_token(store, ledger, "screen-1", "dashboard")
    worker = Ingest(ledger, load_org(), "ingest-0-of-1")

    outcomes = worker.process(
        [
            inbound(1, "mode.switched_to_wartime", **SWITCH, actor="screen-1"),
            inbound(2, "mode.switched_to_wartime", **SWITCH, actor="nobody"),
            inbound(3, "cadre.registered", cadre_id="C1", name="n", unit="u", actor="screen-1"),
            inbound(4, "cadre.registered", cadre_id="C2", name="n", unit="u", actor="nobody"),
            inbound(5, "mode.switched_to_wartime", **SWITCH, actor="op-a"),
        ]
    )
    ledger.close()

    assert [(o.status, o.code) for o in outcomes] == [
        ("rejected", "not_authorised"),
        ("rejected", "not_authorised"),
        ("accepted", None),
        ("accepted", None),
        ("accepted", None),
    ]


def test_a_worker_holding_the_accounts_sees_a_token_added_or_revoked_meanwhile(store: Settings) -> None:
    ledger = open_ledger(store)
    worker = Ingest(ledger, load_org(), "ingest-0-of-1")
    admin = open_ledger(store)  # `pingzhan token ...` is another process

    accounts.add_token(store, admin, "op-a", "operator")
    (first,) = worker.process([inbound(1, "mode.switched_to_wartime", **SWITCH, actor="op-a")])
    accounts.revoke(store, admin, "op-a")  # the worker still holds the accounts as it read them
    (second,) = worker.process(
        [inbound(2, "mode.switched_to_peacetime", scope="street:BT-QG", reason="x", actor="op-a")]
    )
    admin.close()
    ledger.close()

    assert first.status == "accepted"
    assert (second.status, second.code) == ("rejected", "not_authorised")
