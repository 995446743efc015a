"""Aggregate ids derived from natural keys, so every worker names the same thing the same way."""

from __future__ import annotations

from functools import lru_cache
from uuid import UUID, uuid5

NAMESPACE = UUID("6b1f3c2e-4d0a-5e8b-9c7d-0a1b2c3d4e5f")


@lru_cache(maxsize=1 << 16)
def cadre(cadre_id: str) -> UUID:
    return uuid5(NAMESPACE, f"cadre:{cadre_id}")


@lru_cache(maxsize=1 << 16)
def checkpoint(checkpoint_id: str) -> UUID:
    return uuid5(NAMESPACE, f"checkpoint:{checkpoint_id}")


@lru_cache(maxsize=1 << 16)
def hazard(hazard_id: str) -> UUID:
    return uuid5(NAMESPACE, f"hazard:{hazard_id}")


@lru_cache(maxsize=1 << 16)
def scope(scope_key: str) -> UUID:
    return uuid5(NAMESPACE, f"scope:{scope_key}")


def rejection(message_id: str) -> UUID:
    return uuid5(NAMESPACE, f"rejection:{message_id}")


@lru_cache(maxsize=1 << 16)
def household(household_id: str) -> UUID:
    return uuid5(NAMESPACE, f"household:{household_id}")


def problem(problem_id: str) -> UUID:
    return uuid5(NAMESPACE, f"problem:{problem_id}")


def opinion(opinion_id: str) -> UUID:
    return uuid5(NAMESPACE, f"opinion:{opinion_id}")


def organisation() -> UUID:
    """The one organisation of a deployment (its versions are the aggregate's versions)."""
    return uuid5(NAMESPACE, "organisation:in-use")


def accounts() -> UUID:
    """The one set of accounts of a deployment: who may do what, and their tokens' hashes."""
    return uuid5(NAMESPACE, "accounts:in-use")
