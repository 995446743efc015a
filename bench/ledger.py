"""verify_events_per_s: `pingzhan verify`'s work on the benchmark's store (every event and inbox
row read in order, hashed, the tree recomputed and held against a signed checkpoint)."""

from __future__ import annotations

from typing import Any

from pingzhan.services.bootstrap import build
from pingzhan.services.ledger.note import Signer
from pingzhan.services.ledger.verify import verify_log
from pingzhan.services.settings import Settings


def verify(settings: Settings) -> dict[str, Any]:
    service = build(settings)
    try:
        signer = Signer.generate("bench")  # a key of the bench's own: nothing is written to disk
        checkpointer = service.checkpointer
        checkpointer.catch_up()
        checkpoint = checkpointer.sign(signer)
        with service.log_reader.data() as chunks:
            report = verify_log(chunks, [checkpoint], signer.verifier, checkpointer.origin)
    finally:
        service.close()
    if not report.ok:
        raise RuntimeError(f"verify found problems in the bench's own store: {report.headline.words}")
    return {
        "verify_events_per_s": round(report.rate(report.events)),
        "verify_leaves_per_s": round(report.rate(report.leaves)),
        "verify_events": report.events,
        "verify_leaves": report.leaves,
    }
