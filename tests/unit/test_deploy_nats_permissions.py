"""deploy/nats-accounts.conf follows the wire contract: field accounts may publish every kind but
the mode commands, and operators the mode commands only (NATS subjects have no "not", so the field
kinds are listed one first token at a time, and a new kind must be added there)."""

from __future__ import annotations

import re
from pathlib import Path

from pingzhan.services.wire import KINDS

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ACCOUNTS = DEPLOY / "nats-accounts.conf"


def published_by(role: str) -> set[str]:
    """The subjects a role's permissions block (``FIELD_PERMISSIONS = { publish: [...] ... }``)
    lets it publish."""
    text = ACCOUNTS.read_text(encoding="utf-8")
    block = re.search(rf"^{role}_PERMISSIONS = \{{\n(.*?)^\}}", text, re.S | re.M)
    assert block, f"no {role}_PERMISSIONS block in {ACCOUNTS}"
    publish = re.search(r"publish: \[(.*?)\]", block.group(1), re.S)
    assert publish, f"no publish list in {role}_PERMISSIONS"
    return set(re.findall(r'"([^"]+)"', publish.group(1)))


def inbound_tokens(subjects: set[str]) -> set[str]:
    """The kinds' first tokens of ``pingzhan.in.*.{token}.>`` among ``subjects``."""
    return {m.group(1) for s in subjects if (m := re.fullmatch(r"pingzhan\.in\.\*\.([^.]+)\.>", s))}


FIRST_TOKENS = {kind.split(".")[0] for kind in KINDS}


def test_field_accounts_may_publish_every_kind_of_the_wire_contract_but_the_mode_commands() -> None:
    field = inbound_tokens(published_by("FIELD"))

    missing = FIRST_TOKENS - {"mode"} - field
    assert not missing, (
        f"add pingzhan.in.*.<token>.> to FIELD_PERMISSIONS in {ACCOUNTS} for: {sorted(missing)}"
    )
    assert "mode" not in field


def test_field_accounts_may_publish_no_kind_the_wire_contract_does_not_know() -> None:
    assert inbound_tokens(published_by("FIELD")) <= FIRST_TOKENS


def test_operators_may_publish_the_mode_commands_and_no_field_kind() -> None:
    operator = published_by("OPERATOR")

    assert {s for s in operator if s.startswith("pingzhan.in.")} == {"pingzhan.in.*.mode.>"}


def test_only_workers_may_create_or_change_the_stream() -> None:
    for role in ("OPERATOR", "FIELD"):
        assert not any(
            s.startswith(("$JS.API.STREAM.CREATE", "$JS.API.STREAM.UPDATE")) for s in published_by(role)
        )
    assert {"$JS.API.STREAM.CREATE.PINGZHAN", "$JS.API.STREAM.UPDATE.PINGZHAN"} <= published_by("WORKER")


def test_the_single_node_and_the_cluster_configs_include_the_same_accounts() -> None:
    for config in ("nats-server.conf", "nats-cluster.conf"):
        assert "include ./nats-accounts.conf" in (DEPLOY / config).read_text(encoding="utf-8").splitlines()
