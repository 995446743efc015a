"""Checkpoints are C2SP signed notes as Go's golang.org/x/mod/sumdb/note writes and reads them
(its PeterNeumann known answer), and verification holds them to one signed history."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pingzhan.services.ledger.leaves import EVENT, Leaf
from pingzhan.services.ledger.merkle import Tree, leaf_hash
from pingzhan.services.ledger.note import (
    DASH,
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    parse_note,
    read_notes,
)
from pingzhan.services.ledger.verify import verify_log

GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_SIGNATURE = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="


def test_a_note_is_signed_byte_for_byte_as_go_signs_it() -> None:
    signer = Signer.parse(GO_SIGNER)

    assert signer.sign(GO_TEXT) == f"{GO_TEXT}\n{DASH} PeterNeumann {GO_SIGNATURE}\n"
    assert signer.verifier.text() == GO_VERIFIER
    assert Verifier.parse(GO_VERIFIER).id.hex() == "c74f20a3"


@pytest.mark.parametrize("key", [GO_VERIFIER[:-2], GO_VERIFIER.replace("c74f20a3", "c74f20a4"), "x+y", ""])
def test_a_mangled_verifier_key_is_refused_in_words(key: str) -> None:
    with pytest.raises(NoteError, match="verifier key"):
        Verifier.parse(key)


def test_a_checkpoint_reads_back_and_checks_only_with_its_own_key() -> None:
    signer, other = Signer.generate("pingzhan-ledger"), Signer.generate("pingzhan-ledger")
    checkpoint = Checkpoint.make("pingzhan/0a1b2c3d", 7, bytes(range(32)), signer)

    read = parse_note(checkpoint.note())
    changed = parse_note(checkpoint.note().replace("\n7\n", "\n8\n"))

    assert read == checkpoint and read.signed_by(signer.verifier)
    assert checkpoint.note().splitlines()[:3] == [
        "pingzhan/0a1b2c3d",
        "7",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    ]
    assert checkpoint.note().splitlines()[3].startswith("time ")
    assert not read.signed_by(other.verifier)
    assert not changed.signed_by(signer.verifier)


def leaves(n: int) -> list[Leaf]:
    return [(EVENT, i + 1, b"event %d" % i) for i in range(n)]


def chunks(found: list[Leaf], size: int = 4) -> Iterator[tuple[list[bytes], int]]:
    """The leaves' data as `LogReader.data` gives it: in lists, with how many are events."""
    for i in range(0, len(found), size):
        part = found[i : i + size]
        yield [d for _, _, d in part], sum(1 for k, _, _ in part if k == EVENT)


def checkpoint_of(n: int, signer: Signer, data: list[Leaf] | None = None) -> Checkpoint:
    tree = Tree()
    for _, _, d in (data or leaves(n))[:n]:
        tree.append(leaf_hash(d))
    return Checkpoint.make("pingzhan/0a1b2c3d", n, tree.root(), signer)


def test_verification_matches_every_signed_checkpoint_and_counts_what_is_not_covered() -> None:
    signer = Signer.generate("k")
    file = "".join(checkpoint_of(n, signer).note() + "\n" for n in (3, 5, 9))

    report = verify_log(chunks(leaves(12)), list(read_notes(file)), signer.verifier, "pingzhan/0a1b2c3d")

    assert report.ok and [c.size for c in report.matched] == [3, 5, 9]
    assert (report.leaves, report.uncovered) == (12, 3)


def test_two_signed_checkpoints_that_cannot_both_be_true_are_a_problem() -> None:
    signer = Signer.generate("k")
    forked = leaves(9)
    forked[6] = (EVENT, 7, b"another event")
    notes = [checkpoint_of(9, signer), checkpoint_of(5, signer), checkpoint_of(9, signer, forked)]

    report = verify_log(chunks(leaves(12)), notes, signer.verifier, "pingzhan/0a1b2c3d")

    assert [p.kind for p in report.problems] == ["history", "history"]
    assert "went back" in report.problems[0].words and "different roots" in report.problems[1].words


def test_a_log_cut_short_before_a_signed_size_is_named_from_the_last_match() -> None:
    signer = Signer.generate("k")
    notes = [checkpoint_of(4, signer, leaves(10)), checkpoint_of(10, signer)]

    report = verify_log(
        chunks(leaves(7)), notes, signer.verifier, "pingzhan/0a1b2c3d", lambda i: f"event #{i + 1}"
    )

    (problem,) = report.problems
    assert (problem.kind, problem.first_leaf, problem.last_leaf) == ("shorter", 4, 7)
    assert problem.words.startswith("the log has 7 leaves, fewer than the checkpoint of size 10")
    assert "(leaf 4 is event #5)" in problem.words
