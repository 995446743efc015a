"""The inbox's place in the ledger's order.

Each inbox row (one per inbound message: id, stream sequence, outcome) also records where it goes
in the one log the ledger hashes (``services/ledger/leaves.py``): ``after_event``, the position of
the last event stored when its transaction wrote it (its own message's events included), and
``ledger_seq``, 1, 2, 3, ... in commit order. Both are taken inside the writer's lock (SQLite's
write lock, PostgreSQL's table lock), so the order is the order of commits on both stores and
the log only ever grows at its end.
"""

from __future__ import annotations


def inbox_ledger_columns(integer: str) -> list[str]:
    """The statements that give an inbox made before the ledger its two columns: the rows
    recorded until then go first in the ledger's order, by stream sequence."""
    return [
        f"ALTER TABLE inbox ADD COLUMN after_event {integer}",
        f"ALTER TABLE inbox ADD COLUMN ledger_seq {integer}",
        "UPDATE inbox SET after_event = 0, ledger_seq = r.n FROM (SELECT message_id, "
        "row_number() OVER (ORDER BY stream_seq, message_id) AS n FROM inbox) AS r "
        "WHERE inbox.message_id = r.message_id",
    ]
