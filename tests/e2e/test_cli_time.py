"""`pingzhan` and time, as people use it: a mistaken switch voided by two operators, operator
times stamped and printed in district time, `duty --at` in district time."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.helpers import cli, poll, register_operators, serving, switch

STREET = "street:BT-QG"
WARTIME = "ScopeMode.SwitchedToWartime"


def test_a_mistaken_switch_is_voided_by_a_second_operator_and_kept_marked_void(env, tmp_path: Path) -> None:
    register_operators("op-a", "op-b", env=env)
    with serving(env, tmp_path) as (env, _):
        wrong = switch("wartime", scope=STREET, level="II", reason="wrong street", operator="op-a", env=env)
        proposed = switch(
            "void",
            scope=STREET,
            episode=f"{STREET}#1",
            reason="switched the wrong street",
            operator="op-a",
            env=env,
        )
        proposal = proposed.stdout.split()[1].rstrip(":")
        confirmed = switch("confirm", scope=STREET, proposal=proposal, operator="op-b", env=env)
        roster = poll(
            lambda r: r.returncode == 0 and not json.loads(r.stdout)["wartime_scopes"],
            "roster",
            "--json",
            env=env,
        )
        listed = poll(lambda r: "VOID" in r.stdout, "audit", "--episodes", env=env)
        as_json = cli("audit", "--episodes", "--json", env=env)

    assert wrong.returncode == 0, wrong.stderr
    assert proposed.returncode == 0, proposed.stderr
    assert (
        f"a void takes a second operator: pingzhan switch confirm --scope {STREET} --proposal {proposal}"
        in proposed.stdout
    )
    assert confirmed.returncode == 0 and "ScopeMode.EpisodeVoided" in confirmed.stdout, confirmed.stdout
    assert json.loads(roster.stdout)["wartime_scopes"] == []
    assert "(VOID: switched the wrong street)" in listed.stdout
    (episode,) = json.loads(as_json.stdout)
    assert (episode["episode"], episode["void"], episode["ended_by"]) == (f"{STREET}#1", True, "op-b")


def test_void_needs_an_episode(env) -> None:
    result = switch("void", scope=STREET, reason="x", operator="op-a", env=env)

    assert result.returncode != 0
    assert "switch void needs --episode SCOPE#N" in result.stderr


def test_operator_times_are_stamped_and_printed_in_district_time(env, tmp_path: Path) -> None:
    register_operators("op-a", env=env)
    with serving(env, tmp_path) as (env, _):
        switched = switch("wartime", scope=STREET, level="III", reason="rain", operator="op-a", env=env)
        rows = poll(
            lambda r: r.returncode == 0 and any(x["event"] == WARTIME for x in json.loads(r.stdout)),
            "audit",
            "--json",
            env=env,
        )
        table = cli("audit", env=env)
        roster = cli("roster", env=env)

    assert switched.returncode == 0, switched.stderr
    (row,) = [r for r in json.loads(rows.stdout) if r["event"] == WARTIME]
    assert row["occurred_at"].endswith("+08:00")
    line = next(line for line in table.stdout.splitlines() if "switched to wartime" in line)
    assert line.count("+08:00") == 2  # occurred at and recorded at, both in district time
    assert f"{STREET} level III since " in roster.stdout and "+08:00 (episode" in roster.stdout


def test_duty_at_without_an_offset_is_district_time(env, tmp_path: Path) -> None:
    grid = "BT-QG-01-01"
    at = "2022-07-15T09:00:00+08:00"
    lines = [
        {"id": "r1", "kind": "cadre.registered", "cadre_id": "CD1", "name": "张三", "unit": "RSJ"},
        {"id": "d1", "kind": "cadre.dispatched", "cadre_id": "CD1", "grid_id": grid},
        {
            "id": "k1",
            "kind": "checkpoint.established",
            "checkpoint_id": "K1",
            "grid_id": grid,
            "name": "南门",
        },
        # on duty 13:30 to 14:30 in Yan'an, reported in UTC
        {"id": "s1", "kind": "checkpoint.staffed", "checkpoint_id": "K1", "cadre_id": "CD1", "grid_id": grid},
        {
            "id": "s2",
            "kind": "checkpoint.relieved",
            "checkpoint_id": "K1",
            "cadre_id": "CD1",
            "grid_id": grid,
        },
    ]
    times = [at, at, at, "2022-07-15T05:30:00+00:00", "2022-07-15T06:30:00+00:00"]
    file = tmp_path / "shift.jsonl"
    file.write_text(
        "\n".join(
            json.dumps({**m, "occurred_at": t, "actor": "op"}, ensure_ascii=False)
            for m, t in zip(lines, times, strict=True)
        )
    )
    with serving(env, tmp_path) as (env, _):
        published = cli("publish", str(file), env=env)
        found = poll(
            lambda r: r.stdout.strip() not in ("", "[]"),
            "duty",
            "--at",
            "2022-07-15T14:00:00",
            "--json",
            env=env,
        )
        table = cli("duty", "--at", "2022-07-15T14:00:00", env=env)

    assert published.returncode == 0, published.stdout + published.stderr
    assert [(d["cadre"], d["since"]) for d in json.loads(found.stdout)] == [
        ("CD1", "2022-07-15T05:30:00+00:00")
    ]
    assert "2022-07-15T13:30:00+08:00" in table.stdout  # printed in district time
