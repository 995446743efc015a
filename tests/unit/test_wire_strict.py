"""The wire contract is strict: parse rejects what a lax reading would have taken, naming the field."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from pingzhan.services.ingest.outcome import Inbound
from pingzhan.services.ingest.parse import Parsed, parse

VISIT = {
    "id": "m-1",
    "kind": "household.visited",
    "occurred_at": "2022-07-15T20:00:00+08:00",
    "actor": "CD0001",
    "cadre_id": "CD0001",
    "household_id": "BT-QG-01-01-H3",
    "persons": 3,
    "info_collected": True,
}
SUBJECT = "pingzhan.in.7.household.visited"
OPINION = {
    **{k: VISIT[k] for k in ("id", "occurred_at", "actor", "cadre_id")},
    "kind": "opinion.collected",
    "grid_id": "BT-QG-01-01",
    "category": "other",
    "text": "a text",
}


def parsed(
    body: bytes | dict[str, Any], subject: str = SUBJECT, header: str | None = "m-1", seq: int = 42
) -> Parsed:
    data = body if isinstance(body, bytes) else orjson.dumps(body)
    return parse(Inbound(seq, subject, data, header), "pingzhan")


def rejection(p: Parsed) -> tuple[str, str]:
    assert p.rejected is not None, "accepted"
    return p.rejected.code, p.rejected.reason


def test_a_valid_message_is_taken_in_every_common_json_layout() -> None:
    layouts = [
        orjson.dumps(VISIT),
        json.dumps(VISIT).encode(),
        json.dumps(VISIT, indent=2).encode(),
        json.dumps(VISIT, separators=(" , ", " : ")).encode(),
        json.dumps({**VISIT, "cadre_id": "CD0001"}, ensure_ascii=True).encode(),
    ]

    results = [parsed(data) for data in layouts]

    assert [p.rejected for p in results] == [None] * len(layouts)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("persons", "3", "persons: Input should be a valid integer"),
        ("persons", 3.0, "persons: Input should be a valid integer"),
        ("info_collected", 1, "info_collected: Input should be a valid boolean"),
        ("info_collected", "true", "info_collected: Input should be a valid boolean"),
        ("occurred_at", 1657886400, "occurred_at:"),
        ("occurred_at", "1657886400", "occurred_at:"),
        ("occurred_at", "2022-07-15T20:00:00", "occurred_at:"),
    ],
)
def test_a_value_of_the_wrong_json_type_is_a_schema_rejection_naming_the_field(
    field: str, value: object, words: str
) -> None:
    code, reason = rejection(parsed({**VISIT, field: value}))

    assert code == "schema"
    assert reason.startswith(words), reason


@pytest.mark.parametrize(
    "raw",
    [
        b', "persons": 4}',  # later value would win in pydantic and orjson
        b', "persons" : 4}',  # white space before the colon
        b',\n"persons"\n:\n4}',
        b', "pers\\u006fns": 4}',  # the same key spelt with an escape
    ],
)
def test_a_key_given_twice_is_a_schema_rejection_naming_it(raw: bytes) -> None:
    data = orjson.dumps(VISIT)[:-1] + raw

    assert rejection(parsed(data)) == ("schema", "persons: the key appears more than once")


def test_a_text_quoting_a_key_is_not_taken_for_a_duplicate() -> None:
    opinion = {**OPINION, "text": 'residents ask "grid_id": what is that : and "kind" ?'}

    assert parsed(opinion, "pingzhan.in.3.opinion.collected").rejected is None


def test_a_nul_character_in_a_text_is_a_schema_rejection() -> None:
    opinion = {**OPINION, "text": "before\x00after"}

    assert rejection(parsed(opinion, "pingzhan.in.3.opinion.collected")) == (
        "schema",
        "text: contains a NUL character",
    )


@pytest.mark.parametrize(
    "subject",
    [
        "pingzhan.in.-5.household.visited",
        "pingzhan.in.21.household.visited",
        "pingzhan.in.16.household.visited",
        "pingzhan.in.x.household.visited",
        "pingzhan.in.07.household.visited",
        "pingzhan.in.7",
        "pingzhan.in.7.",
        "other.in.7.household.visited",
    ],
)
def test_a_subject_not_of_the_form_prefix_in_shard_kind_is_a_subject_rejection(subject: str) -> None:
    code, reason = rejection(parsed(VISIT, subject))

    assert code == "subject"
    assert "pingzhan.in.{shard 0-15}.{kind}" in reason


def test_a_subject_naming_another_kind_than_the_body_is_a_subject_rejection() -> None:
    p = parsed(VISIT, "pingzhan.in.7.satisfaction.rated")

    assert rejection(p) == (
        "subject",
        "subject kind 'satisfaction.rated' differs from the body's kind 'household.visited'",
    )
    assert p.message_id == "m-1"


def test_an_invalid_nats_msg_id_header_with_a_valid_body_id_is_a_schema_rejection() -> None:
    p = parsed(VISIT, header="not a valid id!")

    assert rejection(p)[0] == "schema"
    assert "Nats-Msg-Id" in rejection(p)[1]
    assert p.message_id == "m-1"


def test_a_message_without_a_usable_id_is_recorded_under_its_stream_sequence() -> None:
    no_id = {k: v for k, v in VISIT.items() if k != "id"}

    results = [
        parsed(no_id, header=None, seq=42),
        parsed({**VISIT, "id": "has spaces"}, header=None, seq=43),
        parsed(b"not json", header=None, seq=44),
        parsed({**VISIT, "id": "stream-seq-7"}, header="stream-seq-7", seq=45),
    ]

    assert [p.message_id for p in results] == [
        "stream-seq-42",
        "stream-seq-43",
        "stream-seq-44",
        "stream-seq-45",
    ]
    assert [p.rejected.code for p in results if p.rejected] == [
        "schema",
        "schema",
        "malformed_json",
        "schema",
    ]
    assert "reserved" in rejection(results[3])[1]


def test_the_actor_is_recorded_in_lowercase_so_one_person_has_one_id() -> None:
    upper, lower = parsed({**VISIT, "actor": "OP-Li"}), parsed({**VISIT, "actor": "op-li"})

    assert upper.stamp is not None and lower.stamp is not None
    assert upper.stamp.actor == lower.stamp.actor == "op-li"


def test_a_text_of_white_space_only_is_a_schema_rejection() -> None:
    code, reason = rejection(parsed({**OPINION, "text": "   "}, "pingzhan.in.3.opinion.collected"))

    assert code == "schema" and reason.startswith("text:")
