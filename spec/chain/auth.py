"""Every use of signatures by the chains, in one place (spec/chain/chain.md, "Signatures").

Transactions and validator votes carry certificate-based signatures (``spec/crypto/cbs.py``): a signer is an
identity with a user public key and a certificate from the authority for a validity period. Verification time
``at`` is chain time, the height of the block a transaction or vote belongs to. Failures map to the chain's
codes: ``TX_SIGNATURE_INVALID`` / ``VOTE_SIGNATURE_INVALID`` for a signature that does not verify;
``CERT_EXPIRED``, ``CERT_NOT_YET_VALID`` and ``CERT_REVOKED`` pass through unchanged.

``cache`` (optional) memoises only the pure part of a verification: the pairing verdict, keyed by the signer
(identity, public key, period), the message's SHA-256, the signature and the authority key, of which it is a
function. The certificate's revocation and its period at chain time ``at`` are checked on every call, before
the verdict is looked up, so a cache changes cost, never results (a signature verified while its certificate
was valid is refused once the period is over). The cache also holds decoded public keys and each signer's
prepared key (``cbs.prepare_key``: H_cert and e(H_cert, mpk), computed once per signer).
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping, Sequence
from typing import Any

import attrs

from ..errors import MedshareError, fail
from ..group import PairingGroup
from ..rng import DeterministicRNG
from .codec import sha256
from .tx import Transaction

VerifyCache = MutableMapping[Any, Any]


@attrs.frozen
class Signer:
    """A signer's CBS key pair and certificate (``cbs.UserKeyPair`` and ``cbs.Certificate``)."""

    identity: str
    keypair: Any = attrs.field(repr=False)
    certificate: Any = attrs.field(repr=False)

    def public_key(self) -> bytes:
        pk: bytes = self.keypair.pk.to_bytes()
        return pk


@attrs.frozen
class Identity:
    """What a verifier knows of a signer: identity, public key (96 bytes) and certificate period."""

    identity: str
    public_key: bytes
    period_start: int
    period_end: int


def _cbs() -> Any:
    from ..crypto import cbs
    return cbs


def _sign(group: PairingGroup, signer: Signer, message: bytes) -> bytes:
    sig = _cbs().sign(group, signer.keypair, signer.certificate, message)
    out: bytes = sig.to_bytes()
    return out


def _g2(group: PairingGroup, data: bytes, cache: VerifyCache | None) -> Any:
    """Decode a G2 public key (strict), memoised in ``cache`` when one is given."""
    if cache is None:
        return group.g2_from_bytes(data, allow_identity=False)
    key = b"g2:" + data
    point = cache.get(key)
    if point is None:
        point = cache[key] = group.g2_from_bytes(data, allow_identity=False)
    return point


def _key(who: Identity, digest: bytes, signature: bytes, authority_pk: bytes) -> tuple[Any, ...]:
    """The cache key of the pairing verdict of ``signature`` by ``who`` on the message whose SHA-256 is
    ``digest`` (no chain time in it: the verdict does not depend on it)."""
    return ("pairing", who.identity, who.public_key, who.period_start, who.period_end, digest, signature,
            authority_pk)


def _check_period(who: Identity, at: int, bad_code: str) -> None:
    """The signer's certificate period at chain time ``at`` (``CERT_NOT_YET_VALID``, ``CERT_EXPIRED``); never
    cached. A period that is not a period (start >= end) is ``bad_code``."""
    cbs = _cbs()
    try:
        period = cbs.Period(who.period_start, who.period_end)
    except MedshareError:
        fail(bad_code, f"the certificate period of {who.identity!r} is empty")
    period.check(at)


def _signer(group: PairingGroup, authority_pk: bytes, who: Identity, cache: VerifyCache | None) -> Any:
    """The verifier's form of ``who``: a prepared key, memoised in ``cache`` when one is given."""
    cbs = _cbs()
    period = cbs.Period(who.period_start, who.period_end)
    if cache is None:
        return (who.identity, _g2(group, who.public_key, None), period)
    key = ("prepared", who.identity, who.public_key, who.period_start, who.period_end, authority_pk)
    prepared = cache.get(key)
    if prepared is None:
        prepared = cache[key] = cbs.prepare_key(group, _g2(group, authority_pk, cache),
                                                (who.identity, _g2(group, who.public_key, cache), period))
    return prepared


