"""Fixtures of the e2e tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.helpers import clean_env


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A data directory of the test's own, and no other pingzhan settings."""
    return {**clean_env(), "PINGZHAN_DATA_DIR": str(tmp_path / "data")}
