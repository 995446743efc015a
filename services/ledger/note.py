"""Checkpoints as C2SP signed notes (c2sp.org/tlog-checkpoint, c2sp.org/signed-note), signed with
Ed25519 (the `cryptography` package).

A checkpoint's text is its origin line, the tree size, the base64 root hash and one extension
line ``time <ISO 8601 UTC>``; after a blank line come signature lines ``— <key name>
<base64(key id || signature)>``, the key id being the first 4 bytes of SHA-256(name || "\\n" ||
0x01 || public key). Keys are kept in the formats Go's ``golang.org/x/mod/sumdb/note`` reads:
``PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || seed)>`` and the verifier key
``<name>+<key id hex>+<base64(0x01 || public key)>``, so witnesses and other tooling can check them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

DASH = "\u2014"  # the em dash that starts a signature line
ED25519 = b"\x01"


class NoteError(ValueError):
    """A key or checkpoint that cannot be read; the message says what is wrong, in words."""

    in_words = True  # its message is for people (services/cli/console.py)


def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    name: str
    public: Ed25519PublicKey

    @property
    def id(self) -> bytes:
        return key_id(self.name, _raw(self.public))

    def text(self) -> str:
        raw = base64.b64encode(ED25519 + _raw(self.public)).decode()
        return f"{self.name}+{self.id.hex()}+{raw}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        parts = text.strip().split("+", 2)  # base64 has '+' too: name and key id come first
        try:
            name, hex_id, raw = parts[0], parts[1], base64.b64decode(parts[2], validate=True)
            if len(parts) != 3 or raw[:1] != ED25519 or len(raw) != 33:
                raise ValueError
            verifier = cls(name, Ed25519PublicKey.from_public_bytes(raw[1:]))
        except (ValueError, IndexError, binascii.Error):
            raise NoteError("not an Ed25519 verifier key (NAME+KEYID+BASE64)") from None
        if verifier.id.hex() != hex_id:
            raise NoteError(f"the verifier key of {name!r} has a wrong key id")
        return verifier


@dataclass(frozen=True)
class Signer:
    name: str
    private: Ed25519PrivateKey

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, self.private.public_key())

    def text(self) -> str:
        seed = self.private.private_bytes_raw()
        raw = base64.b64encode(ED25519 + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.id.hex()}+{raw}"

    @classmethod
    def generate(cls, name: str) -> Signer:
        if not re.fullmatch(r"[^\s+\u2014]+", name):
            raise NoteError(f"key name {name!r}: no spaces, '+' or '\u2014'")
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def parse(cls, text: str) -> Signer:
        parts = text.strip().split("+", 4)
        try:
            if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
                raise ValueError
            raw = base64.b64decode(parts[4], validate=True)
            if raw[:1] != ED25519 or len(raw) != 33:
                raise ValueError
            signer = cls(parts[2], Ed25519PrivateKey.from_private_bytes(raw[1:]))
        except (ValueError, binascii.Error):
            raise NoteError("not an Ed25519 signer key (PRIVATE+KEY+NAME+KEYID+BASE64)") from None
        if signer.verifier.id.hex() != parts[3]:
            raise NoteError(f"the signer key of {parts[2]!r} has a wrong key id")
        return signer

    def sign(self, text: str) -> str:
        """The signed note: ``text`` (ending in a newline), a blank line, one signature line."""
        sig = self.private.sign(text.encode())
        return f"{text}\n{DASH} {self.name} {base64.b64encode(self.verifier.id + sig).decode()}\n"


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    time: str  # ISO 8601, UTC
    signatures: tuple[tuple[str, bytes], ...] = ()  # (key name, key id || signature)

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\ntime {self.time}\n"

    def note(self) -> str:
        sigs = "".join(f"{DASH} {n} {base64.b64encode(s).decode()}\n" for n, s in self.signatures)
        return f"{self.text()}\n{sigs}"

    def signed_by(self, verifier: Verifier) -> bool:
        """Does one of the signatures check with this key (its name and id, then Ed25519)?"""
        for name, sig in self.signatures:
            if name == verifier.name and sig[:4] == verifier.id:
                try:
                    verifier.public.verify(sig[4:], self.text().encode())
                    return True
                except InvalidSignature:
                    pass
        return False

    @classmethod
    def make(
        cls, origin: str, size: int, root: bytes, signer: Signer, now: datetime | None = None
    ) -> Checkpoint:
        moment = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="milliseconds")
        unsigned = cls(origin, size, root, moment.replace("+00:00", "Z"))
        return parse_note(signer.sign(unsigned.text()))

    @property
    def label(self) -> str:
        return f"the checkpoint of size {self.size:,} ({self.time})"


def parse_note(note: str) -> Checkpoint:
    """One signed checkpoint note."""
    body, sep, sigs = note.partition("\n\n")
    lines = body.split("\n")
    if not sep or len(lines) < 3:
        raise NoteError(
            "a checkpoint needs an origin, a size, a root hash and a blank line before its signatures"
        )
    origin, size, root = lines[0], lines[1], lines[2]
    try:
        if not re.fullmatch(r"0|[1-9][0-9]*", size):
            raise ValueError
        root_bytes = base64.b64decode(root, validate=True)
        if len(root_bytes) != 32:
            raise ValueError
    except (ValueError, binascii.Error):
        raise NoteError(
            f"checkpoint of {origin!r}: size {size!r} or root hash {root!r} is not valid"
        ) from None
    time = next((line[5:] for line in lines[3:] if line.startswith("time ")), "")
    signatures = []
    for line in sigs.split("\n"):
        if not line:
            continue
        m = re.fullmatch(rf"{DASH} (\S+) (\S+)", line)
        try:
            if m is None:
                raise ValueError
            signatures.append((m.group(1), base64.b64decode(m.group(2), validate=True)))
        except (ValueError, binascii.Error):
            raise NoteError(f"checkpoint of size {size}: {line!r} is not a signature line") from None
    checkpoint = Checkpoint(origin, int(size), root_bytes, time, tuple(signatures))
    if checkpoint.text() != body + "\n":
        checkpoint = _Verbatim(origin, int(size), root_bytes, time, tuple(signatures), body + "\n")
    return checkpoint


@dataclass(frozen=True)
class _Verbatim(Checkpoint):
    """A checkpoint whose text has other extension lines: signatures are over its text as read."""

    verbatim: str = ""

    def text(self) -> str:
        return self.verbatim


def read_notes(text: str) -> Iterator[Checkpoint]:
    """The checkpoints of a file of notes, one after another (a blank line between notes)."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i]:
            i += 1
            continue
        start = i
        while i < len(lines) and lines[i]:
            i += 1  # the checkpoint's text
        i += 1  # the blank line
        while i < len(lines) and lines[i].startswith(DASH):
            i += 1
        yield parse_note("\n".join(lines[start:i]) + "\n")


def append_note(path: Path, checkpoint: Checkpoint) -> None:
    """Append to the auditor's file and make sure it is on disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(checkpoint.note() + "\n")
        f.flush()
        os.fsync(f.fileno())