def _pairing_holds(group: PairingGroup, authority_pk: bytes, who: Identity, message: bytes, signature: bytes,
                   cache: VerifyCache | None) -> bool:
    """Whether the signature decodes and its multi-pairing holds: a pure function of the signer, the message,
    the signature and the authority key (checked at the start of the period, which ``_check_period`` has
    already accepted for the real chain time)."""
    try:
        cbs = _cbs()
        apk = _g2(group, authority_pk, cache)
        sig = cbs.Signature(group.g1_from_bytes(signature, allow_identity=False))
        cbs.verify(group, apk, _signer(group, authority_pk, who, cache), message, sig, at=who.period_start)
    except MedshareError:
        return False
    return True


def _verify(group: PairingGroup, authority_pk: bytes, who: Identity, message: bytes, signature: bytes,
            at: int, bad_code: str, cache: VerifyCache | None, digest: bytes | None = None) -> None:
    """CBS verification at chain time ``at``: the period first (never cached), then the pairing verdict (cached
    when ``cache`` is given); a signature that does not verify is ``bad_code``. ``digest`` is SHA-256 of
    ``message`` when the caller has it already (a transaction's id)."""
    _check_period(who, at, bad_code)
    if cache is None:
        holds = _pairing_holds(group, authority_pk, who, message, signature, None)
    else:
        key = _key(who, digest or sha256(message), signature, authority_pk)
        cached = cache.get(key)
        if cached is None:
            cached = cache[key] = _pairing_holds(group, authority_pk, who, message, signature, cache)
        holds = bool(cached)
    if not holds:
        fail(bad_code, f"signature by {who.identity!r} rejected")


def sign_tx(group: PairingGroup, signer: Signer, tx: Transaction) -> Transaction:
    """The transaction with the sender's signature over its signing bytes."""
    return tx.with_signature(_sign(group, signer, tx.signing_bytes()))


def verify_tx(group: PairingGroup, authority_pk: bytes, sender: Identity, tx: Transaction, *, at: int,
              revoked: bool = False, cache: VerifyCache | None = None) -> None:
    """Raise unless ``tx`` carries ``sender``'s valid signature at chain time ``at``."""
    if revoked:
        fail("CERT_REVOKED", f"the certificate of {sender.identity!r} is revoked")
    _verify(group, authority_pk, sender, tx.signing_bytes(), tx.signature, at, "TX_SIGNATURE_INVALID", cache,
            tx.tx_hash())


def sign_vote(group: PairingGroup, signer: Signer, message: bytes, *, cache: VerifyCache | None = None) -> bytes:
    """A validator's signature over a vote's signing bytes (deterministic, so ``cache`` may memoise it)."""
    if cache is None:
        return _sign(group, signer, message)
    key = b"sign:" + sha256(signer.identity.encode(), b"\x00", signer.public_key(), message)
    sig = cache.get(key)
    if sig is None:
        sig = cache[key] = _sign(group, signer, message)
    out: bytes = sig
    return out


def verify_vote(group: PairingGroup, authority_pk: bytes, validator: Identity, message: bytes, signature: bytes,
                *, at: int, cache: VerifyCache | None = None) -> None:
    """Raise ``VOTE_SIGNATURE_INVALID`` (or a period error) unless the vote signature verifies."""
    _verify(group, authority_pk, validator, message, signature, at, "VOTE_SIGNATURE_INVALID", cache)


