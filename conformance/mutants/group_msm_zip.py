"""Mutant: multi-scalar multiplication zips points and scalars, silently dropping the unmatched tail."""

from __future__ import annotations

from collections.abc import Sequence

from ...spec.group import G1Element, G2Element, Zr
from ..ops.group import Codec, make_ops


class _Codec(Codec):
    def msm_g1(self, points: Sequence[G1Element], scalars: Sequence[Zr]) -> G1Element:
        n = min(len(points), len(scalars))
        return self.group.msm_g1(points[:n], scalars[:n])

    def msm_g2(self, points: Sequence[G2Element], scalars: Sequence[Zr]) -> G2Element:
        n = min(len(points), len(scalars))
        return self.group.msm_g2(points[:n], scalars[:n])


MUTANT = {
    "name": "group_msm_zip",
    "description": "MSM with different numbers of points and scalars truncates to the shorter list",
    "bugType": "LENGTH_MISMATCH",
    "overrides": make_ops(_Codec(), ["group.g1.msm", "group.g2.msm"]),
}
