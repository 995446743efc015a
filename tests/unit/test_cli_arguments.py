"""Arguments the command line checks itself, and the as-of line in the district's time."""

from __future__ import annotations

import argparse
from zoneinfo import ZoneInfo

import pytest
from pingzhan.services.cli.console import seconds
from pingzhan.services.read.freshness import as_of_line


@pytest.mark.parametrize("text", ["0", "-1", "soon"])
def test_a_timeout_must_be_a_number_of_seconds_above_zero(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        seconds(text)


def test_a_timeout_in_seconds_is_taken() -> None:
    assert seconds("2.5") == 2.5


def test_the_as_of_line_gives_the_recorded_time_in_the_districts_time_zone() -> None:
    doc = {"position": 7, "recorded_at": "2026-11-27T08:10:06.015846+00:00", "head": 9}

    line = as_of_line(doc, ZoneInfo("Asia/Shanghai"))

    assert line == "(as of event 7, recorded 2026-11-27T16:10:06+08:00; the store is at 9)"
