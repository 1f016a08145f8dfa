"""Conformance operations of ``crypto.ibe`` (spec/crypto/ibe.md): decapsulation, reading decryption and the
import check of identity keys.

| op | input | output |
|---|---|---|
| ``crypto.ibe.decapsulate`` | ``identityKey`` (IdentityKey JSON), ``identity``, ``epoch``, ``u`` | ``key`` (32 bytes) |
| ``crypto.ibe.decrypt_reading`` | ``identityKey``, ``ciphertext`` (ReadingCiphertext JSON) | ``reading`` |
| ``crypto.ibe.verify_identity_key`` | ``pPub``, ``identityKey``, ``identity``?, ``epoch``? | ``valid`` |
"""

from __future__ import annotations

from typing import Any

from ...spec.codec import from_hex, json_int, json_str, to_hex
from ...spec.crypto import ibe
from .cbs import fields, group


def decapsulate(inp: dict[str, Any]) -> dict[str, Any]:
    o = fields(inp, {"identityKey", "identity", "epoch", "u"})
    G = group()
    key = ibe.IdentityKey.from_json(G, o["identityKey"])
    k = ibe.decapsulate(G, key, json_str(o["identity"], "identity"), json_int(o["epoch"], "epoch"),
                        ibe.Encapsulation.from_bytes(G, from_hex(o["u"])))
    return {"key": to_hex(k)}


def decrypt_reading(inp: dict[str, Any]) -> dict[str, Any]:
    o = fields(inp, {"identityKey", "ciphertext"})
    G = group()
    key = ibe.IdentityKey.from_json(G, o["identityKey"])
    return {"reading": to_hex(ibe.decrypt_reading(G, key, ibe.ReadingCiphertext.from_json(G, o["ciphertext"])))}


def verify_identity_key(inp: dict[str, Any]) -> dict[str, Any]:
    o = fields(inp, {"pPub", "identityKey"}, frozenset({"identity", "epoch"}))
    G = group()
    p_pub = G.g2_from_bytes(from_hex(o["pPub"]), allow_identity=False)
    identity = json_str(o["identity"], "identity") if "identity" in o else None
    epoch = json_int(o["epoch"], "epoch") if "epoch" in o else None
    ibe.verify_identity_key(G, p_pub, ibe.IdentityKey.from_json(G, o["identityKey"]), identity=identity,
                            epoch=epoch)
    return {"valid": True}


OPS = {
    "crypto.ibe.decapsulate": decapsulate,
    "crypto.ibe.decrypt_reading": decrypt_reading,
    "crypto.ibe.verify_identity_key": verify_identity_key,
}
