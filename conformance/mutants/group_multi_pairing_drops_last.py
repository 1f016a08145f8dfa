"""Mutant: the multi-pairing loop stops one pair early (an off-by-one that drops the last pair)."""

from __future__ import annotations

from collections.abc import Sequence

from ...spec.group import G1Element, G2Element, GTElement
from ..ops.group import Codec, make_ops


class _Codec(Codec):
    def multi_pairing(self, pairs: Sequence[tuple[G1Element, G2Element]]) -> GTElement:
        return self.group.multi_pairing(pairs[:-1] if len(pairs) > 1 else pairs)


MUTANT = {
    "name": "group_multi_pairing_drops_last",
    "description": "multi_pairing omits the last pair when there are two or more",
    "bugType": "EDGE_CASE",
    "overrides": make_ops(_Codec(), ["group.pairing.multi_pairing"]),
}
