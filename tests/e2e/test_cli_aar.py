"""`pingzhan aar`: the after-action report of the demo's rainstorm episode in each format, and
its errors as one line in words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.helpers import PINGZHAN, clean_env, cli

EPISODE = "street:BT-BS#1"  # the demo's July rainstorm


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A store with the demo's scenario in it (`pingzhan demo --exit`)."""
    root = tmp_path_factory.mktemp("aar")
    env = {
        **clean_env(),
        "PINGZHAN_DATA_DIR": str(root / "data"),
        "PINGZHAN_LEDGER_KEY": str(root / "no.key"),
    }
    ran = cli("demo", "--exit", env=env, timeout=120)
    assert ran.returncode == 0, ran.stderr
    return {**env, "PINGZHAN_DATA_DIR": str(root / "data" / "demo")}


def test_the_json_report_of_the_demo_rainstorm_has_its_two_checkpoints_and_the_yijianxiang_problem(
    demo_env: dict[str, str],
) -> None:
    ran = cli("aar", EPISODE, "--format", "json", env=demo_env)

    assert ran.returncode == 0, ran.stderr
    doc = json.loads(ran.stdout)
    assert doc["episode"]["episode"] == EPISODE and doc["overview"]["scope"] == "street:BT-BS"
    assert {c["checkpoint"] for c in doc["staffing"]["checkpoints"]} == {"FW-BT-BS-01-01", "FW-BT-BS-01-02"}
    assert [p["offices"] for p in doc["problems"]["list"]] == [["市内涝办 (city waterlogging office)"]]
    assert [r["code"] for r in doc["rejected"]] == ["cadre_not_dispatched"]


def test_markdown_and_html_are_written_to_the_files_given(demo_env: dict[str, str], tmp_path: Path) -> None:
    md, html = tmp_path / "aar.md", tmp_path / "aar.html"

    made = [
        cli("aar", EPISODE, "-o", str(md), env=demo_env),
        cli("aar", EPISODE, "--format", "html", "-o", str(html), env=demo_env),
    ]

    assert [r.returncode for r in made] == [0, 0] and [r.stdout for r in made] == ["", ""]
    assert md.read_text(encoding="utf-8").startswith(f"# After-action report 复盘报告: {EPISODE}")
    page = html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<svg") == 3 and "复盘报告" in page


@pytest.mark.parametrize(
    ("args", "status", "said"),
    [
        (
            ["street:BT-BS#9"],
            1,
            "pingzhan: error: no episode 'street:BT-BS#9' (pingzhan audit --episodes lists them)",
        ),
        ([EPISODE, "--format", "pdf"], 2, "pingzhan: error: argument --format: invalid choice: 'pdf'"),
        (
            [EPISODE, "-o", "/proc/no-such-dir/aar.md"],
            1,
            "pingzhan: error: cannot write /proc/no-such-dir/aar.md: no such directory /proc/no-such-dir",
        ),
        ([EPISODE, "-o", "/proc/version"], 1, "pingzhan: error: cannot write /proc/version: "),
    ],
)
def test_an_unknown_episode_a_bad_format_or_an_unwritable_file_is_one_line(
    demo_env: dict[str, str], args: list[str], status: int, said: str
) -> None:
    ran = cli("aar", *args, env=demo_env)

    assert ran.returncode == status and ran.stdout == ""
    assert ran.stderr.count("\n") == 1 and ran.stderr.startswith(said), ran.stderr
    assert "Traceback" not in ran.stderr and PINGZHAN not in ran.stderr
