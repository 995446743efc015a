"""A property over the domain: whatever sequence of messages comes in, in whatever batches, the
read models kept up to date step by step equal a fold of the stored events from scratch.

Hypothesis draws the messages from the wire models (``tests/wire_strategies.py``, valid ones and
broken ones); each example ingests them into a fresh SQLite store in batches (no NATS: the
``Ingest`` the consumer hands batches to), steps the projector after each batch, then rebuilds
every read model and compares every table."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pingzhan.services.bootstrap import build
from pingzhan.services.ingest.outcome import Inbound
from pingzhan.services.settings import Settings
from pingzhan.services.wire import subject_of

from tests.integration.helpers import dump_views, with_operators
from tests.wire_strategies import FUZZED_CADRES, GRIDS, broken, valid

SETUP = [
    {
        "kind": f"cadre.{what}",
        "occurred_at": "2022-01-01T08:00:00+08:00",
        "actor": "fz",
        "cadre_id": c,
        **fields,
    }
    for i, c in enumerate(FUZZED_CADRES[:40])
    for what, fields in (
        ("registered", {"name": "干部", "unit": "RSJ"}),
        ("dispatched", {"grid_id": GRIDS[i % 12]}),
    )
]
MESSAGES = st.lists(
    st.one_of(valid(), valid(), valid(), broken().map(lambda b: b[0])), min_size=1, max_size=120
)


def batches(messages: list[dict[str, Any]], cuts: list[int]) -> list[list[Inbound]]:
    inbound = [
        Inbound(
            seq, subject_of("pingzhan", m), orjson.dumps({"id": f"p-{seq}", **m}), f"p-{seq}", time.time()
        )
        for seq, m in enumerate(SETUP + messages, start=1)
    ]
    edges = sorted({0, len(inbound), *(c % (len(inbound) + 1) for c in cuts)})
    return [inbound[a:b] for a, b in zip(edges, edges[1:], strict=False) if b > a]


@settings(
    max_examples=50, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(messages=MESSAGES, cuts=st.lists(st.integers(0, 200), max_size=6))
def test_read_models_kept_step_by_step_equal_a_fold_from_scratch(
    messages: list[dict[str, Any]], cuts: list[int]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = build(with_operators(Settings(store="sqlite", data_dir=Path(tmp) / "data")))
        try:
            for batch in batches(messages, cuts):
                app.ingest.process(batch)
                app.projector.catch_up()
            stepped = dump_views(app)
            app.projector.rebuild()
            assert dump_views(app) == stepped
            assert sum(len(rows) for rows in stepped.values()) > 0
        finally:
            app.close()
