"""The optional fields that link a hazard with its problem and name a drive's target: messages
without them mean what they meant before, and a wrong one is a schema rejection naming it."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from pingzhan.domain import commands as c
from pingzhan.services.ingest.outcome import Inbound
from pingzhan.services.ingest.parse import Parsed, parse
from pingzhan.services.wire import subject_of

BASE = {"occurred_at": "2022-07-15T20:00:00+08:00", "actor": "CD0021"}
PROBLEM = {
    **BASE,
    "id": "p-1",
    "kind": "problem.reported",
    "problem_id": "PB-YJX-1",
    "grid_id": "BT-BS-01-01",
    "what": "排洪渠堵塞",
    "where": "一建巷",
}
RESOLVED = {**BASE, "id": "h-1", "kind": "hazard.resolved", "hazard_id": "HZ-YJX-1", "resolution": "fixed"}
REGISTRATION = {
    **BASE,
    "id": "r-1",
    "kind": "registration.recorded",
    "drive_id": "VAX-2022-NG",
    "cadre_id": "CD0051",
    "households": 12,
    "persons": 30,
}


def parsed(body: dict[str, Any]) -> Parsed:
    return parse(Inbound(1, subject_of("pingzhan", body), orjson.dumps(body), body["id"]), "pingzhan")


def test_messages_without_the_new_fields_mean_what_they_meant() -> None:
    problem = parsed(PROBLEM).command
    resolved = parsed(RESOLVED).command
    registration = parsed({**REGISTRATION, "compound_id": "NZYY", "grid_id": "BT-QG-02-01"}).command

    assert problem == c.ReportProblem("PB-YJX-1", "BT-BS-01-01", "排洪渠堵塞", "一建巷", None)
    assert resolved == c.ResolveHazard("HZ-YJX-1", "fixed", None)
    assert registration == c.RecordRegistration("VAX-2022-NG", "NZYY", "CD0051", 12, 30, "BT-QG-02-01")


def test_a_problem_names_the_hazard_it_takes_over_and_a_resolution_the_problem() -> None:
    problem = parsed({**PROBLEM, "hazard_id": "HZ-YJX-1"}).command
    resolved = parsed({**RESOLVED, "problem_id": "PB-YJX-1"}).command

    assert problem == c.ReportProblem("PB-YJX-1", "BT-BS-01-01", "排洪渠堵塞", "一建巷", "HZ-YJX-1")
    assert resolved == c.ResolveHazard("HZ-YJX-1", "fixed", "PB-YJX-1")


def test_a_drive_whose_target_is_a_grid_names_only_the_grid() -> None:
    registration = parsed({**REGISTRATION, "grid_id": "BT-NS-01-03"}).command

    assert registration == c.RecordRegistration("VAX-2022-NG", None, "CD0051", 12, 30, "BT-NS-01-03")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (REGISTRATION, "registration.recorded: needs compound_id or grid_id (the drive's target)"),
        ({**PROBLEM, "hazard_id": "HZ YJX"}, "hazard_id: String should match pattern"),
        ({**PROBLEM, "hazard_id": 7}, "hazard_id: Input should be a valid string"),
        ({**RESOLVED, "problem_id": ""}, "problem_id: String should have at least 1 character"),
        ({**RESOLVED, "problem": "PB-YJX-1"}, "problem: Extra inputs are not permitted"),
    ],
)
def test_a_wrong_link_or_a_missing_target_is_a_schema_rejection_naming_it(
    body: dict[str, Any], reason: str
) -> None:
    rejected = parsed(body).rejected

    assert rejected is not None and rejected.code == "schema"
    assert rejected.reason.startswith(reason), rejected.reason
