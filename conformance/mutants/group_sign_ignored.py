"""Mutant: G1 decompression ignores the sign flag and always picks the smaller y."""

from __future__ import annotations

from ...spec.group import G1Element
from ..ops.group import G1_OPS, Codec, make_ops


class _Codec(Codec):
    def g1(self, data: bytes, allow_identity: bool = True) -> G1Element:
        if len(data) == 48 and data[0] & 0xC0 == 0x80:
            data = bytes([data[0] & ~0x20 & 0xFF]) + data[1:]
        return super().g1(data, allow_identity)


MUTANT = {
    "name": "group_sign_ignored",
    "description": "G1 decoding ignores the sign bit, so half of all points decode to their negation",
    "bugType": "NON_CANONICAL_ENCODING",
    "overrides": make_ops(_Codec(), G1_OPS),
}
