"""Mutant: point decoding accepts the identity even where the caller forbids it."""

from __future__ import annotations

from ...spec.group import G1Element, G2Element
from ..ops.group import Codec, make_ops


class _Codec(Codec):
    def g1(self, data: bytes, allow_identity: bool = True) -> G1Element:
        return super().g1(data, True)

    def g2(self, data: bytes, allow_identity: bool = True) -> G2Element:
        return super().g2(data, True)


MUTANT = {
    "name": "group_identity_allowed",
    "description": "G1/G2 decoding ignores allow_identity=False (an identity public key or signature is accepted)",
    "bugType": "EDGE_CASE",
    "overrides": make_ops(_Codec(), ["group.g1.decode", "group.g2.decode"]),
}
