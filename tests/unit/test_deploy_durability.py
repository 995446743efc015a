"""The production NATS configs fsync every write (deploy/README.md, "Durability", says why and at
what cost): a message NATS has acknowledged to a field app survives a power cut."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.mark.parametrize("config", ["nats-server.conf", "nats-cluster.conf"])
def test_jetstream_syncs_every_write(config: str) -> None:
    text = (DEPLOY / config).read_text(encoding="utf-8")
    block = re.search(r"^jetstream \{\n(.*?)^\}", text, re.S | re.M)

    assert block, f"no jetstream block in deploy/{config}"
    settings = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert "sync_interval: always" in settings
