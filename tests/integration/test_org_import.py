"""An organisation import reaches running workers through the event store, at a defined point."""

from __future__ import annotations

from pathlib import Path

import pytest
from eventsourcing.persistence import IntegrityError
from pingzhan.services.ingest.batch import Ingest
from pingzhan.services.org import admin
from pingzhan.services.org.data import load_org
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger

from tests.integration.helpers import NEW_GRID, inbound, org_file_with_a_new_grid


def test_a_running_worker_decides_with_an_import_from_its_next_batch(store: Settings, tmp_path: Path) -> None:
    ledger = open_ledger(store)
    worker = Ingest(ledger, load_org(), "ingest-0-of-1", org_version=0)
    worker.process([inbound(1, "cadre.registered", cadre_id="C1", name="n", unit="u")])

    admin.import_file(store, ledger, org_file_with_a_new_grid(tmp_path))
    (dispatch,) = worker.process([inbound(2, "cadre.dispatched", cadre_id="C1", grid_id=NEW_GRID)])

    assert (dispatch.status, dispatch.events) == ("accepted", ["Cadre.DispatchedToGrid"])


def test_an_import_committed_while_a_batch_was_decided_makes_the_batch_decide_again(
    store: Settings, tmp_path: Path
) -> None:
    ledger = open_ledger(store)
    worker = Ingest(ledger, load_org(), "ingest-0-of-1", org_version=0)
    worker.process([inbound(1, "cadre.registered", cadre_id="C1", name="n", unit="u")])
    batch = [inbound(2, "cadre.dispatched", cadre_id="C1", grid_id=NEW_GRID)]
    prepared = worker.prepare(batch)
    assert prepared is not None and prepared.outcomes[0].code == "unknown_scope"

    admin.import_file(store, ledger, org_file_with_a_new_grid(tmp_path))

    with pytest.raises(IntegrityError):
        worker.commit(prepared)  # decided with the old organisation: refused
    worker.reset()
    (dispatch,) = worker.process(batch)
    assert dispatch.status == "accepted"


def test_an_import_is_recorded_once_and_a_file_that_adds_nothing_records_nothing(
    store: Settings, tmp_path: Path
) -> None:
    ledger = open_ledger(store)
    path = org_file_with_a_new_grid(tmp_path)

    first = admin.import_file(store, ledger, path)
    again = admin.import_file(store, ledger, path)

    organisation = ledger.organisation()
    assert (first["changed"], again["changed"]) == (True, False)
    assert organisation is not None and organisation.version == 1
    assert NEW_GRID in {g["id"] for g in organisation.data["grids"]}
