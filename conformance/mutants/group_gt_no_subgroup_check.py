"""Mutant: GT decoding checks lengths and coefficients but not membership in the order-r subgroup."""

from __future__ import annotations

from ...reference.testbed import NativeGT
from ...spec.group import GTElement, parse_gt
from ..ops.group import Codec, make_ops


class _Codec(Codec):
    def gt(self, data: bytes) -> GTElement:
        return NativeGT(ref=parse_gt(data))


MUTANT = {
    "name": "group_gt_no_subgroup_check",
    "description": "GT decoding accepts any Fp12 element (no check that c^r = 1)",
    "bugType": "MISSING_SUBGROUP_CHECK",
    "overrides": make_ops(_Codec(), ["group.gt.decode"]),
}
