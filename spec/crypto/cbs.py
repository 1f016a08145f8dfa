"""Certificate-based signatures, BLS-aggregate construction (spec/crypto/cbs.md; objects and encodings: cbs_wire.py).

Security model: J. Li, X. Huang, Y. Mu, W. Susilo, Q. Wu, "Certificate-Based Signature: Security Model and Efficient
Construction", EuroPKI 2007 (Type I: replaces public keys, lacks msk; Type II: knows msk, lacks usk). Construction: the
aggregate of two BLS signatures (Boneh–Lynn–Shacham, Asiacrypt 2001; aggregation as in Boneh–Gentry–Lynn–Shacham,
Eurocrypt 2003) with the signer's key inside both hashed messages ("message augmentation", Bellare–Namprempre–Neven,
ICALP 2007), on a type-III pairing e: G1 x G2 -> GT.

    setup:    msk <- Zr*,  mpk = msk·g2
    keygen:   usk <- Zr*,  upk = usk·g2
    certify:  cert = msk·H_cert(id, upk, period)
    sign:     sigma = cert + usk·H_msg(m, id, upk, period)
    verify:   e(sigma, g2)^-1 · e(H_cert(id, upk, period), mpk) · e(H_msg(m, id, upk, period), upk) == 1

Both hashes take the whole certified key (identity, key and period): the user's half of a signature is bound to the
certificate it was made under, so the public certificate of another period cannot be swapped in.
"""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

from ..codec import u64
from ..errors import MedshareError, fail
from ..group import G1Element, G2Element, GTElement, PairingGroup, Zr
from ..hashing import dst_tag
from ..rng import RNG, random_below
from ._codec import lp_name
from .cbs_wire import (
    CERT_ID_TAG,
    AuthorityKeyPair,
    BatchItem,
    Certificate,
    CertifiedKey,
    Period,
    Signature,
    Signer,
    UserKeyPair,
    batch_entry,
    certified_key,
    check_public_key,
    decode_public_key,
)

__all__ = ["BATCH_COEFFICIENT_BITS", "CERT_ID_TAG", "DST_CERT", "DST_MSG", "AuthorityKeyPair", "BatchItem", "Certificate",
           "CertifiedKey", "Period", "PreparedKey", "Signature", "Signer", "UserKeyPair", "batch_verify", "certify",
           "decode_public_key", "find_invalid", "hash_cert", "hash_message", "keygen", "prepare_key", "setup", "sign",
           "verify", "verify_certificate"]

DST_CERT = dst_tag("CBS-CERT")        # b"MEDSHARE-V1-CBS-CERT": H_cert, hash to G1
DST_MSG = dst_tag("CBS-MSG")          # b"MEDSHARE-V1-CBS-MSG": H_msg, hash to G1
BATCH_COEFFICIENT_BITS = 128


def hash_cert(group: PairingGroup, key: CertifiedKey) -> G1Element:
    """H_cert(id, upk, period) = hash_to_g1(CertifiedKey encoding, MEDSHARE-V1-CBS-CERT)."""
    return group.hash_to_g1(key.to_bytes(), DST_CERT)


def hash_message(group: PairingGroup, message: bytes, key: CertifiedKey | bytes) -> G1Element:
    """H_msg(m, id, upk, period) = hash_to_g1(CertifiedKey encoding || u64 len(m) || m, MEDSHARE-V1-CBS-MSG), for
    the certified key or its encoding (u16 len || id || upk || u64 start || u64 end)."""
    if not isinstance(message, (bytes, bytearray)):
        fail("BAD_JSON", "message must be bytes")
    key_bytes = key if isinstance(key, bytes) else key.to_bytes()
    return group.hash_to_g1(key_bytes + u64(len(message)) + bytes(message), DST_MSG)


# Algorithms ---------------------------------------------------------------------------------------------------
def setup(group: PairingGroup, rng: RNG) -> AuthorityKeyPair:
    """Setup: msk <- Zr*, mpk = msk·g2."""
    msk = group.random_zr(rng)
    return AuthorityKeyPair(msk, group.g2() * msk)


def keygen(group: PairingGroup, rng: RNG) -> UserKeyPair:
    """UserKeyGen: usk <- Zr*, upk = usk·g2."""
    usk = group.random_zr(rng)
    return UserKeyPair(usk, group.g2() * usk)


def certify(group: PairingGroup, authority: AuthorityKeyPair, identity: str, user_pk: G2Element,
            period: Period) -> Certificate:
    """CertGen: cert = msk·H_cert(id, upk, period)."""
    check_public_key(user_pk)
    key = CertifiedKey(identity, user_pk, period)
    return Certificate(identity, user_pk, period, hash_cert(group, key) * authority.sk)


