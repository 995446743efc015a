"""RFC 9162 (Certificate Transparency v2) Merkle tree hashing, with no IO.

Leaf hash = SHA-256(0x00 || data), node hash = SHA-256(0x01 || left || right); the tree over n
leaves splits at the largest power of two below n (RFC 9162 section 2.1.1). ``Tree`` keeps only the
compact range (one hash per set bit of the size), so a log of any length is hashed in constant
memory; proofs are made from the list of leaf hashes (``Hashes``) and checked with the RFC's
verification algorithms (sections 2.1.3.2 and 2.1.4.2). Tested against the RFC 6962 / CT vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import sha256

EMPTY_ROOT = sha256(b"").digest()
HASH_SIZE = 32


def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01" + left + right).digest()


class Tree:
    """The root of a growing log: append leaf hashes, ask for the root at the current size."""

    __slots__ = ("size", "stack")

    def __init__(self) -> None:
        self.size = 0
        self.stack: list[bytes] = []  # roots of the perfect subtrees that make up [0, size)

    def append(self, leaf: bytes) -> None:
        stack = self.stack
        stack.append(leaf)
        n = self.size
        self.size = n + 1
        while n & 1:  # every trailing one of the old size closes a perfect subtree
            right = stack.pop()
            stack[-1] = sha256(b"\x01" + stack[-1] + right).digest()
            n >>= 1

    def extend(self, leaves: list[bytes]) -> None:
        """Append many leaf hashes: the same tree as one ``append`` each, hashed a level at a
        time over aligned blocks (list comprehensions instead of a Python loop per node)."""
        i, n = 0, len(leaves)
        while i < n:
            size = self.size
            # the largest perfect subtree that starts here and fits: aligned on its own size
            height = min((size & -size).bit_length() - 1 if size else 62, (n - i).bit_length() - 1, 14)
            level = leaves[i : i + (1 << height)]
            while len(level) > 1:
                level = [sha256(b"\x01" + level[j] + level[j + 1]).digest() for j in range(0, len(level), 2)]
            stack = self.stack
            stack.append(level[0])
            m = size >> height
            self.size = size + (1 << height)
            while m & 1:
                right = stack.pop()
                stack[-1] = sha256(b"\x01" + stack[-1] + right).digest()
                m >>= 1
            i += 1 << height

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        h = self.stack[-1]
        for left in reversed(self.stack[:-1]):
            h = node_hash(left, h)
        return h

    def copy(self) -> Tree:
        t = Tree()
        t.size, t.stack = self.size, list(self.stack)
        return t


class Hashes(Sequence[bytes]):
    """Leaf hashes kept in one bytearray (32 bytes each), not one object per leaf."""

    def __init__(self, packed: bytes | bytearray = b""):
        self.packed = bytearray(packed)

    def append(self, h: bytes) -> None:
        self.packed += h

    def __len__(self) -> int:
        return len(self.packed) // HASH_SIZE

    def __getitem__(self, i: int) -> bytes:  # type: ignore[override]
        if i < 0:
            i += len(self)
        return bytes(self.packed[i * HASH_SIZE : (i + 1) * HASH_SIZE])


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtree_root(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH of leaves[lo:hi]."""
    tree = Tree()
    for i in range(lo, hi):
        tree.append(leaves[i])
    return tree.root()


def inclusion_proof(leaves: Sequence[bytes], index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) of RFC 9162 section 2.1.3.1."""
    if not 0 <= index < size <= len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    path: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index - lo < k:
            path.append(subtree_root(leaves, lo + k, hi))
            hi = lo + k
        else:
            path.append(subtree_root(leaves, lo, lo + k))
            lo += k
    return path[::-1]  # the RFC lists the path from the leaf up


def consistency_proof(leaves: Sequence[bytes], first: int, second: int) -> list[bytes]:
    """PROOF(first, D[0:second]) of RFC 9162 section 2.1.4.1."""
    if not 0 < first <= second <= len(leaves):
        raise ValueError(f"no consistency proof from {first} to {second} leaves")

    def sub(m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
        if m == hi - lo:
            return [] if whole else [subtree_root(leaves, lo, hi)]
        k = _split(hi - lo)
        if m <= k:
            return [*sub(m, lo, lo + k, whole), subtree_root(leaves, lo + k, hi)]
        return [*sub(m - k, lo + k, hi, False), subtree_root(leaves, lo, lo + k)]

    return sub(first, 0, second, True)


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if index >= size or index < 0:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0 or len(p) != HASH_SIZE:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 section 2.1.4.2."""
    if first > second or first < 0:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0 or not proof or any(len(p) != HASH_SIZE for p in proof):
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # an exact power of two: the old root is a node of the new tree
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root
