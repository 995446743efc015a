"""What every command shares with the console: one-line errors, the argument parser, JSON output."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sqlite3
import sys
from typing import Any, NoReturn

import psycopg
from pingzhan.domain.errors import DomainError
from pingzhan.services.nats.connection import NatsUnreachable
from pingzhan.services.nats.stream import StreamBehind
from pingzhan.services.store.locks import AlreadyRunning


class CliError(Exception):
    """An error the user can act on; printed as one line."""


class UsageError(CliError):
    """A command line that does not hold together (exit status 2, like argparse's own errors)."""

    def __init__(self, command: str, message: str):
        super().__init__(f"{message} (see pingzhan {command} --help)")


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"pingzhan: error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def in_words(e: BaseException) -> str:
    """An error as one line people read: its message, never its Python class name."""
    first = str(e).splitlines()[0] if str(e) else ""
    said = DomainError | CliError | LookupError | NatsUnreachable | StreamBehind | AlreadyRunning
    if getattr(e, "in_words", False):  # an error that says itself (e.g. the HTTP port in use)
        return first
    if isinstance(e, said) and not isinstance(e, KeyError | IndexError):  # those two: a bug
        return str(e.args[0]) if e.args else first
    if isinstance(e, OSError) and e.filename is not None:
        return f"{e.filename}: {(e.strerror or first).lower()}"
    if isinstance(e, sqlite3.Error | psycopg.Error):
        return f"the store could not be read or written: {first or 'no reason given'}"
    if isinstance(e, OSError):
        return f"a system call failed: {(e.strerror or first).lower()}"
    return f"unexpected failure ({first or 'no details'}); this is a bug, please report it"


def progress(text: str) -> None:
    """One line on stderr, overwritten in place; only on a terminal ("" clears it)."""
    if sys.stderr.isatty():
        print(f"\r\033[K{text}", end="" if text else "", file=sys.stderr, flush=True)


def print_json(doc: Any) -> None:
    print(json.dumps(doc, ensure_ascii=False, indent=2))


def install_stop(stop: asyncio.Event) -> None:
    """Ctrl-C and SIGTERM set ``stop``: the service finishes its batch and closes in order."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


def seconds(text: str) -> float:
    """A ``--timeout``: a number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} seconds: it must be more than 0")
    return value
