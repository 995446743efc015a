"""The roster at a past moment, bi-temporal: the filtered fold and the late-event rule, given/when/then
over stored events (position, event) as the read models see them, with no IO."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import orjson
from pingzhan.domain.cadre import Cadre
from pingzhan.domain.checkpoint import Checkpoint
from pingzhan.domain.hazard import Hazard
from pingzhan.domain.household import HouseholdInfo
from pingzhan.projections.base import event_name
from pingzhan.projections.past import (
    Event,
    filtered_fold,
    instant,
    load_rows,
    moment,
    replay,
    roster_rows,
    within,
)
from pingzhan.projections.roster import Roster
from pingzhan.services.read.projector import recorded

DAY = "2022-07-15T{}:00+08:00"  # field times, district time
REC = "2026-01-01T{}:00+00:00"  # recorded times, UTC
GRID = "BT-WJP-01-01"


def stored(kind: type, occurred: str, recorded_at: str, **fields: Any) -> Any:
    """An event as it comes out of the store."""
    state = {"message_id": "m", "actor": "a", "occurred_at": occurred, "timestamp": recorded_at, **fields}
    return recorded(f"pingzhan:{event_name(kind)}", orjson.dumps(state))


def hazard(hid: str, occurred: str, recorded_at: str) -> Any:
    fields = {
        "hazard_id": hid,
        "grid_id": GRID,
        "hazard_kind": "waterlogging",
        "location": "x",
        "severity": "high",
    }
    return stored(Hazard.Reported, occurred, recorded_at, **fields)


def bounds(at: str, known_at: str) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(at), datetime.fromisoformat(known_at)


def hazards(model: Roster) -> set[str]:
    return {k[0] for k in model.rows["roster_hazard"]}


def numbered(*events: Any) -> list[Event]:
    return list(enumerate(events, start=1))


def test_the_past_roster_holds_only_what_had_happened_by_t1_and_was_recorded_by_t2() -> None:
    events = numbered(
        hazard("H1", DAY.format("10:00"), REC.format("10:00")),
        hazard("H2", DAY.format("12:00"), REC.format("11:00")),  # after T1 in the field
        hazard("H3", DAY.format("09:00"), REC.format("13:00")),  # recorded late
    )

    early = filtered_fold(Roster(), events, bounds(DAY.format("11:00"), REC.format("12:00")))
    later = filtered_fold(Roster(), events, bounds(DAY.format("11:00"), REC.format("14:00")))

    assert hazards(early) == {"H1"}
    assert hazards(later) == {"H1", "H3"}


def test_times_are_compared_as_instants_whatever_offset_they_were_given_with() -> None:
    events = numbered(hazard("H1", "2022-07-15T03:30:00+00:00", REC.format("10:00")))  # 11:30 in Yan'an

    before = filtered_fold(Roster(), events, bounds(DAY.format("11:00"), REC.format("12:00")))
    after = filtered_fold(Roster(), events, bounds(DAY.format("12:00"), REC.format("12:00")))

    assert hazards(before) == set()
    assert hazards(after) == {"H1"}


def test_a_dispatch_is_left_out_while_the_cadres_registration_had_not_happened() -> None:
    events = numbered(
        stored(Cadre.Registered, DAY.format("10:00"), REC.format("10:00"), cadre_id="C1", name="n", unit="u"),
        stored(Cadre.DispatchedToGrid, DAY.format("09:00"), REC.format("10:01"), cadre_id="C1", grid_id=GRID),
    )

    model = filtered_fold(Roster(), events, bounds(DAY.format("09:30"), REC.format("12:00")))

    assert model.rows["roster_cadre"] == {}


def test_a_report_dated_before_one_recorded_earlier_is_kept_as_late() -> None:
    model = Roster()

    model.fold(
        [
            hazard("H1", DAY.format("10:00"), REC.format("10:00")),
            hazard("H2", DAY.format("09:00"), REC.format("10:05")),  # late in the field
            stored(HouseholdInfo.Opened, DAY.format("08:00"), REC.format("10:06"), household_id="h"),
            hazard("H3", DAY.format("10:00"), REC.format("10:10")),  # as late as the latest: on time
        ]
    )

    assert [(r[0], r[3]) for r in model.appended["roster_late"]] == [(2, "Hazard.Reported")]


def test_a_report_recorded_before_one_stored_ahead_of_it_is_late_in_recorded_time() -> None:
    model = Roster()

    model.fold(
        [
            hazard("H1", DAY.format("10:00"), REC.format("10:00")),
            hazard("H2", DAY.format("11:00"), REC.format("09:59")),
        ]
    )

    assert [r[0] for r in model.appended["roster_late"]] == [2]


def test_snapshots_carry_the_maxima_of_the_times_before_them() -> None:
    model = Roster(snapshot_every=2)

    model.fold(
        [
            hazard("H1", DAY.format("10:00"), REC.format("10:00")),
            hazard("H2", DAY.format("09:00"), REC.format("10:05")),
            hazard("H3", DAY.format("11:00"), REC.format("10:10")),
            hazard("H4", DAY.format("12:00"), REC.format("10:20")),
        ]
    )

    assert [(r[0], r[1], r[2]) for r in model.appended["roster_snapshot"]] == [
        (2, instant(DAY.format("10:00")), instant(REC.format("10:05"))),
        (4, instant(DAY.format("12:00")), instant(REC.format("10:20"))),
    ]


def test_a_fold_restarted_from_its_stored_rows_judges_late_events_as_one_fold_would() -> None:
    events = [
        hazard("H1", DAY.format("10:00"), REC.format("10:00")),
        hazard("H2", DAY.format("11:00"), REC.format("10:05")),
        hazard("H3", DAY.format("10:30"), REC.format("10:10")),
    ]
    first = Roster().fold(events[:2])
    first.flushing()  # as the storage side does before it writes the rows
    restarted = Roster()
    restarted.rows = {name: dict(rows) for name, rows in first.rows.items()}
    restarted.loaded()

    restarted.apply(3, events[2])

    assert [r[0] for r in restarted.appended["roster_late"]] == [3]


def _relieve(cp: str, cadre: str, occurred: str, recorded_at: str) -> Any:
    return stored(Checkpoint.Relieved, occurred, recorded_at, checkpoint_id=cp, cadre_id=cadre, grid_id=GRID)


def _history() -> list[Any]:
    """A day with reports in order, late in the field, and recorded out of log order."""
    reg = {"name": "n", "unit": "u"}
    cp = {"checkpoint_id": "CP1", "grid_id": GRID, "name": "gate"}
    return [
        stored(Cadre.Registered, DAY.format("08:00"), REC.format("10:00"), cadre_id="C1", **reg),
        stored(Cadre.DispatchedToGrid, DAY.format("08:10"), REC.format("10:01"), cadre_id="C1", grid_id=GRID),
        stored(Checkpoint.Established, DAY.format("08:20"), REC.format("10:02"), **cp),
        stored(
            Checkpoint.Staffed,
            DAY.format("08:30"),
            REC.format("10:03"),
            checkpoint_id="CP1",
            cadre_id="C1",
            grid_id=GRID,
        ),
        hazard("H1", DAY.format("09:00"), REC.format("10:04")),
        _relieve("CP1", "C1", DAY.format("11:00"), REC.format("10:05")),
        hazard("H2", DAY.format("08:45"), REC.format("10:06")),  # late
        hazard("H3", DAY.format("12:00"), REC.format("10:03")),  # recorded before the last ones
        stored(Hazard.Resolved, DAY.format("12:30"), REC.format("10:08"), hazard_id="H1", resolution="ok"),
        hazard("H4", DAY.format("10:15"), REC.format("10:09")),  # late
        stored(Cadre.Recalled, DAY.format("13:00"), REC.format("10:10"), cadre_id="C1", grid_id=GRID),
    ]


def _roster_at(model: Roster, events: list[Event], b: tuple[datetime, datetime]) -> tuple[Roster, int, int]:
    """The question answered as services/read/past.py answers it, from the live fold's snapshots and
    late events kept in memory."""
    snapshots = [r for r in model.appended["roster_snapshot"] if within((moment(r[1]), moment(r[2])), b)]
    past, start = Roster(), 0
    if snapshots:
        start = snapshots[-1][0]
        load_rows(past, snapshots[-1][3])
    late = [
        (r[0], recorded(f"late:{r[3]}", r[4].encode()))
        for r in model.appended["roster_late"]
        if within((moment(r[1]), moment(r[2])), b)
    ]
    after = iter((p, e) for p, e in events if p > start)
    _, _, n_late = replay(past, after, b, lambda p: [x for x in late if x[0] > p])
    return past, start, n_late


def test_from_snapshots_and_late_events_the_answer_is_the_filtered_fold_at_every_pair_of_times() -> None:
    events = numbered(*_history())
    live = Roster(snapshot_every=3).fold(e for _, e in events)
    hours = ["07:00", "08:30", "08:50", "09:30", "10:20", "11:30", "12:10", "12:45", "14:00"]
    recorded_by = [f"10:{m:02d}" for m in range(0, 12)]
    used_snapshot = used_late = 0

    for h, r in itertools.product(hours, recorded_by):
        b = bounds(DAY.format(h), REC.format(r))
        past, start, n_late = _roster_at(live, events, b)

        assert roster_rows(past) == roster_rows(filtered_fold(Roster(), events, b)), (h, r)
        used_snapshot += start > 0
        used_late += n_late > 0

    assert used_snapshot and used_late
