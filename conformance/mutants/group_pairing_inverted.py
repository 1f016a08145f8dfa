"""Mutant: the pairing returns e(P, Q)^-1 (a backend whose value differs from the canonical one by conjugation)."""

from __future__ import annotations

from ...spec.group import G1Element, G2Element, GTElement
from ..ops.group import Codec, make_ops


class _Codec(Codec):
    def pair(self, p: G1Element, q: G2Element) -> GTElement:
        return self.group.pair(p, q).inverse()


MUTANT = {
    "name": "group_pairing_inverted",
    "description": "pair returns the conjugate e(P, Q)^-1 instead of the canonical pairing value",
    "bugType": "WRONG_PRIMITIVE",
    "overrides": make_ops(_Codec(), ["group.pairing.pair"]),
}