def verify_certificate(group: PairingGroup, authority_pk: bytes, who: Identity, sigma: bytes, *, at: int) -> None:
    """Raise ``CERT_INVALID`` (or a period error) unless ``sigma`` is the authority's certificate on
    (identity, public key, period)."""
    cbs = _cbs()
    try:
        apk = group.g2_from_bytes(authority_pk, allow_identity=False)
        cert = cbs.Certificate(who.identity, group.g2_from_bytes(who.public_key, allow_identity=False),
                               cbs.Period(who.period_start, who.period_end),
                               group.g1_from_bytes(sigma, allow_identity=False))
    except MedshareError as e:
        fail("CERT_INVALID", f"certificate does not decode ({e.code})")
    cbs.verify_certificate(group, apk, cert, at=at)


def verify_commit_certificate(group: PairingGroup, authority_pk: bytes, validators: Sequence[Identity],
                              signed: Iterable[tuple[int, bytes, bytes]], quorum: int, *, at: int,
                              cache: VerifyCache | None = None) -> None:
    """Raise ``COMMIT_CERT_INVALID`` unless ``signed`` = [(validator index, message, signature)] holds at least
    ``quorum`` distinct validators' valid signatures. All are batch-verified in one multi-pairing."""
    items = list(signed)
    signers = {i for i, _, _ in items}
    if len(signers) != len(items) or any(not 0 <= i < len(validators) for i in signers):
        fail("COMMIT_CERT_INVALID", "duplicate or unknown signer in a certificate")
    if len(signers) < quorum:
        fail("COMMIT_CERT_INVALID", f"{len(signers)} signatures, quorum is {quorum}")
    for i, _, _ in items:  # every signer's period at ``at``, cached verdict or not
        try:
            _check_period(validators[i], at, "COMMIT_CERT_INVALID")
        except MedshareError as e:
            fail("COMMIT_CERT_INVALID", f"validator {i}: {e.code}")
    todo = [(i, m, s) for i, m, s in items
            if cache is None or cache.get(_key(validators[i], sha256(m), s, authority_pk)) is not True]
    if not todo:
        return
    cbs = _cbs()
    try:
        apk = _g2(group, authority_pk, cache)
        batch = []
        for i, m, s in todo:
            v = validators[i]
            batch.append(((v.identity, _g2(group, v.public_key, cache),
                           cbs.Period(v.period_start, v.period_end)), m,
                          cbs.Signature(group.g1_from_bytes(s, allow_identity=False))))
        seed = sha256(*(sha256(m, s) for _, m, s in todo))
        cbs.batch_verify(group, apk, batch, at=at, revoked=frozenset(), rng=DeterministicRNG(seed))
    except MedshareError as e:
        fail("COMMIT_CERT_INVALID", f"certificate signatures do not verify ({e.code})")
    if cache is not None:
        for i, m, s in todo:
            cache[_key(validators[i], sha256(m), s, authority_pk)] = True


def prime_tx_cache(group: PairingGroup, authority_pk: bytes, items: Sequence[tuple[Identity, Transaction]], *,
                   at: int, cache: VerifyCache) -> None:
    """Batch-verify the signatures of many transactions and record their pairing verdicts in ``cache``, so that
    the per-transaction checks that follow (which check each period at their chain time) are cache hits. Only a
    cost optimisation: signers whose period does not contain ``at`` are left out, and if the batch fails,
    nothing is recorded and every transaction is verified on its own."""
    keys = [_key(who, tx.tx_hash(), tx.signature, authority_pk) for who, tx in items]
    todo = [(who, tx, key) for (who, tx), key in zip(items, keys)
            if cache.get(key) is None and who.period_start <= at < who.period_end]
    if len(todo) < 2:
        return
    cbs = _cbs()
    try:
        apk = _g2(group, authority_pk, cache)
        batch = [((who.identity, _g2(group, who.public_key, cache), cbs.Period(who.period_start, who.period_end)),
                  tx.signing_bytes(), cbs.Signature(group.g1_from_bytes(tx.signature, allow_identity=False)))
                 for who, tx, _ in todo]
        seed = sha256(*(tx.tx_hash() + tx.signature for _, tx, _ in todo))
        cbs.batch_verify(group, apk, batch, at=at, revoked=frozenset(), rng=DeterministicRNG(seed))
    except MedshareError:
        return
    for _, _, key in todo:
        cache[key] = True
