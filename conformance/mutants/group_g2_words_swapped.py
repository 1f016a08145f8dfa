"""Mutant: G2 decoding reads x = x0 + x1*u as x0 || x1 instead of the ZCash order x1 || x0."""

from __future__ import annotations

from ..ops.group import G2_OPS, make_ops
from ._group import RewritingCodec


def _swap_words(data: bytes) -> bytes:
    if len(data) == 96 and data[0] & 0xC0 == 0x80:
        flags = data[0] & 0xE0
        hi, lo = bytes([data[0] & 0x1F]) + data[1:48], data[48:]
        swapped = bytearray(lo + hi)
        if swapped[0] & 0xE0 == 0:
            swapped[0] |= flags
            return bytes(swapped)
    return data


MUTANT = {
    "name": "group_g2_words_swapped",
    "description": "G2 decoding takes the two Fp words of x in the wrong order (c0 first)",
    "bugType": "NON_CANONICAL_ENCODING",
    "overrides": make_ops(RewritingCodec(_swap_words), G2_OPS),
}
