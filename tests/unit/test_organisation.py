"""The organisation in use is imported into the log: a first version, then changes."""

from __future__ import annotations

import json

from pingzhan.domain import commands as c
from pingzhan.domain.org import Org
from pingzhan.domain.organisation import ImportOrganisation, Organisation
from pingzhan.projections.audit import AuditTrail
from pingzhan.services.org.data import load_org, read_org_file

from tests.unit.conftest import Domain

NEW_GRID = "BT-QG-01-99"


def org_with_a_new_grid() -> str:
    data = read_org_file()
    data["grids"].append(
        {"id": NEW_GRID, "name": "新网格", "community": "BT-QG-01", "households": 5, "residents": 9}
    )
    return json.dumps(data, ensure_ascii=False)


def test_the_first_import_starts_the_organisation_and_later_ones_change_it(domain: Domain) -> None:
    first = domain.when(ImportOrganisation("{}", "d1", "1 grids"))

    later = domain.when(ImportOrganisation('{"v": 2}', "d2", "1 cadres"))

    domain.then(first, (Organisation.Imported, {"digest": "d1", "added": "1 grids"}))
    domain.then(later, (Organisation.Changed, {"content": '{"v": 2}', "digest": "d2"}))


def test_the_audit_trail_places_a_new_grid_under_the_episodes_above_it_once_imported() -> None:
    content = org_with_a_new_grid()
    domain = Domain(Org.from_data(json.loads(content)))  # the ingest decides with the new one
    domain.operators("op").given(
        c.SwitchToWartime("street:BT-QG", "II", "flood"),
        ImportOrganisation(content, "d1", "1 grids"),
        c.ReportHazard("H1", NEW_GRID, "waterlogging", "新网格", "high"),
    )

    audit = AuditTrail(load_org()).fold(domain.events)  # the read model starts with the old one

    hazard_position = len(domain.events)  # the last event folded
    assert ("street:BT-QG#1", hazard_position) in audit.appended["audit_episode"]
