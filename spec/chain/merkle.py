"""Binary Merkle trees over byte leaves, with inclusion proofs (spec/chain/chain.md, "Merkle trees").

The tree shape is RFC 6962's Merkle Tree Hash: split at the largest power of two below n. Leaf and node
hashes are domain-separated: ``leaf = SHA-256(0x00 || data)``, ``node = SHA-256(0x01 || left || right)``,
and the root of the empty list is ``SHA-256("MEDSHARE-V1-MERKLE-EMPTY")``. A state root is the tree over the
state's (key, value) pairs in ascending key order, each leaf's data being ``blob(key) || blob(value)``.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

import attrs

from ..errors import fail
from .codec import Reader, blob, sha256, u32, u64

EMPTY_ROOT = sha256(b"MEDSHARE-V1-MERKLE-EMPTY")
MAX_PROOF_DEPTH = 64


def leaf_hash(data: bytes) -> bytes:
    return sha256(b"\x00", data)


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01", left, right)


def _split(n: int) -> int:
    """The largest power of two strictly below n (n >= 2)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _root_of_hashes(hashes: Sequence[bytes]) -> bytes:
    """Level by level: pair neighbours, carry an odd last node up unchanged. This builds the same tree as
    RFC 6962's split at the largest power of two below n (the left part is always a full subtree)."""
    level = list(hashes)
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def _root_recursive(hashes: Sequence[bytes]) -> bytes:
    """RFC 6962's definition, kept for the test that the two agree."""
    if len(hashes) == 1:
        return hashes[0]
    k = _split(len(hashes))
    return node_hash(_root_recursive(hashes[:k]), _root_recursive(hashes[k:]))


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of a list of leaf data."""
    if not leaves:
        return EMPTY_ROOT
    return _root_of_hashes([leaf_hash(x) for x in leaves])


def state_leaf(key: bytes, value: bytes) -> bytes:
    return blob(key) + blob(value)


def state_root(state: Mapping[bytes, bytes], cache: MutableMapping[Any, Any] | None = None) -> bytes:
    """The Merkle root over sorted (key, value) leaves. ``cache`` optionally memoises leaf hashes (a pure
    function of the pair), which makes recomputing the root of a slowly changing state cheap, and roots by
    the SHA-256 of their leaf hashes (every validator computes the same roots)."""
    keys = sorted(state)
    if not keys:
        return EMPTY_ROOT
    if cache is None:
        return _root_of_hashes([leaf_hash(state_leaf(k, state[k])) for k in keys])
    hashes = []
    for k in keys:
        pair = ("leaf", k, state[k])
        h = cache.get(pair)
        if h is None:
            h = cache[pair] = leaf_hash(state_leaf(k, state[k]))
        hashes.append(h)
    key = ("root", sha256(*hashes))
    root = cache.get(key)
    if root is None:
        root = cache[key] = _root_of_hashes(hashes)
    out: bytes = root
    return out


@attrs.frozen
class MerkleProof:
    """An inclusion proof: the leaf's index, the tree size and the sibling hashes from leaf to root."""

    index: int
    size: int
    path: tuple[bytes, ...]

    def to_bytes(self) -> bytes:
        return u64(self.index) + u64(self.size) + u32(len(self.path)) + b"".join(self.path)

    @staticmethod
    def from_bytes(data: bytes) -> MerkleProof:
        r = Reader(data)
        index, size, n = r.u64(), r.u64(), r.count(MAX_PROOF_DEPTH)
        path = tuple(r.fixed(32) for _ in range(n))
        r.end()
        return MerkleProof(index, size, path)


def _path(hashes: Sequence[bytes], index: int) -> list[bytes]:
    if len(hashes) == 1:
        return []
    k = _split(len(hashes))
    if index < k:
        return _path(hashes[:k], index) + [_root_of_hashes(hashes[k:])]
    return _path(hashes[k:], index - k) + [_root_of_hashes(hashes[:k])]


def prove(leaves: Sequence[bytes], index: int) -> MerkleProof:
    """The inclusion proof of ``leaves[index]``."""
    if not 0 <= index < len(leaves):
        fail("INVALID_ARGUMENT", "leaf index out of range")
    return MerkleProof(index, len(leaves), tuple(_path([leaf_hash(x) for x in leaves], index)))


def prove_state(state: Mapping[bytes, bytes], key: bytes) -> MerkleProof:
    """The inclusion proof of ``key``'s leaf in the state root."""
    keys = sorted(state)
    if key not in state:
        fail("INVALID_ARGUMENT", "key not in state")
    return prove([state_leaf(k, state[k]) for k in keys], keys.index(key))


def root_from_proof(leaf: bytes, proof: MerkleProof) -> bytes:
    """Recompute the root from a leaf and its proof (RFC 9162 §2.1.3.2); ``MERKLE_PROOF_INVALID`` on bad shape."""
    if not 0 <= proof.index < proof.size:
        fail("MERKLE_PROOF_INVALID", "index outside the tree")
    fn, sn = proof.index, proof.size - 1
    r = leaf_hash(leaf)
    for p in proof.path:
        if sn == 0:
            fail("MERKLE_PROOF_INVALID", "proof longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        fail("MERKLE_PROOF_INVALID", "proof shorter than the tree is deep")
    return r


def verify_inclusion(root: bytes, leaf: bytes, proof: MerkleProof) -> None:
    """Raise ``MERKLE_PROOF_INVALID`` unless ``leaf`` is in the tree with this ``root``."""
    if root_from_proof(leaf, proof) != root:
        fail("MERKLE_PROOF_INVALID", "the proof does not lead to the root")
