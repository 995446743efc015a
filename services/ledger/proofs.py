"""Inclusion proofs: one leaf of the log, the RFC 9162 audit path to a signed checkpoint's root,
and the checkpoint itself, as a JSON document anyone can check (``pingzhan verify-proof``, or any
RFC 9162 verifier: leaf hash = SHA-256(0x00 || leaf_data), path from the leaf up)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from typing import Any

from pingzhan.services.ledger.leaves import EVENT, Leaf
from pingzhan.services.ledger.merkle import Hashes, Tree, inclusion_proof, leaf_hash, verify_inclusion
from pingzhan.services.ledger.note import Checkpoint, NoteError, Verifier, parse_note


class ProofError(ValueError):
    """A proof that cannot be made or does not hold; the message says why, in words."""

    in_words = True  # its message is for people (services/cli/console.py)


def describe(kind: int, key: int) -> str:
    return f"event #{key}" if kind == EVENT else f"the inbox row of ledger_seq {key}"


def prove(leaves: Iterator[Leaf], checkpoint: Checkpoint, want: tuple[int, int]) -> dict[str, Any]:
    """The inclusion proof of the leaf ``want`` (kind, key) in the tree of ``checkpoint``."""
    hashes, tree = Hashes(), Tree()
    index, data = -1, b""
    for kind, key, d in leaves:
        if tree.size == checkpoint.size:
            break
        if kind == want[0] and key == want[1]:
            index, data = tree.size, d
        h = leaf_hash(d)
        hashes.append(h)
        tree.append(h)
    if tree.size < checkpoint.size or tree.root() != checkpoint.root:
        raise ProofError(f"the store does not match {checkpoint.label}; run `pingzhan verify`")
    if index < 0:
        raise ProofError(f"{describe(*want)} is not in {checkpoint.label} (too new, or not stored)")
    path = inclusion_proof(hashes, index, checkpoint.size)
    return {
        "leaf": describe(*want),
        "leaf_index": index,
        "tree_size": checkpoint.size,
        "leaf_data": base64.b64encode(data).decode(),
        "leaf_hash": base64.b64encode(leaf_hash(data)).decode(),
        "inclusion_path": [base64.b64encode(p).decode() for p in path],
        "checkpoint": checkpoint.note(),
    }


def check_proof(doc: Any, verifier: Verifier) -> str:
    """What the proof shows, in words; ProofError when it does not hold."""
    try:
        checkpoint = parse_note(doc["checkpoint"])
        index, size = int(doc["leaf_index"]), int(doc["tree_size"])
        data = base64.b64decode(doc["leaf_data"], validate=True)
        path = [base64.b64decode(p, validate=True) for p in doc["inclusion_path"]]
    except (KeyError, TypeError, ValueError, binascii.Error, NoteError) as e:
        raise ProofError(f"not an inclusion proof of pingzhan's ledger ({e})") from None
    if not checkpoint.signed_by(verifier):
        raise ProofError(
            f"{checkpoint.label} is not signed by the ledger's key {verifier.name} ({verifier.id.hex()})"
        )
    if size != checkpoint.size:
        raise ProofError(
            f"the proof is for a tree of {size:,} leaves, the checkpoint has {checkpoint.size:,}"
        )
    if not verify_inclusion(index, size, leaf_hash(data), path, checkpoint.root):
        raise ProofError(f"the leaf is not at {index:,} in {checkpoint.label}: the proof does not hold")
    first_line = data.split(b"\n", 1)[0].decode("utf-8", "replace")
    return f"leaf {index:,} ({first_line}) is in {checkpoint.label} of {checkpoint.origin}, signed by {verifier.name}"
