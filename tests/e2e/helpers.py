"""Helpers for the e2e tests: the `pingzhan` command as a process, and a `pingzhan serve` against
a nats-server of its own."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from pingzhan.services.nats.embedded import EmbeddedNats

PINGZHAN = str(Path(sys.executable).with_name("pingzhan"))


def clean_env() -> dict[str, str]:
    """This process's environment without pingzhan's settings (each test gives its own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PINGZHAN_", "POSTGRES_"))}
    return {**env, "PINGZHAN_HTTP_PORT": "0"}  # never the default 8080, which may be taken


def cli(
    *args: str, env: dict[str, str], timeout: float = 90, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`pingzhan ARGS` as a process; its exit status and output."""
    return subprocess.run(
        [PINGZHAN, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def switch(mode: str, *flags: str, env: dict[str, str], **options: str) -> subprocess.CompletedProcess[str]:
    """`pingzhan switch MODE FLAGS --option value ...`, signed in with the token of ``operator``
    (from ``register_operators``) when it has one."""
    token = TOKENS.get((env.get("PINGZHAN_DATA_DIR", ""), options.get("operator", "")))
    signed_in = {**env, "PINGZHAN_TOKEN": token} if token else env
    return cli("switch", mode, *flags, *(a for k, v in options.items() for a in (f"--{k}", v)), env=signed_in)


# The tokens `register_operators` got, by data directory and name: `switch` signs in with them.
TOKENS: dict[tuple[str, str], str] = {}


def register_operators(*names: str, env: dict[str, str]) -> None:
    """`pingzhan token add NAME --role operator` for each name: only registered operators switch,
    each with their own token."""
    for name in names:
        added = cli("token", "add", name, "--role", "operator", env=env)
        assert added.returncode == 0, added.stderr
        TOKENS[(env["PINGZHAN_DATA_DIR"], name)] = added.stdout.strip()


def poll(
    until: Callable[[subprocess.CompletedProcess[str]], bool],
    *args: str,
    env: dict[str, str],
    within: float = 15,
) -> subprocess.CompletedProcess[str]:
    """Run a read command again until its answer satisfies ``until`` (the projector follows the
    store on its own time), or ``within`` seconds have passed; returns the last answer."""
    deadline = time.monotonic() + within
    while True:
        result = cli(*args, env=env)
        if until(result) or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def grid_modes(result: subprocess.CompletedProcess[str]) -> set[tuple[str, str | None]]:
    """The (mode, level) pairs of the grids in a `roster --json` answer (empty if it failed)."""
    if result.returncode != 0:
        return set()
    return {(g["mode"], g["level"]) for g in json.loads(result.stdout)["grids"]}


@contextlib.contextmanager
def serving(env: dict[str, str], tmp_path: Path) -> Iterator[tuple[dict[str, str], subprocess.Popen[bytes]]]:
    """`pingzhan serve` against a nats-server of its own; yields the environment to reach it."""
    with EmbeddedNats(tmp_path / "nats") as server:
        env = {**env, "PINGZHAN_NATS_URL": server.url}
        log = open(tmp_path / "serve.log", "w")
        serve = subprocess.Popen([PINGZHAN, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield env, serve
        finally:
            serve.terminate()
            serve.wait(timeout=20)
