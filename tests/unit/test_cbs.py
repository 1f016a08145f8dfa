"""Certificate-based signatures (spec/crypto/cbs.md): correctness on both backends, and every adversarial case
with its error code."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest
from medshare.reference.testbed import adversarial, get_group
from medshare.spec.crypto import cbs
from medshare.spec.errors import MedshareError
from medshare.spec.group import PairingGroup
from medshare.spec.rng import DeterministicRNG

PERIOD = cbs.Period(100, 200)


def code_of(fn: Callable[[], object]) -> str:
    with pytest.raises(MedshareError) as e:
        fn()
    return e.value.code


@attrs.frozen
class World:
    G: PairingGroup
    authority: cbs.AuthorityKeyPair
    user: cbs.UserKeyPair
    cert: cbs.Certificate
    sig: cbs.Signature


def make_world(G: PairingGroup, seed: str = "cbs") -> World:
    rng = DeterministicRNG(seed)
    authority = cbs.setup(G, rng)
    user = cbs.keygen(G, rng)
    cert = cbs.certify(G, authority, "mi-1", user.pk, PERIOD)
    return World(G, authority, user, cert, cbs.sign(G, user, cert, b"record 1"))


@pytest.fixture(scope="module")
def w() -> World:
    return make_world(get_group("native"))


def test_sign_verify_both_backends_agree(group: PairingGroup) -> None:
    w = make_world(group)
    cbs.verify_certificate(group, w.authority.pk, w.cert, at=100)
    cbs.verify(group, w.authority.pk, w.cert.certified_key(), b"record 1", w.sig, at=199)
    cbs.verify(group, w.authority.pk, ("mi-1", w.user.pk, PERIOD), b"record 1", w.sig, at=150)
    native = make_world(get_group("native"))
    assert w.sig.to_bytes() == native.sig.to_bytes()
    assert w.cert.to_bytes() == native.cert.to_bytes()
    assert len(w.sig.to_bytes()) == 48


def test_certificate_checks(w: World) -> None:
    G, mpk = w.G, w.authority.pk
    other = cbs.keygen(G, DeterministicRNG("other"))
    assert code_of(lambda: cbs.verify_certificate(G, mpk, w.cert, at=99)) == "CERT_NOT_YET_VALID"
    assert code_of(lambda: cbs.verify_certificate(G, mpk, w.cert, at=200)) == "CERT_EXPIRED"
    revoked = frozenset({w.cert.cert_id()})
    assert code_of(lambda: cbs.verify_certificate(G, mpk, w.cert, at=150, revoked=revoked)) == "CERT_REVOKED"
    # the certificate re-labelled with another key or period: the authority's signature no longer holds
    swapped = attrs.evolve(w.cert, public_key=other.pk)
    assert code_of(lambda: cbs.verify_certificate(G, mpk, swapped, at=150)) == "CERT_INVALID"
    stretched = attrs.evolve(w.cert, period=cbs.Period(100, 10_000))
    assert code_of(lambda: cbs.verify_certificate(G, mpk, stretched, at=150)) == "CERT_INVALID"
    renamed = attrs.evolve(w.cert, identity="mi-2")
    assert code_of(lambda: cbs.verify_certificate(G, mpk, renamed, at=150)) == "CERT_INVALID"
    # a genuine certificate, but for someone else than expected
    assert code_of(lambda: cbs.verify_certificate(G, mpk, w.cert, at=150, public_key=other.pk)) == "CERT_WRONG_KEY"
    assert code_of(lambda: cbs.verify_certificate(G, mpk, w.cert, at=150, identity="mi-2")) == "CERT_WRONG_KEY"
    # another authority's certificate
    rogue = cbs.setup(G, DeterministicRNG("rogue"))
    assert code_of(lambda: cbs.verify_certificate(G, rogue.pk, w.cert, at=150)) == "CERT_INVALID"
    # signing with a certificate for another key
    assert code_of(lambda: cbs.sign(G, other, w.cert, b"m")) == "CERT_WRONG_KEY"


def test_verify_periods_revocation_and_message(w: World) -> None:
    G, mpk, key = w.G, w.authority.pk, w.cert.certified_key()
    assert code_of(lambda: cbs.verify(G, mpk, key, b"record 1", w.sig, at=99)) == "CERT_NOT_YET_VALID"
    assert code_of(lambda: cbs.verify(G, mpk, key, b"record 1", w.sig, at=200)) == "CERT_EXPIRED"
    revoked = frozenset({key.cert_id(), b"\x00" * 32})
    assert code_of(lambda: cbs.verify(G, mpk, key, b"record 1", w.sig, at=150, revoked=revoked)) == "CERT_REVOKED"
    assert code_of(lambda: cbs.verify(G, mpk, key, b"record 2", w.sig, at=150)) == "SIGNATURE_INVALID"
    # the signature is bound to its period: the same key certified for another period does not verify it
    renewed = cbs.CertifiedKey("mi-1", w.user.pk, cbs.Period(200, 300))
    assert code_of(lambda: cbs.verify(G, mpk, renewed, b"record 1", w.sig, at=250)) == "SIGNATURE_INVALID"
    # and to its identity
    assert code_of(lambda: cbs.verify(G, mpk, attrs.evolve(key, identity="mi-2"), b"record 1", w.sig,
                                      at=150)) == "SIGNATURE_INVALID"
    # the identity element as signature
    assert code_of(lambda: cbs.verify(G, mpk, key, b"record 1", cbs.Signature(G.identity_g1()),
                                      at=150)) == "SIGNATURE_INVALID"


def test_type_i_replaced_public_key(w: World) -> None:
    """Type I: the adversary replaces the target's key by upk' = usk'·g2 it knows, but has no certificate from
    msk for (id, upk'). Reusing the target's certificate, or none, fails."""
    G, mpk = w.G, w.authority.pk
    adv = cbs.keygen(G, DeterministicRNG("type-i"))
    replaced = cbs.CertifiedKey("mi-1", adv.pk, PERIOD)
    h_msg = cbs.hash_message(G, b"forged", replaced)
    for forged in (h_msg * adv.sk,                                     # no certificate term at all
                   w.cert.sigma + h_msg * adv.sk):                      # the target's (public) certificate
        assert code_of(lambda f=forged: cbs.verify(G, mpk, replaced, b"forged", cbs.Signature(f),
                                          at=150)) == "SIGNATURE_INVALID"
    # a certificate the adversary made itself under a key it controls is not one from msk
    fake_cert = cbs.certify(G, cbs.AuthorityKeyPair(adv.sk, adv.pk), "mi-1", adv.pk, PERIOD)
    assert code_of(lambda: cbs.verify(G, mpk, replaced, b"forged", cbs.sign(G, adv, fake_cert, b"forged"),
                                      at=150)) == "SIGNATURE_INVALID"


def test_signature_does_not_move_to_a_renewed_certificate(w: World) -> None:
    """A signature's user half is bound to its certificate's period: with the old and the renewed certificate
    (both public: CERT_ISSUE posts them) anyone can form sigma - cert_old + cert_new, which must not verify under
    the renewed certificate, nor under any prepared key or in a batch."""
    G, mpk = w.G, w.authority.pk
    renewed = cbs.certify(G, w.authority, "mi-1", w.user.pk, cbs.Period(200, 300))
    swapped = cbs.Signature(w.sig.sigma - w.cert.sigma + renewed.sigma)
    key = renewed.certified_key()
    assert code_of(lambda: cbs.verify(G, mpk, key, b"record 1", swapped, at=250)) == "SIGNATURE_INVALID"
    prepared = cbs.prepare_key(G, mpk, key)
    assert code_of(lambda: cbs.verify(G, mpk, prepared, b"record 1", swapped, at=250)) == "SIGNATURE_INVALID"
    good = cbs.sign(G, w.user, renewed, b"record 2")
    assert code_of(lambda: cbs.batch_verify(G, mpk, [(key, b"record 2", good), (key, b"record 1", swapped)],
                                            at=250, rng=DeterministicRNG("batch"))) == "BATCH_INVALID"
    # the same holds for a swap of identity: H_msg names the whole certified key
    cbs.verify(G, mpk, key, b"record 2", good, at=250)


def test_type_ii_known_master_key(w: World) -> None:
    """Type II: the adversary knows msk (so every certificate) but not the target's usk."""
    G, mpk = w.G, w.authority.pk
    key = w.cert.certified_key()
    cert = cbs.hash_cert(G, key) * w.authority.sk
    guess = cbs.keygen(G, DeterministicRNG("type-ii"))
    forgeries = [cert,                                                             # certificate alone
                 cert + cbs.hash_message(G, b"forged", key) * guess.sk,  # a wrong usk
                 w.sig.sigma]                                                     # a signature on another msg
    for forged in forgeries:
        assert code_of(lambda f=forged: cbs.verify(G, mpk, key, b"forged", cbs.Signature(f),
                                          at=150)) == "SIGNATURE_INVALID"


def test_batch_verify(w: World) -> None:
    G, mpk = w.G, w.authority.pk
    rng = DeterministicRNG("batch")
    users = [cbs.keygen(G, rng) for _ in range(4)]
    certs = [cbs.certify(G, w.authority, f"mi-{i}", u.pk, PERIOD) for i, u in enumerate(users)]
    items: list[cbs.BatchItem] = []
    for j in range(10):  # several messages per signer: the H_msg terms are grouped per key
        u, c = users[j % 4], certs[j % 4]
        items.append((c.identity, c.public_key, c.period, b"m%d" % j, cbs.sign(G, u, c, b"m%d" % j)))
    cbs.batch_verify(G, mpk, items, at=150, rng=rng)
    cbs.batch_verify(G, mpk, [], at=150, rng=rng)
    cbs.batch_verify(G, mpk, [(c.certified_key(), m, s) for (_, _, _, m, s), c in
                              zip(items, [certs[j % 4] for j in range(10)], strict=True)], at=150, rng=rng)
    bad = list(items)
    bad[7] = bad[7][:3] + (b"tampered", bad[7][4])
    assert code_of(lambda: cbs.batch_verify(G, mpk, bad, at=150, rng=rng)) == "BATCH_INVALID"
    assert cbs.find_invalid(G, mpk, bad, rng=rng) == [7]
    bad[2] = bad[2][:4] + (bad[3][4],)
    assert cbs.find_invalid(G, mpk, bad, rng=rng) == [2, 7]
    assert code_of(lambda: cbs.batch_verify(G, mpk, items, at=200, rng=rng)) == "CERT_EXPIRED"
    revoked = frozenset({certs[1].cert_id()})
    assert code_of(lambda: cbs.batch_verify(G, mpk, items, at=150, revoked=revoked, rng=rng)) == "CERT_REVOKED"


def test_batch_detects_cancelling_pair(w: World) -> None:
    """Two invalid signatures whose errors cancel in a plain sum are caught by the random coefficients."""
    G, mpk = w.G, w.authority.pk
    user2 = cbs.keygen(G, DeterministicRNG("u2"))
    cert2 = cbs.certify(G, w.authority, "mi-2", user2.pk, PERIOD)
    s1 = cbs.sign(G, w.user, w.cert, b"a")
    s2 = cbs.sign(G, user2, cert2, b"b")
    delta = G.g1() * 12345
    items: list[cbs.BatchItem] = [(w.cert.certified_key(), b"a", cbs.Signature(s1.sigma + delta)),
                                  (cert2.certified_key(), b"b", cbs.Signature(s2.sigma - delta))]
    assert code_of(lambda: cbs.batch_verify(G, mpk, items, at=150, rng=DeterministicRNG(1))) == "BATCH_INVALID"


def test_encodings_roundtrip_and_strictness(w: World) -> None:
    G = w.G
    for obj, cls in ((w.cert, cbs.Certificate), (w.cert.certified_key(), cbs.CertifiedKey),
                     (w.sig, cbs.Signature), (w.user, cbs.UserKeyPair), (w.authority, cbs.AuthorityKeyPair)):
        assert cls.from_bytes(G, obj.to_bytes()) == obj  # type: ignore[attr-defined]
        assert cls.from_json(G, obj.to_json()) == obj  # type: ignore[attr-defined]
    sig = w.sig.to_bytes()
    assert code_of(lambda: cbs.Signature.from_bytes(G, sig[:-1])) == "BAD_LENGTH"
    assert code_of(lambda: cbs.Signature.from_bytes(G, adversarial.identity(48))) == "IDENTITY_NOT_ALLOWED"
    assert code_of(lambda: cbs.Signature.from_json(G, "0x" + sig.hex().upper())) == "BAD_HEX"
    assert code_of(lambda: cbs.Signature.from_bytes(G, adversarial.g1_off_subgroup())) == "POINT_NOT_IN_SUBGROUP"
    cert = w.cert.to_bytes()
    assert code_of(lambda: cbs.Certificate.from_bytes(G, cert + b"\x00")) == "MALFORMED_ENCODING"
    assert code_of(lambda: cbs.Certificate.from_bytes(G, cert[:-1])) == "MALFORMED_ENCODING"
    identity_pk = adversarial.identity(96)
    body = w.cert.certified_key().to_bytes()
    n = 2 + len("mi-1")
    assert code_of(lambda: cbs.CertifiedKey.from_bytes(G, body[:n] + identity_pk + body[n + 96:])) == \
        "IDENTITY_NOT_ALLOWED"
    empty_period = body[:n + 96] + (5).to_bytes(8, "big") + (5).to_bytes(8, "big")
    assert code_of(lambda: cbs.CertifiedKey.from_bytes(G, empty_period)) == "MALFORMED_ENCODING"
    assert code_of(lambda: cbs.Certificate.from_json(G, {**w.cert.to_json(), "extra": 1})) == "BAD_JSON"
    assert code_of(lambda: cbs.Period.from_json({"start": True, "end": 3})) == "BAD_JSON"
    assert cbs.Period.from_bytes(PERIOD.to_bytes()) == PERIOD
    assert code_of(lambda: cbs.Period.from_bytes(PERIOD.to_bytes()[:-1])) == "MALFORMED_ENCODING"
    mismatched = w.user.to_bytes()[:32] + w.authority.pk.to_bytes()
    assert code_of(lambda: cbs.UserKeyPair.from_bytes(G, mismatched)) == "KEY_MISMATCH"
    assert "sk=<" in repr(w.user) and w.user.sk.to_bytes().hex() not in repr(w.user)


def test_cert_id_names_the_certified_key(w: World) -> None:
    key = w.cert.certified_key()
    assert w.cert.cert_id() == key.cert_id() and len(key.cert_id()) == 32
    assert attrs.evolve(key, period=cbs.Period(100, 201)).cert_id() != key.cert_id()


def test_batch_on_the_pure_backend(pure: PairingGroup) -> None:
    """The MSM-and-multi-pairing path on the reference backend (two signatures: it is slow)."""
    w = make_world(pure)
    user2 = cbs.keygen(pure, DeterministicRNG("u2"))
    cert2 = cbs.certify(pure, w.authority, "mi-2", user2.pk, PERIOD)
    items: list[cbs.BatchItem] = [(w.cert.certified_key(), b"record 1", w.sig),
                                  (cert2.certified_key(), b"b", cbs.sign(pure, user2, cert2, b"b"))]
    cbs.batch_verify(pure, w.authority.pk, items, at=150, rng=DeterministicRNG(1))
    items[1] = (cert2.certified_key(), b"c", items[1][2])
    assert code_of(lambda: cbs.batch_verify(pure, w.authority.pk, items, at=150, rng=DeterministicRNG(1))) == \
        "BATCH_INVALID"
