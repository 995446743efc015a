"""An operator's switch as a wire message: the one rule for which fields each switch takes.

The CLI (`pingzhan switch`) and the HTTP API (`POST /api/switch`) both build their message here,
so a switch means the same from either.
"""

from __future__ import annotations

import uuid
from datetime import datetime, tzinfo
from typing import Any

from pingzhan.domain.levels import LEVELS
from pingzhan.services.wire import Envelope, message_of
from pydantic import ValidationError

SWITCH_KINDS = {
    "wartime": "mode.switched_to_wartime",
    "peacetime": "mode.switched_to_peacetime",
    "level": "mode.level_changed",
    "confirm": "mode.switch_confirmed",
    "void": "mode.switch_voided",
}

# option -> (its field in the message, the modes it goes with, how to give it)
SWITCH_OPTIONS = {
    "level": ("level", ("wartime", "level"), f"--level {'|'.join(LEVELS)}"),
    "episode": ("episode", ("void",), "--episode SCOPE#N (pingzhan audit --episodes lists them)"),
    "proposal": ("proposal_id", ("confirm",), "--proposal ID (the id printed when the switch was proposed)"),
    "reason": ("reason", ("wartime", "peacetime", "level", "void"), "--reason TEXT"),
}


class SwitchError(ValueError):
    """A switch that cannot be sent as asked; the message says why (``usage``: options that are
    missing or do not go together, rather than a value that is not valid)."""

    def __init__(self, words: str, usage: bool = True):
        super().__init__(words)
        self.usage = usage


TRIGGERED = ("wartime", "level")  # the switches that may say what set them off (optional)


def switch_message(
    mode: str,
    scope: str,
    actor: str,
    tz: tzinfo,
    exercise: bool = False,
    trigger: str | None = None,
    **options: str | None,
) -> Envelope:
    """The message of a switch ``mode`` of ``scope`` by ``actor`` now (district time), with the
    options of SWITCH_OPTIONS (``level``, ``reason``, ``proposal``, ``episode``); raises
    SwitchError in words when a needed option is missing, one does not go with the mode, or a
    value is not valid."""
    if mode not in SWITCH_KINDS:
        raise SwitchError(f"unknown switch {mode!r}: one of {', '.join(SWITCH_KINDS)}")
    fields: dict[str, Any] = {
        "id": f"op-{uuid.uuid4().hex[:20]}",
        "kind": SWITCH_KINDS[mode],
        "occurred_at": datetime.now(tz).isoformat(timespec="seconds"),  # district time, its offset
        "actor": actor,
        "scope": scope,
    }
    unknown = set(options) - set(SWITCH_OPTIONS)
    if unknown:
        raise SwitchError(f"unknown option {sorted(unknown)[0]!r}")
    for option, (field, modes, how) in SWITCH_OPTIONS.items():
        value = options.get(option)
        if mode in modes:
            if value is None or value == "":
                raise SwitchError(f"switch {mode} needs {how}")
            fields[field] = value
        elif value is not None and value != "":
            raise SwitchError(f"--{option} only goes with {' or '.join(modes)}")
    if trigger:
        if mode not in TRIGGERED:
            raise SwitchError(f"--trigger only goes with {' or '.join(TRIGGERED)}")
        fields["trigger"] = trigger
    if exercise:
        if mode != "wartime":
            raise SwitchError("--exercise only goes with wartime (a drill is a whole episode)")
        fields["exercise"] = True
    try:
        return message_of(fields)
    except ValidationError as e:
        raise SwitchError(message_error(e), usage=False) from None


def message_error(e: ValidationError) -> str:
    """The first thing wrong with a message, in words: its field and what a valid one is."""
    err = e.errors()[0]
    field = ".".join(str(p) for p in err["loc"][1:]) or "the message"
    if err["type"] == "string_pattern_mismatch":
        what = {
            "scope": "a scope KIND:ID, e.g. street:BT-QG",
            "episode": "an episode SCOPE#N, e.g. street:BT-QG#1",
        }.get(field, "text of the allowed characters, not only white space")
        return f"{field}: must be {what}"
    if err["type"] == "extra_forbidden":
        return f"{field}: is not a field of this kind"
    return f"{field}: {err['msg'][0].lower()}{err['msg'][1:]}"
