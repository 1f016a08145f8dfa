"""Mutant: capsules are decoded without the s·G = V + H(E, V)·E check."""

from __future__ import annotations

from ...spec.codec import Reader
from ...spec.crypto import umbral as um
from ...spec.crypto.umbral_wire import read_array, read_point, read_scalar
from ..ops.umbral import Reference, ops_of


class CapsuleUnchecked(Reference):
    def decode_capsule(self, data: bytes) -> um.Capsule:
        r = Reader(data)
        read_array(r, 3)
        capsule = um.Capsule(read_point(r), read_point(r), read_scalar(r))
        r.end()
        return capsule  # never .checked()


MUTANT = {
    "name": "umbral_capsule_unchecked",
    "description": "Capsule decoding skips the capsule's correctness check (malleable capsules accepted)",
    "bugType": "MISSING_CHECK",
    "overrides": ops_of(CapsuleUnchecked(), ("capsule_decode", "decrypt_original")),
}
