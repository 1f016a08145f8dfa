"""Mutant: the infinity flag alone decides the identity; payload and sign bits are ignored."""

from __future__ import annotations

from ..ops.group import G1_OPS, G2_OPS, make_ops
from ._group import RewritingCodec


def _canonical_infinity(data: bytes) -> bytes:
    if len(data) in (48, 96) and data[0] & 0xC0 == 0xC0:
        return b"\xc0" + bytes(len(data) - 1)
    return data


MUTANT = {
    "name": "group_infinity_payload",
    "description": "G1/G2 decoding accepts the infinity flag with a non-zero payload or the sign bit",
    "bugType": "NON_CANONICAL_ENCODING",
    "overrides": make_ops(RewritingCodec(_canonical_infinity), G1_OPS + G2_OPS),
}
