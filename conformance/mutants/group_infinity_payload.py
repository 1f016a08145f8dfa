"""Mutant: the infinity flag alone decides the identity; payload and sign bits are ignored."""

from __future__ import annotations

from ...spec.group import G1Element, G2Element
from ..ops.group import G1_OPS, G2_OPS, Codec, make_ops


def _canonical_infinity(data: bytes) -> bytes:
    if len(data) in (48, 96) and data[0] & 0xC0 == 0xC0:
        return b"\xc0" + bytes(len(data) - 1)
    return data


class _Codec(Codec):
    def g1(self, data: bytes, allow_identity: bool = True) -> G1Element:
        return super().g1(_canonical_infinity(data), allow_identity)

    def g2(self, data: bytes, allow_identity: bool = True) -> G2Element:
        return super().g2(_canonical_infinity(data), allow_identity)


MUTANT = {
    "name": "group_infinity_payload",
    "description": "G1/G2 decoding accepts the infinity flag with a non-zero payload or the sign bit",
    "bugType": "NON_CANONICAL_ENCODING",
    "overrides": make_ops(_Codec(), G1_OPS + G2_OPS),
}
