"""`pingzhan report problems`, `report opinions` and the roster's overdue problems, on a small
simulated year, with the offices' deadlines from PINGZHAN_OFFICE_DEADLINES."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.helpers import cli, poll, serving

CITY = "市内涝办 (city waterlogging office)"


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a store a 2% simulated year (seed 7: its first escalations show forwarding,
    a late acknowledgement, a reopening, a problem never reported back) was recorded and projected."""
    from tests.e2e.helpers import clean_env

    tmp = tmp_path_factory.mktemp("loop")
    with serving({**clean_env(), "PINGZHAN_DATA_DIR": str(tmp / "data")}, tmp) as (env, _):
        done = cli(
            "simulate", "--seed", "7", "--scale", "0.02", "--wait", "--timeout", "120", env=env, timeout=180
        )
        assert done.returncode == 0, done.stderr
        projected = poll(
            lambda r: r.returncode == 0 and (a := json.loads(r.stdout)["as_of"])["position"] == a["head"],
            "roster",
            "--json",
            env=env,
            within=60,
        )
        assert projected.returncode == 0, projected.stderr
        return env


def test_the_problems_report_per_office_with_the_deadlines_of_the_setting(year: dict[str, str]) -> None:
    default = cli("report", "problems", "--period", "2022", "--json", env=year)
    strict = cli(
        "report",
        "problems",
        "--period",
        "2022",
        "--json",
        env={**year, "PINGZHAN_OFFICE_DEADLINES": '{"*": {"acknowledge_h": 1, "report_back_h": 24}}'},
    )
    text = cli("report", "problems", "--period", "2022", env=year)

    rows, strict_rows = json.loads(default.stdout), json.loads(strict.stdout)
    city = next(r for r in rows if r["office"] == CITY)
    assert (city["received"], city["acknowledged"], city["reported_back"], city["confirmed"]) == (1, 1, 1, 1)
    assert {(r["acknowledge_h"], r["report_back_h"]) for r in rows} == {(24.0, 168.0)}
    assert {(r["acknowledge_h"], r["report_back_h"]) for r in strict_rows} == {(1.0, 24.0)}
    assert sum(r["late"] for r in strict_rows) > sum(r["late"] for r in rows) > 0
    assert sum(r["forwarded"] for r in rows) > 0 and sum(r["reopened"] for r in rows) > 0
    assert text.returncode == 0 and text.stdout.splitlines()[0].split()[:4] == [
        "office",
        "acknowledge_h",
        "report_back_h",
        "received",
    ]


def test_the_opinions_report_per_grid_and_category(year: dict[str, str]) -> None:
    result = cli("report", "opinions", "--period", "2022", "--scope", "street:BT-BS", "--json", env=year)
    everywhere = cli("report", "opinions", "--period", "2022", "--json", env=year)
    nowhere = cli("report", "opinions", "--period", "2022", "--scope", "street:XX", env=year)

    rows, all_rows = json.loads(result.stdout), json.loads(everywhere.stdout)
    assert rows and {r["street"] for r in rows} == {"BT-BS"} and len(all_rows) > len(rows)
    assert sum(r["routed"] for r in all_rows) > 0
    assert all(r["collected"] >= r["routed"] == r["resolved"] + r["open"] for r in all_rows)
    assert nowhere.returncode == 1 and nowhere.stderr == "pingzhan: error: unknown scope 'street:XX'\n"


def test_the_roster_lists_the_overdue_problems(year: dict[str, str]) -> None:
    text = cli("roster", env=year)
    doc = json.loads(cli("roster", "--json", env=year).stdout)

    overdue = [p for g in doc["grids"] for p in g["open_problems"] if p["overdue"]]
    assert overdue and all(p["overdue_since"] == p["due_at"] for p in overdue)
    assert f"({len(overdue)} overdue)" in text.stdout
    assert "Overdue problems (逾期)" in text.stdout
    assert all(p["problem"] in text.stdout for p in overdue)


def test_a_deadlines_setting_that_is_not_one_is_refused_in_one_line(
    year: dict[str, str], tmp_path: Path
) -> None:
    result = cli("roster", env={**year, "PINGZHAN_OFFICE_DEADLINES": '{"*": {"acknowledge_h": 0}}'})

    assert result.returncode == 2
    assert result.stderr.startswith("pingzhan: error: setting office_deadlines.*.acknowledge_h: ")
    assert len(result.stderr.splitlines()) == 1
