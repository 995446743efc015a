"""Findings that contradict the record, for the auditor: an inspection group found a cadre absent
on a day the cadre's own record says they were there -- checked in for the service day in that
grid, or on duty at a checkpoint (a shift staffed or relieved that day). The two cannot both be
right; neither is dropped or preferred here: each pair is one row of `pingzhan report
contradictions`, for the auditor to decide. Pure: rows in, rows out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

# inspection_log: (inspection_id, cadre_id, day, grid, group, finding, checkpoint_id or None, occurred_at)
Inspection = tuple[str, str, str, str, str, str, "str | None", str]


def contradictions(
    inspections: Iterable[Inspection],
    checked_in: Iterable[tuple[str, str, str]],
    shifts: Iterable[tuple[str, str, str]],
) -> list[dict[str, Any]]:
    """One row per "absent" finding and record of the same cadre and day that says otherwise.
    ``checked_in``: (cadre, service day, grid); ``shifts``: (cadre, day, checkpoint)."""
    records: dict[tuple[str, str], list[str]] = defaultdict(list)
    for cadre, day, grid in checked_in:
        records[(cadre, day)].append(f"checked in at grid {grid}")
    for cadre, day, post in shifts:
        said = f"on duty at checkpoint {post}"
        if said not in records[(cadre, day)]:
            records[(cadre, day)].append(said)
    rows = []
    for inspection, cadre, day, grid, group, finding, checkpoint, at in inspections:
        if finding != "absent":
            continue
        for record in records.get((cadre, day), ()):
            rows.append(
                {
                    "day": day,
                    "cadre": cadre,
                    "grid": grid,
                    "inspection": inspection,
                    "group": group,
                    "checked": f"checkpoint {checkpoint}" if checkpoint else "service day",
                    "at": at,
                    "finding": finding,
                    "record": record,
                }
            )
    return sorted(rows, key=lambda r: (r["day"], r["cadre"], r["inspection"], r["record"]))
