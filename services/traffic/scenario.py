"""The demo scenario from the seed: a July rainstorm in 宝塔山街道 (王家坪社区), in two acts.

Act one: the court's cadres of 王家坪社区 are dispatched, the street is switched to wartime level
II, flood-watch checkpoints are staffed, and one staffing report names a cadre who is not in that
grid (it is rejected). On a routine patrol the court's cadres find the 一建巷 flood channel blocked
and the road cracked (a hazard); it is raised as a problem, which the community escalates to the
city waterlogging office (市内涝办), which acknowledges it. Another hazard is reported. Act two: the
second hazard is removed, shifts end, the office clears the channel, repairs the road and reports
back, the community confirms the fix, the hazard is resolved by way of that problem, and the street
stands down.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pingzhan.domain.org import Org
from pingzhan.services.traffic.district import (
    CITY_WATERLOGGING_OFFICE,
    COMMAND_CENTER,
    DISTRICT_TZ,
    ORG_OPERATOR,
    WANGJIAPING,
)
from pingzhan.services.wire import Envelope, message_of

STREET = "street:BT-BS"  # 宝塔山街道, the street of 王家坪社区


def scenario(org_data: dict[str, Any], org: Org) -> tuple[list[Envelope], list[Envelope]]:
    """The two acts as validated messages (ids ``demo-001``...), from the first two grids of 王家坪社区."""
    grids = [g["id"] for g in org_data["grids"] if g["community"] == WANGJIAPING][:2]
    cadres = [c for g in grids for c in [c for c in org_data["cadres"] if c["grid"] == g][:2]]
    t = datetime(2022, 7, 15, 19, 30, tzinfo=DISTRICT_TZ)
    n = 0

    def msg(kind: str, actor: str, minutes: int, **fields: Any) -> Envelope:
        nonlocal n
        n += 1
        at = (t + timedelta(minutes=minutes)).isoformat()
        return message_of({"id": f"demo-{n:03d}", "kind": kind, "occurred_at": at, "actor": actor, **fields})

    def enlist(c: dict[str, Any]) -> list[Envelope]:
        """The organisation department registers a cadre and dispatches them to their grid."""
        return [
            msg("cadre.registered", ORG_OPERATOR, 0, cadre_id=c["id"], name=c["name"], unit=c["unit"]),
            msg("cadre.dispatched", ORG_OPERATOR, 1, cadre_id=c["id"], grid_id=c["grid"]),
        ]

    act1: list[Envelope] = [m for c in cadres for m in enlist(c)]
    act1.append(
        msg(
            "mode.switched_to_wartime",
            COMMAND_CENTER,
            30,
            scope=STREET,
            level="II",
            reason="暴雨红色预警: July rainstorm, flood duty",
        )
    )
    checkpoints = [
        (f"FW-{g}", g, name)
        for g, name in zip(grids, ("一建巷排洪渠值守点", "王家坪河堤巡查点"), strict=False)
    ]
    for cp, grid, name in checkpoints:
        act1.append(
            msg("checkpoint.established", "wjp-community", 35, checkpoint_id=cp, grid_id=grid, name=name)
        )
    on_duty = []
    for cp, grid, _ in checkpoints:
        cadre = next(c for c in cadres if c["grid"] == grid)
        on_duty.append((cp, grid, cadre["id"]))
        act1.append(
            msg("checkpoint.staffed", cadre["id"], 40, checkpoint_id=cp, cadre_id=cadre["id"], grid_id=grid)
        )
    outsider = next(c for c in org_data["cadres"] if c["grid"] not in grids)
    act1 += enlist(outsider)
    act1.append(
        msg(
            "checkpoint.staffed",
            outsider["id"],
            41,
            checkpoint_id=checkpoints[0][0],
            cadre_id=outsider["id"],
            grid_id=checkpoints[0][1],
        )
    )
    hazards = (  # reporter, minute, hazard id, grid, kind, location, severity
        (
            cadres[0],
            55,
            "HZ-YJX-1",
            grids[0],
            "blocked_channel",
            "一建巷排洪渠: 例行走访巡查中发现 (found on a routine patrol): channel blocked, road cracked and sinking",
            "high",
        ),
        (cadres[-1], 70, "HZ-WJP-2", grids[-1], "waterlogging", "王家坪路口 underpass waterlogged", "medium"),
    )
    for reporter, minutes, hazard_id, grid, kind, location, severity in hazards:
        act1.append(
            msg(
                "hazard.reported",
                reporter["id"],
                minutes,
                hazard_id=hazard_id,
                grid_id=grid,
                hazard_kind=kind,
                location=location,
                severity=severity,
            )
        )
    act1 += [
        msg(
            "problem.reported",
            cadres[0]["id"],
            80,
            problem_id="PB-YJX-1",
            grid_id=grids[0],
            hazard_id="HZ-YJX-1",
            what="一建巷排洪渠堵塞, 部分路面出现裂缝及下沉 (flood channel blocked, road cracked and sinking)",
            where="王家坪社区一建巷",
        ),
        msg(
            "problem.escalated",
            "wjp-community",
            100,
            problem_id="PB-YJX-1",
            office=CITY_WATERLOGGING_OFFICE,
            grid_id=grids[0],
        ),
        msg(
            "problem.acknowledged",
            "office-nlb",
            130,
            problem_id="PB-YJX-1",
            office=CITY_WATERLOGGING_OFFICE,
            by="市内涝办值班员 (the office's duty officer)",
            grid_id=grids[0],
        ),
    ]

    act2: list[Envelope] = [
        msg(
            "hazard.resolved",
            cadres[-1]["id"],
            300,
            hazard_id="HZ-WJP-2",
            grid_id=grids[-1],
            resolution="silt and roadblocks cleared, drain unblocked",
        )
    ]
    for cp, grid, cadre_id in on_duty:
        act2.append(
            msg("checkpoint.relieved", cadre_id, 720, checkpoint_id=cp, cadre_id=cadre_id, grid_id=grid)
        )
        act2.append(msg("checkpoint.closed", "wjp-community", 725, checkpoint_id=cp, grid_id=grid))
    act2 += [
        msg(
            "problem.reported_back",
            "office-nlb",
            2760,
            problem_id="PB-YJX-1",
            office=CITY_WATERLOGGING_OFFICE,
            grid_id=grids[0],
            result="市内涝办施工: 排洪渠疏通, 下沉路面修复 (the office cleared the channel and repaired the road)",
        ),
        msg(
            "problem.resolved",
            "wjp-community",
            2790,
            problem_id="PB-YJX-1",
            grid_id=grids[0],
            resolution="社区现场确认修复 (the community confirms the repair on site)",
        ),
        msg(
            "hazard.resolved",
            cadres[0]["id"],
            2880,
            hazard_id="HZ-YJX-1",
            problem_id="PB-YJX-1",
            grid_id=grids[0],
            resolution="channel and road repaired: hazard removed",
        ),
        msg(
            "mode.switched_to_peacetime",
            COMMAND_CENTER,
            2900,
            scope=STREET,
            reason="雨情解除: stand-down",
        ),
    ]
    return act1, act2
