"""Umbral threshold proxy re-encryption on secp256k1, byte-compatible with ``umbral-pre`` 0.11.

D. Nuñez, *Umbral: a threshold proxy re-encryption scheme*, NuCypher (2018); the construction and encodings
are those of nucypher/rust-umbral 0.11 (spec/crypto/umbral.md). Setting: the prime-order group secp256k1
with generator G and the parameter point U = hash_to_curve("POINT_U", dst "PARAMETERS"); security rests on
DDH in that group with hashes modelled as random oracles. Alice (delegating key a, A = a·G) encapsulates a
DEM key in a capsule; ``generate_kfrags`` splits a re-encryption key to Bob (B = b·G) into n shares with
threshold t; each proxy turns the capsule into a capsule fragment (cfrag) with a proof of correct
re-encryption; Bob opens the capsule from t verified cfrags.

Every randomized algorithm takes an explicit ``rng``. Decoding is strict; failures raise ``MedshareError``
codes (CAPSULE_INVALID, KFRAG_INVALID, KFRAG_SIGNATURE_INVALID, CFRAG_INVALID, CFRAG_MISMATCH,
NOT_ENOUGH_CFRAGS, DECRYPTION_FAILED and the decoding codes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import attrs

from ..errors import fail
from ..rng import RNG
from . import xchacha20poly1305 as dem
from .secp256k1 import (
    POINT_BYTES,
    SCALAR_BYTES,
    SIGNATURE_BYTES,
    N,
    Point,
    cached_hash_to_curve,
    ecdsa_sign,
    ecdsa_verify,
    hash_to_scalar,
    inverse,
    random_nonzero_scalar,
    scalar_from_bytes,
    scalar_to_bytes,
)
from .umbral_wire import Reader, arr, as_bool, bin_, hex_in, hex_out, json_fields

KFRAG_ID_BYTES = 32
#: domain tags of umbral-pre's hashes to scalars
DST_POLYNOMIAL_ARG = b"POLYNOMIAL_ARG"
DST_SHARED_SECRET = b"SHARED_SECRET"
DST_CAPSULE_POINTS = b"CAPSULE_POINTS"
DST_CFRAG_VERIFICATION = b"CFRAG_VERIFICATION"


def parameter_u() -> Point:
    """U = hash_to_curve(msg "POINT_U", DST "PARAMETERS") (RFC 9380 secp256k1_XMD:SHA-256_SSWU_RO_)."""
    return cached_hash_to_curve(b"POINT_U", b"PARAMETERS")


# -- keys and signatures ----------------------------------------------------------------------------------------
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
        return f"SecretKey(fingerprint={hashlib.sha256(self.to_bytes()).hexdigest()[:12]})"


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


def _read_signature(r: Reader) -> Signature:
    return Signature.from_bytes(r.bin(SIGNATURE_BYTES))


# -- capsule -------------------------------------------------------------------------------------------------------
def hash_capsule_points(e: Point, v: Point) -> int:
    return hash_to_scalar(DST_CAPSULE_POINTS, (e.to_bytes(), v.to_bytes()))


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
        r.array(3)
        capsule = Capsule(r.point(), r.point(), r.scalar())
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


def encapsulate(delegating_pk: PublicKey, rng: RNG) -> tuple[Capsule, bytes]:
    """Capsule (E = r·G, V = u·G, s = u + r·H(E, V)) and key seed compress((r + u)·A)."""
    r, u = random_nonzero_scalar(rng), random_nonzero_scalar(rng)
    e, v = Point.mul_base(r), Point.mul_base(u)
    s = (u + r * hash_capsule_points(e, v)) % N
    return Capsule(e, v, s), (delegating_pk.point * (r + u)).to_bytes()


def open_original(capsule: Capsule, delegating_sk: SecretKey) -> bytes:
    """compress(a·(E + V)) = compress((r + u)·A)."""
    return ((capsule.point_e + capsule.point_v) * delegating_sk.scalar).to_bytes()


# -- DEM: XChaCha20-Poly1305 under HKDF-SHA-256(seed), AAD = capsule E ‖ V ‖ s --------------------------------
def dem_key(key_seed: bytes) -> bytes:
    return dem.hkdf_sha256(key_seed, dem.KEY_BYTES)


def dem_encrypt(key_seed: bytes, plaintext: bytes, aad: bytes, rng: RNG) -> bytes:
    nonce = rng.read(dem.NONCE_BYTES)
    return nonce + dem.seal(dem_key(key_seed), nonce, plaintext, aad)


def dem_decrypt(key_seed: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    if len(ciphertext) < dem.NONCE_BYTES + dem.TAG_BYTES:
        fail("BAD_LENGTH", "a ciphertext has at least a 24-byte nonce and a 16-byte tag")
    return dem.open_(dem_key(key_seed), ciphertext[:dem.NONCE_BYTES], ciphertext[dem.NONCE_BYTES:], aad)


def encrypt(delegating_pk: PublicKey, plaintext: bytes, rng: RNG) -> tuple[Capsule, bytes]:
    """Encrypt to Alice's key: (capsule, nonce ‖ XChaCha20-Poly1305 ciphertext ‖ tag)."""
    capsule, seed = encapsulate(delegating_pk, rng)
    return capsule, dem_encrypt(seed, plaintext, capsule.to_bytes_simple(), rng)


