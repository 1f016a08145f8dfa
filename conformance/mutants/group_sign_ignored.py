"""Mutant: G1 decompression ignores the sign flag and always picks the smaller y."""

from __future__ import annotations

from ..ops.group import G1_OPS, make_ops
from ._group import RewritingCodec


def _sign_cleared(data: bytes) -> bytes:
    if len(data) == 48 and data[0] & 0xC0 == 0x80:
        return bytes([data[0] & ~0x20 & 0xFF]) + data[1:]
    return data


MUTANT = {
    "name": "group_sign_ignored",
    "description": "G1 decoding ignores the sign bit, so half of all points decode to their negation",
    "bugType": "NON_CANONICAL_ENCODING",
    "overrides": make_ops(RewritingCodec(_sign_cleared), G1_OPS),
}
