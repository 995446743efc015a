"""Where an operator action's time goes: a timestamp per stage, written when tracing is on.

Off unless ``PINGZHAN_TRACE_FILE`` names a file (``Settings.trace_file``); then each stage an
operator action (message id ``op-...``) passes is appended to it as a JSON line
``{"id", "stage", "t"}``, ``t`` from ``time.monotonic()`` (one clock for every process on the
machine), and so is each full collection of Python's garbage collector (``"id": "gc"``, with its
duration). The bench turns it on to report the breakdown of ``switch_to_sse_ms``. Off, a mark
costs one check.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

OPERATOR_PREFIX = "op-"  # the ids operator actions get (services/wire/operator.py)
_out: TextIO | None = None
_gc_started = 0.0


def start(path: Path | None) -> None:
    """Trace to ``path`` from now on (None: not at all)."""
    global _out
    if path is None or _out is not None:
        return
    _out = open(path, "a", buffering=1)
    gc.callbacks.append(_on_gc)


def on() -> bool:
    return _out is not None


def mark(stage: str, message_ids: Iterable[str | None], at: float | None = None) -> None:
    """``stage`` reached now (or ``at``) by those of ``message_ids`` that are operator actions."""
    if _out is None:
        return
    t = time.monotonic() if at is None else at
    for m in message_ids:
        if m and m.startswith(OPERATOR_PREFIX):
            _out.write(f'{{"id":"{m}","stage":"{stage}","t":{t:.6f}}}\n')


def _on_gc(phase: str, info: dict[str, Any]) -> None:
    global _gc_started
    if info.get("generation") != 2 or _out is None:
        return
    if phase == "start":
        _gc_started = time.monotonic()
    else:
        t = time.monotonic()
        _out.write(f'{{"id":"gc","stage":"gc","t":{t:.6f},"took":{t - _gc_started:.6f}}}\n')
