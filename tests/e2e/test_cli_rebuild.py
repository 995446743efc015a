"""`pingzhan rebuild` as a process, on SQLite and PostgreSQL: progress on a terminal, Ctrl-C
leaves the read models as they were, a SIGKILLed rebuild's tables are dropped by the next serve,
and a plain last line off a terminal."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
from typing import Any

from pingzhan.services.bootstrap import build, read_models
from pingzhan.services.read.rebuild import shadow_tables
from pingzhan.services.settings import Settings

from tests.e2e.helpers import PINGZHAN, clean_env, cli
from tests.integration.helpers import (
    drain,
    dump_views,
    on_stream,
    publish,
    running,
    wait_until,
    with_operators,
    workload,
)

MESSAGES = 30_000  # about 43,000 events: a rebuild of several pages, most of a second


def env_of(settings: Settings) -> dict[str, str]:
    return {
        **clean_env(),
        "PINGZHAN_STORE": settings.store,
        "PINGZHAN_DATA_DIR": str(settings.data_dir),
        "POSTGRES_DBNAME": settings.postgres_dbname,
    }


async def a_store(nats_server: Any, store: Settings) -> Settings:
    settings = with_operators(await on_stream(nats_server, store, batch_size=500))
    await publish(nats_server.url, workload(11, MESSAGES))
    await drain(settings, nats_server.url)
    return settings


def views_now(settings: Settings) -> tuple[dict[str, list[tuple[Any, ...]]], list[str]]:
    """Every read model's rows, and the shadow tables there are."""
    app = build(settings)
    try:
        models = read_models(app.org, settings)
        dump = {
            t.name: sorted(app.views.query(f"SELECT * FROM {t.name}"), key=repr)
            for m in models
            for t in m.tables
        }
    finally:
        app.close()
    return dump, shadow_tables(settings)


def on_a_terminal(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    """`pingzhan rebuild` with its stderr on a pseudo-terminal; the terminal's reading end."""
    reader, writer = pty.openpty()
    process = subprocess.Popen(
        [PINGZHAN, "rebuild"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=writer
    )
    os.close(writer)
    return process, reader


def read_until(reader: int, text: bytes, timeout: float = 60) -> bytes:
    seen = b""
    while text not in seen:
        ready, _, _ = select.select([reader], [], [], timeout)
        assert ready, f"no {text!r} on the terminal within {timeout} s: {seen!r}"
        try:
            seen += os.read(reader, 4096)
        except OSError:  # the process closed the terminal
            break
    return seen


def rest_of(reader: int) -> bytes:
    seen = b""
    while True:
        try:
            chunk = os.read(reader, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(reader)
    return seen


async def test_ctrl_c_or_sigterm_during_a_rebuild_leaves_the_read_models_as_they_were(
    nats_server, store: Settings
) -> None:
    settings = await a_store(nats_server, store)
    before, _ = views_now(settings)

    for sig in (signal.SIGINT, signal.SIGTERM):
        process, reader = on_a_terminal(env_of(settings))
        shown = read_until(reader, b"events/s")
        process.send_signal(sig)
        code = process.wait(60)
        said = (shown + rest_of(reader)).decode().replace("\x1b[K", "")
        after, shadows = views_now(settings)

        assert "\rrebuilding roster, audit, assessment, drives, problems: " in said
        assert code == 130
        assert said.rstrip().splitlines()[-1].split("\r")[-1] == (
            "pingzhan: rebuild cancelled; the read models are unchanged"
        )
        assert "Traceback" not in said
        assert process.stdout is not None and process.stdout.read() == b""
        assert shadows == []
        assert after == before


async def test_a_killed_rebuilds_tables_are_dropped_by_serve_and_the_next_rebuild_says_how_it_went(
    nats_server, store: Settings
) -> None:
    settings = await a_store(nats_server, store)
    before, _ = views_now(settings)
    process, reader = on_a_terminal(env_of(settings))
    read_until(reader, b"events/s")
    process.kill()
    process.wait(30)
    rest_of(reader)
    left = shadow_tables(settings)

    async with running(settings) as service:
        await wait_until(lambda: shadow_tables(settings) == [], 30, "serve to drop the shadow tables")
        head = service.ledger.recorder.max_notification_id() or 0
        events = 0
        while rows := service.ledger.recorder.select_states(events, 10_000):
            events += len(rows)
        names = ", ".join(m.name for m in service.projector.models)
        rebuilt = cli("rebuild", env={**env_of(settings), "PINGZHAN_NATS_URL": settings.nats_url})
        await wait_until(lambda: service.projector.position >= head, 30, "the projector")
        live = dump_views(service)

    assert left, "the killed rebuild left its tables"
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stderr == ""
    assert rebuilt.stdout.startswith(f"rebuilt {names} from {events:,} events in ")
    assert rebuilt.stdout.rstrip().endswith(f"; swapped in at event {head:,}")
    assert live == before


def test_a_rebuild_of_a_read_model_not_there_is_one_line_naming_those_there_are(env: dict[str, str]) -> None:
    started = cli("token", "add", "someone", "--role", "auditor", env=env)  # makes the store
    assert started.returncode == 0, started.stderr

    result = cli("rebuild", "--projection", "rota", env=env)

    assert result.returncode == 1
    assert result.stderr == (
        "pingzhan: error: no read model 'rota': one of roster, audit, assessment, drives, problems, or all\n"
    )
