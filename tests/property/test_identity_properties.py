"""Properties of CBS and IBE over random identities, periods, messages and readings (native backend)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from medshare.reference.testbed import get_group
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


MSG = b"property message"
SIG = cbs.sign(G, SIGNERS[0], CERTS[0], MSG)
READING_KEY = ibe.extract(G, MASTER, "mi-prop", 2)
READING = ibe.encrypt_reading(G, MASTER.p_pub, "mi-prop", 2, "dev-1", 9, b"temperature=36.6", DeterministicRNG(3))


@settings(max_examples=25)
@given(position=st.integers(0, 47), bit=st.integers(0, 7))
def test_flipped_signature_bit_never_verifies(position: int, bit: int) -> None:
    """Any single bit flip of a signature's encoding is a decoding error or SIGNATURE_INVALID, never accepted."""
    data = bytearray(SIG.to_bytes())
    data[position] ^= 1 << bit
    try:
        cbs.verify(G, AUTH.pk, CERTS[0].certified_key(), MSG, cbs.Signature.from_bytes(G, bytes(data)), at=5)
        code = None
    except MedshareError as e:
        code = e.code
    assert code is not None


@settings(max_examples=25)
@given(data=st.data())
def test_tampered_reading_never_decrypts(data: st.DataObject) -> None:
    """Any single bit flip anywhere in a reading's encoding fails with a typed error, never a wrong plaintext."""
    raw = bytearray(READING.to_bytes())
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] ^= 1 << data.draw(st.integers(0, 7))
    try:
        ibe.decrypt_reading(G, READING_KEY, ibe.ReadingCiphertext.from_bytes(G, bytes(raw)))
        code = None
    except MedshareError as e:
        code = e.code
    assert code is not None
