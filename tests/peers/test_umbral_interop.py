"""Interoperability with the real peer, ``umbral-pre`` 0.11 (PyPI), in both directions (spec/crypto/umbral.md)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from medshare.spec.crypto import umbral as um
from medshare.spec.errors import MedshareError
from medshare.spec.rng import DeterministicRNG

up = pytest.importorskip("umbral_pre")
pytestmark = pytest.mark.peers

PLAINTEXT = b"record 7: ECG 12-lead, 2026-11-23"


class Pair:
    """The same key material on both sides: medshare objects and their umbral-pre twins."""

    def __init__(self, seed: bytes) -> None:
        self.rng = rng = DeterministicRNG(seed)
        self.a, self.b, self.sig_sk = (um.SecretKey.random(rng) for _ in range(3))
        self.A, self.B = self.a.public_key(), self.b.public_key()
        self.signer = um.Signer(self.sig_sk)
        self.S = self.signer.verifying_key()
        self.pa = up.SecretKey.from_be_bytes(self.a.to_bytes())
        self.pb = up.SecretKey.from_be_bytes(self.b.to_bytes())
        self.psigner = up.Signer(up.SecretKey.from_be_bytes(self.sig_sk.to_bytes()))
        self.pA, self.pB, self.pS = self.pa.public_key(), self.pb.public_key(), self.psigner.verifying_key()


@pytest.fixture
def pair(request: pytest.FixtureRequest) -> Pair:
    return Pair(request.node.nodeid.encode())


def test_keys_byte_equal(pair: Pair) -> None:
    assert pair.pa.to_be_bytes() == pair.a.to_bytes()
    assert pair.pA.to_compressed_bytes() == pair.A.to_bytes()
    assert pair.pS.to_compressed_bytes() == pair.S.to_bytes()
    assert um.PublicKey.from_bytes(pair.pB.to_compressed_bytes()) == pair.B
    assert um.SecretKey.from_bytes(up.SecretKey.random().to_be_bytes()).public_key().to_bytes()


def test_parameter_u_matches(pair: Pair) -> None:
    x, y = up.Parameters().u.coordinates
    point = um.parameter_u()
    assert point.to_bytes()[1:] == x and point.to_bytes()[0] == 2 + (y[-1] & 1)


@pytest.mark.parametrize("message", [b"", b"m", b"kfrag message " * 20])
def test_signatures_both_ways(pair: Pair, message: bytes) -> None:
    ours = pair.signer.sign(message, pair.rng)
    assert up.Signature.from_be_bytes(ours.to_bytes()).verify(pair.pS, message)
    assert not up.Signature.from_be_bytes(ours.to_bytes()).verify(pair.pS, message + b"!")
    theirs = pair.psigner.sign(message)
    parsed = um.Signature.from_bytes(theirs.to_be_bytes())
    assert parsed.to_bytes() == theirs.to_be_bytes()
    assert parsed.verify(pair.S, message) and not parsed.verify(pair.A, message)


def test_capsule_round_trips_both_ways(pair: Pair) -> None:
    capsule, ciphertext = um.encrypt(pair.A, PLAINTEXT, pair.rng)
    pcap = up.Capsule.from_bytes(capsule.to_bytes())
    assert bytes(pcap) == capsule.to_bytes() and pcap.to_bytes_simple() == capsule.to_bytes_simple()
    assert up.decrypt_original(pair.pa, pcap, ciphertext) == PLAINTEXT
    pcap2, pct2 = up.encrypt(pair.pA, PLAINTEXT)
    capsule2 = um.Capsule.from_bytes(bytes(pcap2))
    assert capsule2.to_bytes() == bytes(pcap2)
    assert um.decrypt_original(pair.a, capsule2, pct2) == PLAINTEXT


def test_medshare_kfrags_peer_reencrypts_medshare_decrypts(pair: Pair) -> None:
    capsule, ciphertext = um.encrypt(pair.A, PLAINTEXT, pair.rng)
    kfrags = um.generate_kfrags(pair.a, pair.B, pair.signer, 2, 3, True, True, pair.rng)
    pcap = up.Capsule.from_bytes(capsule.to_bytes())
    pkfrags = [up.KeyFrag.from_bytes(k.to_bytes()) for k in kfrags]
    assert [bytes(k) for k in pkfrags] == [k.to_bytes() for k in kfrags]
    verified = [k.verify(pair.pS, pair.pA, pair.pB) for k in pkfrags]
    pcfrags = [up.reencrypt(pcap, k) for k in verified[1:]]
    cfrags = [um.CapsuleFrag.from_bytes(bytes(c)) for c in pcfrags]
    assert [c.to_bytes() for c in cfrags] == [bytes(c) for c in pcfrags]
    assert [c.to_bytes_simple() for c in cfrags] == [c.to_bytes_simple() for c in pcfrags]
    checked = [um.verify_cfrag(c, capsule, pair.S, pair.A, pair.B) for c in cfrags]
    assert um.decrypt_reencrypted(pair.b, pair.A, capsule, checked, ciphertext, threshold=2) == PLAINTEXT
    # and the peer opens the same cfrags with the medshare ciphertext
    assert up.decrypt_reencrypted(pair.pb, pair.pA, pcap, pcfrags, ciphertext) == PLAINTEXT


def test_peer_kfrags_medshare_reencrypts_peer_decrypts(pair: Pair) -> None:
    pcap, pct = up.encrypt(pair.pA, PLAINTEXT)
    pkfrags = up.generate_kfrags(pair.pa, pair.pB, pair.psigner, 3, 5, False, True)
    capsule = um.Capsule.from_bytes(bytes(pcap))
    kfrags = [um.KeyFrag.from_bytes(bytes(k)) for k in pkfrags]
    assert [k.to_bytes() for k in kfrags] == [bytes(k) for k in pkfrags]
    verified = [um.verify_kfrag(k, pair.S, None, pair.B) for k in kfrags]
    cfrags = [um.reencrypt(capsule, k, pair.rng) for k in verified[:3]]
    pcfrags = [up.CapsuleFrag.from_bytes(c.to_bytes()).verify(pcap, pair.pS, pair.pA, pair.pB) for c in cfrags]
    assert [bytes(c) for c in pcfrags] == [c.to_bytes() for c in cfrags]
    assert up.decrypt_reencrypted(pair.pb, pair.pA, pcap, pcfrags, pct) == PLAINTEXT
    assert um.decrypt_reencrypted(pair.b, pair.A, capsule, cfrags, pct, threshold=3) == PLAINTEXT


def test_mixed_proxies(pair: Pair) -> None:
    """One cfrag from each side combine into one opening."""
    capsule, ciphertext = um.encrypt(pair.A, PLAINTEXT, pair.rng)
    kfrags = um.generate_kfrags(pair.a, pair.B, pair.signer, 2, 2, True, True, pair.rng)
    pcap = up.Capsule.from_bytes(capsule.to_bytes())
    ours = um.reencrypt(capsule, kfrags[0], pair.rng)
    theirs = up.reencrypt(pcap, up.KeyFrag.from_bytes(kfrags[1].to_bytes()).skip_verification())
    both_peer = [up.CapsuleFrag.from_bytes(ours.to_bytes()).verify(pcap, pair.pS, pair.pA, pair.pB), theirs]
    assert up.decrypt_reencrypted(pair.pb, pair.pA, pcap, both_peer, ciphertext) == PLAINTEXT
    both_ours = [ours, um.verify_cfrag(um.CapsuleFrag.from_bytes(bytes(theirs)), capsule, pair.S, pair.A, pair.B)]
    assert um.decrypt_reencrypted(pair.b, pair.A, capsule, both_ours, ciphertext) == PLAINTEXT


def test_both_reject_the_same_tampering(pair: Pair) -> None:
    """A tampered cfrag from the peer fails here with CFRAG_INVALID and fails the peer's own check."""
    pcap, _ = up.encrypt(pair.pA, PLAINTEXT)
    pk = up.generate_kfrags(pair.pa, pair.pB, pair.psigner, 1, 1, True, True)[0]
    data = bytearray(bytes(up.reencrypt(pcap, pk)))
    data[-64 - 3] ^= 1  # inside z3 (the last scalar before the bin 8 header of the 64-byte signature)
    with pytest.raises(MedshareError) as info:
        um.verify_cfrag(um.CapsuleFrag.from_bytes(bytes(data)), um.Capsule.from_bytes(bytes(pcap)), pair.S,
                        pair.A, pair.B)
    assert info.value.code == "CFRAG_INVALID"
    with pytest.raises(up.VerificationError):
        up.CapsuleFrag.from_bytes(bytes(data)).verify(pcap, pair.pS, pair.pA, pair.pB)