def verify_certificate(group: PairingGroup, authority_pk: G2Element, cert: Certificate, *, at: int,
                       revoked: frozenset[bytes] = frozenset(), identity: str | None = None,
                       public_key: G2Element | None = None) -> None:
    """Checks, in order: the expected identity / key if given (``CERT_WRONG_KEY``), the period
    (``CERT_NOT_YET_VALID``, ``CERT_EXPIRED``), the revocation list (``CERT_REVOKED``), and
    e(cert, g2) == e(H_cert, mpk) (``CERT_INVALID``)."""
    if identity is not None and identity != cert.identity:
        fail("CERT_WRONG_KEY", "certificate is for another identity")
    if public_key is not None and public_key != cert.public_key:
        fail("CERT_WRONG_KEY", "certificate is for another public key")
    key = cert.certified_key()
    key.check_valid(at, revoked)
    check_public_key(authority_pk)
    if cert.sigma.is_identity() or not group.pairing_check([(-cert.sigma, group.g2()),
                                                           (hash_cert(group, key), authority_pk)]):
        fail("CERT_INVALID", "authority signature on the certificate does not verify")


def sign(group: PairingGroup, user: UserKeyPair, cert: Certificate, message: bytes) -> Signature:
    """Sign: sigma = cert + usk·H_msg(m, id, upk, period), the certified key's identity, key and period.
    ``CERT_WRONG_KEY`` if the certificate is for another key."""
    if cert.public_key != user.pk:
        fail("CERT_WRONG_KEY", "certificate binds another public key")
    return Signature(cert.sigma + hash_message(group, message, cert.certified_key()) * user.sk)


@frozen
class PreparedKey:
    """A verifier's precomputation for one certified key under one authority key: H_cert and the pairing
    e(H_cert, mpk), the same in every verification of the key's signatures (see :func:`prepare_key`)."""

    key: CertifiedKey
    authority_pk: G2Element
    h_cert: G1Element
    cert_pairing: GTElement


def prepare_key(group: PairingGroup, authority_pk: G2Element, signer: Signer) -> PreparedKey:
    """PreparedKey(key, mpk, H_cert, e(H_cert, mpk)); ``IDENTITY_NOT_ALLOWED`` for an identity key."""
    key = certified_key(signer)
    check_public_key(key.public_key)
    check_public_key(authority_pk)
    h_cert = hash_cert(group, key)
    return PreparedKey(key, authority_pk, h_cert, group.pair(h_cert, authority_pk))


def verify(group: PairingGroup, authority_pk: G2Element, signer: Signer | PreparedKey, message: bytes,
           signature: Signature, *, at: int, revoked: frozenset[bytes] = frozenset()) -> None:
    """Checks the period, the revocation list, then one multi-pairing
    e(sigma, g2)^-1 · e(H_cert, mpk) · e(H_msg, upk) == 1 (``SIGNATURE_INVALID``). With a :class:`PreparedKey`
    (made for this ``authority_pk``, else ``INVALID_ARGUMENT``) the same equation is checked as
    e(sigma, g2)^-1 · e(H_msg, upk) · [e(H_cert, mpk)] == 1 with the bracket precomputed."""
    prepared = signer if isinstance(signer, PreparedKey) else None
    key = prepared.key if prepared is not None else certified_key(signer)  # type: ignore[arg-type]
    key.check_valid(at, revoked)
    check_public_key(authority_pk)
    if prepared is not None and prepared.authority_pk != authority_pk:
        fail("INVALID_ARGUMENT", "the key was prepared for another authority key")
    if signature.sigma.is_identity():
        fail("SIGNATURE_INVALID", "certificate-based signature does not verify")
    h_msg = hash_message(group, message, key)
    pairs = [(-signature.sigma, group.g2()), (h_msg, key.public_key)]
    if prepared is None:
        ok = group.pairing_check([*pairs, (hash_cert(group, key), authority_pk)])
    else:
        ok = (group.multi_pairing(pairs) * prepared.cert_pairing).is_one()
    if not ok:
        fail("SIGNATURE_INVALID", "certificate-based signature does not verify")


