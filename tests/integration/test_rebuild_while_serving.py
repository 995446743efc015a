"""Rebuilds without downtime, on SQLite and PostgreSQL: `pingzhan rebuild`'s work while a real
serve ingests through a real nats-server, and serve's own rebuild after a layout change. Reads
answer from the old tables, never empty, until the swap; then the views equal a fresh fold."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from pingzhan.domain.org import Org
from pingzhan.projections.roster import Roster
from pingzhan.services.bootstrap import build, read_models
from pingzhan.services.read import queries
from pingzhan.services.read.rebuild import Progress, shadow_tables
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.settings import Settings
from pingzhan.services.store.locks import AlreadyRunning, rebuild_lock

from tests.integration.helpers import (
    drain,
    dump_views,
    last_seq,
    on_stream,
    publish,
    running,
    wait_until,
    with_operators,
    workload,
)


def read_now(views: ViewDb, org: Org) -> tuple[int, int]:
    """What a reader sees: the audit trail's entries and the cadres on the roster."""
    roster = queries.roster(views, org)
    return len(queries.audit(views, org)), sum(len(g["cadres"]) for g in roster["grids"])


class Reader(threading.Thread):
    """Reads the roster and the audit trail again and again, as the CLI and the API do, through a
    connection of its own; keeps what it saw (and any error)."""

    def __init__(self, settings: Settings, org: Org):
        super().__init__(daemon=True)
        self.settings, self.org = settings, org
        self.seen: list[tuple[int, int]] = []
        self.errors: list[str] = []
        self.halt = threading.Event()

    def run(self) -> None:
        views = ViewDb(self.settings)
        try:
            while not self.halt.is_set():
                try:
                    self.seen.append(read_now(views, self.org))
                except Exception as e:
                    self.errors.append(f"{type(e).__name__}: {e}")
        finally:
            views.close()


async def trickle(url: str, items: list[Any], chunk: int = 100, every_s: float = 0.2) -> None:
    """Publish a little at a time, as a field day does: ingest goes on while a rebuild runs."""
    for k in range(0, len(items), chunk):
        await publish(url, items[k : k + chunk])
        await asyncio.sleep(every_s)


