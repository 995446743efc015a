"""Snapshots of long histories: a worker loading a cadre after a restart reads its snapshot and the
events after it, and gets the same cadre as a replay of its whole history."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from eventsourcing.persistence import PersistenceError
from pingzhan.domain import ids
from pingzhan.domain.hazard import Hazard
from pingzhan.domain.stamp import Stamp
from pingzhan.services.ingest.batch import Ingest
from pingzhan.services.org.data import load_org
from pingzhan.services.settings import Settings
from pingzhan.services.store import snapshots
from pingzhan.services.store.ledger import Ledger, open_ledger

from tests.integration.helpers import inbound

GRID = "BT-QG-01-01"
SHIFTS = 130  # two events of the cadre each: past several multiples of snapshots.EVERY


def _history(ledger: Ledger, settings: Settings) -> Ingest:
    """A cadre with a long history, ingested in batches of 25 messages; returns the worker."""
    ingest = Ingest(ledger, load_org(), settings.consumer_name)
    messages = [
        inbound(1, "cadre.registered", cadre_id="C1", name="张三", unit="RSJ"),
        inbound(2, "cadre.dispatched", cadre_id="C1", grid_id=GRID),
        inbound(3, "checkpoint.established", checkpoint_id="K1", grid_id=GRID, name="东关卡口"),
    ]
    for n in range(SHIFTS):
        kind = "checkpoint.staffed" if n % 2 == 0 else "checkpoint.relieved"
        messages.append(inbound(4 + n, kind, checkpoint_id="K1", cadre_id="C1"))
    for k in range(0, len(messages), 25):
        assert all(o.status == "accepted" for o in ingest.process(messages[k : k + 25]))
    return ingest


def _state(aggregate: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def _replayed(ledger: Ledger, aggregate_id: Any) -> Any:
    aggregate = None
    for stored in ledger.recorder.stored_events_of([aggregate_id], [0]):  # type: ignore[attr-defined]
        aggregate = ledger.mapper.to_domain_event(stored).mutate(aggregate)
    return aggregate


def test_a_restarted_worker_loads_a_long_history_from_its_snapshot(store: Settings) -> None:
    ledger = open_ledger(store)
    cadre, checkpoint = ids.cadre("C1"), ids.checkpoint("K1")
    worker = _history(ledger, store)
    versions = ledger.versions([cadre, checkpoint])
    assert versions[cadre] == SHIFTS + 2 and versions[checkpoint] == SHIFTS + 1

    # Taken in the batches that took each past a multiple of EVERY, at that batch's end.
    taken = {s.originator_id: s for s in ledger.recorder.snapshots_of([cadre, checkpoint])}  # type: ignore[attr-defined]
    for aggregate_id, version in versions.items():
        assert snapshots.EVERY <= taken[aggregate_id].version <= version, taken[aggregate_id]
        assert taken[aggregate_id].version // snapshots.EVERY == version // snapshots.EVERY

    # A new worker on the same store (as after a restart) reads only what follows the snapshots ...
    restarted = open_ledger(store)
    recorder: Any = restarted.recorder
    read: list[tuple[Any, int]] = []  # (aggregate, version) of each event the load read

    def watch(name: str) -> None:  # PostgreSQL reads snapshots and events in one statement
        real = getattr(recorder, name)

        def watched(*args: Any) -> Any:
            got = real(*args)
            events = got[1] if name == "snapshots_and_events" else got
            read.extend((e.originator_id, e.originator_version) for e in events)
            return got

        setattr(recorder, name, watched)

    for name in ("stored_events_of", "snapshots_and_events"):
        if hasattr(recorder, name):
            watch(name)
    loaded = restarted.load([cadre, checkpoint])
    assert sorted(read) == sorted(
        (i, v) for i in (cadre, checkpoint) for v in range(taken[i].version + 1, versions[i] + 1)
    )
    assert len(read) < 2 * snapshots.EVERY
    # ... and gets the state a replay of every event gives, and that the first worker holds.
    for aggregate_id in (cadre, checkpoint):
        assert loaded[aggregate_id].version == versions[aggregate_id]
        assert _state(loaded[aggregate_id]) == _state(_replayed(restarted, aggregate_id))
        assert _state(loaded[aggregate_id]) == _state(worker.cache[aggregate_id.int])

    # It goes on deciding from there: relieved last, so the cadre may take a shift again.
    on = Ingest(restarted, load_org(), store.consumer_name)
    outcome = on.process([inbound(4 + SHIFTS, "checkpoint.staffed", checkpoint_id="K1", cadre_id="C1")])
    assert [o.status for o in outcome] == ["accepted"]
    again = on.process([inbound(5 + SHIFTS, "checkpoint.staffed", checkpoint_id="K1", cadre_id="C1")])
    assert [o.code for o in again] == ["cadre_on_duty"], again


def _alter_snapshot(ledger: Ledger, store: Settings, fingerprint: str, state: bytes) -> None:
    mark = "?" if store.store == "sqlite" else "%s"
    with ledger.recorder.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
        c.execute(
            f"UPDATE aggregate_snapshots SET fingerprint = {mark}, state = {mark}", (fingerprint, state)
        )


@pytest.mark.parametrize("case", ["made by other code", "not a snapshot of ours"])
def test_a_snapshot_of_other_code_or_unreadable_is_ignored(store: Settings, case: str) -> None:
    ledger = open_ledger(store)
    _history(ledger, store)
    cadre = ids.cadre("C1")
    (taken,) = ledger.recorder.snapshots_of([cadre])  # type: ignore[attr-defined]
    if case == "made by other code":  # a state the code of then folded otherwise (another name)
        state = orjson.loads(taken.state)
        state["attributes"]["name"] = "李四"
        _alter_snapshot(ledger, store, "other code", orjson.dumps(state))
    else:
        _alter_snapshot(ledger, store, taken.fingerprint, b'{"attributes": 1}')
    loaded = open_ledger(store).load([cadre])[cadre]
    assert loaded.name == "张三"  # type: ignore[attr-defined]
    assert _state(loaded) == _state(_replayed(ledger, cadre))  # replayed from its first event


def _fail_after_snapshot_writes(ledger: Ledger, store: Settings, on: bool) -> None:
    """A trigger in the store that fails the transaction once a snapshot row is written (the
    last write of a batch): the store failing before the commit, after every write of it."""
    with ledger.recorder.datastore.transaction(commit=True) as c:  # type: ignore[attr-defined]
        if store.store == "sqlite":
            for event in ("INSERT", "UPDATE"):
                c.execute(f"DROP TRIGGER IF EXISTS fail_{event}")
                if on:
                    c.execute(
                        f"CREATE TRIGGER fail_{event} AFTER {event} ON aggregate_snapshots "
                        "BEGIN SELECT RAISE(ABORT, 'the store failed before the commit'); END"
                    )
            return
        c.execute("DROP TRIGGER IF EXISTS fail ON aggregate_snapshots")
        if on:
            c.execute(
                "CREATE OR REPLACE FUNCTION fail() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'the store failed before the commit'; END $$"
            )
            c.execute(
                "CREATE TRIGGER fail AFTER INSERT OR UPDATE ON aggregate_snapshots "
                "FOR EACH ROW EXECUTE FUNCTION fail()"
            )


def test_a_snapshot_is_written_with_its_batch_or_not_at_all(store: Settings) -> None:
    ledger = open_ledger(store)
    worker = _history(ledger, store)
    cadre = ids.cadre("C1")
    recorder: Any = ledger.recorder
    (before,) = recorder.snapshots_of([cadre])
    version = ledger.versions([cadre])[cadre]
    shifts = [
        inbound(
            200 + n,
            "checkpoint.staffed" if n % 2 == 0 else "checkpoint.relieved",
            checkpoint_id="K1",
            cadre_id="C1",
        )
        for n in range(snapshots.EVERY)  # enough events of the cadre to take a snapshot
    ]
    _fail_after_snapshot_writes(ledger, store, on=True)
    # PostgreSQL: the trigger's error as it is; SQLite: a constraint error, taken for a conflict
    # and tried again until the worker gives up
    with pytest.raises((PersistenceError, RuntimeError), match="before the commit|kept conflicting"):
        worker.process(shifts)
    assert recorder.snapshots_of([cadre]) == [before]  # nothing of the batch is stored
    assert ledger.versions([cadre])[cadre] == version
    assert ledger.outcomes(["m200"]) == {}
    _fail_after_snapshot_writes(ledger, store, on=False)
    assert all(o.status == "accepted" for o in worker.process(shifts))
    (after,) = recorder.snapshots_of([cadre])
    assert after.version > before.version


def test_only_a_state_that_comes_back_exactly_is_snapshotted() -> None:
    stamp = Stamp("m1", "op", "2022-07-15T20:00:00+08:00", None)
    hazard = Hazard.report("H1", GRID, "内涝", "一建巷", "high", stamp)
    assert isinstance(hazard.done_tasks, set)
    assert snapshots.take(hazard) is None  # a set would come back as a list
    hazard.done_tasks = []  # type: ignore[assignment]
    hazard.location = ("一建巷",)  # type: ignore[assignment]  # a tuple would too
    assert snapshots.take(hazard) is None
    hazard.location = "一建巷"
    taken = snapshots.take(hazard)
    assert taken is not None
    back = snapshots.restore(taken)
    assert back is not None and _state(back) == _state(hazard)
