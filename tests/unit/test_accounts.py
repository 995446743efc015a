"""Accounts hold: mode commands come only from registered operators, under one canonical name each."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pingzhan.domain import commands as c
from pingzhan.domain import errors, ids
from pingzhan.domain.accounts import Accounts, AddAccount, RevokeAccount, token_hash
from pingzhan.domain.cadre import Cadre
from pingzhan.domain.scope_mode import ScopeMode
from pingzhan.projections.audit import AuditTrail

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

STREET, GRID = "street:BT-QG", "BT-QG-01-01"
HASH = token_hash("pz_secret")


def test_the_first_account_opens_the_accounts_and_records_only_the_tokens_hash(domain: Domain) -> None:
    events = domain.when(AddAccount("op-li", "operator", HASH), actor="token-admin", message_id="t1")

    domain.then(
        events,
        Accounts.Opened,
        (
            Accounts.Added,
            {
                "name": "op-li",
                "role": "operator",
                "token_hash": HASH,
                "actor": "token-admin",
                "message_id": "t1",
            },
        ),
    )
    assert all("pz_secret" not in repr(vars(e)) for e in events)


def test_a_name_that_has_an_active_token_cannot_be_added_again(domain: Domain) -> None:
    domain.given(AddAccount("op-li", "operator", HASH))

    error = domain.rejects(AddAccount("op-li", "dashboard", token_hash("pz_other")))

    domain.then_rejected(error, errors.AccountError, "op-li already has a token; revoke it first")


def test_a_revoked_name_can_be_given_a_new_token(domain: Domain) -> None:
    domain.given(AddAccount("op-li", "operator", HASH), RevokeAccount("op-li"))

    events = domain.when(AddAccount("op-li", "operator", token_hash("pz_new")))

    domain.then(events, (Accounts.Added, {"name": "op-li", "token_hash": token_hash("pz_new")}))


@pytest.mark.parametrize("name", ["OP-LI", "Op-li", "1op", "op li", "op:li", "", "-op", "o" * 65])
def test_a_name_that_is_not_canonical_is_rejected_with_the_rule(domain: Domain, name: str) -> None:
    error = domain.rejects(AddAccount(name, "operator", HASH))

    domain.then_rejected(
        error,
        errors.AccountError,
        f"{name!r} is not an account name: use lowercase letters, digits, '.', '_' and '-', "
        "starting with a letter, at most 64 characters",
    )


def test_a_role_outside_the_four_is_rejected(domain: Domain) -> None:
    error = domain.rejects(AddAccount("op-li", "admin", HASH))

    domain.then_rejected(
        error, errors.AccountError, "'admin' is not a role: use one of operator, field, dashboard, auditor"
    )


def test_only_a_sha256_in_hex_is_taken_as_a_token_hash(domain: Domain) -> None:
    error = domain.rejects(AddAccount("op-li", "operator", "pz_secret"))

    domain.then_rejected(error, errors.AccountError)


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ((), "there is no account 'op-li'"),
        ((AddAccount("op-wang", "operator", HASH),), "there is no account 'op-li'"),
        (
            (AddAccount("op-li", "operator", HASH), RevokeAccount("op-li")),
            "op-li's token was already revoked at 2022-07-15T20:01:00+08:00",
        ),
    ],
)
def test_only_an_active_account_can_be_revoked(domain: Domain, given: tuple, reason: str) -> None:
    domain.given(*given)

    error = domain.rejects(RevokeAccount("op-li"))

    domain.then_rejected(error, errors.AccountError, reason)


def test_a_mode_message_from_an_unregistered_actor_is_not_authorised(domain: Domain) -> None:
    error = domain.rejects(c.SwitchToWartime(STREET, "II", "rain"), actor="me")

    domain.then_rejected(
        error,
        errors.NotAuthorisedError,
        "'me' is not a registered operator (pingzhan token add me --role operator)",
    )


@pytest.mark.parametrize(
    "command",
    [
        c.SwitchToWartime(STREET, "II", "rain"),
        c.ChangeLevel(STREET, "III", "less rain"),
        c.ConfirmSwitch(STREET, "p1"),
        c.VoidSwitch(STREET, f"{STREET}#1", "mistake"),
        c.SwitchToPeacetime(STREET, "over"),
    ],
    ids=lambda command: type(command).__name__,
)
def test_every_mode_command_reads_the_accounts_and_refuses_a_non_operator(
    domain: Domain, command: c.Command
) -> None:
    domain.given(AddAccount("dash", "dashboard", HASH))

    error = domain.rejects(command, actor="dash")

    assert ids.accounts() in command.needs()
    domain.then_rejected(
        error, errors.NotAuthorisedError, "'dash' is not a registered operator: it is a dashboard account"
    )


def test_an_operator_id_in_capitals_cannot_confirm_the_level_one_proposal_of_the_same_name(
    domain: Domain,
) -> None:
    domain.operators("op-li").when(c.SwitchToWartime(STREET, "I", "dam"), actor="op-li", message_id="p1")

    error = domain.rejects(c.ConfirmSwitch(STREET, "p1"), actor="OP-LI")

    domain.then_rejected(error, errors.NotAuthorisedError)
    assert "'OP-LI' is not a registered operator" in str(error)


def test_level_one_takes_two_different_registered_operators(domain: Domain) -> None:
    domain.operators("op-li", "op-wang")
    domain.when(c.SwitchToWartime(STREET, "I", "dam"), actor="op-li", message_id="p1")

    events = domain.when(c.ConfirmSwitch(STREET, "p1"), actor="op-wang")

    domain.then(events, (ScopeMode.SwitchedToWartime, {"level": "I", "confirmed_by": "op-wang"}))


def test_a_revoked_operator_is_refused(domain: Domain) -> None:
    domain.operators("op-li").given(c.SwitchToWartime(STREET, "II", "rain"), actor="op-li")
    domain.given(RevokeAccount("op-li"))

    error = domain.rejects(c.SwitchToPeacetime(STREET, "over"), actor="op-li")

    domain.then_rejected(error, errors.NotAuthorisedError)
    assert str(error).startswith("'op-li' is not a registered operator: its token was revoked at ")


def test_field_reports_from_an_actor_without_an_account_stay_accepted(domain: Domain) -> None:
    domain.given(c.RegisterCadre("CD1", "张三", "RSJ"), actor="zzb-operator")

    events = domain.when(c.DispatchCadre("CD1", GRID), actor="someone-unregistered")

    domain.then(events, (Cadre.DispatchedToGrid, {"actor": "someone-unregistered"}))


def test_the_audit_trail_names_account_changes_and_never_shows_a_hash(domain: Domain) -> None:
    domain.given(AddAccount("op-li", "operator", HASH), RevokeAccount("op-li"))

    audit = AuditTrail(domain.org).fold(domain.events)

    summaries = [row[7] for row in audit.appended["audit"]]
    assert summaries == ["operator account op-li added with a new token", "account op-li: token revoked"]
    assert all(HASH not in repr(row) for row in audit.appended["audit"])
