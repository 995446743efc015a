"""`pingzhan roster --at T1 [--known-at T2]` and the decision reviews under `pingzhan audit`, on the
store the July-rainstorm demo filled."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.helpers import cli

NIGHT = "2022-07-15T23:00:00+08:00"  # the rainstorm night: the flood-watch checkpoints are staffed


def test_the_roster_at_a_moment_after_everything_is_the_live_roster(demo_store) -> None:
    soon = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()

    live = json.loads(cli("roster", "--json", env=demo_store).stdout)
    past = cli("roster", "--at", soon, "--json", env=demo_store)

    assert past.returncode == 0, past.stderr
    doc = json.loads(past.stdout)
    assert doc["past"]["at"] == soon and doc["past"]["known_at"] is None
    for part in ("grids", "wartime_scopes", "pending_proposals", "scope"):
        assert doc[part] == live[part], part


def test_the_roster_on_the_rainstorm_night_has_on_duty_who_duty_at_says_was(demo_store) -> None:
    past = cli("roster", "--at", NIGHT, "--scope", "street:BT-BS", "--json", env=demo_store)
    duty = cli("duty", "--at", NIGHT, "--json", env=demo_store)
    text = cli("roster", "--at", NIGHT, "--known-at", datetime.now(UTC).isoformat(), env=demo_store)

    on_duty = {(d["checkpoint"], d["cadre"]) for g in json.loads(past.stdout)["grids"] for d in g["on_duty"]}
    rows = json.loads(duty.stdout)
    rows = rows["rows"] if isinstance(rows, dict) else rows
    shifts = {(r["post"], r["cadre"]) for r in rows if r["duty"] == "checkpoint"}
    assert on_duty == shifts and len(on_duty) >= 2
    assert text.returncode == 0, text.stderr
    assert "(the roster at 2022-07-15T23:00:00+08:00 as recorded by " in text.stdout
    assert "events folded after it" in text.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--at", "yesterday"), "--at 'yesterday' is not ISO 8601"),
        (("--at", "2022-07-15T23:00:00"), "--at '2022-07-15T23:00:00' has no offset"),
        (("--known-at", NIGHT), "--known-at goes with --at"),
        (("--at", NIGHT, "--scope", "street:NOWHERE"), "unknown scope 'street:NOWHERE'"),
        (("--at", "2000-01-01T00:00:00+08:00"), "is before the roster's first event"),
        (("--at", NIGHT, "--known-at", "2001-01-01T00:00:00+00:00"), "nothing was recorded by 2001-01-01"),
    ],
)
def test_a_past_roster_asked_wrongly_says_why_in_one_line(
    demo_store, args: tuple[str, ...], words: str
) -> None:
    result = cli("roster", *args, env=demo_store)

    assert result.returncode == 1
    assert result.stderr.startswith("pingzhan: error: ") and result.stderr.count("\n") == 1, result.stderr
    assert words in result.stderr
    assert result.stdout == ""


def test_the_audit_trail_reviews_each_switch_with_its_scopes_roster_as_known_then(demo_store) -> None:
    text = cli("audit", env=demo_store)
    as_json = json.loads(cli("audit", "--json", env=demo_store).stdout)

    switches = [e for e in as_json if e["event"] == "ScopeMode.SwitchedToWartime"]
    assert switches and all("review" in e for e in switches)
    assert all("review" not in e for e in as_json if not e["event"].startswith("ScopeMode."))
    assert "Decision reviews (the roster of the scope as known when each was recorded):" in text.stdout
    for e in switches:
        r = e["review"]
        assert r["known_up_to"] == e["position"] - 1 and r["scope"] == e["scope"]
        assert (
            f"#{e['position']} {r['decision']} of {e['scope']}, known then: {r['grids']} grids" in text.stdout
        )
