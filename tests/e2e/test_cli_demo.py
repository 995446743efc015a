"""`pingzhan demo` and `pingzhan serve` say which data directory they use, and a second demo
leaves the running one's data alone."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from tests.e2e.helpers import PINGZHAN, clean_env


def test_a_second_demo_refuses_in_one_line_and_leaves_the_running_one_alone(tmp_path: Path) -> None:
    clean = clean_env()
    env = {**clean, "PINGZHAN_DATA_DIR": "data"}  # relative: resolved against the working directory
    out = open(tmp_path / "first.out", "w")
    first = subprocess.Popen([PINGZHAN, "demo"], env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "Still serving" not in (tmp_path / "first.out").read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        store = tmp_path / "data" / "demo" / "events.sqlite"
        before = store.stat()

        second = subprocess.run(
            [PINGZHAN, "demo", "--exit"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )

        after = store.stat()
        still_running = first.poll() is None
    finally:
        first.terminate()
        first.wait(timeout=30)
    shown = (tmp_path / "first.out").read_text()

    assert second.returncode == 1
    assert second.stderr == (
        f"pingzhan: error: another pingzhan process already runs demo on {tmp_path / 'data'}; stop it first\n"
    )
    assert (after.st_ino, after.st_size) == (before.st_ino, before.st_size) and still_running
    assert f'"data_dir": "{tmp_path / "data" / "demo"}"' in shown  # the demo's log line, absolute
    assert f"PINGZHAN_DATA_DIR={tmp_path / 'data' / 'demo'}" in shown
    assert first.returncode == 0


def test_serve_logs_the_absolute_data_directory_it_uses(tmp_path: Path) -> None:
    clean = clean_env()
    env = {**clean, "PINGZHAN_DATA_DIR": "./store/../data", "PINGZHAN_NATS_URL": "nats://127.0.0.1:1"}

    result = subprocess.run(
        [PINGZHAN, "serve"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )

    assert f'"at": "{tmp_path / "data"}"' in result.stderr and '"event": "serving"' in result.stderr
