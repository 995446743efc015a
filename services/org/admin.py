"""The organisation in use: shipped with pingzhan, or imported with `pingzhan org import FILE`.

An import is stored in the read-model database, so every worker of a deployment uses the same
one (workers read it when they start). Imports only add: a file that would remove a street,
community, grid or compound that exists is refused, since history refers to it. The file's
cadres are registered and dispatched through NATS with message ids derived from the cadre, so a
second import of the same file records nothing new.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pingzhan.services.org.data import load_org_data, read_org_file
from pingzhan.services.read.viewdb import ViewDb
from pingzhan.services.settings import Settings
from pingzhan.services.store.locks import VIEW_SCHEMA_LOCK

DDL = "CREATE TABLE IF NOT EXISTS org_import (version BIGINT PRIMARY KEY, content TEXT NOT NULL)"
LEVELS = ("streets", "communities", "grids", "compounds", "units", "cadres")


def active_org_data(settings: Settings, db: ViewDb | None) -> dict[str, Any]:
    """PINGZHAN_ORG_FILE if set, else the latest import, else the shipped Baota district."""
    if settings.org_file is not None:
        return read_org_file(settings.org_file)
    if db is not None:
        with db.transaction() as cur:
            if db.dialect == "postgres":
                cur.execute(
                    "SELECT pg_advisory_xact_lock(?)", (VIEW_SCHEMA_LOCK,)
                )  # workers starting together
            cur.execute(DDL)
            row = cur.execute("SELECT content FROM org_import ORDER BY version DESC LIMIT 1").fetchone()
        if row:
            return json.loads(row[0])  # type: ignore[no-any-return]
    return read_org_file()


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


def import_file(settings: Settings, db: ViewDb, path: Path) -> dict[str, Any]:
    """Store the file as the organisation in use; returns what it adds per level."""
    try:
        data = read_org_file(path)
        load_org_data(data)  # the same checks the service makes when it starts
    except FileNotFoundError:
        raise LookupError(f"{path}: no such file") from None
    except (ValueError, KeyError, TypeError) as e:
        what = f"no {e}" if isinstance(e, KeyError) else str(e)
        raise LookupError(f"{path}: not an organisation file ({what})") from None
    current = active_org_data(settings.model_copy(update={"org_file": None}), db)
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
        with db.transaction() as cur:
            cur.execute(DDL)
            top = cur.execute("SELECT max(version) FROM org_import").fetchone()
            version = int(top[0] or 0) + 1 if top else 1
            cur.execute(
                "INSERT INTO org_import VALUES (?, ?)", (version, json.dumps(data, ensure_ascii=False))
            )
    return {
        "changed": changed,
        "added": {k: len(v) for k, v in added.items()},
        "counts": counts(data),
        "data": data,
    }


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
        base = {"occurred_at": occurred_at, "actor": "org-import"}
        reg = {
            "id": f"org-{c['id']}-registered",
            "kind": "cadre.registered",
            **base,
            "cadre_id": c["id"],
            "name": c["name"],
            "unit": c["unit"],
        }
        out.append((reg["id"], subject_of(prefix, reg), json.dumps(reg).encode()))
        if c.get("grid"):
            dis = {
                "id": f"org-{c['id']}-dispatched-{c['grid']}",
                "kind": "cadre.dispatched",
                **base,
                "cadre_id": c["id"],
                "grid_id": c["grid"],
            }
            out.append((dis["id"], subject_of(prefix, dis), json.dumps(dis).encode()))
    return out