def decrypt_original(delegating_sk: SecretKey, capsule: Capsule, ciphertext: bytes) -> bytes:
    """Alice decrypts her own ciphertext."""
    return dem_decrypt(open_original(capsule, delegating_sk), ciphertext, capsule.to_bytes_simple())


# -- key fragments ------------------------------------------------------------------------------------------------
def hash_to_polynomial_arg(precursor: Point, pubkey: Point, dh_point: Point, kfrag_id: bytes) -> int:
    return hash_to_scalar(DST_POLYNOMIAL_ARG, (precursor.to_bytes(), pubkey.to_bytes(), dh_point.to_bytes(), kfrag_id))


def hash_to_shared_secret(precursor: Point, pubkey: Point, dh_point: Point) -> int:
    return hash_to_scalar(DST_SHARED_SECRET, (precursor.to_bytes(), pubkey.to_bytes(), dh_point.to_bytes()))


def kfrag_signature_message(kfrag_id: bytes, commitment: Point, precursor: Point,
                            delegating_pk: PublicKey | None, receiving_pk: PublicKey | None) -> bytes:
    """id ‖ commitment ‖ precursor ‖ (0x01 ‖ A | 0x00) ‖ (0x01 ‖ B | 0x00)."""
    parts = [kfrag_id, commitment.to_bytes(), precursor.to_bytes()]
    for pk in (delegating_pk, receiving_pk):
        parts.append(b"\x01" + pk.to_bytes() if pk is not None else b"\x00")
    return b"".join(parts)


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
        r.array(5)
        r.array(1)
        if r.point() != parameter_u():
            fail("KFRAG_INVALID", "the key fragment names a parameter point other than U")
        kfrag_id, key, precursor = r.bin(KFRAG_ID_BYTES), r.scalar(), r.point()
        r.array(5)
        commitment, sig_p, sig_r = r.point(), _read_signature(r), _read_signature(r)
        d_signed, r_signed = r.bool(), r.bool()
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


def generate_kfrags(delegating_sk: SecretKey, receiving_pk: PublicKey, signer: Signer, threshold: int, shares: int,
                    sign_delegating_key: bool, sign_receiving_key: bool, rng: RNG) -> list[VerifiedKeyFrag]:
    """Split a·d⁻¹ (d from a DH with Bob) into ``shares`` points of a degree-(t-1) polynomial, each signed."""
    if not 1 <= threshold <= shares:
        fail("INVALID_ARGUMENT", f"need 1 <= threshold <= shares, got t={threshold}, n={shares}")
    delegating_pk, b_point = delegating_sk.public_key(), receiving_pk.point
    x_p = random_nonzero_scalar(rng)
    precursor, dh_point = Point.mul_base(x_p), b_point * x_p
    d = hash_to_shared_secret(precursor, b_point, dh_point)
    coefficients = [delegating_sk.scalar * inverse(d) % N] + [random_nonzero_scalar(rng) for _ in
                                                                range(threshold - 1)]
    u = parameter_u()
    kfrags: list[VerifiedKeyFrag] = []
    while len(kfrags) < shares:
        kfrag_id = rng.read(KFRAG_ID_BYTES)
        x = hash_to_polynomial_arg(precursor, b_point, dh_point, kfrag_id)
        rk = _poly_eval(coefficients, x)
        if rk == 0:  # U·0 has no encoding; probability ~2^-256, draw another id
            continue
        commitment = u * rk
        for_receiver = signer.sign(kfrag_signature_message(kfrag_id, commitment, precursor, delegating_pk,
                                                           receiving_pk), rng)
        for_proxy = signer.sign(kfrag_signature_message(kfrag_id, commitment, precursor,
                                                        delegating_pk if sign_delegating_key else None,
                                                        receiving_pk if sign_receiving_key else None), rng)
        kfrags.append(VerifiedKeyFrag(KeyFrag(kfrag_id, rk, precursor, commitment, for_proxy, for_receiver,
                                              sign_delegating_key, sign_receiving_key)))
    return kfrags


