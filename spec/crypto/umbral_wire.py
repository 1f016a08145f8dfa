"""Umbral objects and their wire encodings: the MessagePack subset of ``umbral-pre`` 0.11 (rmp-serde, structs as
arrays) and hex JSON (spec/crypto/umbral.md, "Encodings").

Only the canonical forms are written or read: a fixarray header (0x90 | n), bin 8 (0xC4, length, bytes) for
every byte string, and 0xC2 / 0xC3 for false / true. Anything else — other MessagePack types, maps, truncation,
trailing bytes — is ``MALFORMED_ENCODING``; a byte string of another length is ``BAD_LENGTH``. Decoding also
checks what umbral-pre checks: a capsule's equation (``CAPSULE_INVALID``) and a key fragment's parameter point
(``KFRAG_INVALID``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from ..codec import Reader, fingerprint, from_hex, json_bool, json_object, to_hex
from ..errors import fail
from ..rng import RNG
from .secp256k1 import (
    POINT_BYTES,
    SCALAR_BYTES,
    SIGNATURE_BYTES,
    Point,
    cached_hash_to_curve,
    ecdsa_sign,
    ecdsa_verify,
    hash_to_scalar,
    random_nonzero_scalar,
    scalar_from_bytes,
    scalar_to_bytes,
)

KFRAG_ID_BYTES = 32
DST_CAPSULE_POINTS = b"CAPSULE_POINTS"  # umbral-pre's tag of H(E, V)

hex_out, hex_in = to_hex, from_hex


def parameter_u() -> Point:
    """U = hash_to_curve(msg "POINT_U", DST "PARAMETERS") (RFC 9380 secp256k1_XMD:SHA-256_SSWU_RO_)."""
    return cached_hash_to_curve(b"POINT_U", b"PARAMETERS")


def hash_capsule_points(e: Point, v: Point) -> int:
    """H(E, V), the capsule's challenge."""
    return hash_to_scalar(DST_CAPSULE_POINTS, (e.to_bytes(), v.to_bytes()))


# MessagePack ---------------------------------------------------------------------------------------------------
def arr(*items: bytes) -> bytes:
    assert len(items) < 16
    return bytes([0x90 | len(items)]) + b"".join(items)


def bin_(data: bytes) -> bytes:
    assert len(data) < 256
    return b"\xc4" + bytes([len(data)]) + data


def as_bool(value: bool) -> bytes:
    return b"\xc3" if value else b"\xc2"


def read_array(r: Reader, n: int) -> None:
    """A fixarray header of ``n`` items."""
    if r.u8() != 0x90 | n:
        fail("MALFORMED_ENCODING", f"expected a MessagePack array of {n} at offset {r.pos - 1}")


def read_bin(r: Reader, n: int) -> bytes:
    """A bin 8 of exactly ``n`` bytes."""
    if r.u8() != 0xC4:
        fail("MALFORMED_ENCODING", f"expected MessagePack bin 8 at offset {r.pos - 1}")
    length = r.u8()
    if length != n:
        fail("BAD_LENGTH", f"expected {n} bytes at offset {r.pos - 2}, got {length}")
    return r.take(n)


def read_bool(r: Reader) -> bool:
    tag = r.u8()
    if tag not in (0xC2, 0xC3):
        fail("MALFORMED_ENCODING", f"expected a MessagePack boolean at offset {r.pos - 1}")
    return tag == 0xC3


def read_point(r: Reader) -> Point:
    return Point.from_bytes(read_bin(r, POINT_BYTES))


def read_scalar(r: Reader) -> int:
    return scalar_from_bytes(read_bin(r, SCALAR_BYTES))


def read_signature(r: Reader) -> Signature:
    return Signature.from_bytes(read_bin(r, SIGNATURE_BYTES))


def json_fields(obj: Any, hex_keys: Sequence[str], flags: Sequence[str] = ()) -> dict[str, Any]:
    """Exactly ``hex_keys`` (decoded from hex) and ``flags`` (booleans); nothing else."""
    o = json_object(obj, (*hex_keys, *flags))
    out: dict[str, Any] = {k: hex_in(o[k]) for k in hex_keys}
    out.update({k: json_bool(o[k], k) for k in flags})
    return out


