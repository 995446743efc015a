"""`pingzhan simulate` and `pingzhan publish`: nothing hangs, progress on a terminal, the
deliberately invalid messages apart, and a dry run that creates nothing."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import subprocess
import time
from pathlib import Path

import nats
from nats.js.api import ConsumerConfig
from pingzhan.domain import ids
from pingzhan.domain.scope_mode import ScopeMode
from pingzhan.services.bootstrap import build
from pingzhan.services.nats.stream import ensure_stream
from pingzhan.services.settings import Settings
from pingzhan.services.wire import KINDS

from tests.e2e.helpers import PINGZHAN, cli


def test_simulate_wait_without_a_service_gives_up_after_its_timeout_in_one_line(env, nats_server) -> None:
    started = time.monotonic()

    result = cli(
        "simulate",
        "--scale",
        "0.02",
        "--wait",
        "--timeout",
        "2",
        env={**env, "PINGZHAN_NATS_URL": nats_server.url},
    )

    assert result.returncode == 1
    assert result.stderr == (
        "pingzhan: error: published 6,241 messages, but they were not all recorded within 2 s; "
        "is `pingzhan serve` running on this NATS and this store?\n"
    )
    assert time.monotonic() - started < 30


def test_simulate_wait_returns_once_a_running_service_has_recorded_everything(
    env, nats_server, tmp_path: Path
) -> None:
    env = {**env, "PINGZHAN_NATS_URL": nats_server.url}
    asyncio.run(_leave_a_consumer_of_another_store(nats_server.url))  # must not be waited for
    log = open(tmp_path / "serve.log", "w")
    serve = subprocess.Popen([PINGZHAN, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        result = cli("simulate", "--scale", "0.02", "--wait", "--timeout", "60", env=env)
        again = cli("simulate", "--scale", "0.02", "--wait", "--timeout", "60", env=env)  # the same ids
        listed = cli("token", "list", "--json", env=env)
        store = build(Settings(data_dir=tmp_path / "data"))
        recorded = store.ledger.recorder.max_tracking_id("nats:ingest-0-of-1")  # stream position in the store
        district = store.ledger.load([ids.scope("district:BT")])[ids.scope("district:BT")]
        store.close()
    finally:
        serve.terminate()
        serve.wait(timeout=30)

    assert result.returncode == 0, result.stderr
    assert again.returncode == 0, again.stderr
    assert recorded == 6_241  # the second run's messages were the same ids: NATS dropped them
    # simulate registered the command centre it switches as, once, and its switches were accepted
    assert [(a["name"], a["role"]) for a in json.loads(listed.stdout)] == [("command-center-01", "operator")]
    assert isinstance(district, ScopeMode) and district.episodes >= 1


def test_publishing_an_empty_file_says_there_is_nothing_to_publish(env, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n  \n")

    result = cli(
        "publish", str(empty), "--timeout", "5", env={**env, "PINGZHAN_NATS_URL": "nats://127.0.0.1:1"}
    )

    assert result.returncode == 1
    assert result.stderr == f"pingzhan: error: {empty} has no messages: nothing to publish\n"


def test_a_dry_run_lists_the_invalid_messages_apart_and_creates_nothing(env, tmp_path: Path) -> None:
    result = cli("simulate", "--scale", "0.02", "--dry-run", env=env)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    valid = lines[: next(i for i, line in enumerate(lines) if line.startswith("valid "))]
    apart = lines[len(valid) + 1 :]
    assert {line.split()[0] for line in valid} <= set(KINDS)
    assert apart[0].startswith("deliberately invalid, to be rejected (sim-1-")
    flaws = {line.split()[0]: int(line.split()[1]) for line in apart[1:4]}
    assert set(flaws) == {"malformed_json", "schema", "unknown_kind"}
    assert apart[4].split()[:2] == ["invalid", str(sum(flaws.values()))]
    assert apart[5].startswith("total") and "generated" in apart[5]
    assert not (tmp_path / "data").exists()


def test_simulate_shows_progress_on_a_terminal_only(env, nats_server) -> None:
    env = {**env, "PINGZHAN_NATS_URL": nats_server.url}
    controller, terminal = pty.openpty()
    on_terminal = subprocess.Popen(
        [PINGZHAN, "simulate", "--scale", "0.02"], env=env, stdout=subprocess.PIPE, stderr=terminal
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal's other end closed
            break
        if not chunk:
            break
        shown += chunk
    on_terminal.wait(timeout=60)
    os.close(controller)

    in_a_file = cli("simulate", "--scale", "0.02", env=env)

    assert on_terminal.returncode == 0
    assert b"generating the year" in shown and b"published 6,241 of 6,241 messages" in shown
    assert "published 6,241 of" not in in_a_file.stderr and "generating" not in in_a_file.stderr


async def _leave_a_consumer_of_another_store(url: str) -> None:
    """A durable consumer that another store's worker left on the stream, long gone."""
    nc = await nats.connect(url)
    js = nc.jetstream()
    await ensure_stream(js, Settings())
    await js.add_consumer(Settings().stream, ConsumerConfig(durable_name="ingest-1-of-2-0badc0de"))
    await nc.close()
