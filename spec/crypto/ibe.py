"""Boneh–Franklin identity-based encryption as a KEM with an AEAD (spec/crypto/ibe.md).

D. Boneh, M. Franklin, "Identity-Based Encryption from the Weil Pairing", Crypto 2001 (BasicIdent, here on
the type-III pairing of BLS12-381 with identities hashed to G1 and the master public key in G2), used as a
hashed KEM: the pairing value, the ephemeral U and the identity go through HKDF-SHA-256; readings are sealed
with AES-256-GCM under the KEM key. Assumption: bilinear Diffie–Hellman (gap-BDH for the hashed KEM), ROM.

    setup:        s <- Zr*,  P_pub = s·g2
    extract:      d_id = s·Q_id,  Q_id = H(id, epoch) in G1
    encapsulate:  r <- Zr*,  U = r·g2,  K = KDF(e(Q_id, P_pub)^r || U || id, epoch)
    decapsulate:  K = KDF(e(d_id, U) || U || id, epoch)

The keys and ciphertexts, with their encodings, are in ``ibe_wire.py``.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import fail
from ..group import G1Element, G2Element, PairingGroup
from ..hashing import dst_tag
from ..rng import RNG
from .ibe_wire import READING_AD, TAG_BYTES, Encapsulation, IdentityKey, MasterKeyPair, ReadingCiphertext, identity_bytes

__all__ = ["DEM_INFO", "DST_ID", "KEM_INFO", "KEY_BYTES", "NONCE_BYTES", "READING_AD", "TAG_BYTES", "Encapsulation",
           "IdentityKey", "MasterKeyPair", "ReadingCiphertext", "decapsulate", "decrypt_reading", "encapsulate",
           "encrypt_reading", "extract", "hash_identity", "hkdf_sha256", "identity_bytes", "setup",
           "verify_identity_key"]

DST_ID = dst_tag("IBE-ID")          # b"MEDSHARE-V1-IBE-ID": Q_id = hash_to_g1(identity encoding, DST_ID)
KEM_INFO = dst_tag("IBE-KEM")       # HKDF info of the KEM key
DEM_INFO = dst_tag("IBE-DEM")       # HKDF info of the AEAD key and nonce
KEY_BYTES = 32
NONCE_BYTES = 12


# Algorithms ---------------------------------------------------------------------------------------------------
def hash_identity(group: PairingGroup, identity: str, epoch: int) -> G1Element:
    """Q_id = H(id, epoch) = hash_to_g1(identity_bytes, MEDSHARE-V1-IBE-ID)."""
    return group.hash_to_g1(identity_bytes(identity, epoch), DST_ID)


def setup(group: PairingGroup, rng: RNG) -> MasterKeyPair:
    """Setup: s <- Zr*, P_pub = s·g2."""
    s = group.random_zr(rng)
    return MasterKeyPair(s, group.g2() * s)


def extract(group: PairingGroup, master: MasterKeyPair, identity: str, epoch: int) -> IdentityKey:
    """Extract: d_id = s·H(id, epoch)."""
    return IdentityKey(identity, epoch, hash_identity(group, identity, epoch) * master.s)


def verify_identity_key(group: PairingGroup, p_pub: G2Element, key: IdentityKey, *, identity: str | None = None,
                        epoch: int | None = None) -> None:
    """On import: the key names the expected identity and epoch, and e(d_id, g2) == e(H(id), P_pub); else
    ``KEY_MISMATCH``."""
    _check_names(key, identity, epoch)
    if key.d.is_identity() or p_pub.is_identity() or not group.pairing_check(
            [(-key.d, group.g2()), (hash_identity(group, key.identity, key.epoch), p_pub)]):
        fail("KEY_MISMATCH", "identity key does not match H(id, epoch) under P_pub")


def encapsulate(group: PairingGroup, p_pub: G2Element, identity: str, epoch: int,
                rng: RNG) -> tuple[bytes, Encapsulation]:
    """Encapsulate: r <- Zr*, U = r·g2, K = KDF(e(Q_id, P_pub)^r || U || id)."""
    if p_pub.is_identity():
        fail("IDENTITY_NOT_ALLOWED", "P_pub is the identity")
    r = group.random_zr(rng)
    u = group.g2() * r
    z = group.pair(hash_identity(group, identity, epoch) * r, p_pub)  # = e(Q_id, P_pub)^r
    return _kdf(z.to_bytes(), u, identity, epoch), Encapsulation(u)


def decapsulate(group: PairingGroup, key: IdentityKey, identity: str, epoch: int, enc: Encapsulation) -> bytes:
    """Decapsulate: K = KDF(e(d_id, U) || U || id). ``KEY_MISMATCH`` if the key is for another identity/epoch."""
    _check_names(key, identity, epoch)
    if enc.u.is_identity():
        fail("DECRYPTION_FAILED", "U is the identity")
    return _kdf(group.pair(key.d, enc.u).to_bytes(), enc.u, identity, epoch)


def encrypt_reading(group: PairingGroup, p_pub: G2Element, identity: str, epoch: int, device_id: str,
                    sequence: int, reading: bytes, rng: RNG) -> ReadingCiphertext:
    """A device seals a reading to its institution: KEM, then AES-256-GCM with the reading's associated data."""
    k, enc = encapsulate(group, p_pub, identity, epoch, rng)
    shell = ReadingCiphertext(identity, epoch, device_id, sequence, enc, b"")
    key, nonce = _dem_keys(k)
    return ReadingCiphertext(identity, epoch, device_id, sequence, enc,
                             AESGCM(key).encrypt(nonce, bytes(reading), shell.associated_data()))


def decrypt_reading(group: PairingGroup, key: IdentityKey, ct: ReadingCiphertext) -> bytes:
    """Open a reading: ``KEY_MISMATCH`` for a key of another identity/epoch, else ``DECRYPTION_FAILED`` if the
    AEAD rejects (wrong key, tampered U, body or associated data)."""
    k = decapsulate(group, key, ct.identity, ct.epoch, ct.encapsulation)
    aead_key, nonce = _dem_keys(k)
    try:
        return AESGCM(aead_key).decrypt(nonce, ct.body, ct.associated_data())
    except InvalidTag:
        fail("DECRYPTION_FAILED", "AES-256-GCM tag does not verify")


# Helpers ------------------------------------------------------------------------------------------------------
def _check_names(key: IdentityKey, identity: str | None, epoch: int | None) -> None:
    if (identity is not None and key.identity != identity) or (epoch is not None and key.epoch != epoch):
        fail("KEY_MISMATCH", "identity key is for another identity or epoch")


def _kdf(z: bytes, u: G2Element, identity: str, epoch: int) -> bytes:
    """K = HKDF-SHA-256(salt = empty, ikm = z (576) || U (96) || identity encoding, info = KEM_INFO, 32)."""
    return hkdf_sha256(z + u.to_bytes() + identity_bytes(identity, epoch), KEM_INFO, KEY_BYTES)


def _dem_keys(k: bytes) -> tuple[bytes, bytes]:
    """AEAD key (32) || nonce (12) = HKDF-SHA-256(K, info = DEM_INFO, 44): K is used for one message only."""
    okm = hkdf_sha256(k, DEM_INFO, KEY_BYTES + NONCE_BYTES)
    return okm[:KEY_BYTES], okm[KEY_BYTES:]


def hkdf_sha256(ikm: bytes, info: bytes, length: int, salt: bytes = b"") -> bytes:
    """RFC 5869 HKDF with SHA-256 (``cryptography``); an empty salt means HashLen zero bytes."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt or None, info=info).derive(ikm)