# Keys and signatures -------------------------------------------------------------------------------------------
@attrs.frozen(repr=False)
class SecretKey:
    """A nonzero scalar mod N; bytes are 32 big-endian (umbral-pre ``SecretKey.to_be_bytes``)."""

    scalar: int

    @staticmethod
    def random(rng: RNG) -> SecretKey:
        return SecretKey(random_nonzero_scalar(rng))

    def public_key(self) -> PublicKey:
        return PublicKey(Point.mul_base(self.scalar))

    def to_bytes(self) -> bytes:
        return scalar_to_bytes(self.scalar)

    @staticmethod
    def from_bytes(data: bytes) -> SecretKey:
        return SecretKey(scalar_from_bytes(data, allow_zero=False))

    def to_json(self) -> str:
        return hex_out(self.to_bytes())

    @staticmethod
    def from_json(value: Any) -> SecretKey:
        return SecretKey.from_bytes(hex_in(value))

    def __repr__(self) -> str:
        return f"SecretKey(fingerprint={fingerprint(self.to_bytes())})"


@attrs.frozen
class PublicKey:
    """A point ≠ identity; bytes are the 33-byte compressed encoding (``PublicKey.to_compressed_bytes``)."""

    point: Point

    def to_bytes(self) -> bytes:
        return self.point.to_bytes()

    @staticmethod
    def from_bytes(data: bytes) -> PublicKey:
        return PublicKey(Point.from_bytes(data))

    def to_json(self) -> str:
        return hex_out(self.to_bytes())

    @staticmethod
    def from_json(value: Any) -> PublicKey:
        return PublicKey.from_bytes(hex_in(value))


@attrs.frozen
class Signature:
    """ECDSA (r, s) over SHA-256(message); bytes are r ‖ s, 32 bytes each (``Signature.to_be_bytes``)."""

    r: int
    s: int

    def verify(self, verifying_pk: PublicKey, message: bytes) -> bool:
        return ecdsa_verify(verifying_pk.point, message, self.r, self.s)

    def to_bytes(self) -> bytes:
        return scalar_to_bytes(self.r) + scalar_to_bytes(self.s)

    @staticmethod
    def from_bytes(data: bytes) -> Signature:
        """Strict: 64 bytes, 0 < r, s < N (a high s decodes but never verifies, as in umbral-pre)."""
        if len(data) != SIGNATURE_BYTES:
            fail("BAD_LENGTH", f"a signature has {SIGNATURE_BYTES} bytes, got {len(data)}")
        return Signature(scalar_from_bytes(data[:32], allow_zero=False),
                         scalar_from_bytes(data[32:], allow_zero=False))

    def to_json(self) -> str:
        return hex_out(self.to_bytes())

    @staticmethod
    def from_json(value: Any) -> Signature:
        return Signature.from_bytes(hex_in(value))


@attrs.frozen(repr=False)
class Signer:
    """Signs with a secret key (umbral-pre ``Signer``)."""

    secret_key: SecretKey

    def sign(self, message: bytes, rng: RNG) -> Signature:
        return Signature(*ecdsa_sign(self.secret_key.scalar, message, rng))

    def verifying_key(self) -> PublicKey:
        return self.secret_key.public_key()

    def __repr__(self) -> str:
        return f"Signer({self.secret_key!r})"


# Capsules, key fragments, capsule fragments --------------------------------------------------------------------
@attrs.frozen
class Capsule:
    """(E, V, s) with s·G = V + H(E, V)·E; the encapsulation of the DEM key seed."""

    point_e: Point
    point_v: Point
    signature: int

    def is_valid(self) -> bool:
        """s·G = V + H(E, V)·E, and E + V is not the identity (it would give no key seed)."""
        h = hash_capsule_points(self.point_e, self.point_v)
        return (Point.mul_base(self.signature) == self.point_v + self.point_e * h
                and not (self.point_e + self.point_v).is_identity())

    def to_bytes_simple(self) -> bytes:
        """E ‖ V ‖ s (98 bytes): the DEM's associated data."""
        return self.point_e.to_bytes() + self.point_v.to_bytes() + scalar_to_bytes(self.signature)

    def to_bytes(self) -> bytes:
        """MessagePack [bin E, bin V, bin s], as ``bytes(umbral_pre.Capsule)``."""
        return arr(bin_(self.point_e.to_bytes()), bin_(self.point_v.to_bytes()), bin_(scalar_to_bytes(self.signature)))

    @staticmethod
    def from_bytes(data: bytes) -> Capsule:
        r = Reader(data)
        read_array(r, 3)
        capsule = Capsule(read_point(r), read_point(r), read_scalar(r))
        r.end()
        return capsule.checked()

    def checked(self) -> Capsule:
        if not self.is_valid():
            fail("CAPSULE_INVALID", "s·G ≠ V + H(E, V)·E, or E + V is the identity")
        return self

    def to_json(self) -> dict[str, str]:
        return {"pointE": hex_out(self.point_e.to_bytes()), "pointV": hex_out(self.point_v.to_bytes()),
                "signature": hex_out(scalar_to_bytes(self.signature))}

    @staticmethod
    def from_json(obj: Any) -> Capsule:
        f = json_fields(obj, ("pointE", "pointV", "signature"))
        return Capsule(Point.from_bytes(f["pointE"]), Point.from_bytes(f["pointV"]),
                       scalar_from_bytes(f["signature"])).checked()


