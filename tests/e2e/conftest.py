"""Fixtures of the e2e tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PINGZHAN_", "POSTGRES_"))}
    return {**clean, "PINGZHAN_DATA_DIR": str(tmp_path / "data")}
