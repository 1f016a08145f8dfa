"""Prepared keys in CBS verification (spec/crypto/cbs.md, "Prepared keys"): the same verdict and error code as
the plain key in every case, on both backends."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from medshare.spec.crypto import cbs
from medshare.spec.errors import MedshareError
from medshare.spec.group import PairingGroup
from medshare.spec.rng import DeterministicRNG

PERIOD = cbs.Period(100, 200)


def outcome(fn: Callable[[], object]) -> str:
    try:
        fn()
    except MedshareError as e:
        return e.code
    return "OK"


def test_prepared_key_gives_the_plain_verdicts(group: PairingGroup) -> None:
    rng = DeterministicRNG("cbs-prepared")
    authority, other_authority = cbs.setup(group, rng), cbs.setup(group, rng)
    user, other_user = cbs.keygen(group, rng), cbs.keygen(group, rng)
    cert = cbs.certify(group, authority, "mi-1", user.pk, PERIOD)
    key = cert.certified_key()
    prepared = cbs.prepare_key(group, authority.pk, key)
    assert prepared.h_cert == cbs.hash_cert(group, key)
    assert prepared.cert_pairing == group.pair(cbs.hash_cert(group, key), authority.pk)
    sig = cbs.sign(group, user, cert, b"vote")
    forged = cbs.sign(group, other_user, cbs.certify(group, authority, "mi-1", other_user.pk, PERIOD), b"vote")
    cases = [(b"vote", sig, 150, frozenset()), (b"vote!", sig, 150, frozenset()), (b"vote", forged, 150, frozenset()),
             (b"vote", cbs.Signature(sig.sigma + group.g1()), 150, frozenset()), (b"vote", sig, 99, frozenset()),
             (b"vote", sig, 200, frozenset()), (b"vote", sig, 150, frozenset({key.cert_id()}))]
    seen = []
    for message, signature, at, revoked in cases:
        plain = outcome(lambda: cbs.verify(group, authority.pk, key, message, signature, at=at, revoked=revoked))
        fast = outcome(lambda: cbs.verify(group, authority.pk, prepared, message, signature, at=at,
                                          revoked=revoked))
        assert plain == fast
        seen.append(fast)
    assert seen == ["OK", "SIGNATURE_INVALID", "SIGNATURE_INVALID", "SIGNATURE_INVALID", "CERT_NOT_YET_VALID",
                    "CERT_EXPIRED", "CERT_REVOKED"]
    with pytest.raises(MedshareError) as e:
        cbs.verify(group, other_authority.pk, prepared, b"vote", sig, at=150)
    assert e.value.code == "INVALID_ARGUMENT"
    with pytest.raises(MedshareError) as e:
        cbs.prepare_key(group, authority.pk, ("mi-1", group.identity_g2(), PERIOD))
    assert e.value.code == "IDENTITY_NOT_ALLOWED"
