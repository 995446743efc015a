"""pingzhan's lean mapper stores exactly what the library's own mapper stores."""

from __future__ import annotations

from eventsourcing.persistence import Mapper
from pingzhan.domain import commands as c
from pingzhan.services.store.ledger import LeanMapper, OrjsonTranscoder

from tests.unit.conftest import Domain


def test_the_lean_mapper_stores_the_same_events_as_the_librarys(domain: Domain) -> None:
    domain.operators("op").given(
        c.RegisterCadre("CD1", "张三", "RSJ"),
        c.DispatchCadre("CD1", "BT-QG-01-01"),
        c.SwitchToWartime("street:BT-QG", "II", "flood"),
        c.ReportHazard("H1", "BT-QG-01-01", "waterlogging", "巷口", "high"),
    )
    library, lean = Mapper(OrjsonTranscoder()), LeanMapper(OrjsonTranscoder())

    stored = [lean.to_stored_event(e) for e in domain.events]

    assert stored == [library.to_stored_event(e) for e in domain.events]
    assert [type(lean.to_domain_event(s)) for s in stored] == [type(e) for e in domain.events]
