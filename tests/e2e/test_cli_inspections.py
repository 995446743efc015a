"""Through the store and the read models: `report contradictions` flags an "absent" finding on a day
the cadre checked in, and `duty --at` lists a flood-duty task beside a checkpoint shift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.helpers import cli, poll, serving

GRID = "BT-QG-01-01"


def test_a_contradicted_absence_is_reported_and_flood_duty_is_on_duty(env, tmp_path: Path) -> None:
    day = "2022-02-02T{}:00+08:00"
    lines: list[tuple[str, dict[str, Any]]] = [
        (day.format("07:00"), {"kind": "cadre.registered", "cadre_id": "CD1", "name": "张三", "unit": "FY"}),
        (day.format("07:01"), {"kind": "cadre.dispatched", "cadre_id": "CD1", "grid_id": GRID}),
        (day.format("08:00"), {"kind": "service.checked_in", "cadre_id": "CD1", "grid_id": GRID}),
        (
            day.format("11:00"),
            {
                "kind": "inspection.made",
                "inspection_id": "INS-1",
                "group": 3,
                "cadre_id": "CD1",
                "grid_id": GRID,
                "finding": "absent",
            },
        ),
        (day.format("16:00"), {"kind": "service.checked_out", "cadre_id": "CD1", "grid_id": GRID}),
        (
            day.format("20:00"),
            {
                "kind": "hazard.reported",
                "hazard_id": "HZ-1",
                "grid_id": GRID,
                "hazard_kind": "blocked_channel",
                "location": "一建巷",
                "severity": "high",
            },
        ),
        (
            day.format("20:30"),
            {
                "kind": "hazard.task_assigned",
                "hazard_id": "HZ-1",
                "task_id": "T1",
                "task": "patrol",
                "cadre_id": "CD1",
                "grid_id": GRID,
            },
        ),
    ]
    file = tmp_path / "day.jsonl"
    file.write_text(
        "\n".join(
            json.dumps({"id": f"m{n}", **m, "occurred_at": t, "actor": "op"}, ensure_ascii=False)
            for n, (t, m) in enumerate(lines)
        )
    )
    with serving(env, tmp_path) as (env, _):
        published = cli("publish", str(file), env=env)
        found = poll(
            lambda r: r.stdout.strip() not in ("", "[]"),
            "report",
            "contradictions",
            "--period",
            "2022-02",
            "--json",
            env=env,
        )
        duty = poll(
            lambda r: r.stdout.strip() not in ("", "[]"),
            "duty",
            "--at",
            day.format("23:00"),
            "--json",
            env=env,
        )

    assert published.returncode == 0, published.stdout + published.stderr
    assert [(r["inspection"], r["cadre"], r["record"]) for r in json.loads(found.stdout)] == [
        ("INS-1", "CD1", f"checked in at grid {GRID}")
    ]
    assert [(r["duty"], r["post"], r["cadre"]) for r in json.loads(duty.stdout)] == [
        ("flood task: patrol", "HZ-1/T1", "CD1")
    ]
