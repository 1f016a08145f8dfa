"""Mutant: the receiver combines whatever cfrags it has — no threshold count, no combination check."""

from __future__ import annotations

from ...spec.crypto import umbral as um
from ...spec.crypto.secp256k1 import Point
from ...spec.errors import fail
from ..ops.umbral import Reference, ops_of


class AcceptShortCfrags(Reference):
    def decrypt_reencrypted_with(self, receiving_sk: um.SecretKey, delegating_pk: um.PublicKey,
                                 capsule: um.Capsule, cfrags: list[um.VerifiedCapsuleFrag], ciphertext: bytes,
                                 threshold: int | None) -> bytes:
        if not cfrags:
            fail("NOT_ENOUGH_CFRAGS", "no cfrags")
        frags = [c.cfrag for c in cfrags]
        precursor, b_point = frags[0].precursor, receiving_sk.public_key().point
        dh_point = precursor * receiving_sk.scalar
        xs = [um.hash_to_polynomial_arg(precursor, b_point, dh_point, c.kfrag_id) for c in frags]
        e_prime, v_prime = Point.identity(), Point.identity()
        for i, c in enumerate(frags):
            lam = um.lagrange_at_zero(xs, i) if len(set(xs)) == len(xs) else 1
            e_prime, v_prime = e_prime + c.point_e1 * lam, v_prime + c.point_v1 * lam
        d = um.hash_to_shared_secret(precursor, b_point, dh_point)
        seed = (e_prime + v_prime) * d
        if seed.is_identity():
            fail("DECRYPTION_FAILED", "degenerate key")
        return um.dem_decrypt(seed.to_bytes(), ciphertext, capsule.to_bytes_simple())


MUTANT = {
    "name": "umbral_accept_short_cfrags",
    "description": "decrypt_reencrypted ignores the threshold and skips the s·d⁻¹·A = h·E' + V' check "
                   "(t-1 cfrags reach the DEM)",
    "bugType": "AUTH_BYPASS",
    "overrides": ops_of(AcceptShortCfrags(), ("decrypt_reencrypted",)),
}
