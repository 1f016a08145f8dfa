"""Mutant: G1 decoding skips the subgroup check (any curve point is accepted)."""

from __future__ import annotations

import py_arkworks_bls12381 as ark

from ...reference.testbed import NativeG1
from ...spec.errors import fail
from ...spec.group import G1Element, parse_compressed
from ..ops.group import G1_OPS, Codec, make_ops


class _Codec(Codec):
    def g1(self, data: bytes, allow_identity: bool = True) -> G1Element:
        x, sign = parse_compressed(data, 48, allow_identity)
        if x is None:
            return self.group.identity_g1()
        enc = bytearray(x[0].to_bytes(48, "big"))
        enc[0] |= 0x80 | (0x20 if sign else 0)
        try:
            return NativeG1(ark.G1Point.from_compressed_bytes_unchecked(bytes(enc)))
        except ValueError:
            fail("POINT_NOT_ON_CURVE")


MUTANT = {
    "name": "group_g1_no_subgroup_check",
    "description": "G1 decoding checks the curve equation but not membership in the order-r subgroup",
    "bugType": "MISSING_SUBGROUP_CHECK",
    "overrides": make_ops(_Codec(), G1_OPS),
}
