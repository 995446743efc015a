"""Read models are bound to domain event classes, not to names in strings."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pingzhan.domain
import pytest
from eventsourcing.domain import Aggregate, DomainEvent
from pingzhan.domain.accounts import Accounts
from pingzhan.domain.household import HouseholdInfo
from pingzhan.domain.scope_mode import ScopeMode
from pingzhan.projections import audit_words
from pingzhan.projections.assessment import Assessment
from pingzhan.projections.audit import AuditTrail
from pingzhan.projections.base import ReadModel
from pingzhan.projections.roster import Roster

READ_MODELS = [Roster, AuditTrail, Assessment]
BASE_API = set(vars(ReadModel))


def domain_event_classes() -> set[type]:
    found = set()
    for info in pkgutil.iter_modules(pingzhan.domain.__path__):
        module = importlib.import_module(f"pingzhan.domain.{info.name}")
        for aggregate in vars(module).values():
            if inspect.isclass(aggregate) and issubclass(aggregate, Aggregate) and aggregate is not Aggregate:
                found |= {
                    c
                    for name, c in vars(aggregate).items()
                    # Event and Created are the library's bases, made for every aggregate class
                    if inspect.isclass(c) and issubclass(c, DomainEvent) and name not in ("Event", "Created")
                }
    return found


@pytest.mark.parametrize("model", READ_MODELS, ids=lambda m: m.__name__)
def test_every_handler_of_a_read_model_names_domain_events(model: type[ReadModel]) -> None:
    events = domain_event_classes()
    methods = {n: f for n, f in vars(model).items() if inspect.isfunction(f) and not n.startswith("_")}
    handlers = {n: f for n, f in methods.items() if n not in BASE_API}

    unbound = [n for n, f in handlers.items() if not getattr(f, "handles", ())]
    foreign = [c for f in handlers.values() for c in getattr(f, "handles", ()) if c not in events]

    assert unbound == [], f"{model.__name__} methods bound to no event: {unbound}"
    assert foreign == [], f"{model.__name__} handlers name classes that are not domain events: {foreign}"


def test_the_handlers_of_roster_and_assessment_are_found_by_event_class() -> None:
    assert set(Roster.handlers) >= {"ScopeMode.SwitchedToWartime", "ScopeMode.LevelChanged", "Cadre.Recalled"}
    assert "HouseholdInfo.InformationVerified" in Assessment.handlers


def test_the_audit_trail_says_something_of_every_domain_event() -> None:
    skipped = {ScopeMode.Tracked, HouseholdInfo.Opened, Accounts.Opened}  # bookkeeping (audit._SKIPPED)

    missing = {c.__qualname__ for c in domain_event_classes() - skipped - set(audit_words.SUMMARIES)}

    assert missing == set()
