"""Boneh–Franklin identity-based encryption as a KEM with an AEAD (spec/crypto/ibe.md).

D. Boneh, M. Franklin, "Identity-Based Encryption from the Weil Pairing", Crypto 2001 (BasicIdent, here on
the type-III pairing of BLS12-381 with identities hashed to G1 and the master public key in G2), used as a
hashed KEM: the pairing value, the ephemeral U and the identity go through HKDF-SHA-256; readings are sealed
with AES-256-GCM under the KEM key. Assumption: bilinear Diffie–Hellman (gap-BDH for the hashed KEM), ROM.

    setup:        s <- Zr*,  P_pub = s·g2
    extract:      d_id = s·Q_id,  Q_id = H(id, epoch) in G1
    encapsulate:  r <- Zr*,  U = r·g2,  K = KDF(e(Q_id, P_pub)^r || U || id, epoch)
    decapsulate:  K = KDF(e(d_id, U) || U || id, epoch)
"""

from __future__ import annotations

from typing import Any

from attrs import frozen
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..errors import fail
from ..group import G1Element, G2Element, PairingGroup, Zr
from ..hashing import dst_tag
from ..params import G1_BYTES, G2_BYTES, ZR_BYTES
from ..rng import RNG
from ._codec import Reader, check_u64, fingerprint, from_hex, json_int, json_object, json_str, lp_name, to_hex, u64

DST_ID = dst_tag("IBE-ID")          # b"MEDSHARE-V1-IBE-ID": Q_id = hash_to_g1(identity encoding, DST_ID)
KEM_INFO = dst_tag("IBE-KEM")       # HKDF info of the KEM key
DEM_INFO = dst_tag("IBE-DEM")       # HKDF info of the AEAD key and nonce
READING_AD = dst_tag("IBE-READING")  # prefix of the associated data of a device reading
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16


# Data ---------------------------------------------------------------------------------------------------------
def identity_bytes(identity: str, epoch: int) -> bytes:
    """u16 len || identity UTF-8 || u64 epoch: the hashed identity (identities carry a key epoch)."""
    return lp_name(identity) + u64(check_u64(epoch, "epoch"))


@frozen(repr=False)
class MasterKeyPair:
    """s and P_pub = s·g2. Encoding: s (32) || P_pub (96); decoding checks the pair (``KEY_MISMATCH``)."""

    s: Zr
    p_pub: G2Element

    def to_bytes(self) -> bytes:
        return self.s.to_bytes() + self.p_pub.to_bytes()

    @classmethod
    def from_bytes(cls, group: PairingGroup, data: bytes) -> MasterKeyPair:
        r = Reader(data)
        s = Zr.from_bytes(r.take(ZR_BYTES), allow_zero=False)
        p_pub = group.g2_from_bytes(r.take(G2_BYTES), allow_identity=False)
        r.end()
        if group.g2() * s != p_pub:
            fail("KEY_MISMATCH", "P_pub is not s·g2")
        return cls(s, p_pub)

    def to_json(self) -> dict[str, str]:
        return {"s": to_hex(self.s.to_bytes()), "pPub": to_hex(self.p_pub.to_bytes())}

    @classmethod
    def from_json(cls, group: PairingGroup, obj: Any) -> MasterKeyPair:
        o = json_object(obj, {"s", "pPub"}, "IBE master key")
        return cls.from_bytes(group, from_hex(o["s"]) + from_hex(o["pPub"]))

    def __repr__(self) -> str:
        return f"MasterKeyPair(p_pub={self.p_pub!r}, s=<{fingerprint(self.s.to_bytes())}>)"


