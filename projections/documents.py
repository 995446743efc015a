"""The documents of the reporting chain as the seed writes it, one per recipient (pure functions).

- monthly (社区每月向街道报告): one report per community to its street, with the attendance and
  the conduct (现实表现) of each cadre dispatched to the community's grids;
- quarterly (街道党工委按季度向派出单位通报): one notice per street per dispatching unit, from the
  street's Party working committee to the unit, on the unit's cadres in that street;
- yearly (年末派出单位向上级党组织报告): one summary per dispatching unit to its higher Party
  organisation, on all its cadres.

The figures are the assessment rows of ``grading.cadre_assessment``; ``document_text.py`` renders
a document as Markdown.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from pingzhan.domain.org import Org

KINDS = ("monthly", "quarterly", "yearly")
LANGS = ("zh", "en")
# The per-cadre figures each document carries, in the order they are shown.
CADRE_FIELDS: dict[str, tuple[str, ...]] = {
    "monthly": (
        "cadre_id",
        "name",
        "unit_name",
        "grid",
        "service_days",
        "expected_service_days",
        "attendance",
        "absent",
        "idle",
        "visits",
        "households_visited",
        "opinions",
        "volunteer_hours",
        "shifts",
        "tasks_done",
        "paper_only",
        "conduct",
    ),
    "quarterly": (
        "cadre_id",
        "name",
        "community_name",
        "grid",
        "attendance",
        "visit_rate",
        "accuracy",
        "satisfaction_mean",
        "shifts",
        "tasks_done",
        "paper_only",
        "score",
        "grade",
    ),
    "yearly": (
        "cadre_id",
        "name",
        "street_name",
        "grid",
        "attendance",
        "visit_rate",
        "accuracy",
        "satisfaction_mean",
        "shifts",
        "tasks_done",
        "score",
        "grade",
    ),
}


def period_kind(label: str) -> str:
    """Which document kind a period label is for: YYYY-MM monthly, YYYY-Qn quarterly, YYYY yearly."""
    if len(label) == 4:
        return "yearly"
    return "quarterly" if label[5:6].upper() == "Q" else "monthly"


def grade_in(grade: str, lang: str) -> str:
    """A bilingual grade ("良好 good") in one language."""
    zh, _, en = grade.partition(" ")
    return en if lang == "en" and en else zh


def conduct(row: dict[str, Any], lang: str) -> str:
    """现实表现 in a few words: present on paper only, service days missed, what unannounced
    inspections found; good when none of these."""
    en = lang == "en"
    if row["paper_only"]:
        return "present on paper only" if en else "挂名式、点卯式"
    missed = row["expected_service_days"] - row["service_days"]
    found = [
        (missed, "service days missed" if en else "缺勤服务日"),
        (row["absent"], "found absent" if en else "督查缺岗"),
        (row["idle"], "found idle" if en else "督查脱岗"),
    ]
    said = [f"{what} {n}" for n, what in found if n]
    if not said:
        return "good" if en else "良好"
    return (", " if en else "，").join(said)


def build(kind: str, rows: list[dict[str, Any]], org: Org, label: str, lang: str) -> list[dict[str, Any]]:
    """The documents of ``kind`` for period ``label`` from the cadre rows of that period, one per
    recipient, ordered by sender then recipient; ValueError in words for a kind or language that
    is not one, or a period of another kind."""
    if kind not in KINDS:
        raise ValueError(f"no document kind {kind!r}: one of {', '.join(KINDS)}")
    if lang not in LANGS:
        raise ValueError(f"no language {lang!r}: zh or en")
    if period_kind(label) != kind:
        wanted = {"monthly": "YYYY-MM", "quarterly": "YYYY-Qn", "yearly": "YYYY"}[kind]
        raise ValueError(f"the {kind} documents need a period {wanted}, not {label!r}")
    placed = [_place(r, org, lang) for r in rows]
    if kind == "monthly":
        groups = _group(placed, lambda r: (r["community"],) if r["community"] else None)
        docs = [_monthly(members, org, label, lang, key[0]) for key, members in groups]
    elif kind == "quarterly":
        groups = _group(placed, lambda r: (r["street"], r["unit"]) if r["street"] else None)
        docs = [_quarterly(members, org, label, lang, *key) for key, members in groups]
    else:
        groups = _group(placed, lambda r: (r["unit"],))
        docs = [_yearly(members, org, label, lang, key[0]) for key, members in groups]
    return docs


def _place(row: dict[str, Any], org: Org, lang: str) -> dict[str, Any]:
    """A cadre row with its community, street and unit names, its conduct and its grade in ``lang``."""
    community = street = None
    if row["grid"] and f"grid:{row['grid']}" in org.units:
        community = org.units[f"grid:{row['grid']}"].parent
        street = org.units[community].parent if community else None
    return {
        **row,
        "community": community,
        "community_name": org.units[community].name if community else None,
        "street": street,
        "street_name": org.units[street].name if street else None,
        "unit_name": org.dispatching_units.get(row["unit"], row["unit"]),
        "conduct": conduct(row, lang),
        "grade": grade_in(row["grade"], lang),
    }


def _group(rows: list[dict[str, Any]], key: Any) -> list[tuple[tuple[str, ...], list[dict[str, Any]]]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        k = key(row)
        if k is not None:
            groups[k].append(row)
    return sorted(groups.items())


def _summary(members: list[dict[str, Any]]) -> dict[str, Any]:
    expected = sum(r["expected_service_days"] for r in members)
    attended = sum(r["service_days"] for r in members)
    verified = sum(r["verified"] for r in members)
    return {
        "cadres": len(members),
        "service_days": attended,
        "expected_service_days": expected,
        "attendance": round(attended / expected, 4) if expected else None,
        "visits": sum(r["visits"] for r in members),
        "households_visited": sum(r["households_visited"] for r in members),
        "accuracy": round(sum(r["verified_correct"] for r in members) / verified, 4) if verified else None,
        "shifts": sum(r["shifts"] for r in members),
        "tasks_done": sum(r["tasks_done"] for r in members),
        "absent": sum(r["absent"] for r in members),
        "idle": sum(r["idle"] for r in members),
        "grades": dict(sorted(Counter(r["grade"] for r in members).items())),
        "paper_only": sorted(r["cadre_id"] for r in members if r["paper_only"]),
    }


def _doc(
    kind: str, label: str, lang: str, sender: tuple[str, str], recipient: tuple[str, str], members: list[Any]
) -> dict[str, Any]:
    fields = CADRE_FIELDS[kind]
    return {
        "kind": kind,
        "period": label,
        "lang": lang,
        "sender": {"id": sender[0], "name": sender[1]},
        "recipient": {"id": recipient[0], "name": recipient[1]},
        "file": f"{kind}-{label}-to-{recipient[0]}-from-{sender[0]}".replace(":", "-"),
        "summary": _summary(members),
        "cadres": [{f: r[f] for f in fields} for r in sorted(members, key=lambda r: r["cadre_id"])],
    }


def _monthly(members: list[Any], org: Org, label: str, lang: str, community: str) -> dict[str, Any]:
    c = org.units[community]
    street = org.units[c.parent or ""]
    sender = f"{c.name} (community Party organisation)" if lang == "en" else f"{c.name}党组织"
    doc = _doc(
        "monthly",
        label,
        lang,
        (community, sender),
        (street.key, street.name),
        members,
    )
    return doc


def _quarterly(members: list[Any], org: Org, label: str, lang: str, street: str, unit: str) -> dict[str, Any]:
    s = org.units[street]
    committee = f"{s.name} (Party working committee)" if lang == "en" else f"{s.name}党工委"
    doc = _doc(
        "quarterly",
        label,
        lang,
        (street, committee),
        (f"unit:{unit}", org.dispatching_units.get(unit, unit)),
        members,
    )
    doc["summary"]["communities"] = sorted({r["community"].partition(":")[2] for r in members})
    return doc


def _yearly(members: list[Any], org: Org, label: str, lang: str, unit: str) -> dict[str, Any]:
    name = org.dispatching_units.get(unit, unit)
    higher = f"the higher Party organisation of {name}" if lang == "en" else f"{name}上级党组织"
    doc = _doc("yearly", label, lang, (f"unit:{unit}", name), (f"higher:{unit}", higher), members)
    streets: dict[str, list[Any]] = defaultdict(list)
    for r in members:
        streets[r["street_name"] or "-"].append(r)
    doc["summary"]["by_street"] = {
        street: {"cadres": len(rs), "grades": dict(sorted(Counter(r["grade"] for r in rs).items()))}
        for street, rs in sorted(streets.items())
    }
    return doc
