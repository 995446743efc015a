"""What the traffic generators share about the district: its time zone, its standing actors, and the
hazards its rainstorms bring."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

# The district's wall clock (China Standard Time); every generated ``occurred_at`` is in it.
DISTRICT_TZ = timezone(timedelta(hours=8))

ORG_OPERATOR = "zzb-operator"  # 组织部: registers cadres and dispatches them to grids
COMMAND_CENTER = "command-center-01"  # switches scopes to wartime and back
# Every actor the generators send mode messages as: registered operators in the store they are
# published to (services/accounts.py ensure_operators), or the ingest rejects them (not_authorised).
OPERATORS = (COMMAND_CENTER,)
WANGJIAPING = "BT-BS-01"  # 王家坪社区 in 宝塔山街道, where the 一建巷 flood channel runs
CITY_WATERLOGGING_OFFICE = "市内涝办 (city waterlogging office)"  # where the 一建巷 channel went
NANGUAN = "BT-NS-01"  # 南关社区 in 南市街道, where the publicity system's cadres serve

RAINSTORM_HAZARDS = ("waterlogging", "blocked_channel", "landslide", "road_damage")  # hazard kinds


def local_time(day: date, hour: int, minute: int = 0) -> datetime:
    """``day`` at ``hour:minute``, district time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=DISTRICT_TZ)
