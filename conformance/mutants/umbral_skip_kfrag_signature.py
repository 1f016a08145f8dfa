"""Mutant: a proxy checks the kfrag commitment but not the delegator's signature."""

from __future__ import annotations

from ...spec.crypto import umbral as um
from ...spec.errors import fail
from ..ops.umbral import Reference, ops_of


class SkipKfragSignature(Reference):
    def verify_kfrag(self, kfrag: um.KeyFrag, verifying_pk: um.PublicKey, delegating_pk: um.PublicKey | None,
                     receiving_pk: um.PublicKey | None) -> um.VerifiedKeyFrag:
        if kfrag.commitment != um.parameter_u() * kfrag.key:
            fail("KFRAG_INVALID", "commitment ≠ U·key")
        return um.VerifiedKeyFrag(kfrag)  # signature_for_proxy is never checked


MUTANT = {
    "name": "umbral_skip_kfrag_signature",
    "description": "verify_kfrag checks U·rk but not the signature for the proxy (forged or misdirected kfrags pass)",
    "bugType": "AUTH_BYPASS",
    "overrides": ops_of(SkipKfragSignature(), ("kfrag_verify",)),
}
