"""Processes that open a new store at the same moment create its tables once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

OPEN = "from pingzhan.services.settings import Settings; from pingzhan.services.store.ledger import open_ledger; "


def test_processes_opening_a_new_sqlite_store_together_all_succeed(tmp_path: Path) -> None:
    failures = []
    for round_ in range(6):
        folder = tmp_path / f"store-{round_}"
        script = OPEN + f"open_ledger(Settings(store='sqlite', data_dir={str(folder)!r}))"
        runs = [subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE) for _ in range(4)]
        failures += [r.stderr.read().decode().splitlines()[-1] for r in runs if r.wait() != 0 and r.stderr]

    assert failures == []
