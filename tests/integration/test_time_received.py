"""The service's own clock, as the stream recorded it, bounds what a message may claim."""

from __future__ import annotations

from datetime import datetime

import orjson
from pingzhan.services.ingest.batch import Ingest
from pingzhan.services.ingest.outcome import Inbound
from pingzhan.services.org.data import load_org
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger

from tests.integration.helpers import with_operators

PROPOSED_AT = "2026-11-27T10:00:00+08:00"


def message(seq: int, kind: str, at: str, received: str, actor: str, **fields: object) -> Inbound:
    body = {"id": f"m{seq}", "kind": kind, "occurred_at": at, "actor": actor, **fields}
    return Inbound(
        seq, f"pingzhan.in.0.{kind}", orjson.dumps(body), None, datetime.fromisoformat(received).timestamp()
    )


def propose(seq: int) -> Inbound:
    return message(
        seq,
        "mode.switched_to_wartime",
        PROPOSED_AT,
        PROPOSED_AT,
        "op-a",
        scope="street:BT-QG",
        level="I",
        reason="x",
    )


def confirm(seq: int, at: str, received: str) -> Inbound:
    return message(seq, "mode.switch_confirmed", at, received, "op-b", scope="street:BT-QG", proposal_id="m1")


def test_a_confirmation_received_long_after_the_proposal_expired_is_rejected_whatever_its_date(
    store: Settings,
) -> None:
    worker = Ingest(open_ledger(with_operators(store, "op-a", "op-b")), load_org(), "ingest-0-of-1")
    worker.process([propose(1)])

    (late,) = worker.process(
        [confirm(2, at="2026-11-27T10:20:00+08:00", received="2026-11-27T11:30:00+08:00")]
    )

    assert (late.status, late.code) == ("rejected", "confirmation")
    assert "expired" in (late.reason or "")


def test_a_confirmation_received_within_the_window_is_accepted(store: Settings) -> None:
    worker = Ingest(open_ledger(with_operators(store, "op-a", "op-b")), load_org(), "ingest-0-of-1")
    worker.process([propose(1)])

    (timely,) = worker.process(
        [confirm(2, at="2026-11-27T10:20:00+08:00", received="2026-11-27T10:25:00+08:00")]
    )

    assert timely.status == "accepted"


def test_the_future_is_judged_by_when_the_stream_received_the_message_not_the_workers_clock(
    store: Settings,
) -> None:
    worker = Ingest(open_ledger(store), load_org(), "ingest-0-of-1")
    body = dict(cadre_id="C1", name="n", unit="u")

    early, ok = worker.process(
        [
            message(
                1, "cadre.registered", "2026-11-27T11:00:00+08:00", "2026-11-27T10:40:00+08:00", "op", **body
            ),
            message(
                2, "cadre.registered", "2026-11-27T11:00:00+08:00", "2026-11-27T10:55:00+08:00", "op", **body
            ),
        ]
    )

    assert (early.status, early.code) == ("rejected", "future")  # 20 minutes ahead of the stream
    assert ok.status == "accepted"  # 5 minutes ahead: within the skew, whatever the worker's clock says
