"""`pingzhan report monthly|quarterly|yearly` on the demo's store: one document per recipient, in
Chinese or English, as Markdown or JSON, printed or written one file each."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.helpers import cli


def test_monthly_prints_one_report_per_community_to_its_street(demo_store: dict[str, str]) -> None:
    result = cli("report", "monthly", "--month", "2022-03", env=demo_store)

    assert result.returncode == 0, result.stderr
    titles = [line for line in result.stdout.splitlines() if line.startswith("# ")]
    assert titles == [
        "# 王家坪社区党组织关于2022-03下沉干部考勤和现实表现情况的报告",
        "# 桥沟第2社区党组织关于2022-03下沉干部考勤和现实表现情况的报告",
    ]
    assert "- 报送: 宝塔山街道 (street:BT-BS)" in result.stdout and "| 现实表现 |" in result.stdout
    assert "(as of event " in result.stdout


def test_quarterly_as_json_in_english_is_one_notice_per_street_per_unit(demo_store: dict[str, str]) -> None:
    result = cli("report", "quarterly", "--period", "2022-Q3", "--lang", "en", "--json", env=demo_store)

    assert result.returncode == 0, result.stderr
    docs = json.loads(result.stdout)
    assert [(d["sender"]["id"], d["recipient"]["id"], len(d["cadres"])) for d in docs] == [
        ("street:BT-BS", "unit:FY", 4),
        ("street:BT-QG", "unit:RSJ", 1),
    ]
    assert docs[0]["sender"]["name"] == "宝塔山街道 (Party working committee)" and docs[0]["lang"] == "en"


def test_yearly_with_out_writes_one_file_per_recipient(demo_store: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "yearly"

    md = cli("report", "yearly", "--period", "2022", "--out", str(out), env=demo_store)
    js = cli("report", "yearly", "--period", "2022", "--out", str(out), "--json", env=demo_store)

    assert md.returncode == 0 and js.returncode == 0, md.stderr + js.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "yearly-2022-to-higher-FY-from-unit-FY.json",
        "yearly-2022-to-higher-FY-from-unit-FY.md",
        "yearly-2022-to-higher-RSJ-from-unit-RSJ.json",
        "yearly-2022-to-higher-RSJ-from-unit-RSJ.md",
    ]
    assert f"2 yearly documents for 2022 written to {out}" in md.stdout
    fy = (out / "yearly-2022-to-higher-FY-from-unit-FY.md").read_text(encoding="utf-8")
    assert fy.startswith("# 区法院关于2022年度下沉社区工作情况的报告\n") and "- 报送: 区法院上级党组织" in fy
    assert (
        json.loads((out / "yearly-2022-to-higher-RSJ-from-unit-RSJ.json").read_text())["summary"]["cadres"]
        == 1
    )


def test_a_period_of_another_kind_is_refused_in_one_line(demo_store: dict[str, str]) -> None:
    result = cli("report", "yearly", "--period", "2022-03", env=demo_store)

    assert result.returncode == 1
    assert result.stderr.endswith("pingzhan: error: the yearly documents need a period YYYY, not '2022-03'\n")
    assert result.stdout == ""
