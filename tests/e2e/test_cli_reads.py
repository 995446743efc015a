"""Reading the views from the command line: how old they are, pages of the audit trail, and a data
directory without a store."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import PINGZHAN, cli


def test_a_read_on_a_directory_without_a_store_says_so_with_its_absolute_path_and_creates_nothing(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PINGZHAN_", "POSTGRES_"))}

    results = [
        cli(*command, env={**env, "PINGZHAN_DATA_DIR": "nothing-here"}, cwd=tmp_path)
        for command in (("roster",), ("audit",), ("report", "cadres", "--period", "2022"), ("outcome", "x"))
    ]

    for result in results:
        assert result.returncode == 1
        assert result.stderr == (
            f"pingzhan: error: no store at {tmp_path / 'nothing-here'}; start `pingzhan serve` or set "
            "PINGZHAN_DATA_DIR\n"
        )
        assert "peacetime" not in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_the_roster_says_which_event_it_includes_and_warns_that_no_projector_runs(demo_store) -> None:
    text = cli("roster", env=demo_store)
    as_json = cli("roster", "--json", env=demo_store)

    as_of = json.loads(as_json.stdout)["as_of"]
    assert as_of["position"] == as_of["head"] > 0
    assert as_of["recorded_at"] and as_of["projector_running"] is False
    assert "projector is not running" in as_of["warning"]
    recorded = datetime.fromisoformat(as_of["recorded_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    assert (
        f"(as of event {as_of['position']}, recorded {recorded.isoformat(timespec='seconds')}" in text.stdout
    )
    for result in (text, as_json):
        assert result.returncode == 0
        assert "pingzhan: warning: the projector is not running" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("audit",),
        ("audit", "--json"),
        ("audit", "--episodes"),
        ("report", "cadres", "--period", "2022"),
        ("duty", "--at", "2022-07-16T00:00:00+08:00"),
    ],
)
def test_the_audit_trail_and_the_reports_say_how_old_they_are(demo_store, command: tuple[str, ...]) -> None:
    result = cli(*command, env=demo_store)

    assert result.returncode == 0, result.stderr
    where = result.stderr if "--json" in command else result.stdout
    assert "(as of event " in where and "the store is at" in where
    assert "pingzhan: warning: the projector is not running" in result.stderr


def test_the_audit_trail_comes_in_pages_that_say_how_to_get_the_next(demo_store) -> None:
    everything = json.loads(cli("audit", "--limit", "10000", "--json", env=demo_store).stdout)

    first = cli("audit", "--limit", "10", "--json", env=demo_store)
    page = json.loads(first.stdout)
    last = page[-1]["position"]
    rest = json.loads(cli("audit", "--limit", "10000", "--after", str(last), "--json", env=demo_store).stdout)
    text = cli("audit", "--limit", "10", env=demo_store)

    assert len(everything) > 10
    assert page == everything[:10] and rest == everything[10:]
    assert f"(more after #{last}: pingzhan audit --limit 10 --after {last})" in first.stderr
    assert f"pingzhan audit --limit 10 --after {last}" in text.stdout
    assert "more after" not in cli("audit", "--limit", "10000", env=demo_store).stdout


@pytest.mark.parametrize("limit", ["0", "-3", "10001", "ten"])
def test_an_audit_limit_outside_one_to_ten_thousand_is_refused_in_one_line(demo_store, limit: str) -> None:
    result = cli("audit", f"--limit={limit}", env=demo_store)

    assert result.returncode == 2
    assert result.stderr.startswith("pingzhan: error: argument --limit: must be")
    assert result.stderr.endswith("(see pingzhan audit --help)\n") and result.stderr.count("\n") == 1


def test_an_unknown_scope_is_said_in_words(demo_store) -> None:
    result = cli("roster", "--scope", "street:XX", env=demo_store)

    assert (result.returncode, result.stderr) == (1, "pingzhan: error: unknown scope 'street:XX'\n")


def test_output_into_a_pipe_closed_early_ends_quietly(demo_store) -> None:
    reader = subprocess.Popen(
        [PINGZHAN, "roster", "--all", "--json"],
        env=demo_store,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert reader.stdout is not None and reader.stderr is not None
    first = os.read(reader.stdout.fileno(), 1)  # `| head -c 1`: read a byte, then close the pipe
    reader.stdout.close()

    reader.wait(timeout=60)

    errors = reader.stderr.read().decode()
    assert first == b"{"
    assert "BrokenPipe" not in errors and "Exception" not in errors and "error" not in errors
    assert reader.returncode == 141
