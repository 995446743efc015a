"""Two-operator proposals: a level-I switch or the void of an episode is first proposed by one
operator and takes effect only when a different one confirms it within ``CONFIRMATION_WINDOW``
(field time). A scope (``scope_mode.ScopeMode``) holds at most one pending proposal, as the
plain dict these functions make and check."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pingzhan.domain.errors import ConfirmationError, TimeOrderError
from pingzhan.domain.stamp import Stamp

CONFIRMATION_WINDOW = timedelta(minutes=30)

Proposal = dict[str, object]


def instant(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def expiry(occurred_at: str) -> str:
    """When a proposal made at ``occurred_at`` lapses unconfirmed."""
    return (instant(occurred_at) + CONFIRMATION_WINDOW).isoformat()


def proposal_of(e: Any, **what: object) -> Proposal:
    """What a scope remembers of its pending proposal, from the event that made it."""
    by = {"id": e.message_id, "by": e.actor, "at": e.occurred_at}
    trigger = getattr(e, "trigger", None)  # events recorded before switches had triggers have none
    return {**by, "reason": e.reason, "expires_at": e.expires_at, "trigger": trigger, **what}


def check_confirmation(scope: str, proposal: Proposal | None, proposal_id: str, stamp: Stamp) -> Proposal:
    """The pending proposal ``proposal_id`` of ``scope``, if ``stamp`` may confirm it: it is the
    one pending, by another operator, dated after it and before it lapsed."""
    if proposal is None or proposal["id"] != proposal_id:
        raise ConfirmationError(f"{scope} has no pending proposal {proposal_id!r}")
    if stamp.actor == proposal["by"]:
        what = "a void" if proposal["voids"] else "a level-I switch"
        raise ConfirmationError(
            f"{what} needs a second operator: {stamp.actor} proposed it and cannot confirm it"
        )
    if instant(stamp.occurred_at) < instant(str(proposal["at"])):
        raise TimeOrderError(
            f"the confirmation at {stamp.occurred_at} is dated before its proposal at {proposal['at']}"
        )
    expires = str(proposal["expires_at"])
    if instant(stamp.occurred_at) > instant(expires) or stamp.sent_later_than(expires):
        raise ConfirmationError(f"proposal {proposal_id} expired at {expires}")
    return proposal


def superseded_by(proposal: Proposal | None, stamp: Stamp) -> str | None:
    """What a pending proposal proposed ("level I", "void of SCOPE#N"), if a command at ``stamp``
    replaces it before it lapsed; None if there is none or it had lapsed."""
    if proposal is None or instant(stamp.occurred_at) > instant(str(proposal["expires_at"])):
        return None
    return f"void of {proposal['voids']}" if proposal["voids"] else f"level {proposal['level']}"