@attrs.frozen(repr=False)
class KeyFrag:
    """A re-encryption key share rk = f(x) with its commitment U·rk and the delegator's signatures."""

    id: bytes
    key: int
    precursor: Point
    commitment: Point
    signature_for_proxy: Signature
    signature_for_receiver: Signature
    delegating_key_signed: bool
    receiving_key_signed: bool

    def __repr__(self) -> str:  # the share rk is for one proxy only: show the id
        return f"KeyFrag(id=0x{self.id.hex()[:16]}…)"

    def to_bytes(self) -> bytes:
        """MessagePack [[U], id, key, precursor, [commitment, sig_proxy, sig_receiver, bool, bool]]."""
        proof = arr(bin_(self.commitment.to_bytes()), bin_(self.signature_for_proxy.to_bytes()),
                    bin_(self.signature_for_receiver.to_bytes()), as_bool(self.delegating_key_signed),
                    as_bool(self.receiving_key_signed))
        return arr(arr(bin_(parameter_u().to_bytes())), bin_(self.id), bin_(scalar_to_bytes(self.key)),
                   bin_(self.precursor.to_bytes()), proof)

    @staticmethod
    def from_bytes(data: bytes) -> KeyFrag:
        r = Reader(data)
        read_array(r, 5)
        read_array(r, 1)
        if read_point(r) != parameter_u():
            fail("KFRAG_INVALID", "the key fragment names a parameter point other than U")
        kfrag_id, key, precursor = read_bin(r, KFRAG_ID_BYTES), read_scalar(r), read_point(r)
        read_array(r, 5)
        commitment, sig_p, sig_r = read_point(r), read_signature(r), read_signature(r)
        d_signed, r_signed = read_bool(r), read_bool(r)
        r.end()
        return KeyFrag(kfrag_id, key, precursor, commitment, sig_p, sig_r, d_signed, r_signed)

    def to_json(self) -> dict[str, Any]:
        return {"id": hex_out(self.id), "key": hex_out(scalar_to_bytes(self.key)),
                "precursor": hex_out(self.precursor.to_bytes()), "commitment": hex_out(self.commitment.to_bytes()),
                "signatureForProxy": self.signature_for_proxy.to_json(),
                "signatureForReceiver": self.signature_for_receiver.to_json(),
                "delegatingKeySigned": self.delegating_key_signed, "receivingKeySigned": self.receiving_key_signed}

    @staticmethod
    def from_json(obj: Any) -> KeyFrag:
        f = json_fields(obj, ("id", "key", "precursor", "commitment", "signatureForProxy", "signatureForReceiver"),
                        flags=("delegatingKeySigned", "receivingKeySigned"))
        if len(f["id"]) != KFRAG_ID_BYTES:
            fail("BAD_LENGTH", "a kfrag id has 32 bytes")
        return KeyFrag(f["id"], scalar_from_bytes(f["key"]), Point.from_bytes(f["precursor"]),
                       Point.from_bytes(f["commitment"]), Signature.from_bytes(f["signatureForProxy"]),
                       Signature.from_bytes(f["signatureForReceiver"]), f["delegatingKeySigned"],
                       f["receivingKeySigned"])


