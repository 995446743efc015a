"""Hypothesis strategies for the wire contract, made from the pydantic models' own JSON schemas.

``valid()`` draws messages that the contract takes (the domain may still refuse them: ids are drawn
from the shipped organisation and from small pools, so that registrations, dispatches, checkpoints,
hazards and problems meet each other). ``broken()`` draws a valid message and breaks one field of it
in one of four ways: a value out of its constraints, the field removed, its JSON type changed, or
oversized. Message ids are given by the caller, unique per message.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st
from pingzhan.services.org.data import read_org_file
from pingzhan.services.traffic.district import OPERATORS
from pingzhan.services.wire import MESSAGE_MODELS

ORG = read_org_file()
GRIDS = [g["id"] for g in ORG["grids"]]
SCOPES = (
    [f"district:{ORG['district']['id']}"]
    + [f"street:{s['id']}" for s in ORG["streets"]]
    + [f"community:{c['id']}" for c in ORG["communities"]]
    + [f"grid:{g}" for g in GRIDS]
)
CADRES = [c["id"] for c in ORG["cadres"]]
UNITS = [u["id"] for u in ORG["units"]]
FUZZED_CADRES = CADRES[:30] + [f"FZ-C{n}" for n in range(1, 21)]  # the test registers the first 40
CST = timezone(timedelta(hours=8))
# Characters a person types, Chinese included; no control characters (a NUL is a schema error of
# its own) and no lone surrogates (not JSON).
TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda s: not s.isspace()
)


def pool(prefix: str, size: int) -> st.SearchStrategy[str]:
    """A few ids, so that one message's object is another's subject."""
    return st.integers(1, size).map(lambda n: f"{prefix}{n}")


# Strategies by field name where the value is a reference: real ids of the organisation, or pools.
BY_NAME: dict[str, st.SearchStrategy[Any]] = {
    "grid_id": st.sampled_from(GRIDS[:12]),
    "cadre_id": st.sampled_from(FUZZED_CADRES),
    "unit": st.sampled_from(UNITS),
    "scope": st.sampled_from(SCOPES[:3] + [s for s in SCOPES if s.startswith("grid:")][:12]),
    "checkpoint_id": pool("FZ-CP", 8),
    "hazard_id": pool("FZ-HZ", 8),
    "problem_id": pool("FZ-PB", 8),
    "opinion_id": pool("FZ-OP", 8),
    "office": st.sampled_from(["市内涝办", "街道办"]),  # so that the loop's steps meet their office
    "to": st.sampled_from(["市内涝办", "街道办"]),
    "task_id": pool("FZ-T", 8),
    "inspection_id": pool("FZ-IN", 50),
    "drive_id": pool("FZ-D", 3),
    "compound_id": st.sampled_from([c["id"] for c in ORG["compounds"]]),
    "household_id": st.tuples(st.sampled_from(GRIDS[:12]), st.integers(1, 30)).map(
        lambda t: f"{t[0]}-H{t[1]}"
    ),
    "actor": st.one_of(st.sampled_from(OPERATORS), st.sampled_from(CADRES[:30])),
    "episode": st.tuples(st.sampled_from(SCOPES[:3]), st.integers(1, 3)).map(lambda t: f"{t[0]}#{t[1]}"),
    "proposal_id": pool("fz-proposal-", 5),
    "occurred_at": st.datetimes(datetime(2022, 1, 1), datetime(2022, 12, 31)).map(
        lambda d: d.replace(microsecond=0, tzinfo=CST).isoformat()
    ),
}


def _for_schema(name: str, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    if name in BY_NAME:
        return BY_NAME[name]
    if "anyOf" in schema:  # an optional field: its type, or null
        (inner,) = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return st.one_of(st.none(), _for_schema(name, inner))
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(schema.get("minimum", 0), schema.get("maximum", 1000))
    if kind == "number":
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        return st.floats(
            low, schema.get("maximum", 1000), exclude_min="exclusiveMinimum" in schema, allow_nan=False
        )
    if kind == "string" and schema.get("pattern") == r"\S":
        return TEXT
    if kind == "string":
        return st.from_regex(schema["pattern"], fullmatch=True).filter(
            lambda s: schema.get("minLength", 0) <= len(s) <= schema.get("maxLength", 64)
        )
    raise AssertionError(f"no strategy for field {name}: {schema}")


SCHEMAS = {kind: model.model_json_schema() for kind, model in MESSAGE_MODELS.items()}


@st.composite
def valid(draw: st.DrawFn, kinds: tuple[str, ...] = tuple(MESSAGE_MODELS)) -> dict[str, Any]:
    """A message of one of ``kinds`` that the wire contract takes (without its ``id``)."""
    kind = draw(st.sampled_from(kinds))
    schema = SCHEMAS[kind]
    message: dict[str, Any] = {}
    for name, prop in schema["properties"].items():
        if name == "id":
            continue
        required = name in schema.get("required", ())
        if not required and name != "kind" and draw(st.booleans()):
            continue  # an optional field left out
        value = draw(_for_schema(name, prop))
        if value is not None or required:
            message[name] = value
    if kind == "registration.recorded" and not {"compound_id", "grid_id"} & set(message):
        message["grid_id"] = draw(BY_NAME["grid_id"])  # the one rule across fields: a drive's target
    return message


WAYS = ("out_of_bounds", "removed", "retyped", "oversized")


def _out_of_bounds(prop: dict[str, Any]) -> Any:
    prop = next((s for s in prop.get("anyOf", []) if s.get("type") != "null"), prop)
    if "const" in prop or "enum" in prop:
        return "no-such-value"
    kind = prop.get("type")
    if kind == "integer":
        return prop.get("maximum", 10**6) + 1 if "maximum" in prop else prop.get("minimum", 0) - 1
    if kind == "number":
        return -1.5
    if kind == "boolean":
        return "yes"
    if prop.get("format") == "date-time":
        return "2022-13-45T99:99:00+08:00"
    return "" if prop.get("minLength") else "not valid here!"


def _retyped(value: Any) -> Any:
    if isinstance(value, bool):
        return 1
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return [value]
    return {"was": value}


def _oversized(prop: dict[str, Any], value: Any) -> Any:
    prop = next((s for s in prop.get("anyOf", []) if s.get("type") != "null"), prop)
    if isinstance(value, str):
        return "宝" * (prop.get("maxLength", 500) + 1) if prop.get("type") == "string" else value * 1000
    return 10**18  # beyond every integer and number bound (and within what JSON encoders take)


@st.composite
def broken(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """A valid message with one field broken, and how (one of ``WAYS``)."""
    message = draw(valid())
    kind = message["kind"]
    schema = SCHEMAS[kind]
    required = [n for n in schema.get("required", ()) if n not in ("id", "kind")]
    way = draw(st.sampled_from(WAYS))
    if way == "removed":
        name = draw(st.sampled_from(required))
        del message[name]
        return message, f"{way} {name}"
    present = [n for n in message if n != "kind" and n in required]
    name = draw(st.sampled_from(present))
    prop = schema["properties"][name]
    if way == "out_of_bounds":
        message[name] = _out_of_bounds(prop)
    elif way == "retyped":
        message[name] = _retyped(message[name])
    else:
        message[name] = _oversized(prop, message[name])
    return message, f"{way} {name}"
