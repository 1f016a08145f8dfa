"""Mutant: point decoding reduces x mod p instead of rejecting x >= p (a second encoding of a point)."""

from __future__ import annotations

from ...spec.params import P
from ..ops.group import G1_OPS, G2_OPS, make_ops
from ._group import RewritingCodec


def _reduce(data: bytes) -> bytes:
    if len(data) not in (48, 96) or data[0] & 0x40:
        return data
    flags = data[0] & 0xE0
    body = bytes([data[0] & 0x1F]) + data[1:]
    words = [int.from_bytes(body[i:i + 48], "big") % P for i in range(0, len(body), 48)]
    out = bytearray(b"".join(w.to_bytes(48, "big") for w in words))
    out[0] |= flags
    return bytes(out)


MUTANT = {
    "name": "group_x_not_reduced",
    "description": "G1/G2 decoding accepts an x coordinate >= p by reducing it mod p",
    "bugType": "NON_CANONICAL_ENCODING",
    "overrides": make_ops(RewritingCodec(_reduce), G1_OPS + G2_OPS),
}
