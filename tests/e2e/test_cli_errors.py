"""Errors from the command line: one line in words, usage hints that name the command, and a
closed pipe that ends the output quietly."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.helpers import clean_env, cli, register_operators, switch

CLASS_NAMES = (
    "Error:",
    "Exception",
    "Traceback",
    "OperationalError",
    "FileNotFoundError",
    "UnknownScopeError",
)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **clean_env(),
        "PINGZHAN_DATA_DIR": str(tmp_path / "data"),
        "PINGZHAN_NATS_URL": "nats://127.0.0.1:1",
    }


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("pingzhan: error: ")
    assert not any(name in result.stderr for name in CLASS_NAMES), result.stderr
    return result.stderr.removeprefix("pingzhan: error: ").strip()


def test_a_missing_file_is_named_in_words(env, tmp_path: Path) -> None:
    missing = tmp_path / "no-such.jsonl"

    assert one_line(cli("publish", str(missing), env=env)) == f"{missing}: no such file or directory"


def test_nats_out_of_reach_is_said_in_words(env) -> None:
    register_operators("a", env=env)

    said = one_line(switch("peacetime", scope="district:BT", reason="r", operator="a", env=env))

    assert said.startswith("cannot reach NATS at nats://127.0.0.1:1 (")


def test_a_file_that_is_no_organisation_is_said_in_words(env, tmp_path: Path) -> None:
    (tmp_path / "org.json").write_text('{"district": "X"}')

    said = one_line(cli("org", "import", str(tmp_path / "org.json"), env=env))

    assert said.startswith(f"{tmp_path / 'org.json'}: not an organisation file (")


def test_a_store_that_cannot_be_opened_is_named_in_words(env, tmp_path: Path) -> None:
    (tmp_path / "data" / "events.sqlite").mkdir(parents=True)
    (tmp_path / "data" / "views.sqlite").mkdir()  # a directory where the database file should be

    said = one_line(cli("roster", env=env))

    assert said == "the store could not be read or written: unable to open database file"


@pytest.mark.parametrize(
    "argv, hint",
    [
        (("pingzhan",), "(see pingzhan --help)"),
        (("report", "cadres"), "(see pingzhan report cadres --help)"),
        (("org", "import"), "(see pingzhan org import --help)"),
        (("audit", "--bogus"), "(see pingzhan --help)"),
        (("switch", "sideways", "--scope", "district:BT", "--operator", "a"), "(see pingzhan switch --help)"),
    ],
)
def test_usage_errors_point_at_the_help_of_the_command_used(env, argv: tuple[str, ...], hint: str) -> None:
    result = cli(*argv, env=env)

    assert result.returncode == 2
    assert result.stderr.startswith("pingzhan: error: ") and result.stderr.endswith(f"{hint}\n")


@pytest.mark.parametrize(
    "options",
    [
        {"scope": "district:BT", "reason": "x", "operator": "o"},  # wartime without --level
        {"scope": "district:BT", "level": "II", "reason": "x", "operator": "o", "episode": "district:BT#1"},
    ],
)
def test_a_command_line_that_does_not_hold_together_exits_2_with_the_help_to_read(
    env: dict[str, str], options: dict[str, str]
) -> None:
    result = switch("wartime", env=env, **options)

    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "(see pingzhan switch --help)" in result.stderr
