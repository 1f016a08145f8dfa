"""Conformance ops for ``crypto.fame`` (spec/crypto/fame.md): keygen and encrypt known answers, decrypt."""

from __future__ import annotations

from typing import Any

from ...reference.testbed import get_group
from ...spec.codec import from_hex
from ...spec.crypto import fame
from ...spec.errors import fail
from ...spec.group import PairingGroup
from ...spec.policy import Policy
from ...spec.rng import DeterministicRNG


def field(inp: dict[str, Any], name: str) -> Any:
    if not isinstance(inp, dict) or name not in inp:
        fail("BAD_JSON", f"input needs the field {name!r}")
    return inp[name]


def op_keygen(inp: dict[str, Any], group: PairingGroup | None = None) -> dict[str, Any]:
    """{masterKey, attributes, seed} -> {key}: KeyGen with DeterministicRNG(seed)."""
    G = group or get_group()
    msk = fame.MasterKey.from_bytes(G, from_hex(field(inp, "masterKey")))
    names = field(inp, "attributes")
    if not isinstance(names, list):
        fail("BAD_JSON", "attributes must be a list")
    sk = fame.keygen(G, msk, names, DeterministicRNG(from_hex(field(inp, "seed"))))
    return {"key": "0x" + sk.to_bytes().hex()}


def op_encrypt(inp: dict[str, Any], group: PairingGroup | None = None) -> dict[str, Any]:
    """{publicKey, policy, seed} -> {ciphertext, kemKey}: Encrypt with DeterministicRNG(seed)."""
    G = group or get_group()
    pk = fame.PublicKey.from_bytes(G, from_hex(field(inp, "publicKey")))
    policy = field(inp, "policy")
    if not isinstance(policy, str):
        fail("BAD_JSON", "policy must be a string")
    key, ct = fame.encrypt(G, pk, Policy.of(policy), DeterministicRNG(from_hex(field(inp, "seed"))))
    return {"ciphertext": "0x" + ct.to_bytes().hex(), "kemKey": "0x" + key.to_bytes().hex()}


def op_decrypt(inp: dict[str, Any], group: PairingGroup | None = None) -> dict[str, Any]:
    """{key, ciphertext} (canonical bytes) -> {kemKey}: strict decoding, then Decrypt."""
    G = group or get_group()
    sk = fame.AttributeKey.from_bytes(G, from_hex(field(inp, "key")))
    ct = fame.Ciphertext.from_bytes(G, from_hex(field(inp, "ciphertext")))
    return {"kemKey": "0x" + fame.decrypt(G, sk, ct).to_bytes().hex()}


OPS = {
    "crypto.fame.keygen": op_keygen,
    "crypto.fame.encrypt": op_encrypt,
    "crypto.fame.decrypt": op_decrypt,
}
