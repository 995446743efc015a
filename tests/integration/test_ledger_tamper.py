"""`pingzhan verify` catches each way of altering the store behind pingzhan's back, on SQLite and
PostgreSQL, against a checkpoint signed before: an UPDATE of one row, a DELETE, an INSERT, a
reordering, and a rewrite of the whole tail with a fresh checkpoint that is unsigned or signed by
another key. Each names the span of leaves where the first difference is, and it holds the
altered leaf."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pingzhan.services.ledger.checkpointer import Checkpointer
from pingzhan.services.ledger.leaves import EVENT, OUTCOME
from pingzhan.services.ledger.note import Checkpoint, Signer, append_note
from pingzhan.services.settings import Settings

from tests.integration.ledger_helpers import (
    History,
    Intruder,
    cli,
    cli_env,
    ledger_settings,
    recorded_history,
)

ACTOR = '"actor":"op"'
FORGED = '"actor":"op-x"'


@pytest.fixture
def history(store: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[History]:
    settings = ledger_settings(store, tmp_path)
    found = recorded_history(settings)
    for name, value in cli_env(settings).items():
        monkeypatch.setenv(name, value)
    yield found
    found.app.close()


def verify(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = cli(["verify", "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def second_batch_events(history: History) -> list[int]:
    """Positions of the events recorded by the second batch (after the first checkpoint)."""
    first, second = history.sizes[0], history.sizes[1]
    return [key for kind, key in history.leaves[first:second] if kind == EVENT]


def assert_caught(code: int, report: dict[str, Any], err: str, altered_leaf: int) -> None:
    assert code == 1
    assert not report["ok"]
    assert err.startswith("pingzhan: error: the log ")
    problem = next(p for p in report["problems"] if p["kind"] in ("differs", "shorter"))
    assert problem["first_leaf"] <= altered_leaf <= problem["last_leaf"], problem
    assert report["first_difference"] == problem["first_leaf"]


def test_the_untouched_store_verifies(history: History, capsys: pytest.CaptureFixture[str]) -> None:
    code, report, _ = verify(capsys)

    assert code == 0
    assert report["ok"] and report["problems"] == []
    assert report["checkpoints_matched"] == 3
    assert report["leaves"] == history.sizes[-1] == len(history.leaves)
    assert report["events"] == 30 and report["outcomes"] == 30


def test_an_update_of_one_row_is_caught(history: History, capsys: pytest.CaptureFixture[str]) -> None:
    position = second_batch_events(history)[1]
    intruder = Intruder(history.settings)

    changed = intruder.run(
        f"UPDATE {{events}} SET state = {intruder.replaced_state(ACTOR, FORGED)} WHERE {{pos}} = ?", position
    )

    assert changed == 1
    assert_caught(*verify(capsys), history.index_of(EVENT, position))


def test_a_delete_of_a_rejection_is_caught(history: History, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = history.sizes[0], history.sizes[1]
    rejection = max(key for kind, key in history.leaves[first:second] if kind == EVENT)  # the batch's last
    inbox_row = max(key for kind, key in history.leaves[first:second] if kind == OUTCOME)
    intruder = Intruder(history.settings)

    gone = intruder.run("DELETE FROM {events} WHERE {pos} = ?", rejection)
    gone += intruder.run("DELETE FROM inbox WHERE ledger_seq = ?", inbox_row)

    assert gone == 2
    assert_caught(*verify(capsys), history.index_of(EVENT, rejection))


def test_an_insert_of_a_backdated_event_is_caught(
    history: History, capsys: pytest.CaptureFixture[str]
) -> None:
    intruder = Intruder(history.settings)
    pos = "notification_id, " if intruder.pg else "rowid, "
    uuid = "'00000000-0000-0000-0000-0000000000aa'" if intruder.pg else "'000000000000000000000000000000aa'"
    state = "convert_to('{}', 'UTF8')" if intruder.pg else "CAST('{}' AS BLOB)"

    added = intruder.run(
        f"INSERT INTO {{events}} ({pos}originator_id, originator_version, topic, state) "
        f"VALUES (0, {uuid}, 1, 'pingzhan.domain.cadre:Cadre.Registered', {state})"
    )

    assert added == 1
    assert_caught(*verify(capsys), 0)


def test_a_reordering_of_two_events_is_caught(history: History, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = second_batch_events(history)[:2]
    intruder = Intruder(history.settings)

    intruder.run("UPDATE {events} SET {pos} = -1 WHERE {pos} = ?", a)
    intruder.run("UPDATE {events} SET {pos} = ? WHERE {pos} = ?", a, b)
    intruder.run("UPDATE {events} SET {pos} = ? WHERE {pos} = -1", b)

    assert_caught(*verify(capsys), history.index_of(EVENT, a))


@pytest.mark.parametrize("fresh", ["unsigned", "signed by another key"])
def test_a_rewritten_tail_with_a_fresh_checkpoint_is_caught(
    history: History, capsys: pytest.CaptureFixture[str], fresh: str
) -> None:
    start = second_batch_events(history)[0]
    intruder = Intruder(history.settings)
    intruder.run(
        f"UPDATE {{events}} SET state = {intruder.replaced_state(ACTOR, FORGED)} WHERE {{pos}} >= ?", start
    )
    recomputed = Checkpointer(history.settings, history.app.log_reader, history.app.store_id)
    recomputed.catch_up()  # every hash recomputed over the altered store, as the intruder would
    forger = Signer.generate("pingzhan-ledger")  # the same name, another key
    checkpoint = recomputed.sign(forger)
    if fresh == "unsigned":
        checkpoint = Checkpoint(checkpoint.origin, checkpoint.size, checkpoint.root, checkpoint.time)
    append_note(history.settings.ledger_checkpoints, checkpoint)

    code, report, err = verify(capsys)

    assert_caught(code, report, err, history.index_of(EVENT, start))
    assert [p["checkpoint"]["size"] for p in report["problems"] if p["kind"] == "signature"] == [
        history.sizes[-1]
    ]
