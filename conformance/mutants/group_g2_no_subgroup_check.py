"""Mutant: G2 decoding skips the subgroup check (any point of the twist is accepted)."""

from __future__ import annotations

import py_arkworks_bls12381 as ark

from ...reference.testbed import NativeG2
from ...spec.errors import fail
from ...spec.group import G2Element, parse_compressed
from ..ops.group import G2_OPS, Codec, make_ops


class _Codec(Codec):
    def g2(self, data: bytes, allow_identity: bool = True) -> G2Element:
        x, sign = parse_compressed(data, 96, allow_identity)
        if x is None:
            return self.group.identity_g2()
        enc = bytearray(x[1].to_bytes(48, "big") + x[0].to_bytes(48, "big"))
        enc[0] |= 0x80 | (0x20 if sign else 0)
        try:
            return NativeG2(ark.G2Point.from_compressed_bytes_unchecked(bytes(enc)))
        except ValueError:
            fail("POINT_NOT_ON_CURVE")


MUTANT = {
    "name": "group_g2_no_subgroup_check",
    "description": "G2 decoding checks the twist equation but not membership in the order-r subgroup",
    "bugType": "MISSING_SUBGROUP_CHECK",
    "overrides": make_ops(_Codec(), G2_OPS),
}
