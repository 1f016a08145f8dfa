"""Mutant: expand_message_xmd appends the DST without its length byte (DST' = DST instead of DST || len)."""

from __future__ import annotations

import hashlib

from ...spec.hashing import expand_message_xmd
from ..ops.group import Codec, make_ops


def _expand(msg: bytes, dst: bytes, n: int) -> bytes:
    expand_message_xmd(msg, dst, n)  # keeps the range checks
    ell = -(-n // 32)
    b0 = hashlib.sha256(bytes(64) + msg + n.to_bytes(2, "big") + b"\x00" + dst).digest()
    b = [hashlib.sha256(b0 + b"\x01" + dst).digest()]
    for i in range(2, ell + 1):
        b.append(hashlib.sha256(bytes(x ^ y for x, y in zip(b0, b[-1])) + bytes([i]) + dst).digest())
    return b"".join(b)[:n]


class _Codec(Codec):
    def expand_message_xmd(self, msg: bytes, dst: bytes, n: int) -> bytes:
        return _expand(msg, dst, n)


MUTANT = {
    "name": "group_xmd_no_dst_length",
    "description": "expand_message_xmd omits the length byte of DST' = DST || I2OSP(len(DST), 1)",
    "bugType": "DOMAIN_SEPARATION",
    "overrides": make_ops(_Codec(), ["group.hash.expand_message_xmd"]),
}
