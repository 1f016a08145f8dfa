"""Mutant: readings are decrypted with AES-CTR under the GCM key stream without checking the tag, so the
associated data (device id, sequence number) and the ciphertext are never authenticated."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ...reference.testbed import get_group
from ...spec.crypto import ibe
from ...spec.crypto._codec import to_hex
from ..ops.ibe import fields


def decrypt_reading(inp: dict[str, Any]) -> dict[str, Any]:
    o = fields(inp, {"identityKey", "ciphertext"})
    G = get_group("native")
    key = ibe.IdentityKey.from_json(G, o["identityKey"])
    ct = ibe.ReadingCiphertext.from_json(G, o["ciphertext"])
    k = ibe.decapsulate(G, key, ct.identity, ct.epoch, ct.encapsulation)
    aead_key, nonce = ibe._dem_keys(k)
    ctr = Cipher(algorithms.AES(aead_key), modes.CTR(nonce + b"\x00\x00\x00\x02")).decryptor()  # GCM's inc32(J0)
    return {"reading": to_hex(ctr.update(ct.body[:-ibe.TAG_BYTES]) + ctr.finalize())}


MUTANT = {
    "name": "ibe_unauthenticated_decrypt",
    "description": "IBE reading decryption skips the GCM tag: tampered ciphertexts and changed associated data "
                   "(device id, sequence number) decrypt instead of failing.",
    "bugType": "AUTH_BYPASS",
    "overrides": {"crypto.ibe.decrypt_reading": decrypt_reading},
}
