"""FAME properties: decryption works exactly for satisfying sets, no collusion, tampering fails typed (through
the record primitives the protocol composes: encapsulate, derive_content_key, seal / decapsulate, open_sealed)."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from medshare.reference.testbed import get_group
from medshare.spec.crypto import fame, record
from medshare.spec.errors import MedshareError
from medshare.spec.policy import Attr, Node, Policy, Threshold, canonical_text, satisfies
from medshare.spec.protocol.protocol import RecordPolicy
from medshare.spec.rng import DeterministicRNG

NAMES = ("a", "b", "c", "irb@1", "irb@2")


@cache
def authority() -> tuple[fame.PublicKey, fame.MasterKey]:
    return fame.setup(get_group("native"), DeterministicRNG(b"fame-properties/setup"))


def policies(max_leaves: int = 5) -> st.SearchStrategy[Node]:
    leaves = st.sampled_from(NAMES).map(Attr)

    def gate(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
        return st.lists(children, min_size=2, max_size=3).flatmap(
            lambda cs: st.integers(1, len(cs)).map(lambda k: Threshold(k, tuple(cs))))

    return st.recursive(leaves, gate, max_leaves=max_leaves)


attribute_sets = st.frozensets(st.sampled_from(NAMES))


@given(policy=policies(), attributes=attribute_sets, seed=st.binary(min_size=1, max_size=8))
def test_decrypt_succeeds_exactly_when_satisfied(policy: Node, attributes: frozenset[str], seed: bytes) -> None:
    G = get_group("native")
    rng = DeterministicRNG(seed)
    pk, msk = authority()
    sk = fame.keygen(G, msk, attributes, rng)
    key, ct = fame.encrypt(G, pk, Policy.of(policy), rng)
    if satisfies(policy, attributes):
        assert fame.decrypt(G, sk, ct) == key
    else:
        with pytest.raises(MedshareError) as e:
            fame.decrypt(G, sk, ct)
        assert e.value.code == "POLICY_UNSATISFIED"


def policies_over(names: list[str]) -> st.SearchStrategy[Node]:
    leaves = st.sampled_from(names).map(Attr)
    return st.recursive(leaves, lambda ch: st.lists(ch, min_size=2, max_size=3).flatmap(
        lambda cs: st.integers(1, len(cs)).map(lambda k: Threshold(k, tuple(cs)))), max_leaves=3)


@st.composite
def collusion_cases(draw: st.DrawFn) -> tuple[Node, frozenset[str], frozenset[str]]:
    """A policy and two users who each fail it while their union satisfies it. Either an and of two
    sub-policies over disjoint attributes, or a k-of-n gate over distinct attributes split below k on each side."""
    names = draw(st.permutations(NAMES))
    if draw(st.booleans()):
        cut = draw(st.integers(1, len(names) - 1))
        na, nb = list(names[:cut]), list(names[cut:])
        return Threshold(2, (draw(policies_over(na)), draw(policies_over(nb)))), frozenset(na), frozenset(nb)
    n = draw(st.integers(2, len(names)))
    k = draw(st.integers(2, n))
    size_a = draw(st.integers(1, k - 1))
    size_b = draw(st.integers(max(1, k - size_a), min(k - 1, n - size_a)))
    return (Threshold(k, tuple(Attr(x) for x in names[:n])), frozenset(names[:size_a]),
            frozenset(names[size_a:size_a + size_b]))


@given(case=collusion_cases())
def test_collusion_of_two_half_keys_fails(case: tuple[Node, frozenset[str], frozenset[str]]) -> None:
    """Users A and B each fail the policy but their union satisfies it; every mix of their key parts fails."""
    policy, user_a, user_b = case
    assert satisfies(policy, user_a | user_b)
    assert not satisfies(policy, user_a) and not satisfies(policy, user_b)
    G = get_group("native")
    rng = DeterministicRNG(canonical_text(policy).encode() + b"|" + ",".join(sorted(user_a)).encode())
    pk, msk = authority()
    sk_a, sk_b = fame.keygen(G, msk, user_a, rng), fame.keygen(G, msk, user_b, rng)
    key, ct = fame.encrypt(G, pk, Policy.of(policy), rng)
    merged = tuple(sorted(sk_a.attributes + sk_b.attributes))
    honest = fame.keygen(G, msk, user_a | user_b, rng)
    assert fame.decrypt(G, honest, ct) == key
    for k0, kp in ((sk_a.k0, sk_a.kp), (sk_b.k0, sk_b.kp), (sk_a.k0, sk_b.kp), (sk_b.k0, sk_a.kp)):
        assert fame.decrypt(G, fame.AttributeKey(k0, merged, kp), ct) != key


SAMPLE_POLICY = "(a and b) or 2 of (a, c, irb@2)"


def seal_record(G: Any, pk: fame.PublicKey, policy: str, record_id: bytes, plaintext: bytes, rng: DeterministicRNG,
                k_pre: bytes) -> tuple[fame.Ciphertext, record.SealedRecord]:
    """Phase 3's record part: k_abe under the policy, k = derive(k_abe, k_pre), AES-GCM with AD (id, policy hash)."""
    k_abe, ct = record.encapsulate(G, pk, Policy.of(policy), rng)
    key = record.derive_content_key(k_abe, k_pre)
    return ct, record.seal(key, record_id, RecordPolicy.of(policy).hash, plaintext, rng)


