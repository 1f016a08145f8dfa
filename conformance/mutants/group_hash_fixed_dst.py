"""Mutant: hash_to_g1 ignores the caller's DST and always hashes under the RFC 9380 suite's example tag."""

from __future__ import annotations

from ...spec.group import G1Element
from ..ops.group import Codec, make_ops

_FIXED = b"QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_"


class _Codec(Codec):
    def hash_to_g1(self, msg: bytes, dst: bytes) -> G1Element:
        super().hash_to_g1(msg, dst)  # keeps the DST length checks
        return self.group.hash_to_g1(msg, _FIXED)


MUTANT = {
    "name": "group_hash_fixed_dst",
    "description": "hash_to_g1 hashes under one fixed DST whatever the caller's domain tag (no domain separation)",
    "bugType": "DOMAIN_SEPARATION",
    "overrides": make_ops(_Codec(), ["group.hash.hash_to_g1"]),
}
