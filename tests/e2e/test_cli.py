"""The `pingzhan` command as people use it: real processes, a real nats-server, a real store."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from pingzhan.services.nats.embedded import free_port
from pingzhan.services.org.data import read_org_file

from tests.e2e.helpers import cli, grid_modes, poll, register_operators, serving, switch


def test_demo_exits_after_the_scenario_showing_wartime_then_peacetime_and_the_audit_trail(
    env, tmp_path: Path
) -> None:
    started = time.monotonic()

    result = cli("demo", "--exit", env=env)

    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 30
    out = result.stdout
    wartime, standdown = out.index("switched to wartime level II"), out.index("back to peacetime (")
    assert "Wartime: street:BT-BS level II" in out[wartime:standdown]
    assert "wartime II" in out[wartime:standdown]
    assert "Wartime: none" in out[standdown:]
    assert "not to grid" in out  # the staffing report from another grid was rejected, with its reason
    assert "Audit trail of episode street:BT-BS#1" in out and "REJECTED" in out
    # 一建巷: the hazard goes to the city waterlogging office as a problem, and is resolved by way of it
    assert "HZ-YJX-1 (high blocked_channel) -> PB-YJX-1 @ 市内涝办" in out[wartime:standdown]
    trail = out[out.index("Audit trail") :]
    story = ["found on a routine patrol", "raised as problem PB-YJX-1", "escalated to 市内涝办"]
    story += ["acknowledged by 市内涝办", "(city waterlogging office) reported back"]
    story += ["problem PB-YJX-1 resolved (confirming 市内涝办", "hazard HZ-YJX-1 resolved by way of problem"]
    assert [trail.index(s) for s in story] == sorted(trail.index(s) for s in story)


def test_switch_roster_and_audit_against_a_running_service(env, tmp_path: Path) -> None:
    register_operators("op-1", "op-2", env=env)
    with serving(env, tmp_path) as (env, serve):
        to_war = switch(
            "wartime",
            scope="district:BT",
            level="II",
            reason="flood",
            trigger="暴雨橙色预警",
            operator="op-1",
            env=env,
        )
        again = switch("wartime", scope="district:BT", level="I", reason="more", operator="op-1", env=env)
        roster = poll(lambda r: grid_modes(r) == {("wartime", "II")}, "roster", "--json", env=env)
        to_peace = switch("peacetime", scope="district:BT", reason="over", operator="op-2", env=env)
        after = poll(lambda r: grid_modes(r) == {("peacetime", None)}, "roster", "--json", env=env)
        audit = cli("audit", "--episode", "district:BT#1", "--json", env=env)
        episodes = cli("audit", "--episodes", env=env)

    assert to_war.returncode == 0 and to_war.stdout.startswith("accepted"), to_war.stderr
    assert again.returncode == 1 and "already in wartime (level II, episode district:BT#1)" in again.stdout
    grids = json.loads(roster.stdout)["grids"]
    assert [s["trigger"] for s in json.loads(roster.stdout)["wartime_scopes"]] == ["暴雨橙色预警"]
    assert len(grids) == 358 and all(g["mode"] == "wartime" and g["level"] == "II" for g in grids)
    assert to_peace.returncode == 0, to_peace.stderr + (tmp_path / "serve.log").read_text()
    assert all(g["mode"] == "peacetime" for g in json.loads(after.stdout)["grids"])
    trail = json.loads(audit.stdout)
    assert [r["event"] for r in trail] == [
        "ScopeMode.SwitchedToWartime",
        "Rejection.MessageRejected",
        "ScopeMode.SwitchedToPeacetime",
    ]
    assert [r["actor"] for r in trail] == ["op-1", "op-1", "op-2"]
    assert "district:BT#1" in episodes.stdout and "op-2" in episodes.stdout
    assert serve.returncode == 0


def test_a_level_one_switch_waits_for_a_second_operator(env, tmp_path: Path) -> None:
    register_operators("op-a", "op-b", env=env)
    with serving(env, tmp_path) as (env, serve):
        proposed = switch(
            "wartime", scope="district:BT", level="I", reason="epidemic", operator="op-a", env=env
        )
        proposal = proposed.stdout.split()[1].rstrip(":")
        pending = poll(lambda r: "PENDING" in r.stdout, "roster", env=env)
        same = switch("confirm", scope="district:BT", proposal=proposal, operator="op-a", env=env)
        other = switch("confirm", scope="district:BT", proposal=proposal, operator="op-b", env=env)
        roster = poll(lambda r: grid_modes(r) == {("wartime", "I")}, "roster", "--json", env=env)

    assert proposed.returncode == 0 and "ScopeMode.SwitchProposed" in proposed.stdout, proposed.stderr
    assert "switch confirm --scope district:BT --proposal " + proposal in proposed.stdout
    assert "PENDING: district:BT level I proposed by op-a" in pending.stdout
    assert "Wartime: none" in pending.stdout
    assert same.returncode == 1 and "needs a second operator" in same.stdout
    assert other.returncode == 0 and "ScopeMode.SwitchedToWartime" in other.stdout
    assert grid_modes(roster) == {("wartime", "I")}


def test_org_import_takes_effect_in_the_running_service_and_adds_once(env, tmp_path: Path) -> None:
    data = read_org_file()
    data["grids"].append(
        {"id": "BT-QG-01-99", "name": "新网格", "community": "BT-QG-01", "households": 10, "residents": 30}
    )
    data["cadres"] = [
        {"id": "CDX1", "name": "甲", "unit": "RSJ", "grid": "BT-QG-01-99"},
        {"id": "CDX2", "name": "乙", "unit": "FY", "grid": "BT-QG-01-01"},
    ]
    org_file = tmp_path / "org.json"
    org_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    with serving(env, tmp_path) as (env, _):  # running before, during and after the import
        first = cli("org", "import", str(org_file), env=env)
        grid = poll(lambda r: "CDX1" in r.stdout, "roster", "--scope", "grid:BT-QG-01-99", "--json", env=env)
        second = cli("org", "import", str(org_file), env=env)
        shown = json.loads(cli("org", "show", "--json", env=env).stdout)

    assert first.returncode == 0, first.stderr
    assert "organisation updated: 1 grids, 2 cadres" in first.stdout
    assert "cadres: 4 registrations/dispatches recorded, 0 rejected;" in first.stdout, first.stdout
    assert json.loads(grid.stdout)["grids"][0]["cadres"] == ["CDX1"]
    assert "organisation unchanged: nothing new" in second.stdout
    assert (
        "0 registrations/dispatches recorded, 0 rejected; 4 recorded before, 0 rejected before"
        in second.stdout
    )
    assert (shown["grids"], shown["households"]) == (359, 160_810)


@pytest.mark.parametrize(
    "args, message",
    [
        (
            (
                "switch",
                "wartime",
                "--scope",
                "district:BT",
                "--level",
                "V",
                "--reason",
                "x",
                "--operator",
                "o",
            ),
            "level: input should be 'I', 'II', 'III' or 'IV'",
        ),
        (
            ("switch", "wartime", "--scope", "district:BT", "--reason", "x", "--operator", "o"),
            "needs --level",
        ),
        (
            ("switch", "peacetime", "--scope", "nowhere", "--reason", "x", "--operator", "o"),
            "scope: must be a scope KIND:ID, e.g. street:BT-QG",
        ),
        (
            (
                "switch",
                "wartime",
                "--scope",
                "district:BT",
                "--level",
                "II",
                "--reason",
                "x",
                "--operator",
                "o",
            ),
            "so no operators",
        ),
        (("roster",), "no store at"),
        (("audit", "--episode", "street:X#1"), "no store at"),
        (("outcome", "nope"), "no store at"),
        (("switch", "wartime"), "the following arguments are required"),
    ],
)
def test_errors_are_one_line_and_a_non_zero_exit(env, args: tuple[str, ...], message: str) -> None:
    env = {**env, "PINGZHAN_NATS_URL": f"nats://127.0.0.1:{free_port()}"}

    result = cli(*args, env=env)

    assert result.returncode != 0
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
