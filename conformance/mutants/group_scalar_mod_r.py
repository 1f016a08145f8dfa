"""Mutant: scalar decoding reduces values >= r mod r instead of rejecting them."""

from __future__ import annotations

from ...spec.errors import fail
from ...spec.group import Zr
from ..ops.group import Codec, make_ops
from ._group import ZR_OPS


class _Codec(Codec):
    def zr(self, data: bytes, allow_zero: bool = True) -> Zr:
        if len(data) != 32:
            fail("BAD_LENGTH")
        z = Zr(int.from_bytes(data, "big"))
        if z.is_zero() and not allow_zero:
            fail("SCALAR_ZERO_NOT_ALLOWED")
        return z


MUTANT = {
    "name": "group_scalar_mod_r",
    "description": "Zr decoding accepts encodings >= r by reducing them mod r",
    "bugType": "MISSING_RANGE_CHECK",
    "overrides": make_ops(_Codec(), ZR_OPS),
}
