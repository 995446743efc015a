"""Fixtures of the e2e tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.helpers import clean_env, cli


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A data directory of the test's own, and no other pingzhan settings."""
    return {**clean_env(), "PINGZHAN_DATA_DIR": str(tmp_path / "data")}


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a store the demo filled, one per test module (ended: no projector runs
    on it). Among its cadres: 区法院's 4 in 王家坪社区 (宝塔山街道), one of 区人社局 in 桥沟第2社区
    (桥沟街道)."""
    clean = clean_env()
    data = tmp_path_factory.mktemp("demo") / "data"
    done = cli("demo", "--exit", env={**clean, "PINGZHAN_DATA_DIR": str(data)})
    assert done.returncode == 0, done.stderr
    return {**clean, "PINGZHAN_DATA_DIR": str(data / "demo")}
