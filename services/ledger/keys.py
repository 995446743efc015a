"""The ledger's signing key, kept outside the data directory, and its public verifier key."""

from __future__ import annotations

import os
from pathlib import Path

from pingzhan.services.ledger.note import NoteError, Signer, Verifier
from pingzhan.services.settings import Settings


class KeyMissing(RuntimeError):
    """No usable key where the settings say; the message tells what to do."""

    in_words = True  # its message is for people (services/cli/console.py)


def _inside(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def init_key(settings: Settings, name: str) -> Signer:
    """Make the ledger's key (``pingzhan ledger init``): never over an existing one, never in the
    data directory (whoever can change the store must not hold the key that vouches for it)."""
    key, pub = settings.ledger_key, settings.verifier_key
    if _inside(key, settings.data_dir):
        raise KeyMissing(
            f"the ledger key {key} would be inside the data directory {settings.data_dir}; "
            "set PINGZHAN_LEDGER_KEY to a path outside it"
        )
    if key.exists():
        raise KeyMissing(
            f"a ledger key already exists at {key}; it is kept (remove it first to make a new one)"
        )
    signer = Signer.generate(name)
    key.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(signer.text() + "\n")
    pub.parent.mkdir(parents=True, exist_ok=True)
    pub.write_text(signer.verifier.text() + "\n", encoding="utf-8")
    return signer


def load_signer(settings: Settings) -> Signer:
    key = settings.ledger_key
    if not key.exists():
        raise KeyMissing(f"no ledger key at {key}; run `pingzhan ledger init` (or set PINGZHAN_LEDGER_KEY)")
    if _inside(key, settings.data_dir):
        raise KeyMissing(
            f"the ledger key {key} is inside the data directory; move it out and set PINGZHAN_LEDGER_KEY"
        )
    try:
        return Signer.parse(key.read_text(encoding="utf-8"))
    except NoteError as e:
        raise KeyMissing(f"{key}: {e}") from None


def load_verifier(settings: Settings, path: Path | None = None) -> Verifier:
    pub = path or settings.verifier_key
    if not pub.exists():
        raise KeyMissing(
            f"no ledger public key at {pub}; run `pingzhan ledger init` on the service, or give the "
            "auditor's copy with --public-key FILE (or PINGZHAN_LEDGER_PUBLIC_KEY)"
        )
    try:
        return Verifier.parse(pub.read_text(encoding="utf-8"))
    except NoteError as e:
        raise KeyMissing(f"{pub}: {e}") from None