def _poly_eval(coefficients: Sequence[int], x: int) -> int:
    acc = 0
    for c in reversed(coefficients):
        acc = (acc * x + c) % N
    return acc


def verify_kfrag(kfrag: KeyFrag, verifying_pk: PublicKey, delegating_pk: PublicKey | None = None,
                 receiving_pk: PublicKey | None = None) -> VerifiedKeyFrag:
    """A proxy's check: commitment = U·rk, and the signature for the proxy over the keys it claims to bind."""
    if kfrag.commitment != parameter_u() * kfrag.key:
        fail("KFRAG_INVALID", "commitment ≠ U·key")
    if kfrag.delegating_key_signed and delegating_pk is None:
        fail("KFRAG_SIGNATURE_INVALID", "the kfrag signs a delegating key but none was given")
    if kfrag.receiving_key_signed and receiving_pk is None:
        fail("KFRAG_SIGNATURE_INVALID", "the kfrag signs a receiving key but none was given")
    message = kfrag_signature_message(kfrag.id, kfrag.commitment, kfrag.precursor,
                                      delegating_pk if kfrag.delegating_key_signed else None,
                                      receiving_pk if kfrag.receiving_key_signed else None)
    if not kfrag.signature_for_proxy.verify(verifying_pk, message):
        fail("KFRAG_SIGNATURE_INVALID", "the kfrag's signature for the proxy does not verify")
    return VerifiedKeyFrag(kfrag)


# -- capsule fragments ------------------------------------------------------------------------------------------
def hash_to_cfrag_verification(points: Sequence[Point]) -> int:
    """H over (E, E1, E2, V, V1, V2, U, U1, U2)."""
    return hash_to_scalar(DST_CFRAG_VERIFICATION, (p.to_bytes() for p in points))


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
        r.array(5)
        e1, v1, kfrag_id, precursor = r.point(), r.point(), r.bin(KFRAG_ID_BYTES), r.point()
        r.array(6)
        e2, v2, u1, u2, z3, sig = r.point(), r.point(), r.point(), r.point(), r.scalar(), _read_signature(r)
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


def reencrypt(capsule: Capsule, verified_kfrag: VerifiedKeyFrag, rng: RNG) -> VerifiedCapsuleFrag:
    """A proxy's re-encryption: E1 = rk·E, V1 = rk·V, and the proof (E2, V2, U2) = τ·(E, V, U), z3 = rk·h + τ."""
    kfrag = verified_kfrag.kfrag
    rk, u = kfrag.key, parameter_u()
    if rk == 0:
        fail("KFRAG_INVALID", "zero re-encryption key share")
    e1, v1 = capsule.point_e * rk, capsule.point_v * rk
    tau = random_nonzero_scalar(rng)
    e2, v2, u2 = capsule.point_e * tau, capsule.point_v * tau, u * tau
    h = hash_to_cfrag_verification((capsule.point_e, e1, e2, capsule.point_v, v1, v2, u, kfrag.commitment, u2))
    z3 = (rk * h + tau) % N
    return VerifiedCapsuleFrag(CapsuleFrag(e1, v1, kfrag.id, kfrag.precursor, e2, v2, kfrag.commitment, u2, z3,
                                           kfrag.signature_for_receiver))


