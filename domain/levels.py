"""The emergency levels: I (the highest) to IV, the names every mode rule and view shares."""

from __future__ import annotations

from typing import Literal, cast, get_args

from pingzhan.domain.errors import LevelError

Level = Literal["I", "II", "III", "IV"]
LEVELS: tuple[Level, ...] = get_args(Level)  # highest first


def check_level(level: str) -> Level:
    """The level, if it is one of I-IV; LevelError otherwise."""
    if level not in LEVELS:
        raise LevelError(f"level {level!r} is outside I-IV")
    return cast(Level, level)


def level_rank(level: str) -> int:
    """1 for level I (the highest) to 4 for level IV, so that the highest level sorts first."""
    return LEVELS.index(check_level(level)) + 1
