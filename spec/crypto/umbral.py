"""Umbral threshold proxy re-encryption on secp256k1, byte-compatible with ``umbral-pre`` 0.11.

D. Nuñez, *Umbral: a threshold proxy re-encryption scheme*, NuCypher (2018); the construction and encodings
are those of nucypher/rust-umbral 0.11 (spec/crypto/umbral.md). Setting: the prime-order group secp256k1
with generator G and the parameter point U = hash_to_curve("POINT_U", dst "PARAMETERS"); security rests on
DDH in that group with hashes modelled as random oracles. Alice (delegating key a, A = a·G) encapsulates a
DEM key in a capsule; ``generate_kfrags`` splits a re-encryption key to Bob (B = b·G) into n shares with
threshold t; each proxy turns the capsule into a capsule fragment (cfrag) with a proof of correct
re-encryption; Bob opens the capsule from t verified cfrags.

Every randomized algorithm takes an explicit ``rng``. Keys, capsules and fragments, with their strict encodings,
are in ``umbral_wire.py``. Failures raise ``MedshareError`` codes (KFRAG_INVALID, KFRAG_SIGNATURE_INVALID,
CFRAG_INVALID, CFRAG_MISMATCH, NOT_ENOUGH_CFRAGS, DECRYPTION_FAILED and the decoding codes).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import fail
from ..rng import RNG
from . import xchacha20poly1305 as dem
from .secp256k1 import N, Point, hash_to_scalar, inverse, random_nonzero_scalar
from .umbral_wire import (
    KFRAG_ID_BYTES,
    Capsule,
    CapsuleFrag,
    KeyFrag,
    PublicKey,
    SecretKey,
    Signature,
    Signer,
    VerifiedCapsuleFrag,
    VerifiedKeyFrag,
    hash_capsule_points,
    parameter_u,
)

__all__ = ["DST_CFRAG_VERIFICATION", "DST_POLYNOMIAL_ARG", "DST_SHARED_SECRET", "KFRAG_ID_BYTES", "Capsule",
           "CapsuleFrag", "KeyFrag", "PublicKey", "SecretKey", "Signature", "Signer", "VerifiedCapsuleFrag",
           "VerifiedKeyFrag", "decrypt_original", "decrypt_reencrypted", "dem_decrypt", "dem_encrypt", "dem_key",
           "encapsulate", "encrypt", "generate_kfrags", "hash_capsule_points", "hash_to_cfrag_verification",
           "hash_to_polynomial_arg", "hash_to_shared_secret", "kfrag_signature_message", "lagrange_at_zero",
           "open_original", "open_reencrypted", "parameter_u", "reencrypt", "verify_cfrag", "verify_kfrag"]

#: domain tags of umbral-pre's hashes to scalars (H(E, V)'s, which decoding needs, is in umbral_wire.py)
DST_POLYNOMIAL_ARG = b"POLYNOMIAL_ARG"
DST_SHARED_SECRET = b"SHARED_SECRET"
DST_CFRAG_VERIFICATION = b"CFRAG_VERIFICATION"


# -- capsule -------------------------------------------------------------------------------------------------------
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

