"""Two ingest workers on one store, without NATS: every decision is checked against stored state."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import IntegrityError
from pingzhan.services.ingest.batch import Ingest
from pingzhan.services.ingest.outcome import Outcome
from pingzhan.services.org.data import load_org
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger

from tests.integration.helpers import inbound


def test_a_worker_holding_a_stale_aggregate_decides_again_on_the_stored_one(store: Settings) -> None:
    org = load_org()
    a = Ingest(open_ledger(store), org, "ingest-0-of-2")
    b = Ingest(open_ledger(store), org, "ingest-1-of-2")

    a.process([inbound(1, "cadre.registered", cadre_id="C1", name="n", unit="u")])
    b.process([inbound(2, "cadre.dispatched", cadre_id="C1", grid_id="BT-QG-01-01")])
    (recall,) = a.process([inbound(3, "cadre.recalled", cadre_id="C1")])  # a still caches C1 undispatched

    assert (recall.status, recall.events) == ("accepted", ["Cadre.Recalled"])
    stored = a.ledger.outcomes(["m3"])
    assert Outcome.from_json(stored["m3"]).status == "accepted"


def test_a_commit_that_succeeded_unheard_is_not_redone_and_its_outcome_is_given_again(
    store: Settings,
) -> None:
    ledger = open_ledger(store)
    worker = Ingest(ledger, load_org(), "ingest-0-of-1")
    batch = [inbound(1, "cadre.registered", cadre_id="C1", name="n", unit="u")]
    worker.process(batch)
    worker.position = worker.prepared_to = 0  # as if the reply to the commit had been lost
    worker.cached.clear()
    refused: list[IntegrityError] = []
    commit = ledger.record_stored

    def commit_seen(*args: Any, **kwargs: Any) -> None:  # the real commit, watched
        try:
            commit(*args, **kwargs)
        except IntegrityError as e:
            refused.append(e)
            raise

    ledger.record_stored = commit_seen  # type: ignore[method-assign]

    again = worker.process(batch)

    assert len(refused) == 1  # the store refused the batch it already holds ...
    assert worker.position == 1  # ... and the worker took the stored position,
    assert [(o.message_id, o.status, o.replayed) for o in again] == [("m1", "accepted", False)]  # to publish
    assert len(ledger.outcomes(["m1"])) == 1


def test_after_a_change_in_the_number_of_workers_new_consumers_start_where_all_old_ones_had_got(
    store: Settings,
) -> None:
    org = load_org()
    old = [Ingest(open_ledger(store), org, f"ingest-{k}-of-2") for k in range(2)]
    old[0].process([inbound(5, "cadre.registered", cadre_id="C1", name="n", unit="u")])
    old[1].process([inbound(9, "cadre.registered", cadre_id="C2", name="n", unit="u")])

    new = [Ingest(open_ledger(store), org, f"ingest-{k}-of-3") for k in range(3)]
    partial = Ingest(open_ledger(store), org, "ingest-1-of-2")

    assert [w.position for w in new] == [5, 5, 5]  # everything up to 5 is recorded in every shard
    assert partial.position == 9  # its own position
    assert Ingest(open_ledger(store), org, "other").position == 0


def test_a_worker_whose_shards_are_quiet_stores_its_position_now_and_then(store: Settings) -> None:
    """Else a restart, its own or another worker's (which starts at the lowest watermark), would
    read again everything since its last message."""
    ledger = open_ledger(store)
    quiet = Ingest(ledger, load_org(), "ingest-1-of-2", workers=2, index=1)
    others = [
        inbound(seq, "cadre.registered", cadre_id=f"C{seq}", name="n", unit="u") for seq in range(1, 7001)
    ]
    stored = []
    for k in range(0, len(others), 1000):  # all on shard 0: worker 0's
        batch = others[k : k + 1000]
        prepared = quiet.prepare(batch, quiet.read(batch))
        if prepared is not None:
            assert (prepared.stored, prepared.inbox, prepared.outcomes) == ([], [], [])
            quiet.commit(prepared)
            quiet.settle(prepared)
        stored.append(ledger.recorder.max_tracking_id("nats:ingest-1-of-2"))

    assert stored == [None, None, None, None, 5000, 5000, 5000]
    again = others[4000:5000]  # read again (a redelivery): nothing more to store
    assert quiet.prepare(again, quiet.read(again)) is None
    assert Ingest(ledger, load_org(), "ingest-1-of-2", workers=2, index=1).position == 5000