def batch_verify(group: PairingGroup, authority_pk: G2Element, items: Sequence[BatchItem], *, at: int,
                 revoked: frozenset[bytes] = frozenset(), rng: RNG) -> None:
    """Verify many signatures at once by a random linear combination (small-exponents test).

    Each item's period and revocation are checked first (their codes, the message naming the index). Then with
    c_i uniform in [1, 2^128) from ``rng``:
        e(sum c_i sigma_i, g2)^-1 · e(sum_k C_k H_cert_k, mpk) · prod_u e(sum_{i: upk_i = u} c_i H_msg_i, u) == 1
    where C_k sums c_i over the items of certified key k: one multi-pairing of size 2 + (distinct keys). On
    failure ``BATCH_INVALID``, naming the bad indices (found by :func:`find_invalid`)."""
    entries = [batch_entry(item) for item in items]
    for i, (key, _, _) in enumerate(entries):
        try:
            key.check_valid(at, revoked)
        except MedshareError as e:
            fail(e.code, f"batch item {i}: {e.message}")
    check_public_key(authority_pk)
    terms = _prepare(group, entries)
    if terms and not _holds(group, authority_pk, terms, rng):
        fail("BATCH_INVALID", f"invalid signatures at indices {_bisect(group, authority_pk, terms, rng)}")


def find_invalid(group: PairingGroup, authority_pk: G2Element, items: Sequence[BatchItem], *, rng: RNG) -> list[int]:
    """The indices of the items whose pairing equation fails, by bisection with batch checks over hashes
    computed once (no period or revocation checks)."""
    terms = _prepare(group, [batch_entry(item) for item in items])
    return [] if _holds(group, authority_pk, terms, rng) else _bisect(group, authority_pk, terms, rng)


@frozen
class _Term:
    """One batch item, hashed: its signature, H_cert of its certified key (shared by the signer's items) and
    H_msg, with the encodings that group the terms."""

    index: int
    key_bytes: bytes
    public_key: G2Element
    public_key_bytes: bytes
    sigma: G1Element
    h_cert: G1Element
    h_msg: G1Element


def _prepare(group: PairingGroup, entries: Sequence[tuple[CertifiedKey, bytes, Signature]]) -> list[_Term]:
    encoded: dict[int, bytes] = {}  # id(public key object) -> its encoding: a signer's items share the object
    h_cert: dict[bytes, G1Element] = {}
    terms = []
    for i, (key, message, signature) in enumerate(entries):
        ub = encoded.get(id(key.public_key))
        if ub is None:
            ub = encoded[id(key.public_key)] = key.public_key.to_bytes()
        kb = lp_name(key.identity) + ub + key.period.to_bytes()
        if kb not in h_cert:
            h_cert[kb] = group.hash_to_g1(kb, DST_CERT)
        terms.append(_Term(i, kb, key.public_key, ub, signature.sigma, h_cert[kb], hash_message(group, message, kb)))
    return terms


def _holds(group: PairingGroup, authority_pk: G2Element, terms: Sequence[_Term], rng: RNG) -> bool:
    """The combined equation (one term: the plain one, without coefficients)."""
    if any(t.sigma.is_identity() for t in terms):
        return False
    if len(terms) == 1:
        t = terms[0]
        return group.pairing_check([(-t.sigma, group.g2()), (t.h_cert, authority_pk), (t.h_msg, t.public_key)])
    c = [1 + random_below(rng, (1 << BATCH_COEFFICIENT_BITS) - 1) for _ in terms]
    cert_weight: dict[bytes, tuple[G1Element, Zr]] = {}
    msg_terms: dict[bytes, tuple[G2Element, list[G1Element], list[int]]] = {}
    for t, ci in zip(terms, c, strict=True):
        cert_weight[t.key_bytes] = (t.h_cert, cert_weight.get(t.key_bytes, (t.h_cert, Zr(0)))[1] + ci)
        _, points, scalars = msg_terms.setdefault(t.public_key_bytes, (t.public_key, [], []))
        points.append(t.h_msg)
        scalars.append(ci)
    sigma_sum = group.msm_g1([t.sigma for t in terms], c)
    cert_sum = group.msm_g1([h for h, _ in cert_weight.values()], [w for _, w in cert_weight.values()])
    pairs = [(-sigma_sum, group.g2()), (cert_sum, authority_pk)]
    pairs += [(group.msm_g1(points, scalars) if len(points) > 1 else points[0] * scalars[0], upk)
              for upk, points, scalars in msg_terms.values()]
    return group.pairing_check(pairs)


def _bisect(group: PairingGroup, authority_pk: G2Element, terms: Sequence[_Term], rng: RNG) -> list[int]:
    """Indices of the bad terms, given that ``terms`` as a whole fails."""
    if len(terms) == 1:
        return [terms[0].index]
    bad = []
    for half in (terms[:len(terms) // 2], terms[len(terms) // 2:]):
        if not _holds(group, authority_pk, half, rng):
            bad += _bisect(group, authority_pk, half, rng)
    return bad