def verify_cfrag(cfrag: CapsuleFrag, capsule: Capsule, verifying_pk: PublicKey, delegating_pk: PublicKey,
                 receiving_pk: PublicKey) -> VerifiedCapsuleFrag:
    """Bob's check: the kfrag's receiver signature binds (id, U1, precursor, A, B); then z3·X = X2 + h·X1 for
    X ∈ {E, V, U}."""
    message = kfrag_signature_message(cfrag.kfrag_id, cfrag.kfrag_commitment, cfrag.precursor, delegating_pk,
                                      receiving_pk)
    if not cfrag.kfrag_signature.verify(verifying_pk, message):
        fail("KFRAG_SIGNATURE_INVALID", "the cfrag's kfrag signature does not verify for these keys")
    e, v, u = capsule.point_e, capsule.point_v, parameter_u()
    h = hash_to_cfrag_verification((e, cfrag.point_e1, cfrag.point_e2, v, cfrag.point_v1, cfrag.point_v2, u,
                                    cfrag.kfrag_commitment, cfrag.kfrag_pok))
    z = cfrag.signature
    if not (e * z == cfrag.point_e2 + cfrag.point_e1 * h
            and v * z == cfrag.point_v2 + cfrag.point_v1 * h
            and u * z == cfrag.kfrag_pok + cfrag.kfrag_commitment * h):
        fail("CFRAG_INVALID", "the proof of correct re-encryption does not verify")
    return VerifiedCapsuleFrag(cfrag)


def lagrange_at_zero(xs: Sequence[int], i: int) -> int:
    """λ_i = Π_{j≠i} x_j / (x_j − x_i) mod N."""
    acc = 1
    for j, xj in enumerate(xs):
        if j != i:
            acc = acc * xj * inverse((xj - xs[i]) % N) % N
    return acc


def open_reencrypted(capsule: Capsule, receiving_sk: SecretKey, delegating_pk: PublicKey,
                     cfrags: Sequence[CapsuleFrag], threshold: int | None = None) -> bytes:
    """Combine cfrags by Lagrange interpolation at 0 and check s·d⁻¹·A = h·E' + V' before using the key."""
    if not cfrags or (threshold is not None and len(cfrags) < threshold):
        fail("NOT_ENOUGH_CFRAGS", f"{len(cfrags)} cfrags, threshold {threshold}")
    precursor = cfrags[0].precursor
    if any(c.precursor != precursor for c in cfrags):
        fail("CFRAG_MISMATCH", "cfrags come from different kfrag sets (precursors differ)")
    if len({c.kfrag_id for c in cfrags}) != len(cfrags):
        fail("CFRAG_MISMATCH", "repeated cfrags (same kfrag id)")
    b_point = receiving_sk.public_key().point
    dh_point = precursor * receiving_sk.scalar
    xs = [hash_to_polynomial_arg(precursor, b_point, dh_point, c.kfrag_id) for c in cfrags]
    if len(set(xs)) != len(xs):
        fail("CFRAG_MISMATCH", "two cfrags share a polynomial argument")
    e_prime, v_prime = Point.identity(), Point.identity()
    for i, c in enumerate(cfrags):
        lam = lagrange_at_zero(xs, i)
        e_prime = e_prime + c.point_e1 * lam
        v_prime = v_prime + c.point_v1 * lam
    d = hash_to_shared_secret(precursor, b_point, dh_point)
    h = hash_capsule_points(capsule.point_e, capsule.point_v)
    if delegating_pk.point * (capsule.signature * inverse(d)) != e_prime * h + v_prime:
        fail("CFRAG_MISMATCH", "the cfrags do not open this capsule (fewer than t, or another capsule or key)")
    return ((e_prime + v_prime) * d).to_bytes()


def decrypt_reencrypted(receiving_sk: SecretKey, delegating_pk: PublicKey, capsule: Capsule,
                        verified_cfrags: Sequence[VerifiedCapsuleFrag], ciphertext: bytes,
                        threshold: int | None = None) -> bytes:
    """Bob decrypts from at least t verified cfrags (``threshold``, when known, is checked first)."""
    cfrags = [vc.cfrag for vc in verified_cfrags]
    seed = open_reencrypted(capsule, receiving_sk, delegating_pk, cfrags, threshold)
    return dem_decrypt(seed, ciphertext, capsule.to_bytes_simple())


__all__ = ["SecretKey", "PublicKey", "Signature", "Signer", "Capsule", "KeyFrag",
           "VerifiedKeyFrag", "CapsuleFrag", "VerifiedCapsuleFrag", "encrypt", "decrypt_original",
           "generate_kfrags", "verify_kfrag", "reencrypt", "verify_cfrag", "decrypt_reencrypted",
           "parameter_u", "POINT_BYTES", "SCALAR_BYTES"]