@frozen(repr=False)
class IdentityKey:
    """d_id for (identity, epoch); the key names its identity so a mismatch is detected, not decrypted to
    garbage. Encoding: identity encoding || d (48)."""

    identity: str
    epoch: int
    d: G1Element

    def to_bytes(self) -> bytes:
        return identity_bytes(self.identity, self.epoch) + self.d.to_bytes()

    @classmethod
    def from_bytes(cls, group: PairingGroup, data: bytes) -> IdentityKey:
        r = Reader(data)
        identity, epoch = r.name(), r.u64()
        d = group.g1_from_bytes(r.take(G1_BYTES), allow_identity=False)
        r.end()
        return cls(identity, epoch, d)

    def to_json(self) -> dict[str, Any]:
        return {"identity": self.identity, "epoch": self.epoch, "d": to_hex(self.d.to_bytes())}

    @classmethod
    def from_json(cls, group: PairingGroup, obj: Any) -> IdentityKey:
        o = json_object(obj, {"identity", "epoch", "d"}, "identity key")
        identity = json_str(o["identity"], "identity")
        epoch = json_int(o["epoch"], "epoch")
        identity_bytes(identity, epoch)
        return cls(identity, epoch, group.g1_from_bytes(from_hex(o["d"]), allow_identity=False))

    def __repr__(self) -> str:
        return f"IdentityKey({self.identity!r}, epoch={self.epoch}, d=<{fingerprint(self.d.to_bytes())}>)"


@frozen
class Encapsulation:
    """U = r·g2: 96 bytes, never the identity."""

    u: G2Element

    def to_bytes(self) -> bytes:
        return self.u.to_bytes()

    @classmethod
    def from_bytes(cls, group: PairingGroup, data: bytes) -> Encapsulation:
        return cls(group.g2_from_bytes(data, allow_identity=False))

    def to_json(self) -> str:
        return to_hex(self.to_bytes())

    @classmethod
    def from_json(cls, group: PairingGroup, value: Any) -> Encapsulation:
        return cls.from_bytes(group, from_hex(value))


@frozen
class ReadingCiphertext:
    """A device reading sealed to an institution's identity. Encoding: identity encoding (identity, epoch) ||
    u16 len || device id || u64 sequence || U (96) || u64 len || AES-256-GCM ciphertext with its 16-byte tag."""

    identity: str
    epoch: int
    device_id: str
    sequence: int
    encapsulation: Encapsulation
    body: bytes

    def associated_data(self) -> bytes:
        """READING_AD || device id || u64 sequence || identity encoding: what the AEAD authenticates."""
        return (READING_AD + lp_name(self.device_id, "device id") + u64(check_u64(self.sequence, "sequence"))
                + identity_bytes(self.identity, self.epoch))

    def to_bytes(self) -> bytes:
        return (identity_bytes(self.identity, self.epoch) + lp_name(self.device_id, "device id")
                + u64(self.sequence) + self.encapsulation.to_bytes() + u64(len(self.body)) + self.body)

    @classmethod
    def from_bytes(cls, group: PairingGroup, data: bytes) -> ReadingCiphertext:
        r = Reader(data)
        identity, epoch = r.name(), r.u64()
        device_id, sequence = r.name("device id"), r.u64()
        enc = Encapsulation.from_bytes(group, r.take(G2_BYTES))
        body = r.take(r.u64())
        r.end()
        if len(body) < TAG_BYTES:
            fail("MALFORMED_ENCODING", "AEAD body shorter than its tag")
        return cls(identity, epoch, device_id, sequence, enc, body)

    def to_json(self) -> dict[str, Any]:
        return {"identity": self.identity, "epoch": self.epoch, "deviceId": self.device_id,
                "sequence": self.sequence, "u": to_hex(self.encapsulation.to_bytes()), "body": to_hex(self.body)}

    @classmethod
    def from_json(cls, group: PairingGroup, obj: Any) -> ReadingCiphertext:
        o = json_object(obj, {"identity", "epoch", "deviceId", "sequence", "u", "body"}, "reading ciphertext")
        identity, device_id = json_str(o["identity"], "identity"), json_str(o["deviceId"], "deviceId")
        epoch, sequence = json_int(o["epoch"], "epoch"), json_int(o["sequence"], "sequence")
        identity_bytes(identity, epoch)
        lp_name(device_id, "device id")
        body = from_hex(o["body"])
        if len(body) < TAG_BYTES:
            fail("MALFORMED_ENCODING", "AEAD body shorter than its tag")
        return cls(identity, epoch, device_id, sequence, Encapsulation.from_bytes(group, from_hex(o["u"])), body)


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