def fresh_fold(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    """The read models folded from zero in place, in a process part of their own (no serve)."""
    app = build(settings)
    try:
        app.projector.rebuild()
        return dump_views(app)
    finally:
        app.close()


async def test_a_rebuild_while_serving_keeps_reads_answering_and_swaps_in_a_fresh_fold_with_the_ingest_made_meanwhile(
    nats_server, store: Settings
) -> None:
    settings = with_operators(await on_stream(nats_server, store, batch_size=100))
    items = workload(7, 6000)
    await publish(nats_server.url, items[:3000])
    await drain(settings, nats_server.url)
    rebuilding = build(settings)  # `pingzhan rebuild`'s part
    pages: list[Progress] = []

    async with running(settings) as service:
        before = read_now(service.views, service.org)
        generations = dict(service.projector.generations)
        reader = Reader(settings, service.org)
        reader.start()

        def slowly(progress: Progress) -> None:  # a page at a time, readers and ingest in between
            pages.append(Progress(**vars(progress)))
            threading.Event().wait(0.3)

        publishing = asyncio.create_task(trickle(nats_server.url, items[3000:]))
        done = await asyncio.to_thread(rebuilding.rebuild, "all", None, slowly, 500)
        await publishing
        head_seq = await last_seq(nats_server.url, settings.stream)
        await wait_until(lambda: service.ingest.position >= head_seq, 60, "ingest of all messages")
        head = service.ledger.recorder.max_notification_id() or 0
        await wait_until(lambda: service.projector.position >= head, 60, "the projector to include all")
        reader.halt.set()
        await asyncio.to_thread(reader.join)
        live = dump_views(service)
        after = read_now(service.views, service.org)
        reloaded = service.projector.generations
    rebuilding.close()

    assert len(pages) >= 4, "the rebuild took several pages"
    assert pages[0].position < done.position < head, "ingest went on before and after the swap"
    assert reader.errors == []
    assert len(reader.seen) > 10
    assert all(audit >= before[0] and cadres >= before[1] for audit, cadres in reader.seen), (
        "reads never went empty nor back"
    )
    assert shadow_tables(settings) == []
    assert reloaded == {name: n + 1 for name, n in generations.items()}, "serve took the new tables"
    assert live == fresh_fold(settings)
    assert after[0] > before[0]


async def test_a_page_the_live_projector_folded_before_the_swap_is_not_written_over_the_new_tables(
    nats_server, store: Settings
) -> None:
    settings = with_operators(await on_stream(nats_server, store, batch_size=100))
    items = workload(9, 3000)
    await publish(nats_server.url, items[:1500])
    await drain(settings, nats_server.url)
    await publish(nats_server.url, items[1500:])
    await drain(settings, nats_server.url, project=False)  # stored, not yet in the views
    live = build(settings)  # serve's projector, stepped by hand
    projector = live.projector
    stepped: list[int] = []
    rebuilding = build(settings)
    recorder = rebuilding.ledger.recorder
    reads = recorder.select_states

    def select_states(after: int, limit: int) -> Any:
        """The swap's first read (the second of all): the live projector folds its page from
        the old rows now, and reaches its flush while the swap holds the generations."""
        if len(calls) == 1:
            step = threading.Thread(target=lambda: stepped.append(projector.step()))
            step.start()
            threading.Event().wait(1.0)
            calls.append(step)
        calls.append(after)
        return reads(after, limit)

    calls: list[Any] = []
    recorder.select_states = select_states
    try:
        done = rebuilding.rebuild()
        calls[1].join(30)
        folded_after = projector.catch_up()
        views = dump_views(live)
    finally:
        live.close()
        rebuilding.close()

    assert stepped and stepped[0] > 0, "the live projector folded a page and did not fail"
    assert projector.position == done.position
    assert folded_after == 0
    assert views == fresh_fold(settings)


async def test_serve_rebuilds_a_model_of_an_older_layout_beside_its_old_tables_and_swaps_them_in(
    nats_server, store: Settings
) -> None:
    settings = with_operators(await on_stream(nats_server, store, batch_size=100))
    items = workload(8, 4000)
    await publish(nats_server.url, items[:2000])
    await drain(settings, nats_server.url)
    views = ViewDb(settings)
    # The store as an older release left it: the roster's tables of layout version 1, with a row
    # that tells them apart from the ones the new layout's fold makes.
    with views.transaction() as cur:
        cur.execute("UPDATE view_schema SET version = 1 WHERE name = 'roster'")
        cur.execute("INSERT INTO roster_scope VALUES ('street:OLD', 'I', 'then', 'street:OLD#1', '', 'old')")
    assert Roster.version != 1
    holding = rebuild_lock(settings)  # as if a rebuild ran: serve waits for it, the old tables answer

    async with running(settings) as service:
        await wait_until(lambda: "roster" in service.projector.pending, what="serve to see the old layout")
        await publish(nats_server.url, items[2000:])
        head_seq = await last_seq(nats_server.url, settings.stream)
        await wait_until(lambda: service.ingest.position >= head_seq, 60, "ingest of all messages")
        reader = Reader(settings, service.org)
        reader.start()
        await asyncio.sleep(1.0)
        still_old = views.query("SELECT * FROM roster_scope WHERE scope = 'street:OLD'")
        holding.release()
        await wait_until(lambda: not service.projector.pending, 60, "the roster's rebuild and swap")
        head = service.ledger.recorder.max_notification_id() or 0
        await wait_until(lambda: service.projector.position >= head, 60, "the projector to include all")
        reader.halt.set()
        await asyncio.to_thread(reader.join)
        live = dump_views(service)
    version = views.query("SELECT version FROM view_schema WHERE name = 'roster'")
    views.close()

    assert len(still_old) == 1, "the old tables answered while the new ones waited"
    assert reader.errors == []
    assert reader.seen and all(audit > 0 and cadres > 0 for audit, cadres in reader.seen)
    assert int(version[0][0]) == Roster.version
    assert all(row[0] != "street:OLD" for row in live["roster_scope"])
    assert shadow_tables(settings) == []
    assert live == fresh_fold(settings)


async def test_a_second_rebuild_at_the_same_time_says_one_runs(nats_server, store: Settings) -> None:
    settings = with_operators(await on_stream(nats_server, store))
    await drain(settings, nats_server.url)
    app = build(settings)
    holding = rebuild_lock(settings)
    try:
        with pytest.raises(AlreadyRunning, match="another rebuild of the read models is running"):
            app.rebuild()
    finally:
        holding.release()
        app.close()


async def test_a_rebuild_of_an_unknown_read_model_names_the_ones_there_are(
    nats_server, store: Settings
) -> None:
    settings = with_operators(await on_stream(nats_server, store))
    app = build(settings)
    try:
        with pytest.raises(LookupError) as raised:
            app.rebuild("rota")
    finally:
        app.close()
    names = [m.name for m in read_models(app.org, settings)]
    assert str(raised.value) == f"no read model 'rota': one of {', '.join(names)}, or all"


async def test_a_read_of_old_layout_tables_this_code_cannot_read_says_the_model_is_being_rebuilt(
    nats_server, store: Settings
) -> None:
    settings = with_operators(await on_stream(nats_server, store))
    await publish(nats_server.url, workload(12, 200))
    await drain(settings, nats_server.url)
    views = ViewDb(settings)
    with views.transaction() as cur:  # the roster as a release before its teams' roles left it
        cur.execute("UPDATE view_schema SET version = 5 WHERE name = 'roster'")
        cur.execute("ALTER TABLE roster_cadre DROP COLUMN role")
    app = build(settings)

    try:
        with pytest.raises(LookupError) as raised:
            queries.roster(views, app.org)
        audit = queries.audit(views, app.org)
    finally:
        app.close()
        views.close()

    assert str(raised.value).startswith(
        "the read model roster is being rebuilt for this release's layout of its tables; it answers again when"
    )
    assert audit, "the other models answer"
