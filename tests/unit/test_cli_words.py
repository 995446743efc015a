"""The command line's words: errors without Python class names, usage hints, page sizes, and the
simulator's summary with the invalid messages apart."""

from __future__ import annotations

import argparse
import sqlite3

import psycopg
import pytest
from pingzhan.domain.errors import UnknownScopeError
from pingzhan.services.cli.console import CliError, in_words
from pingzhan.services.cli.main import parser
from pingzhan.services.cli.reads import page_size
from pingzhan.services.cli.simulate import summary
from pingzhan.services.store.locks import AlreadyRunning


@pytest.mark.parametrize(
    "error, said",
    [
        (UnknownScopeError("unknown scope 'street:XX'"), "unknown scope 'street:XX'"),
        (CliError("switch wartime needs --level I|II|III|IV"), "switch wartime needs --level I|II|III|IV"),
        (
            AlreadyRunning("another pingzhan process already runs demo"),
            "another pingzhan process already runs demo",
        ),
        (FileNotFoundError(2, "No such file or directory", "x.jsonl"), "x.jsonl: no such file or directory"),
        (PermissionError(13, "Permission denied", "/data"), "/data: permission denied"),
        (
            sqlite3.OperationalError("database is locked"),
            "the store could not be read or written: database is locked",
        ),
        (
            psycopg.OperationalError("connection refused\nmore"),
            "the store could not be read or written: connection refused",
        ),
        (
            ConnectionResetError(104, "Connection reset by peer"),
            "a system call failed: connection reset by peer",
        ),
        (
            ZeroDivisionError("division by zero"),
            "unexpected failure (division by zero); this is a bug, please report it",
        ),
    ],
)
def test_errors_are_said_in_words_without_class_names(error: Exception, said: str) -> None:
    assert in_words(error) == said
    assert type(error).__name__ not in in_words(error)


@pytest.mark.parametrize(
    "argv, hint",
    [(["nonsense"], "see pingzhan --help"), (["report", "units"], "see pingzhan report units --help")],
)
def test_usage_hints_name_the_command(argv: list[str], hint: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(argv)

    assert capsys.readouterr().err.rstrip().endswith(f"({hint})")


@pytest.mark.parametrize("text", ["0", "10001", "-1", "2.5", ""])
def test_a_page_size_outside_one_to_ten_thousand_is_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        page_size(text)


def test_a_page_size_within_bounds_is_taken() -> None:
    assert [page_size(t) for t in ("1", "200", "10000")] == [1, 200, 10000]


def test_the_summary_counts_the_valid_kinds_and_the_invalid_messages_apart_with_their_subjects() -> None:
    invalid = {
        "bad-1": ("malformed_json", "household.visited"),
        "bad-2": ("unknown_kind", "cadre.promoted"),
        "bad-3": ("schema", "hazard.reported"),
        "bad-4": ("schema", "hazard.reported"),
    }

    text = summary({"hazard.reported": 2, "hazard.resolved": 2}, invalid)

    assert text.splitlines() == [
        "hazard.reported                      2",
        "hazard.resolved                      2",
        "valid                                4",
        "deliberately invalid, to be rejected (bad-1, bad-2, bad-3, ...):",
        "  malformed_json                     1  sent as household.visited 1",
        "  schema                             2  sent as hazard.reported 2",
        "  unknown_kind                       1  sent as cadre.promoted 1",
        "invalid                              4",
    ]
