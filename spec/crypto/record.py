"""Hybrid record encryption primitives: FAME encapsulates, HKDF-SHA-256 derives, AES-256-GCM seals
(spec/crypto/fame.md, "Record encryption").

The ABE key part ``k_abe`` is returned separately so the protocol can combine it with the PRE part:
``k = derive_content_key(k_abe, k_pre)`` (docs/design.md §2, phase 3). The protocol's ``publish`` and ``decrypt``
(spec/protocol/protocol.py) are the one pipeline that composes these; the AEAD binds the record id and the policy
hash, 32 bytes that the protocol computes (Poseidon of the canonical gate list).
"""

from __future__ import annotations

import hashlib
from typing import Any

import attrs
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..codec import from_hex, to_hex
from ..errors import fail
from ..group import PairingGroup
from ..hashing import dst_tag
from ..policy import Policy
from ..rng import RNG
from . import fame

#: HKDF info prefix for k_abe; followed by SHA-256 of the FAME ciphertext's bytes
INFO_ABE_KEY = dst_tag("FAME-KEM")
#: HKDF info for the content key
INFO_CONTENT_KEY = dst_tag("RECORD-KEY")
#: prefix of the AEAD associated data
AD_RECORD = dst_tag("RECORD")
KEY_BYTES = 32
NONCE_BYTES = 12
MAX_RECORD_ID = 255


def _hkdf(ikm: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(ikm)


def kem_key(key: Any, ct: fame.Ciphertext) -> bytes:
    """k_abe = HKDF-SHA-256(ikm = GT bytes of the FAME key, salt = none, info = INFO_ABE_KEY || SHA-256(ct))."""
    return _hkdf(key.to_bytes(), INFO_ABE_KEY + hashlib.sha256(ct.to_bytes()).digest())


def encapsulate(group: PairingGroup, pk: fame.PublicKey, policy: Policy,
                rng: RNG) -> tuple[bytes, fame.Ciphertext]:
    """(k_abe, FAME ciphertext) for a fresh key under ``policy``."""
    key, ct = fame.encrypt(group, pk, policy, rng)
    return kem_key(key, ct), ct


def decapsulate(group: PairingGroup, sk: fame.AttributeKey, ct: fame.Ciphertext) -> bytes:
    """k_abe from a FAME ciphertext (POLICY_UNSATISFIED if the key's attributes do not satisfy its policy)."""
    return kem_key(fame.decrypt(group, sk, ct), ct)


def derive_content_key(k_abe: bytes, k_extra: bytes = b"") -> bytes:
    """k = HKDF-SHA-256(ikm = u16(len k_abe) || k_abe || k_extra, salt = none, info = INFO_CONTENT_KEY)."""
    if not isinstance(k_abe, bytes) or not isinstance(k_extra, bytes) or len(k_abe) != KEY_BYTES:
        fail("BAD_LENGTH", f"k_abe must be {KEY_BYTES} bytes")
    return _hkdf(len(k_abe).to_bytes(2, "big") + k_abe + k_extra, INFO_CONTENT_KEY)


def associated_data(record_id: bytes, policy_hash: bytes) -> bytes:
    """AD = AD_RECORD || u8(len record_id) || record_id || policy_hash (32 bytes)."""
    if not isinstance(record_id, bytes) or not 1 <= len(record_id) <= MAX_RECORD_ID:
        fail("BAD_LENGTH", f"record id must be 1..{MAX_RECORD_ID} bytes")
    if len(policy_hash) != 32:
        fail("BAD_LENGTH", "policy hash must be 32 bytes")
    return AD_RECORD + bytes([len(record_id)]) + record_id + policy_hash


@attrs.frozen
class SealedRecord:
    """nonce (12 bytes) and AES-256-GCM ciphertext || tag."""

    nonce: bytes
    body: bytes

    def to_bytes(self) -> bytes:
        return self.nonce + self.body

    @staticmethod
    def from_bytes(data: bytes) -> SealedRecord:
        if not isinstance(data, bytes) or len(data) < NONCE_BYTES + 16:
            fail("BAD_LENGTH", "sealed record shorter than nonce and tag")
        return SealedRecord(data[:NONCE_BYTES], data[NONCE_BYTES:])

    def to_json(self) -> dict[str, Any]:
        return {"nonce": to_hex(self.nonce), "body": to_hex(self.body)}

    @staticmethod
    def from_json(obj: Any) -> SealedRecord:
        fame.check_fields(obj, ("nonce", "body"))
        return SealedRecord.from_bytes(from_hex(obj["nonce"]) + from_hex(obj["body"]))


def seal(key: bytes, record_id: bytes, policy_hash: bytes, plaintext: bytes, rng: RNG) -> SealedRecord:
    """AES-256-GCM under ``key`` with a random nonce and AD = associated_data(record_id, policy_hash)."""
    if len(key) != KEY_BYTES:
        fail("BAD_LENGTH", "content key must be 32 bytes")
    nonce = rng.read(NONCE_BYTES)
    return SealedRecord(nonce, AESGCM(key).encrypt(nonce, plaintext, associated_data(record_id, policy_hash)))


def open_sealed(key: bytes, record_id: bytes, policy_hash: bytes, sealed: SealedRecord) -> bytes:
    """The plaintext, or DECRYPTION_FAILED if the tag does not verify."""
    if len(key) != KEY_BYTES or len(sealed.nonce) != NONCE_BYTES:
        fail("BAD_LENGTH", "content key must be 32 bytes and the nonce 12")
    try:
        return AESGCM(key).decrypt(sealed.nonce, sealed.body, associated_data(record_id, policy_hash))
    except InvalidTag:
        fail("DECRYPTION_FAILED", "AES-256-GCM tag does not verify")

