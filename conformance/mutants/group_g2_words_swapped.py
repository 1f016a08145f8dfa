"""Mutant: G2 decoding reads x = x0 + x1*u as x0 || x1 instead of the ZCash order x1 || x0."""

from __future__ import annotations

from ...spec.group import G2Element
from ..ops.group import G2_OPS, Codec, make_ops


class _Codec(Codec):
    def g2(self, data: bytes, allow_identity: bool = True) -> G2Element:
        if len(data) == 96 and data[0] & 0xC0 == 0x80:
            flags = data[0] & 0xE0
            hi, lo = bytes([data[0] & 0x1F]) + data[1:48], data[48:]
            swapped = bytearray(lo + hi)
            if swapped[0] & 0xE0 == 0:
                swapped[0] |= flags
                data = bytes(swapped)
        return super().g2(data, allow_identity)


MUTANT = {
    "name": "group_g2_words_swapped",
    "description": "G2 decoding takes the two Fp words of x in the wrong order (c0 first)",
    "bugType": "NON_CANONICAL_ENCODING",
    "overrides": make_ops(_Codec(), G2_OPS),
}
