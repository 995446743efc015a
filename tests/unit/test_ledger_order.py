"""The ledger's one order of events and inbox rows, and its fast form for `verify` (the same
leaves in the same order, in lists)."""

from __future__ import annotations

import threading

import pytest
from pingzhan.services.ledger import leaves as log
from pingzhan.services.ledger.leaves import EVENT, OUTCOME, merged, merged_data

EVENTS = [(1, b"e1"), (2, b"e2"), (5, b"e5"), (6, b"e6")]
INBOX = [(-1, 9, b"o-tampered"), (0, 1, b"o1"), (2, 2, b"o2"), (2, 3, b"o3"), (6, 4, b"o4"), (7, 5, b"o5")]


def test_each_inbox_row_follows_the_last_event_its_transaction_stored() -> None:
    order = [(kind, key) for kind, key, _ in merged(iter(EVENTS), iter(INBOX))]

    assert order == [
        (OUTCOME, 9),  # a row without its place (NULL, read as -1) comes first: it differs, visibly
        (OUTCOME, 1),  # recorded before any event (an inbox older than the ledger)
        (EVENT, 1),
        (EVENT, 2),
        (OUTCOME, 2),
        (OUTCOME, 3),
        (EVENT, 5),
        (EVENT, 6),
        (OUTCOME, 4),
        (OUTCOME, 5),
    ]


def test_the_fast_form_gives_the_same_leaves_in_lists_counting_the_events(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(log, "FETCH", 2)  # lists of two events, to cross list boundaries

    chunks = list(merged_data(iter(EVENTS), iter(INBOX)))

    assert [d for part, _ in chunks for d in part] == [d for _, _, d in merged(iter(EVENTS), iter(INBOX))]
    assert sum(n for _, n in chunks) == len(EVENTS)
    assert len(chunks) == 3


def test_the_read_ahead_thread_gives_every_item_in_order_and_stops_when_the_reader_stops() -> None:
    assert list(log._ahead(iter(range(50)), depth=2)) == list(range(50))

    handed: list[int] = []

    def endless():
        n = 0
        while True:
            handed.append(n)
            yield n
            n += 1

    ahead = log._ahead(endless(), depth=2)
    assert [next(ahead), next(ahead)] == [0, 1]
    ahead.close()  # the reader stops early: a verify that raised
    assert not [t for t in threading.enumerate() if t.name == "ledger-reader"]
    assert len(handed) <= 2 + 2 + 2  # taken, queued, one waiting to be put, one more drawn


def test_the_read_ahead_thread_hands_its_error_to_the_reader() -> None:
    def failing():
        yield 1
        raise OSError("the connection was lost")

    ahead = log._ahead(failing())
    assert next(ahead) == 1
    with pytest.raises(OSError, match="connection was lost"):
        next(ahead)
