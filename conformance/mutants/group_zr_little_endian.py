"""Mutant: scalars are decoded little-endian instead of big-endian."""

from __future__ import annotations

from ...spec.group import Zr
from ..ops.group import Codec, make_ops
from ._group import ZR_OPS


class _Codec(Codec):
    def zr(self, data: bytes, allow_zero: bool = True) -> Zr:
        return super().zr(bytes(reversed(data)), allow_zero)


MUTANT = {
    "name": "group_zr_little_endian",
    "description": "Zr decoding reads the 32 bytes little-endian",
    "bugType": "WRONG_PRIMITIVE",
    "overrides": make_ops(_Codec(), ZR_OPS),
}
