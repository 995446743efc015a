"""The organisation in use: shipped with pingzhan, or imported with `pingzhan org import FILE`.

An import is recorded in the event store (``Organisation.Imported``/``Changed``), so every worker
of a deployment decides with it from its next batch, without a restart, and the read models fold
it at its place in the log. ``PINGZHAN_ORG_FILE``, when set, overrides both and is never left.
Imports only add: a file that would remove a street, community, grid or compound that exists is
refused, since history refers to it. The file's cadres are registered and dispatched through NATS
with message ids derived from the cadre, so a second import of the same file records nothing new.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from pingzhan.domain.organisation import ImportOrganisation
from pingzhan.domain.stamp import Stamp
from pingzhan.services.org.data import load_org_data, read_org_file
from pingzhan.services.settings import Settings
from pingzhan.services.store.ledger import Ledger

LEVELS = ("streets", "communities", "grids", "compounds", "units", "cadres")
IMPORTER = "org-import"  # the actor of imports and of the cadre messages they send


def active_org_data(settings: Settings, ledger: Ledger | None) -> tuple[dict[str, Any], int | None]:
    """The organisation in use and its version in the store: PINGZHAN_ORG_FILE if set (version
    None: never followed), else the latest import in the store, else the shipped Baota district
    (version 0: none imported yet)."""
    if settings.org_file is not None:
        return read_org_file(settings.org_file), None
    organisation = ledger.organisation() if ledger is not None else None
    if organisation is None:
        return read_org_file(), 0
    return organisation.data, organisation.version


def counts(data: dict[str, Any]) -> dict[str, int]:
    return {
        "district": 1,
        "streets": len(data["streets"]),
        "communities": len(data["communities"]),
        "grids": len(data["grids"]),
        "cadres": len(data.get("cadres", [])),
        "households": sum(g["households"] for g in data["grids"]),
        "residents": sum(g["residents"] for g in data["grids"]),
        "dispatching_units": len(data.get("units", [])),
        "compounds": len(data.get("compounds", [])),
    }


def import_file(settings: Settings, ledger: Ledger, path: Path) -> dict[str, Any]:
    """Record the file as the organisation in use when it adds anything; returns what it adds."""
    if settings.org_file is not None:
        raise LookupError("PINGZHAN_ORG_FILE is set, so imports would not be used; unset it to import")
    data = _read(path)
    current, _ = active_org_data(settings, ledger)
    added: dict[str, list[str]] = {}
    for level in LEVELS:
        old = {u["id"] for u in current.get(level, [])}
        new = {u["id"] for u in data.get(level, [])}
        gone = sorted(old - new) if level not in ("units", "cadres") else []
        if gone:
            raise LookupError(
                f"{path} would remove {len(gone)} {level} ({', '.join(gone[:3])}...); imports only add"
            )
        added[level] = sorted(new - old)
    changed = any(added.values()) or current.get("district") != data.get("district")
    if changed:
        content = json.dumps(data, ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha256(content.encode()).hexdigest()
        words = (
            ", ".join(f"{len(ids):,} {level}" for level, ids in added.items() if ids) or "district renamed"
        )
        stamp = Stamp(f"org-import-{digest[:20]}", IMPORTER, datetime.now(settings.tz).isoformat())
        ledger.decide(ImportOrganisation(content, digest, words), stamp)
    return {
        "changed": changed,
        "added": {k: len(v) for k, v in added.items()},
        "counts": counts(data),
        "data": data,
    }


def _read(path: Path) -> dict[str, Any]:
    try:
        data = read_org_file(path)
        org = load_org_data(data)  # the same checks the service makes when it starts
    except FileNotFoundError:
        raise LookupError(f"{path}: no such file") from None
    except (ValueError, KeyError, TypeError) as e:
        what = f"no {e}" if isinstance(e, KeyError) else str(e)
        raise LookupError(f"{path}: not an organisation file ({what})") from None
    problems = org.compound_problems()
    if problems:
        raise LookupError(f"{path}: {'; '.join(problems)}")
    return data


def setup_id(fields: dict[str, Any]) -> str | None:
    """The message id of a cadre's registration or dispatch from an organisation file."""
    if fields.get("kind") == "cadre.registered":
        return f"org-{fields['cadre_id']}-registered"
    if fields.get("kind") == "cadre.dispatched":
        return f"org-{fields['cadre_id']}-dispatched-{fields['grid_id']}"
    return None


def cadre_messages(data: dict[str, Any], occurred_at: str, prefix: str) -> list[tuple[str, str, bytes]]:
    """cadre.registered and cadre.dispatched for every cadre in the file, with derived ids."""
    from pingzhan.services.wire import subject_of

    out = []
    for c in data.get("cadres", []):
        base = {"occurred_at": occurred_at, "actor": IMPORTER, "cadre_id": c["id"]}
        messages = [{"kind": "cadre.registered", **base, "name": c["name"], "unit": c["unit"]}]
        if c.get("grid"):
            messages.append({"kind": "cadre.dispatched", **base, "grid_id": c["grid"]})
        for fields in messages:
            body = {"id": setup_id(fields), **fields}
            out.append((str(body["id"]), subject_of(prefix, body), json.dumps(body).encode()))
    return out
