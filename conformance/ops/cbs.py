"""Conformance operations of ``crypto.cbs`` (spec/crypto/cbs.md): JSON input -> JSON output or a typed error.

Inputs carry everything they need: the authority public key ``authorityPk``, the verification time ``at`` and
the revocation list ``revoked`` (certificate ids, hex). Batch verification draws its coefficients from a
DeterministicRNG seeded by the input's ``seed``, so a run is reproducible; the outcome does not depend on it.

Inputs and outputs (``?`` marks optional fields):

- ``crypto.cbs.verify``: ``authorityPk``, ``signer`` (CertifiedKey JSON), ``message``, ``signature``, ``at``,
  ``revoked``? -> ``valid``, ``certId``
- ``crypto.cbs.verify_certificate``: ``authorityPk``, ``certificate``, ``at``, ``revoked``?, ``identity``?,
  ``publicKey``? -> ``valid``, ``certId``
- ``crypto.cbs.batch_verify``: ``authorityPk``, ``items`` ([{``signer``, ``message``, ``signature``}]), ``at``,
  ``seed``, ``revoked``? -> ``valid``, ``count``
- ``crypto.cbs.decode``: ``kind`` (signature, certificate, certifiedKey, publicKey, userKeyPair), ``bytes``
  -> ``bytes`` (canonical re-encoding), ``certId`` (certificates and certified keys)
"""

from __future__ import annotations

from typing import Any

from ...reference.testbed import get_group
from ...spec.codec import from_hex, json_int, to_hex
from ...spec.codec import json_object as fields  # every required field, nothing outside required | optional
from ...spec.crypto import cbs
from ...spec.errors import fail
from ...spec.group import G2Element, PairingGroup
from ...spec.rng import DeterministicRNG


def group() -> PairingGroup:
    return get_group("native")


def authority_pk(G: PairingGroup, value: Any) -> G2Element:
    return cbs.decode_public_key(G, from_hex(value))


def revoked_set(value: Any) -> frozenset[bytes]:
    if not isinstance(value, list):
        fail("BAD_JSON", "revoked must be a list of hex certificate ids")
    return frozenset(from_hex(v) for v in value)


def context(inp: dict[str, Any]) -> tuple[PairingGroup, G2Element, int, frozenset[bytes]]:
    G = group()
    return G, authority_pk(G, inp["authorityPk"]), json_int(inp["at"], "at"), revoked_set(inp.get("revoked", []))


def batch_items(G: PairingGroup, value: Any) -> list[cbs.BatchItem]:
    if not isinstance(value, list):
        fail("BAD_JSON", "items must be a list")
    items: list[cbs.BatchItem] = []
    for item in value:
        o = fields(item, {"signer", "message", "signature"})
        items.append((cbs.CertifiedKey.from_json(G, o["signer"]), from_hex(o["message"]),
                      cbs.Signature.from_json(G, o["signature"])))
    return items


def verify(inp: dict[str, Any]) -> dict[str, Any]:
    o = fields(inp, {"authorityPk", "signer", "message", "signature", "at"}, frozenset({"revoked"}))
    G, mpk, at, revoked = context(o)
    signer = cbs.CertifiedKey.from_json(G, o["signer"])
    cbs.verify(G, mpk, signer, from_hex(o["message"]), cbs.Signature.from_json(G, o["signature"]), at=at,
               revoked=revoked)
    return {"valid": True, "certId": to_hex(signer.cert_id())}


def verify_certificate(inp: dict[str, Any]) -> dict[str, Any]:
    o = fields(inp, {"authorityPk", "certificate", "at"}, frozenset({"revoked", "identity", "publicKey"}))
    G, mpk, at, revoked = context(o)
    cert = cbs.Certificate.from_json(G, o["certificate"])
    expected_key = cbs.decode_public_key(G, from_hex(o["publicKey"])) if "publicKey" in o else None
    expected_id = o.get("identity")
    if expected_id is not None and not isinstance(expected_id, str):
        fail("BAD_JSON", "identity must be a string")
    cbs.verify_certificate(G, mpk, cert, at=at, revoked=revoked, identity=expected_id, public_key=expected_key)
    return {"valid": True, "certId": to_hex(cert.cert_id())}


def batch_verify(inp: dict[str, Any]) -> dict[str, Any]:
    o = fields(inp, {"authorityPk", "items", "at", "seed"}, frozenset({"revoked"}))
    G, mpk, at, revoked = context(o)
    items = batch_items(G, o["items"])
    cbs.batch_verify(G, mpk, items, at=at, revoked=revoked, rng=DeterministicRNG(from_hex(o["seed"])))
    return {"valid": True, "count": len(items)}


DECODERS: dict[str, Any] = {
    "signature": lambda G, b: cbs.Signature.from_bytes(G, b),
    "certificate": lambda G, b: cbs.Certificate.from_bytes(G, b),
    "certifiedKey": lambda G, b: cbs.CertifiedKey.from_bytes(G, b),
    "publicKey": lambda G, b: cbs.decode_public_key(G, b),
    "userKeyPair": lambda G, b: cbs.UserKeyPair.from_bytes(G, b),
}


def decode(inp: dict[str, Any]) -> dict[str, Any]:
    """Strictly decode ``bytes`` as ``kind``; output the canonical re-encoding (and the id of a certificate)."""
    o = fields(inp, {"kind", "bytes"})
    if not isinstance(o["kind"], str) or o["kind"] not in DECODERS:
        fail("BAD_JSON", f"kind must be one of {sorted(DECODERS)}")
    obj = DECODERS[o["kind"]](group(), from_hex(o["bytes"]))
    out: dict[str, Any] = {"bytes": to_hex(obj.to_bytes())}
    if isinstance(obj, (cbs.Certificate, cbs.CertifiedKey)):
        out["certId"] = to_hex(obj.cert_id())
    return out


OPS = {
    "crypto.cbs.verify": verify,
    "crypto.cbs.verify_certificate": verify_certificate,
    "crypto.cbs.batch_verify": batch_verify,
    "crypto.cbs.decode": decode,
}
