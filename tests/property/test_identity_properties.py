"""Properties of CBS and IBE over random identities, periods, messages and readings (native backend)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from medshare.reference.backends import get_group
from medshare.spec.crypto import cbs, ibe
from medshare.spec.errors import MedshareError
from medshare.spec.rng import DeterministicRNG

G = get_group("native")
AUTH = cbs.setup(G, DeterministicRNG("prop/authority"))
MASTER = ibe.setup(G, DeterministicRNG("prop/kgc"))
names = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=24)


@settings(max_examples=15)
@given(identity=names, start=st.integers(0, 2**63), length=st.integers(1, 2**20), message=st.binary(max_size=64),
       offset=st.integers(-3, 3), seed=st.integers(0, 2**32))
def test_cbs_verifies_exactly_within_its_period(identity: str, start: int, length: int, message: bytes,
                                                offset: int, seed: int) -> None:
    user = cbs.keygen(G, DeterministicRNG(seed))
    period = cbs.Period(start, start + length)
    cert = cbs.certify(G, AUTH, identity, user.pk, period)
    sig = cbs.sign(G, user, cert, message)
    at = (start if offset <= 0 else start + length - 1) + offset
    try:
        cbs.verify(G, AUTH.pk, cert.certified_key(), message, sig, at=at)
        code = "OK"
    except MedshareError as e:
        code = e.code
    expected = "CERT_NOT_YET_VALID" if at < start else ("CERT_EXPIRED" if at >= start + length else "OK")
    assert code == expected
    assert cbs.Certificate.from_bytes(G, cert.to_bytes()) == cert
    assert cbs.Signature.from_bytes(G, sig.to_bytes()) == sig


@settings(max_examples=15)
@given(identity=names, epoch=st.integers(0, 2**64 - 1), device=names, seq=st.integers(0, 2**64 - 1),
       reading=st.binary(max_size=200), seed=st.integers(0, 2**32))
def test_ibe_reading_roundtrip(identity: str, epoch: int, device: str, seq: int, reading: bytes, seed: int) -> None:
    rng = DeterministicRNG(seed)
    ct = ibe.encrypt_reading(G, MASTER.p_pub, identity, epoch, device, seq, reading, rng)
    key = ibe.extract(G, MASTER, identity, epoch)
    assert ibe.decrypt_reading(G, key, ibe.ReadingCiphertext.from_bytes(G, ct.to_bytes())) == reading


@settings(max_examples=15)
@given(data=st.binary(max_size=300))
def test_decoders_fail_typed(data: bytes) -> None:
    """Arbitrary bytes either decode to an object that re-encodes identically, or fail with a MedshareError."""
    for decode in (lambda b: cbs.Certificate.from_bytes(G, b), lambda b: cbs.CertifiedKey.from_bytes(G, b),
                   lambda b: ibe.ReadingCiphertext.from_bytes(G, b), lambda b: ibe.IdentityKey.from_bytes(G, b)):
        try:
            obj = decode(data)
        except MedshareError:
            continue
        assert obj.to_bytes() == data


SIGNERS = [cbs.keygen(G, DeterministicRNG(f"prop/signer {i}")) for i in range(3)]
CERTS = [cbs.certify(G, AUTH, f"signer-{i}", u.pk, cbs.Period(0, 10)) for i, u in enumerate(SIGNERS)]


@settings(max_examples=15)
@given(plan=st.lists(st.tuples(st.integers(0, 2), st.booleans()), min_size=1, max_size=7),
       seed=st.integers(0, 2**32))
def test_batch_accepts_iff_every_signature_is_valid(plan: list[tuple[int, bool]], seed: int) -> None:
    """Random batches over three signers with some signatures corrupted: batch_verify fails exactly when one is,
    and find_invalid names exactly the corrupted ones."""
    items: list[cbs.BatchItem] = []
    for j, (s, corrupt) in enumerate(plan):
        m = b"m%d" % j
        sig = cbs.sign(G, SIGNERS[s], CERTS[s], m)
        if corrupt:
            sig = cbs.Signature(sig.sigma + G.g1())
        items.append((CERTS[s].certified_key(), m, sig))
    bad = [j for j, (_, corrupt) in enumerate(plan) if corrupt]
    rng = DeterministicRNG(seed)
    assert cbs.find_invalid(G, AUTH.pk, items, rng=rng) == bad
    try:
        cbs.batch_verify(G, AUTH.pk, items, at=5, rng=rng)
        code = None
    except MedshareError as e:
        code = e.code
    assert code == ("BATCH_INVALID" if bad else None)
