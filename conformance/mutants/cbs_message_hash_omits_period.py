"""Mutant: a signature that fails the equation is accepted if it holds with H_msg over the identity and key only,
i.e. the user's half of a signature need not bind its certificate's period (what medshare's H_msg once did). With
the old and renewed certificates (both public) a signature then moves to the renewed period."""

from __future__ import annotations

from typing import Any

from ...reference.testbed import get_group
from ...spec.crypto import cbs
from ...spec.crypto._codec import from_hex
from ...spec.errors import MedshareError
from ..ops.cbs import OPS


def _verify(inp: dict[str, Any]) -> dict[str, Any]:
    try:
        return OPS["crypto.cbs.verify"](inp)
    except MedshareError as e:
        if e.code != "SIGNATURE_INVALID":
            raise
        G = get_group("native")
        mpk = cbs.decode_public_key(G, from_hex(inp["authorityPk"]))
        key = cbs.CertifiedKey.from_json(G, inp["signer"])
        message = from_hex(inp["message"])
        sigma = cbs.Signature.from_json(G, inp["signature"]).sigma
        key_bytes = key.to_bytes()[:-16]  # the CertifiedKey encoding without u64 start || u64 end
        h_msg = G.hash_to_g1(key_bytes + len(message).to_bytes(8, "big") + message, cbs.DST_MSG)
        if not G.pairing_check([(-sigma, G.g2()), (cbs.hash_cert(G, key), mpk), (h_msg, key.public_key)]):
            raise
        return {"valid": True, "certId": "0x" + key.cert_id().hex()}


MUTANT = {
    "name": "cbs_message_hash_omits_period",
    "description": "CBS verification also accepts a user half whose H_msg omits the period: a signature moves to a "
                   "renewed certificate (sigma - cert_old + cert_new)",
    "bugType": "SIGNATURE_FORGERY",
    "overrides": {"crypto.cbs.verify": _verify},
}