@attrs.frozen
class VerifiedKeyFrag:
    """A key fragment that passed :func:`verify_kfrag` (or was made by :func:`generate_kfrags`)."""

    kfrag: KeyFrag

    def to_bytes(self) -> bytes:
        return self.kfrag.to_bytes()


@attrs.frozen
class CapsuleFrag:
    """(E1, V1) = rk·(E, V), the kfrag id and precursor, and a Chaum–Pedersen-style proof that the same rk
    was used for E, V and the kfrag commitment U1 = U·rk (z3 = rk·h + τ), with the kfrag's receiver signature."""

    point_e1: Point
    point_v1: Point
    kfrag_id: bytes
    precursor: Point
    point_e2: Point
    point_v2: Point
    kfrag_commitment: Point
    kfrag_pok: Point
    signature: int
    kfrag_signature: Signature

    def to_bytes(self) -> bytes:
        """MessagePack [E1, V1, id, precursor, [E2, V2, U1, U2, z3, kfrag signature]]."""
        proof = arr(bin_(self.point_e2.to_bytes()), bin_(self.point_v2.to_bytes()),
                    bin_(self.kfrag_commitment.to_bytes()), bin_(self.kfrag_pok.to_bytes()),
                    bin_(scalar_to_bytes(self.signature)), bin_(self.kfrag_signature.to_bytes()))
        return arr(bin_(self.point_e1.to_bytes()), bin_(self.point_v1.to_bytes()), bin_(self.kfrag_id),
                   bin_(self.precursor.to_bytes()), proof)

    def to_bytes_simple(self) -> bytes:
        """The plain concatenation of the same fields (``CapsuleFrag.to_bytes_simple``)."""
        return b"".join([self.point_e1.to_bytes(), self.point_v1.to_bytes(), self.kfrag_id,
                         self.precursor.to_bytes(), self.point_e2.to_bytes(), self.point_v2.to_bytes(),
                         self.kfrag_commitment.to_bytes(), self.kfrag_pok.to_bytes(),
                         scalar_to_bytes(self.signature), self.kfrag_signature.to_bytes()])

    @staticmethod
    def from_bytes(data: bytes) -> CapsuleFrag:
        r = Reader(data)
        read_array(r, 5)
        e1, v1, kfrag_id, precursor = read_point(r), read_point(r), read_bin(r, KFRAG_ID_BYTES), read_point(r)
        read_array(r, 6)
        e2, v2, u1, u2 = read_point(r), read_point(r), read_point(r), read_point(r)
        z3, sig = read_scalar(r), read_signature(r)
        r.end()
        return CapsuleFrag(e1, v1, kfrag_id, precursor, e2, v2, u1, u2, z3, sig)

    _JSON = ("pointE1", "pointV1", "kfragId", "precursor", "pointE2", "pointV2", "kfragCommitment", "kfragPok",
             "signature", "kfragSignature")

    def to_json(self) -> dict[str, str]:
        values = [self.point_e1.to_bytes(), self.point_v1.to_bytes(), self.kfrag_id, self.precursor.to_bytes(),
                  self.point_e2.to_bytes(), self.point_v2.to_bytes(), self.kfrag_commitment.to_bytes(),
                  self.kfrag_pok.to_bytes(), scalar_to_bytes(self.signature), self.kfrag_signature.to_bytes()]
        return {k: hex_out(v) for k, v in zip(CapsuleFrag._JSON, values, strict=True)}

    @staticmethod
    def from_json(obj: Any) -> CapsuleFrag:
        f = json_fields(obj, CapsuleFrag._JSON)
        if len(f["kfragId"]) != KFRAG_ID_BYTES:
            fail("BAD_LENGTH", "a kfrag id has 32 bytes")
        pts = [Point.from_bytes(f[k]) for k in ("pointE1", "pointV1", "precursor", "pointE2", "pointV2",
                                                 "kfragCommitment", "kfragPok")]
        return CapsuleFrag(pts[0], pts[1], f["kfragId"], pts[2], pts[3], pts[4], pts[5], pts[6],
                           scalar_from_bytes(f["signature"]), Signature.from_bytes(f["kfragSignature"]))


@attrs.frozen
class VerifiedCapsuleFrag:
    """A capsule fragment that passed :func:`verify_cfrag` (or was made by :func:`reencrypt`)."""

    cfrag: CapsuleFrag

    def to_bytes(self) -> bytes:
        return self.cfrag.to_bytes()