def test_degenerate_capsule_medshare_stricter_than_peer() -> None:
    """umbral-pre 0.11 decodes a capsule with E + V = identity (and panics on opening it); medshare rejects it."""
    from medshare.conformance.generators.umbral import degenerate_capsule

    raw = degenerate_capsule()
    assert bytes(up.Capsule.from_bytes(raw)) == raw
    with pytest.raises(MedshareError) as info:
        um.Capsule.from_bytes(raw)
    assert info.value.code == "CAPSULE_INVALID"


def test_peer_rejects_medshare_kfrag_with_bad_signature(pair: Pair) -> None:
    k = um.generate_kfrags(pair.a, pair.B, pair.signer, 1, 1, True, True, pair.rng)[0].kfrag
    forged = um.KeyFrag(k.id, k.key, k.precursor, k.commitment, pair.signer.sign(b"other", pair.rng),
                        k.signature_for_receiver, True, True)
    with pytest.raises(up.VerificationError):
        up.KeyFrag.from_bytes(forged.to_bytes()).verify(pair.pS, pair.pA, pair.pB)
    with pytest.raises(MedshareError) as info:
        um.verify_kfrag(forged, pair.S, pair.A, pair.B)
    assert info.value.code == "KFRAG_SIGNATURE_INVALID"


