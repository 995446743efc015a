"""A small history with signed checkpoints, and ways to alter its store as an intruder would."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from pingzhan.services.bootstrap import App, build
from pingzhan.services.cli.main import main
from pingzhan.services.ingest.batch import Ingest
from pingzhan.services.ledger.keys import init_key, load_signer
from pingzhan.services.ledger.note import append_note
from pingzhan.services.org.data import load_org
from pingzhan.services.settings import Settings

from tests.integration.helpers import inbound

GRID = "BT-QG-01-01"


def batches() -> list[list[Any]]:
    """Three batches of ten messages, each with one rejected, as the ingest gets them."""
    seq = iter(range(1, 1000))
    out = []
    for b in range(3):
        batch = [
            inbound(next(seq), "cadre.registered", cadre_id=f"C{b}{i}", name="张三", unit="RSJ")
            for i in range(5)
        ]
        batch += [inbound(next(seq), "cadre.dispatched", cadre_id=f"C{b}{i}", grid_id=GRID) for i in range(4)]
        batch.append(inbound(next(seq), "cadre.dispatched", cadre_id="nobody", grid_id=GRID))  # rejected
        out.append(batch)
    return out


def ledger_settings(store: Settings, tmp_path: Path, **changes: Any) -> Settings:
    """The store with a ledger key outside its data directory and an auditor's checkpoint file."""
    return store.model_copy(
        update={
            "ledger_key": tmp_path / "keys" / "ledger.key",
            "ledger_checkpoints": tmp_path / "auditor" / "checkpoints",
            **changes,
        }
    )


def cli(argv: list[str]) -> int:
    """`pingzhan ARGV` in this process. Its logging configuration is put back afterwards: `main`
    points structlog at the sys.stderr of the moment, a capture that pytest closes after the test,
    and services that later tests run would fail writing their logs to it."""
    saved = structlog.get_config()
    try:
        return main(argv)
    finally:
        structlog.configure(**saved)


def cli_env(settings: Settings) -> dict[str, str]:
    return {
        "PINGZHAN_STORE": settings.store,
        "PINGZHAN_DATA_DIR": str(settings.data_dir),
        "POSTGRES_DBNAME": settings.postgres_dbname,
        "PINGZHAN_LEDGER_KEY": str(settings.ledger_key),
        "PINGZHAN_LEDGER_CHECKPOINTS": str(settings.ledger_checkpoints),
        "PINGZHAN_NATS_URL": settings.nats_url,
    }


@dataclass
class History:
    settings: Settings
    app: App
    sizes: list[int]  # of the checkpoints signed after each batch
    leaves: list[tuple[int, int]]  # (kind, key) of every leaf, in the log's order

    def index_of(self, kind: int, key: int) -> int:
        return self.leaves.index((kind, key))


def recorded_history(settings: Settings) -> History:
    """Three batches ingested, a checkpoint signed and kept in the auditor's file after each."""
    init_key(settings, "pingzhan-ledger")
    signer = load_signer(settings)
    app = build(settings)
    worker = Ingest(app.ledger, load_org(), "ingest-0-of-1")
    sizes = []
    for batch in batches():
        worker.process(batch)
        app.checkpointer.catch_up()
        checkpoint = app.checkpointer.sign(signer)
        append_note(settings.ledger_checkpoints, checkpoint)
        sizes.append(checkpoint.size)
    with app.log_reader.leaves() as leaves:
        order = [(kind, key) for kind, key, _ in leaves]
    return History(settings, app, sizes, order)


class Intruder:
    """SQL straight into the store, past pingzhan, on either kind of store."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.pg = settings.store == "postgres"
        self.pos = "notification_id" if self.pg else "rowid"
        self.events = "pingzhan_events" if self.pg else "stored_events"

    def run(self, statement: str, *params: Any) -> int:
        statement = statement.replace("{pos}", self.pos).replace("{events}", self.events)
        if self.pg:
            with self.settings.connect_postgres() as conn:
                return conn.execute(statement.replace("?", "%s"), params).rowcount
        db = sqlite3.connect(self.settings.data_dir / "events.sqlite")
        try:
            with db:
                return db.execute(statement, params).rowcount
        finally:
            db.close()

    def replaced_state(self, old: str, new: str) -> str:
        """An SQL expression: the event's state with ``old`` replaced by ``new``."""
        if self.pg:
            return f"convert_to(replace(convert_from(state, 'UTF8'), '{old}', '{new}'), 'UTF8')"
        return f"CAST(replace(CAST(state AS TEXT), '{old}', '{new}') AS BLOB)"

    def rows(self, query: str) -> list[tuple[Any, ...]]:
        if self.pg:
            with self.settings.connect_postgres() as conn:
                return [tuple(r) for r in conn.execute(query).fetchall()]
        db = sqlite3.connect(self.settings.data_dir / "events.sqlite")
        try:
            return [tuple(r) for r in db.execute(query).fetchall()]
        finally:
            db.close()
