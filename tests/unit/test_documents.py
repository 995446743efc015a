"""The reporting chain's documents (monthly, quarterly, yearly), one per recipient, from a small
folded history, with no database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from pingzhan.domain import commands as c
from pingzhan.domain.org import household_id
from pingzhan.projections.document_text import markdown
from pingzhan.projections.documents import build
from pingzhan.projections.facts import period

if TYPE_CHECKING:
    from tests.unit.conftest import Domain

QG1, QG2, NS1 = "BT-QG-01-01", "BT-QG-02-01", "BT-NS-01-01"  # two communities of 桥沟, one of 南市
CADRES = {  # cadre -> unit, grid
    "A": ("RSJ", QG1),
    "B": ("FY", QG1),
    "C": ("RSJ", QG2),
    "D": ("RSJ", NS1),
    "E": ("XC", NS1),
}


def wednesday(day: int) -> str:
    return f"2022-03-{day:02d}T09:00:00+08:00"


def history(domain: Domain) -> list[dict[str, Any]]:
    """March 2022: A works every Wednesday; B checks in once and visits nobody (on paper only);
    C misses two Wednesdays; D is found absent once; E never comes. The cadre rows of the month."""
    for cadre, (unit, grid) in CADRES.items():
        domain.when(c.RegisterCadre(cadre, f"干部{cadre}", unit), at="2022-01-01T08:00:00+08:00")
        domain.when(c.DispatchCadre(cadre, grid), at="2022-01-01T08:00:00+08:00")
    for day in (2, 9, 16, 23, 30):
        for cadre in ("A", "C", "D"):
            if cadre == "C" and day in (9, 16):
                continue
            grid = CADRES[cadre][1]
            domain.when(c.CheckIn(cadre, grid), at=wednesday(day))
            domain.when(c.VisitHousehold(cadre, household_id(grid, day), 3, True), at=wednesday(day))
            domain.when(c.CheckOut(cadre), at=wednesday(day))
    domain.when(c.CheckIn("B", QG1), at=wednesday(2))
    domain.when(c.CheckOut("B"), at=wednesday(2))
    domain.when(c.Inspect("INS-1", 1, "D", NS1, "absent"), at="2022-03-04T10:00:00+08:00")
    return list(domain.cadre_rows(period("2022-03")).values())


def test_monthly_one_report_per_community_to_its_street_with_attendance_and_conduct(domain: Domain) -> None:
    docs = build("monthly", history(domain), domain.org, "2022-03", "zh")

    assert [(d["sender"]["id"], d["recipient"]["id"]) for d in docs] == [
        ("community:BT-NS-01", "street:BT-NS"),
        ("community:BT-QG-01", "street:BT-QG"),
        ("community:BT-QG-02", "street:BT-QG"),
    ]
    by_sender = {d["sender"]["id"]: {r["cadre_id"]: r for r in d["cadres"]} for d in docs}
    assert set(by_sender["community:BT-QG-01"]) == {"A", "B"}
    assert set(by_sender["community:BT-QG-02"]) == {"C"}
    assert set(by_sender["community:BT-NS-01"]) == {"D", "E"}
    qg1, qg2, ns1 = (
        by_sender["community:BT-QG-01"],
        by_sender["community:BT-QG-02"],
        by_sender["community:BT-NS-01"],
    )
    assert (qg1["A"]["service_days"], qg1["A"]["expected_service_days"], qg1["A"]["conduct"]) == (
        5,
        5,
        "良好",
    )
    assert qg1["B"]["paper_only"] and qg1["B"]["conduct"] == "挂名式、点卯式"
    assert (qg2["C"]["service_days"], qg2["C"]["conduct"]) == (3, "缺勤服务日 2")
    assert ns1["D"]["absent"] == 1 and ns1["D"]["conduct"] == "督查缺岗 1"
    assert ns1["E"]["conduct"] == "缺勤服务日 5"
    assert docs[1]["summary"]["paper_only"] == ["B"] and docs[1]["summary"]["cadres"] == 2
    assert docs[1]["sender"]["name"] == "二十里铺社区党组织" and docs[1]["recipient"]["name"] == "桥沟街道"


def test_quarterly_one_notice_per_street_per_unit_with_that_units_cadres_there(domain: Domain) -> None:
    rows = history(domain)

    docs = build("quarterly", rows, domain.org, "2022-Q1", "zh")

    assert {
        (d["sender"]["id"], d["recipient"]["id"]): sorted(r["cadre_id"] for r in d["cadres"]) for d in docs
    } == {
        ("street:BT-NS", "unit:RSJ"): ["D"],
        ("street:BT-NS", "unit:XC"): ["E"],
        ("street:BT-QG", "unit:FY"): ["B"],
        ("street:BT-QG", "unit:RSJ"): ["A", "C"],
    }
    rsj_qg = next(d for d in docs if d["file"] == "quarterly-2022-Q1-to-unit-RSJ-from-street-BT-QG")
    assert rsj_qg["sender"]["name"] == "桥沟街道党工委" and rsj_qg["recipient"]["name"] == "区人社局"
    assert rsj_qg["summary"]["communities"] == ["BT-QG-01", "BT-QG-02"]
    assert "下沉干部履职结果的通报" in markdown(rsj_qg)


def test_yearly_one_summary_per_unit_to_its_higher_body(domain: Domain) -> None:
    docs = build("yearly", history(domain), domain.org, "2022", "zh")

    assert [(d["sender"]["id"], d["recipient"]["id"], len(d["cadres"])) for d in docs] == [
        ("unit:FY", "higher:FY", 1),
        ("unit:RSJ", "higher:RSJ", 3),
        ("unit:XC", "higher:XC", 1),
    ]
    rsj = docs[1]
    assert rsj["recipient"]["name"] == "区人社局上级党组织"
    assert rsj["summary"]["by_street"].keys() == {"桥沟街道", "南市街道"}
    assert rsj["summary"]["by_street"]["桥沟街道"]["cadres"] == 2


def test_the_documents_speak_english_when_asked(domain: Domain) -> None:
    rows = history(domain)

    monthly = build("monthly", rows, domain.org, "2022-03", "en")
    quarterly = build("quarterly", rows, domain.org, "2022-Q1", "en")
    zh = markdown(build("monthly", rows, domain.org, "2022-03", "zh")[1])
    en = markdown(monthly[1])

    assert monthly[1]["sender"]["name"] == "二十里铺社区 (community Party organisation)"
    assert {r["cadre_id"]: r["conduct"] for r in monthly[1]["cadres"]} == {
        "A": "good",
        "B": "present on paper only",
    }
    assert quarterly[0]["sender"]["name"] == "南市街道 (Party working committee)"
    assert all(" " not in r["grade"] for d in quarterly for r in d["cadres"])  # one language
    assert "attendance and conduct" in en and "- To: 桥沟街道 (street:BT-QG)" in en
    assert "| id | name | unit | grid | service days |" in en
    assert "考勤和现实表现情况的报告" in zh and "- 报送: 桥沟街道 (street:BT-QG)" in zh
    assert "| 编号 | 姓名 | 派出单位 | 网格 | 到岗服务日 |" in zh
    assert "attendance" not in zh and "考勤" not in en


@pytest.mark.parametrize(
    ("kind", "label", "lang", "words"),
    [
        ("monthly", "2022-Q1", "zh", "the monthly documents need a period YYYY-MM, not '2022-Q1'"),
        ("quarterly", "2022", "zh", "the quarterly documents need a period YYYY-Qn, not '2022'"),
        ("yearly", "2022-03", "zh", "the yearly documents need a period YYYY, not '2022-03'"),
        ("weekly", "2022", "zh", "no document kind 'weekly': one of monthly, quarterly, yearly"),
        ("yearly", "2022", "fr", "no language 'fr': zh or en"),
    ],
)
def test_a_period_of_another_kind_or_an_unknown_language_is_refused_in_words(
    domain: Domain, kind: str, label: str, lang: str, words: str
) -> None:
    with pytest.raises(ValueError, match="^" + words.replace("(", r"\(") + "$"):
        build(kind, [], domain.org, label, lang)