def open_record(G: Any, sk: fame.AttributeKey, record_id: bytes, ct: fame.Ciphertext, sealed: record.SealedRecord,
                k_pre: bytes, p_hash: bytes) -> bytes:
    """Phase 7's record part: k_abe from the FAME key, k = derive(k_abe, k_pre), open with AD (id, policy hash)."""
    return record.open_sealed(record.derive_content_key(record.decapsulate(G, sk, ct), k_pre), record_id, p_hash,
                              sealed)


@cache
def sample_record() -> tuple[fame.AttributeKey, fame.Ciphertext, record.SealedRecord]:
    G = get_group("native")
    rng = DeterministicRNG(b"fame-properties/record")
    pk, msk = authority()
    sk = fame.keygen(G, msk, {"a", "b", "irb@2"}, rng)
    ct, sealed = seal_record(G, pk, SAMPLE_POLICY, b"record-7", b"blood pressure 120/80", rng, bytes(32))
    return sk, ct, sealed


def open_sample(G: Any, sk: fame.AttributeKey, ct: fame.Ciphertext, sealed: record.SealedRecord,
                record_id: bytes = b"record-7", k_pre: bytes = bytes(32), p_hash: bytes | None = None) -> bytes:
    return open_record(G, sk, record_id, ct, sealed, k_pre,
                       RecordPolicy.of(SAMPLE_POLICY).hash if p_hash is None else p_hash)


def _components(ct: fame.Ciphertext) -> list[tuple[str, int, int]]:
    return [("c0", 0, t) for t in range(3)] + [("row", i, ell) for i in range(len(ct.rows)) for ell in range(3)]


@given(data=st.data())
def test_tampering_any_component_fails_typed(data: st.DataObject) -> None:
    G = get_group("native")
    sk, ct, sealed = sample_record()
    assert open_sample(G, sk, ct, sealed) == b"blood pressure 120/80"
    where, i, ell = data.draw(st.sampled_from(_components(ct)))
    delta = data.draw(st.integers(1, 2**64))
    if where == "c0":
        c0 = list(ct.c0)
        c0[ell] = c0[ell] + G.g2() * delta
        tampered = fame.Ciphertext(ct.policy, (c0[0], c0[1], c0[2]), ct.rows)
    else:
        rows = [list(r) for r in ct.rows]
        rows[i][ell] = rows[i][ell] + G.g1() * delta
        tampered = fame.Ciphertext(ct.policy, ct.c0, tuple((r[0], r[1], r[2]) for r in rows))
    with pytest.raises(MedshareError) as e:
        open_sample(G, sk, tampered, sealed)
    assert e.value.code == "DECRYPTION_FAILED"


@given(position=st.integers(0, 10_000), bit=st.integers(0, 7))
def test_flipping_any_bit_of_the_encoding_fails_typed(position: int, bit: int) -> None:
    G = get_group("native")
    sk, ct, sealed = sample_record()
    data = bytearray(ct.to_bytes())
    data[position % len(data)] ^= 1 << bit
    with pytest.raises(MedshareError):
        open_sample(G, sk, fame.Ciphertext.from_bytes(G, bytes(data)), sealed)


@given(field=st.sampled_from(["nonce", "body", "record_id", "k_pre", "policy_hash"]), position=st.integers(0, 100))
def test_tampering_the_sealed_part_fails(field: str, position: int) -> None:
    G = get_group("native")
    sk, ct, sealed = sample_record()
    nonce, body, rid, k_pre = bytearray(sealed.nonce), bytearray(sealed.body), bytearray(b"record-7"), bytearray(32)
    p_hash = bytearray(RecordPolicy.of(SAMPLE_POLICY).hash)
    target = {"nonce": nonce, "body": body, "record_id": rid, "k_pre": k_pre, "policy_hash": p_hash}[field]
    target[position % len(target)] ^= 0x01
    with pytest.raises(MedshareError) as e:
        open_sample(G, sk, ct, record.SealedRecord(bytes(nonce), bytes(body)), bytes(rid), bytes(k_pre), bytes(p_hash))
    assert e.value.code == "DECRYPTION_FAILED"


def test_pure_backend_matches_native_byte_for_byte() -> None:
    """One small case on the reference backend: same seeds give the same keys, ciphertext and key on both."""
    out = []
    for backend in ("pure", "native"):
        G = get_group(backend)
        rng = DeterministicRNG(b"fame-properties/pure")
        pk, msk = fame.setup(G, rng)
        sk = fame.keygen(G, msk, {"a"}, rng)
        key, ct = fame.encrypt(G, pk, Policy.of("a"), rng)
        assert fame.decrypt(G, sk, ct) == key
        out.append((pk.to_bytes(), sk.to_bytes(), ct.to_bytes(), key.to_bytes()))
    assert out[0] == out[1]


def test_pure_backend_rejects_a_tampered_record() -> None:
    G = get_group("pure")
    rng = DeterministicRNG(b"fame-properties/pure-record")
    pk, msk = fame.setup(G, rng)
    sk = fame.keygen(G, msk, {"a"}, rng)
    ct, sealed = seal_record(G, pk, "a", b"r", b"pulse 61", rng, b"")
    p_hash = RecordPolicy.of("a").hash
    assert open_record(G, sk, b"r", ct, sealed, b"", p_hash) == b"pulse 61"
    tampered = fame.Ciphertext(ct.policy, ct.c0, ((ct.rows[0][0], ct.rows[0][1] + G.g1(), ct.rows[0][2]),))
    with pytest.raises(MedshareError) as e:
        open_record(G, sk, b"r", tampered, sealed, b"", p_hash)
    assert e.value.code == "DECRYPTION_FAILED"
