"""Identity-based encryption objects and their strict byte and JSON encodings (spec/crypto/ibe.md, "Encodings").

Points are never the identity (``IDENTITY_NOT_ALLOWED``); a bad name, truncation, trailing bytes or a body
shorter than its AEAD tag are ``MALFORMED_ENCODING``; JSON objects have exactly their fields (``BAD_JSON``); a
master key whose P_pub is not s·g2 is ``KEY_MISMATCH``.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

from ..codec import Reader, fingerprint, from_hex, json_int, json_object, json_str, to_hex, u64
from ..errors import fail
from ..group import G1Element, G2Element, PairingGroup, Zr
from ..hashing import dst_tag
from ._codec import check_u64, key_pair_from_bytes, lp_name, read_name

READING_AD = dst_tag("IBE-READING")  # prefix of the associated data of a device reading
TAG_BYTES = 16


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
        return cls(*key_pair_from_bytes(group, data))

    def to_json(self) -> dict[str, str]:
        return {"s": to_hex(self.s.to_bytes()), "pPub": to_hex(self.p_pub.to_bytes())}

    @classmethod
    def from_json(cls, group: PairingGroup, obj: Any) -> MasterKeyPair:
        o = json_object(obj, ("s", "pPub"), what="IBE master key")
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
        identity, epoch = read_name(r), r.u64()
        d = r.g1(group)
        r.end()
        return cls(identity, epoch, d)

    def to_json(self) -> dict[str, Any]:
        return {"identity": self.identity, "epoch": self.epoch, "d": to_hex(self.d.to_bytes())}

    @classmethod
    def from_json(cls, group: PairingGroup, obj: Any) -> IdentityKey:
        o = json_object(obj, ("identity", "epoch", "d"), what="identity key")
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
        identity, epoch = read_name(r), r.u64()
        device_id, sequence = read_name(r, "device id"), r.u64()
        enc = Encapsulation(r.g2(group))
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
        o = json_object(obj, ("identity", "epoch", "deviceId", "sequence", "u", "body"), what="reading ciphertext")
        identity, device_id = json_str(o["identity"], "identity"), json_str(o["deviceId"], "deviceId")
        epoch, sequence = json_int(o["epoch"], "epoch"), json_int(o["sequence"], "sequence")
        identity_bytes(identity, epoch)
        lp_name(device_id, "device id")
        body = from_hex(o["body"])
        if len(body) < TAG_BYTES:
            fail("MALFORMED_ENCODING", "AEAD body shorter than its tag")
        return cls(identity, epoch, device_id, sequence, Encapsulation.from_bytes(group, from_hex(o["u"])), body)
