"""Aggregate ids derived from natural keys, so every worker names the same thing the same way."""

from __future__ import annotations

from uuid import UUID, uuid5

NAMESPACE = UUID("6b1f3c2e-4d0a-5e8b-9c7d-0a1b2c3d4e5f")


def cadre(cadre_id: str) -> UUID:
    return uuid5(NAMESPACE, f"cadre:{cadre_id}")


def checkpoint(checkpoint_id: str) -> UUID:
    return uuid5(NAMESPACE, f"checkpoint:{checkpoint_id}")


def hazard(hazard_id: str) -> UUID:
    return uuid5(NAMESPACE, f"hazard:{hazard_id}")


def scope(scope_key: str) -> UUID:
    return uuid5(NAMESPACE, f"scope:{scope_key}")


def rejection(message_id: str) -> UUID:
    return uuid5(NAMESPACE, f"rejection:{message_id}")
