"""Verification: the log recomputed leaf by leaf against the signed checkpoints.

Every checkpoint of this log's origin must carry a valid signature of the ledger's key; the
signed ones must tell one history (sizes never going back, one root per size); and the tree
recomputed from the store must have each signed root at its size. When every signed root is
matched, each checkpoint is consistent with the one before it (both are prefixes of the same
log: RFC 9162 consistency holds by construction); a root that is not matched locates the first
difference between the last matched checkpoint and that one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any

from pingzhan.services.ledger.merkle import Tree
from pingzhan.services.ledger.note import Checkpoint, Verifier


@dataclass
class Problem:
    kind: str  # signature, history, differs, shorter
    words: str
    checkpoint: Checkpoint | None = None
    first_leaf: int | None = None  # the first difference is at a leaf from here ...
    last_leaf: int | None = None  # ... to here

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"kind": self.kind, "words": self.words}
        if self.checkpoint is not None:
            found["checkpoint"] = {"size": self.checkpoint.size, "time": self.checkpoint.time}
        if self.first_leaf is not None:
            found["first_leaf"], found["last_leaf"] = self.first_leaf, self.last_leaf
        return found


@dataclass
class Report:
    origin: str
    leaves: int = 0
    events: int = 0
    outcomes: int = 0
    seconds: float = 0.0
    root: bytes = b""
    checkpoints: int = 0  # of this origin, in the file
    other_origins: int = 0
    matched: list[Checkpoint] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.matched)

    @property
    def headline(self) -> Problem:
        """The problem to say first: where the log differs, if it does."""
        return next((p for p in self.problems if p.first_leaf is not None), self.problems[0])

    @property
    def first_difference(self) -> int | None:
        found = [p.first_leaf for p in self.problems if p.first_leaf is not None]
        return min(found) if found else None

    @property
    def uncovered(self) -> int:
        return self.leaves - (self.matched[-1].size if self.matched else 0)

    def rate(self, n: int) -> float:
        return n / self.seconds if self.seconds > 0 else 0.0

    def as_json(self) -> dict[str, Any]:
        last = self.matched[-1] if self.matched else None
        return {
            "ok": self.ok,
            "origin": self.origin,
            "leaves": self.leaves,
            "events": self.events,
            "outcomes": self.outcomes,
            "root": self.root.hex(),
            "seconds": round(self.seconds, 3),
            "events_per_s": round(self.rate(self.events)),
            "leaves_per_s": round(self.rate(self.leaves)),
            "checkpoints": self.checkpoints,
            "checkpoints_matched": len(self.matched),
            "checkpoints_of_other_origins": self.other_origins,
            "last_checkpoint": None if last is None else {"size": last.size, "time": last.time},
            "uncovered_leaves": self.uncovered,
            "first_difference": self.first_difference,
            "problems": [p.as_json() for p in self.problems],
        }


def signed_history(
    checkpoints: list[Checkpoint], verifier: Verifier, origin: str, report: Report
) -> list[Checkpoint]:
    """The checkpoints of ``origin`` that carry the key's signature, by size; the others and
    any two that cannot both be true become problems of ``report``."""
    trusted: list[Checkpoint] = []
    by_size: dict[int, Checkpoint] = {}
    for cp in checkpoints:
        if cp.origin != origin:
            report.other_origins += 1
            continue
        report.checkpoints += 1
        if not cp.signed_by(verifier):
            report.problems.append(
                Problem(
                    "signature",
                    f"{cp.label} is not signed by the ledger's key {verifier.name} "
                    f"({verifier.id.hex()}): it was not made by this service",
                    cp,
                )
            )
            continue
        earlier = by_size.get(cp.size)
        if earlier is not None and earlier.root != cp.root:
            report.problems.append(
                Problem("history", f"two signed checkpoints of size {cp.size:,} have different roots", cp)
            )
            continue
        if trusted and cp.size < trusted[-1].size:
            report.problems.append(
                Problem(
                    "history",
                    f"{cp.label} comes after {trusted[-1].label}: the signed history went back",
                    cp,
                )
            )
        if earlier is None:
            by_size[cp.size] = cp
            trusted.append(cp)
    return sorted(trusted, key=lambda c: c.size)


def verify_log(
    chunks: Iterator[tuple[list[bytes], int]],
    checkpoints: list[Checkpoint],
    verifier: Verifier,
    origin: str,
    locate: Callable[[int], str] = lambda _: "",
) -> Report:
    """Recompute the tree over the log's leaf data (``LogReader.data``: lists of leaf data, each
    with how many are events) and hold it against the signed ``checkpoints``. ``locate`` says
    what the leaf at an index is, for the words of a difference."""
    report = Report(origin)
    targets = signed_history(checkpoints, verifier, origin, report)
    while targets and targets[0].size == 0:  # the empty log: nothing to recompute
        empty = targets.pop(0)
        if empty.root == Tree().root():
            report.matched.append(empty)
    started = time.perf_counter()
    tree = Tree()
    n = events = 0
    ti, matched_at, differed = 0, 0, False
    watch = targets[0].size if targets else -1
    for data, n_events in chunks:
        events += n_events
        hashes = [sha256(b"\x00" + d).digest() for d in data]
        start = 0
        while 0 <= watch <= n + len(hashes) - start:  # a checkpoint's size falls in this list
            tree.extend(hashes[start : start + watch - n])
            start += watch - n
            n = watch
            cp = targets[ti]
            if tree.root() != cp.root:  # the later ones cannot match either: read on, to count
                report.problems.insert(0, _differs(cp, matched_at, locate))
                differed, watch = True, -1
                break
            report.matched.append(cp)
            matched_at = n
            ti += 1
            watch = targets[ti].size if ti < len(targets) else -1
        tree.extend(hashes[start:])
        n += len(hashes) - start
    if not differed and ti < len(targets):
        cp = targets[ti]
        report.problems.insert(
            0,
            Problem(
                "shorter",
                f"the log has {n:,} leaves, fewer than {cp.label}: leaves were removed, the first "
                f"difference is at a leaf from {matched_at:,} to {n:,}{_which(matched_at, locate)}",
                cp,
                matched_at,
                n,
            ),
        )
    report.seconds = time.perf_counter() - started
    report.leaves, report.events, report.outcomes = n, events, n - events
    report.root = tree.root()
    return report


def _which(index: int, locate: Callable[[int], str]) -> str:
    what = locate(index)
    return f" (leaf {index:,} is {what})" if what else ""


def _differs(cp: Checkpoint, matched_at: int, locate: Callable[[int], str]) -> Problem:
    since = (
        f"the log matches the checkpoint of size {matched_at:,}" if matched_at else "no earlier checkpoint"
    )
    return Problem(
        "differs",
        f"the log differs from {cp.label}: the first difference is at a leaf from {matched_at:,} to "
        f"{cp.size - 1:,}{_which(matched_at, locate)}; {since}",
        cp,
        matched_at,
        cp.size - 1,
    )