@settings(max_examples=10, deadline=None)
@given(t=st.integers(1, 3), extra=st.integers(0, 2), plaintext=st.binary(max_size=64), seed=st.binary(max_size=4))
def test_property_both_directions(t: int, extra: int, plaintext: bytes, seed: bytes) -> None:
    pair = Pair(b"prop/" + seed)
    capsule, ciphertext = um.encrypt(pair.A, plaintext, pair.rng)
    kfrags = um.generate_kfrags(pair.a, pair.B, pair.signer, t, t + extra, extra % 2 == 0, True, pair.rng)
    pcap = up.Capsule.from_bytes(capsule.to_bytes())
    delegating = pair.pA if extra % 2 == 0 else None
    pcfrags = [up.reencrypt(pcap, up.KeyFrag.from_bytes(k.to_bytes()).verify(pair.pS, delegating, pair.pB))
               for k in kfrags[extra:]]
    assert up.decrypt_reencrypted(pair.pb, pair.pA, pcap, pcfrags, ciphertext) == plaintext
    ours = [um.verify_cfrag(um.CapsuleFrag.from_bytes(bytes(c)), capsule, pair.S, pair.A, pair.B) for c in pcfrags]
    assert um.decrypt_reencrypted(pair.b, pair.A, capsule, ours, ciphertext, threshold=t) == plaintext


def test_bench_group_runs_quick() -> None:
    from medshare.reference.bench import umbral as bench

    results = bench.run(quick=True)
    ours = {r["name"] for r in results if r["backend"] == "medshare"}
    assert {"umbral.encrypt", "umbral.decrypt_original", "umbral.generate_kfrags_t2_n3", "umbral.reencrypt",
            "umbral.verify_cfrag", "umbral.decrypt_reencrypted_t2"} <= ours
    assert all("over_umbral_pre" in r["ratios"] for r in results if r["backend"] == "medshare")
