"""Bodies that once stopped a worker or lost their id: each gets its own outcome, under its id."""

from __future__ import annotations

import json

from pingzhan.services.ingest.batch import Ingest
from pingzhan.services.ingest.outcome import Inbound
from pingzhan.services.org.data import load_org
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger

from tests.integration.helpers import inbound


def raw(seq: int, text: str) -> Inbound:
    return Inbound(seq, f"pingzhan.in.0.{json.loads(text.replace('NaN', '0'))['kind']}", text.encode())


def test_a_message_dated_in_year_one_is_rejected_and_the_worker_goes_on(store: Settings) -> None:
    worker = Ingest(open_ledger(store), load_org(), "ingest-0-of-1")
    old = inbound(1, "cadre.registered", cadre_id="C1", name="n", unit="u")
    year_one = Inbound(
        1, old.subject, old.data.replace(b"2022-07-15T20:00:00+08:00", b"0001-01-01T00:00:00+08:00")
    )

    first, second = worker.process(
        [year_one, inbound(2, "cadre.registered", cadre_id="C2", name="n", unit="u")]
    )

    assert (first.status, first.code, first.kind) == ("rejected", "schema", "cadre.registered")
    assert "occurred_at" in (first.reason or "") and "year" in (first.reason or "")
    assert second.status == "accepted"


def test_numbers_json_cannot_hold_are_rejected_under_the_message_id(store: Settings) -> None:
    worker = Ingest(open_ledger(store), load_org(), "ingest-0-of-1")
    base = '"occurred_at":"2022-07-15T20:00:00+08:00","actor":"cd1","cadre_id":"CD1","grid_id":"BT-QG-01-01"'

    outcomes = worker.process(
        [
            raw(1, '{"id":"t1-nan","kind":"volunteer.served",' + base + ',"activity":"a","hours":NaN}'),
            raw(
                2,
                '{"id":"t1-big","kind":"household.visited","occurred_at":"2022-07-15T20:00:00+08:00",'
                '"actor":"cd1","cadre_id":"CD1","household_id":"BT-QG-01-01-H1","persons":1e400}',
            ),
        ]
    )

    assert [(o.message_id, o.code) for o in outcomes] == [("t1-nan", "schema"), ("t1-big", "schema")]
    assert "hours" in (outcomes[0].reason or "") and "persons" in (outcomes[1].reason or "")
