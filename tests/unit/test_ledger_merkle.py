"""The ledger's tree is RFC 9162's: the Certificate Transparency test vectors (roots, inclusion
and consistency proofs of the 8 reference leaves), and every proof of small trees both ways."""

from __future__ import annotations

import pytest
from pingzhan.services.ledger.merkle import (
    EMPTY_ROOT,
    Hashes,
    Tree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                      "606162636465666768696a6b6c6d6e6f")]  # fmt: skip
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf number counted from 1, tree size, path), from transparency-dev/merkle's test data.
INCLUSION = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (3, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (2, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip
HASHES = [leaf_hash(data) for data in LEAVES]


def root_of(n: int) -> bytes:
    tree = Tree()
    for h in HASHES[:n]:
        tree.append(h)
    return tree.root()


def test_the_roots_of_the_reference_leaves_are_the_rfc_vectors() -> None:
    assert Tree().root() == EMPTY_ROOT
    assert [root_of(n).hex() for n in range(1, 9)] == ROOTS


@pytest.mark.parametrize(("leaf", "size", "path"), INCLUSION)
def test_inclusion_proofs_are_the_rfc_vectors_and_verify(leaf: int, size: int, path: list[str]) -> None:
    proof = inclusion_proof(HASHES, leaf - 1, size)

    assert [p.hex() for p in proof] == path
    assert verify_inclusion(leaf - 1, size, HASHES[leaf - 1], proof, root_of(size))
    assert not verify_inclusion(leaf % size, size, HASHES[leaf - 1], proof, root_of(size)) or size == 1
    assert not verify_inclusion(leaf - 1, size, HASHES[leaf - 1], [*proof, root_of(size)], root_of(size))


@pytest.mark.parametrize(("first", "second", "path"), CONSISTENCY)
def test_consistency_proofs_are_the_rfc_vectors_and_verify(first: int, second: int, path: list[str]) -> None:
    proof = consistency_proof(HASHES, first, second)

    assert [p.hex() for p in proof] == path
    assert verify_consistency(first, second, root_of(first), root_of(second), proof)
    if proof:
        assert not verify_consistency(first, second, root_of(second), root_of(first), proof)
        assert not verify_consistency(first, second, root_of(first), root_of(second), proof[:-1])


def test_every_proof_of_trees_up_to_40_leaves_verifies_and_a_changed_leaf_does_not() -> None:
    hashes = Hashes()
    for i in range(40):
        hashes.append(leaf_hash(b"entry %d" % i))
    roots = [Tree().root()]
    tree = Tree()
    for i in range(40):
        tree.append(hashes[i])
        roots.append(tree.root())

    for size in range(1, 41):
        for index in range(size):
            proof = inclusion_proof(hashes, index, size)
            assert verify_inclusion(index, size, hashes[index], proof, roots[size])
            assert not verify_inclusion(index, size, leaf_hash(b"other"), proof, roots[size])
        for first in range(1, size + 1):
            proof = consistency_proof(hashes, first, size)
            assert verify_consistency(first, size, roots[first], roots[size], proof)
            if first < size:
                assert not verify_consistency(first, size, leaf_hash(b"x"), roots[size], proof)


def test_extending_by_many_leaves_gives_the_tree_of_one_append_each() -> None:
    hashes = [leaf_hash(b"leaf %d" % i) for i in range(3000)]
    one_by_one = Tree()
    for h in hashes:
        one_by_one.append(h)

    for cuts in ([], [1], [5, 6, 1024, 1030], [7, 300, 2047, 2048, 2999]):
        tree, start = Tree(), 0
        for end in [*cuts, 3000]:
            tree.extend(hashes[start:end])
            start = end
            assert tree.size == end and tree.root() == subtree_root_of(hashes[:end])
        assert tree.root() == one_by_one.root()


def subtree_root_of(hashes: list[bytes]) -> bytes:
    tree = Tree()
    for h in hashes:
        tree.append(h)
    return tree.root()
