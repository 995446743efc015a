"""The inbox rows take their place in the ledger's log: after the events their transaction stored,
in commit order; an inbox made before the ledger gets the two columns, its rows first."""

from __future__ import annotations

from pathlib import Path

from pingzhan.services.bootstrap import build
from pingzhan.services.ingest.batch import Ingest
from pingzhan.services.ledger.leaves import EVENT, OUTCOME
from pingzhan.services.org.data import load_org
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import open_ledger

from tests.integration.ledger_helpers import Intruder, batches, ledger_settings


def test_each_batchs_inbox_rows_follow_its_events_in_commit_order(store: Settings, tmp_path: Path) -> None:
    app = build(ledger_settings(store, tmp_path))
    worker = Ingest(app.ledger, load_org(), "ingest-0-of-1")
    for batch in batches()[:2]:
        worker.process(batch)

    with app.log_reader.leaves() as leaves:
        order = [(kind, key) for kind, key, _ in leaves]
    app.close()

    assert order == (
        [(EVENT, p) for p in range(1, 11)]
        + [(OUTCOME, s) for s in range(1, 11)]
        + [(EVENT, p) for p in range(11, 21)]
        + [(OUTCOME, s) for s in range(11, 21)]
    )


def test_an_inbox_made_before_the_ledger_gets_its_columns_with_its_rows_first(store: Settings) -> None:
    open_ledger(store).close()
    intruder = Intruder(store)  # the old layout, as an earlier release made it
    intruder.run("DROP TABLE inbox")
    intruder.run("CREATE TABLE inbox (message_id TEXT PRIMARY KEY, stream_seq BIGINT, outcome TEXT NOT NULL)")
    intruder.run("INSERT INTO inbox VALUES ('b', 2, '{}'), ('a', 3, '{}'), ('c', 1, '{}')")

    ledger = open_ledger(store)
    ledger.close()

    rows = intruder.rows("SELECT message_id, after_event, ledger_seq FROM inbox ORDER BY ledger_seq")
    assert rows == [("c", 0, 1), ("b", 0, 2), ("a", 0, 3)]


def test_the_leaf_bytes_are_the_documented_ones_on_both_stores(store: Settings, tmp_path: Path) -> None:
    app = build(ledger_settings(store, tmp_path))
    worker = Ingest(app.ledger, load_org(), "ingest-0-of-1")
    for batch in batches():
        worker.process(batch)
    intruder = Intruder(store)
    position = "notification_id" if intruder.pg else "rowid"
    uuid = "replace(originator_id::text, '-', '')" if intruder.pg else "originator_id"
    events = intruder.rows(
        f"SELECT {position}, {uuid}, originator_version, topic, state FROM {intruder.events} ORDER BY 1"
    )
    inbox = intruder.rows("SELECT ledger_seq, after_event, stream_seq, message_id, outcome FROM inbox")

    with app.log_reader.leaves() as leaves:
        found = {(kind, key): data for kind, key, data in leaves}
    with app.log_reader.data() as chunks:
        data = [d for part, _ in chunks for d in part]
    with app.log_reader.leaves() as leaves:
        in_order = [d for _, _, d in leaves]
    app.close()

    for p, o, v, t, s in events:
        tb = t.encode()
        assert found[(EVENT, p)] == b"event %d %s %d %d %s\n%s" % (p, o.encode(), v, len(tb), tb, bytes(s))
    for seq, after, stream_seq, m, outcome in inbox:
        mb = m.encode()
        expected = b"outcome %d %d %d %d %s\n%s" % (seq, after, stream_seq, len(mb), mb, outcome.encode())
        assert found[(OUTCOME, seq)] == expected
    assert len(found) == len(events) + len(inbox) == 60
    assert data == in_order
