"""The thresholds of the after-action report's improvement items, in one place; the report states
them beside the items they raised."""

from __future__ import annotations

from typing import Any

UNSTAFFED_MAX_MIN = 30  # a checkpoint unstaffed for longer than this in one stretch (from the switch on)
HAZARD_OPEN_MAX_H = 12  # a hazard open longer than this (reported to resolved, or to the episode's end)
HAZARD_FIRST_TASK_MAX_MIN = 60  # a hazard waiting longer than this for its first task
LATE_REPORT_MIN = 60  # recorded when the episode's record had reached this much later in field time
# (or after its stand-down was recorded)
REJECTED_MAX = 0  # more rejected messages than this in the episode


def stated() -> dict[str, Any]:
    """The thresholds as the report states them."""
    return {
        "unstaffed_max_min": UNSTAFFED_MAX_MIN,
        "hazard_open_max_h": HAZARD_OPEN_MAX_H,
        "hazard_first_task_max_min": HAZARD_FIRST_TASK_MAX_MIN,
        "late_report_min": LATE_REPORT_MIN,
        "rejected_max": REJECTED_MAX,
        "office_deadlines": "PINGZHAN_OFFICE_DEADLINES (hours to acknowledge, to report back)",
    }
