"""Mutant: cfrag verification checks the kfrag signature but not the proof of correct re-encryption."""

from __future__ import annotations

from ...spec.crypto import umbral as um
from ...spec.errors import fail
from ..ops.umbral import Reference, ops_of


class SkipCfragProof(Reference):
    def verify_cfrag(self, cfrag: um.CapsuleFrag, capsule: um.Capsule, verifying_pk: um.PublicKey,
                     delegating_pk: um.PublicKey, receiving_pk: um.PublicKey) -> um.VerifiedCapsuleFrag:
        message = um.kfrag_signature_message(cfrag.kfrag_id, cfrag.kfrag_commitment, cfrag.precursor,
                                             delegating_pk, receiving_pk)
        if not cfrag.kfrag_signature.verify(verifying_pk, message):
            fail("KFRAG_SIGNATURE_INVALID", "the cfrag's kfrag signature does not verify")
        return um.VerifiedCapsuleFrag(cfrag)  # the z3 equations are never checked


MUTANT = {
    "name": "umbral_skip_cfrag_proof",
    "description": "verify_cfrag checks the kfrag signature only, not z3·X = X2 + h·X1 (any re-encryption passes)",
    "bugType": "MISSING_CHECK",
    "overrides": ops_of(SkipCfragProof(), ("cfrag_verify", "decrypt_reencrypted")),
}
