"""The README's routing rule is the code's: every example row of its table is what `subject_of` does."""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import pytest
from pingzhan.services.wire import routing_key, shard_of, subject_of

README = Path(__file__).resolve().parents[2] / "README.md"
HEADER = "| message (the fields that matter) | routing key | crc32 | shard | subject |"


def readme_examples() -> list[tuple[dict[str, Any], str, int, int, str]]:
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(HEADER) + 2  # after the header and its |---| line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        message, key, crc, shard, subject = (c.strip().strip("`") for c in line.strip("|").split("|"))
        rows.append((json.loads(message), json.loads(key), int(crc), int(shard), subject))
    return rows


EXAMPLES = readme_examples()


def test_the_readme_has_an_example_for_each_routing_rule() -> None:
    keys = {key for fields in (row[0] for row in EXAMPLES) for key in fields}

    assert len(EXAMPLES) >= 10
    assert {"grid_id", "household_id", "scope", "checkpoint_id", "hazard_id", "problem_id"} <= keys
    assert {"cadre_id", "id"} <= keys


@pytest.mark.parametrize(("fields", "key", "crc", "shard", "subject"), EXAMPLES, ids=[r[4] for r in EXAMPLES])
def test_each_readme_example_is_what_the_code_builds(
    fields: dict[str, Any], key: str, crc: int, shard: int, subject: str
) -> None:
    assert routing_key(fields) == key
    assert zlib.crc32(key.encode("utf-8")) == crc
    assert shard_of(key) == shard == crc % 16
    assert subject_of("pingzhan", fields) == subject
