"""The audit trail in pages: each page read with its own LIMIT, the pages together the whole trail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from pingzhan.services.bootstrap import build
from pingzhan.services.read import queries
from pingzhan.services.settings import Settings
from pingzhan.services.wire import subject_of

from tests.integration.helpers import drain, on_stream, publish, with_operators, workload


@pytest.fixture
async def trail(nats_server, store: Settings) -> Settings:
    """A store whose audit trail has more than a default page (200 entries) and some episodes."""
    settings = with_operators(await on_stream(nats_server, store), "op-1")
    switch = {"id": "paging-war", "kind": "mode.switched_to_wartime", "occurred_at": "2022-01-01T08:00:00+08:00",
              "actor": "op-1", "scope": "district:BT", "level": "III", "reason": "paging"}  # fmt: skip
    await publish(
        nats_server.url, [(switch["id"], subject_of(settings.subject_prefix, switch), orjson.dumps(switch))]
    )
    await publish(nats_server.url, workload(seed=17, count=700))
    await drain(settings, nats_server.url)
    return settings


def pages(settings: Settings, size: int, episode: str | None = None) -> list[list[int]]:
    app = build(settings)
    out, after = [], 0
    while rows := queries.audit(app.views, app.org, episode, size, after):
        out.append([r["position"] for r in rows])
        after = rows[-1]["position"]
    app.close()
    return out


async def test_pages_of_the_audit_trail_are_the_whole_trail_in_order(trail: Settings) -> None:
    app = build(trail)
    whole = [r["position"] for r in queries.audit(app.views, app.org)]
    episode = queries.episodes(app.views, app.org)[0]["episode"]
    in_episode = [r["position"] for r in queries.audit(app.views, app.org, episode)]
    app.close()

    by_page = pages(trail, 64)
    episode_pages = pages(trail, 5, episode)

    assert len(whole) > 200 and whole == sorted(whole)
    assert all(len(p) == 64 for p in by_page[:-1]) and sum(by_page, []) == whole
    assert len(in_episode) > 5 and sum(episode_pages, []) == in_episode


async def test_a_page_is_read_with_a_limit_not_by_reading_the_whole_trail(trail: Settings) -> None:
    app = build(trail)
    asked: list[tuple[str, list[object]]] = []
    query = app.views.query
    app.views.query = lambda sql, params=(): asked.append((sql, list(params))) or query(sql, params)  # type: ignore[method-assign]

    rows = queries.audit(app.views, app.org, None, 3, 10)
    app.close()

    assert len(rows) == 3 and rows[0]["position"] > 10
    (select,) = [(sql, params) for sql, params in asked if "FROM audit a" in sql]
    assert select[0].endswith("WHERE a.position > ? ORDER BY a.position LIMIT ?") and select[1] == [10, 3]


async def test_pingzhan_audit_prints_one_page_of_200_and_the_command_for_the_next(trail: Settings) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PINGZHAN_", "POSTGRES_"))}
    env = {**clean, "PINGZHAN_STORE": trail.store, "PINGZHAN_DATA_DIR": str(trail.data_dir),
           "POSTGRES_DBNAME": trail.postgres_dbname}  # fmt: skip

    result = subprocess.run(
        [str(Path(sys.executable).with_name("pingzhan")), "audit", "--json"],
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 200
    assert f"pingzhan audit --after {rows[-1]['position']}" in result.stderr
