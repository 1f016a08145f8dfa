"""Conformance operations of ``crypto.umbral`` (spec/crypto/umbral.md): JSON input -> JSON output or an error.

Byte strings are "0x…" hex of the canonical encodings (capsule, kfrag and cfrag in umbral-pre's MessagePack
form; keys and signatures raw). Every op decodes strictly; the cfrags given to ``decrypt_reencrypted`` are
verified before they are combined.
"""

from __future__ import annotations

from typing import Any

from ...spec.crypto import umbral as um
from ...spec.crypto.umbral_wire import hex_in, hex_out
from ...spec.errors import fail
from ..registry import Handler


def field(inp: dict[str, Any], key: str) -> Any:
    if not isinstance(inp, dict) or key not in inp:
        fail("BAD_JSON", f"missing field {key!r}")
    return inp[key]


def hex_field(inp: dict[str, Any], key: str) -> bytes:
    return hex_in(field(inp, key))


def optional_key(inp: dict[str, Any], key: str) -> um.PublicKey | None:
    value = field(inp, key)
    return None if value is None else um.PublicKey.from_bytes(hex_in(value))


def threshold_of(inp: dict[str, Any]) -> int | None:
    t = field(inp, "threshold")
    if t is not None and (not isinstance(t, int) or isinstance(t, bool) or t < 1):
        fail("BAD_JSON", "threshold must be a positive integer or null")
    return t


def cfrag_list(inp: dict[str, Any]) -> list[bytes]:
    items = field(inp, "cfrags")
    if not isinstance(items, list):
        fail("BAD_JSON", "cfrags must be a list")
    return [hex_in(x) for x in items]


class Reference:
    """The reference handlers. Each check is one method, so a mutant can replace exactly one of them."""

    def decode_capsule(self, data: bytes) -> um.Capsule:
        return um.Capsule.from_bytes(data)

    def verify_kfrag(self, kfrag: um.KeyFrag, verifying_pk: um.PublicKey, delegating_pk: um.PublicKey | None,
                     receiving_pk: um.PublicKey | None) -> um.VerifiedKeyFrag:
        return um.verify_kfrag(kfrag, verifying_pk, delegating_pk, receiving_pk)

    def verify_cfrag(self, cfrag: um.CapsuleFrag, capsule: um.Capsule, verifying_pk: um.PublicKey,
                     delegating_pk: um.PublicKey, receiving_pk: um.PublicKey) -> um.VerifiedCapsuleFrag:
        return um.verify_cfrag(cfrag, capsule, verifying_pk, delegating_pk, receiving_pk)

    def decrypt_reencrypted_with(self, receiving_sk: um.SecretKey, delegating_pk: um.PublicKey,
                                 capsule: um.Capsule, cfrags: list[um.VerifiedCapsuleFrag], ciphertext: bytes,
                                 threshold: int | None) -> bytes:
        return um.decrypt_reencrypted(receiving_sk, delegating_pk, capsule, cfrags, ciphertext, threshold)

    # -- handlers ---------------------------------------------------------------------------------------------
    def capsule_decode(self, inp: dict[str, Any]) -> dict[str, Any]:
        capsule = self.decode_capsule(hex_field(inp, "capsule"))
        return {"capsule": capsule.to_json(), "bytesSimple": hex_out(capsule.to_bytes_simple())}

    def kfrag_verify(self, inp: dict[str, Any]) -> dict[str, Any]:
        kfrag = um.KeyFrag.from_bytes(hex_field(inp, "kfrag"))
        verified = self.verify_kfrag(kfrag, um.PublicKey.from_bytes(hex_field(inp, "verifyingKey")),
                                     optional_key(inp, "delegatingKey"), optional_key(inp, "receivingKey"))
        return {"kfrag": verified.kfrag.to_json()}

    def _cfrag_checked(self, data: bytes, capsule: um.Capsule, inp: dict[str, Any]) -> um.VerifiedCapsuleFrag:
        return self.verify_cfrag(um.CapsuleFrag.from_bytes(data), capsule,
                                 um.PublicKey.from_bytes(hex_field(inp, "verifyingKey")),
                                 um.PublicKey.from_bytes(hex_field(inp, "delegatingKey")),
                                 um.PublicKey.from_bytes(hex_field(inp, "receivingKey")))

    def cfrag_verify(self, inp: dict[str, Any]) -> dict[str, Any]:
        capsule = self.decode_capsule(hex_field(inp, "capsule"))
        return {"cfrag": self._cfrag_checked(hex_field(inp, "cfrag"), capsule, inp).cfrag.to_json()}

    def decrypt_reencrypted(self, inp: dict[str, Any]) -> dict[str, Any]:
        receiving_sk = um.SecretKey.from_bytes(hex_field(inp, "receivingSecretKey"))
        if um.PublicKey.from_bytes(hex_field(inp, "receivingKey")) != receiving_sk.public_key():
            fail("KEY_MISMATCH", "receivingKey is not the public key of receivingSecretKey")
        capsule = self.decode_capsule(hex_field(inp, "capsule"))
        cfrags = [self._cfrag_checked(c, capsule, inp) for c in cfrag_list(inp)]
        delegating_pk = um.PublicKey.from_bytes(hex_field(inp, "delegatingKey"))
        plaintext = self.decrypt_reencrypted_with(receiving_sk, delegating_pk, capsule, cfrags,
                                                  hex_field(inp, "ciphertext"), threshold_of(inp))
        return {"plaintext": hex_out(plaintext)}

    def decrypt_original(self, inp: dict[str, Any]) -> dict[str, Any]:
        sk = um.SecretKey.from_bytes(hex_field(inp, "delegatingSecretKey"))
        capsule = self.decode_capsule(hex_field(inp, "capsule"))
        return {"plaintext": hex_out(um.decrypt_original(sk, capsule, hex_field(inp, "ciphertext")))}


OPERATIONS = ("capsule_decode", "kfrag_verify", "cfrag_verify", "decrypt_reencrypted", "decrypt_original")


def ops_of(impl: Reference, only: tuple[str, ...] = OPERATIONS) -> dict[str, Handler]:
    """Op name -> bound handler of ``impl``."""
    return {f"crypto.umbral.{name}": getattr(impl, name) for name in only}


OPS = ops_of(Reference())
