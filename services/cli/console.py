"""What every command shares with the console: one-line errors, the argument parser, JSON output."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from typing import Any, NoReturn


class CliError(Exception):
    """An error the user can act on; printed as one line."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"pingzhan: error: {message} (see pingzhan {self.prog.split()[-1]} --help)", file=sys.stderr)
        raise SystemExit(2)


def print_json(doc: Any) -> None:
    print(json.dumps(doc, ensure_ascii=False, indent=2))


def install_stop(stop: asyncio.Event) -> None:
    """Ctrl-C and SIGTERM set ``stop``: the service finishes its batch and closes in order."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
