"""Mutant: FAME decoding that accepts G1 and G2 points on the curve but outside the order-r subgroup."""

from __future__ import annotations

from typing import Any

import py_arkworks_bls12381 as ark

from ...reference.testbed import NativeG1, NativeG2, NativeGroup
from ...spec.errors import fail
from ...spec.params import FP_BYTES
from ..ops.fame import op_decrypt


class LaxGroup(NativeGroup):
    """Decompresses without the subgroup check."""

    def _g1_from_x(self, x: int, sign: bool) -> NativeG1:
        data = bytearray(x.to_bytes(FP_BYTES, "big"))
        data[0] |= 0x80 | (0x20 if sign else 0)
        try:
            return NativeG1(ark.G1Point.from_compressed_bytes_unchecked(bytes(data)))
        except ValueError:
            fail("POINT_NOT_ON_CURVE")

    def _g2_from_x(self, x: tuple[int, ...], sign: bool) -> NativeG2:
        data = bytearray(x[1].to_bytes(FP_BYTES, "big") + x[0].to_bytes(FP_BYTES, "big"))
        data[0] |= 0x80 | (0x20 if sign else 0)
        try:
            return NativeG2(ark.G2Point.from_compressed_bytes_unchecked(bytes(data)))
        except ValueError:
            fail("POINT_NOT_ON_CURVE")


_LAX = LaxGroup()


def decrypt(inp: dict[str, Any]) -> dict[str, Any]:
    return op_decrypt(inp, _LAX)


MUTANT = {
    "name": "fame_no_subgroup_check",
    "description": "accepts ciphertext and key points outside the prime-order subgroup",
    "bugType": "INVALID_POINT",
    "overrides": {"crypto.fame.decrypt": decrypt},
}
