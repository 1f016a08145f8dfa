"""Mutant: a signature that fails the certified equation is accepted if it is a bare BLS signature under the
user key, e(sigma, g2) = e(H_msg, upk), i.e. the certificate term is optional. Type I forgeries pass."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...reference.testbed import get_group
from ...spec.crypto import cbs
from ...spec.crypto._codec import from_hex
from ...spec.errors import MedshareError
from ..ops.cbs import OPS, batch_items, fields
from ..registry import Handler


def _bare_bls(key: cbs.CertifiedKey, message: bytes, signature: cbs.Signature) -> bool:
    G = get_group("native")
    h = cbs.hash_message(G, message, key)
    return G.pairing_check([(-signature.sigma, G.g2()), (h, key.public_key)])


def _or_bare_bls(op: str, code: str, fallback: Callable[[dict[str, Any]], dict[str, Any] | None]) -> Handler:
    """The reference ``op``, except that when it fails with ``code`` and ``fallback`` (the bare BLS check) gives an
    output, that output is the answer."""

    def run(inp: dict[str, Any]) -> dict[str, Any]:
        try:
            return OPS[op](inp)
        except MedshareError as e:
            if e.code != code:
                raise
            out = fallback(inp)
            if out is None:
                raise
            return out

    return run


def _verify(inp: dict[str, Any]) -> dict[str, Any] | None:
    G = get_group("native")
    key = cbs.CertifiedKey.from_json(G, inp["signer"])
    if not _bare_bls(key, from_hex(inp["message"]), cbs.Signature.from_json(G, inp["signature"])):
        return None
    return {"valid": True, "certId": "0x" + key.cert_id().hex()}


def _batch_verify(inp: dict[str, Any]) -> dict[str, Any] | None:
    G = get_group("native")
    mpk = cbs.decode_public_key(G, from_hex(inp["authorityPk"]))
    items = batch_items(G, fields(inp, {"authorityPk", "items", "at", "seed"}, frozenset({"revoked"}))["items"])
    for key, message, signature in items:  # type: ignore[misc]
        try:
            cbs.verify(G, mpk, key, message, signature, at=inp["at"])
        except MedshareError:
            if not _bare_bls(key, message, signature):
                return None
    return {"valid": True, "count": len(items)}


MUTANT = {
    "name": "cbs_skips_certificate_term",
    "description": "CBS verification falls back to a bare BLS check without the certificate term "
                   "e(H_cert, mpk): a replaced public key with no certificate (Type I) verifies.",
    "bugType": "SIGNATURE_FORGERY",
    "overrides": {"crypto.cbs.verify": _or_bare_bls("crypto.cbs.verify", "SIGNATURE_INVALID", _verify),
                  "crypto.cbs.batch_verify": _or_bare_bls("crypto.cbs.batch_verify", "BATCH_INVALID", _batch_verify)},
}
