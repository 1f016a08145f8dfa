"""FAME properties: decryption works exactly for satisfying sets, no collusion, tampering fails typed."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given
from hypothesis import strategies as st
from medshare.reference.testbed import get_group
from medshare.spec.crypto import fame, record
from medshare.spec.errors import MedshareError
from medshare.spec.policy import Attr, Node, Threshold, canonical_text, satisfies
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
    key, ct = fame.encrypt(G, pk, policy, rng)
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
    key, ct = fame.encrypt(G, pk, policy, rng)
    merged = tuple(sorted(sk_a.attributes + sk_b.attributes))
    honest = fame.keygen(G, msk, user_a | user_b, rng)
    assert fame.decrypt(G, honest, ct) == key
    for k0, kp in ((sk_a.k0, sk_a.kp), (sk_b.k0, sk_b.kp), (sk_a.k0, sk_b.kp), (sk_b.k0, sk_a.kp)):
        assert fame.decrypt(G, fame.AttributeKey(k0, merged, kp), ct) != key


@cache
def sample_record() -> tuple[fame.AttributeKey, record.EncryptedRecord]:
    G = get_group("native")
    rng = DeterministicRNG(b"fame-properties/record")
    pk, msk = authority()
    sk = fame.keygen(G, msk, {"a", "b", "irb@2"}, rng)
    rec = record.encrypt_record(G, pk, "(a and b) or 2 of (a, c, irb@2)", b"record-7", b"blood pressure 120/80",
                                rng, k_extra=bytes(32))
    return sk, rec


def _components(ct: fame.Ciphertext) -> list[tuple[str, int, int]]:
    return [("c0", 0, t) for t in range(3)] + [("row", i, ell) for i in range(len(ct.rows)) for ell in range(3)]


@given(data=st.data())
def test_tampering_any_component_fails_typed(data: st.DataObject) -> None:
    G = get_group("native")
    sk, rec = sample_record()
    assert record.decrypt_record(G, sk, b"record-7", rec, k_extra=bytes(32)) == b"blood pressure 120/80"
    ct = rec.key_part
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
        record.decrypt_record(G, sk, b"record-7", record.EncryptedRecord(tampered, rec.sealed), k_extra=bytes(32))
    assert e.value.code == "DECRYPTION_FAILED"


@given(position=st.integers(0, 10_000), bit=st.integers(0, 7))
def test_flipping_any_bit_of_the_encoding_fails_typed(position: int, bit: int) -> None:
    G = get_group("native")
    sk, rec = sample_record()
    data = bytearray(rec.key_part.to_bytes())
    data[position % len(data)] ^= 1 << bit
    with pytest.raises(MedshareError):
        ct = fame.Ciphertext.from_bytes(G, bytes(data))
        record.decrypt_record(G, sk, b"record-7", record.EncryptedRecord(ct, rec.sealed), k_extra=bytes(32))


@given(field=st.sampled_from(["nonce", "body", "record_id", "k_extra"]), position=st.integers(0, 100))
def test_tampering_the_sealed_part_fails(field: str, position: int) -> None:
    G = get_group("native")
    sk, rec = sample_record()
    nonce, body, rid, extra = bytearray(rec.sealed.nonce), bytearray(rec.sealed.body), bytearray(b"record-7"), \
        bytearray(32)
    target = {"nonce": nonce, "body": body, "record_id": rid, "k_extra": extra}[field]
    target[position % len(target)] ^= 0x01
    tampered = record.EncryptedRecord(rec.key_part, record.SealedRecord(bytes(nonce), bytes(body)))
    with pytest.raises(MedshareError) as e:
        record.decrypt_record(G, sk, bytes(rid), tampered, k_extra=bytes(extra))
    assert e.value.code == "DECRYPTION_FAILED"


def test_pure_backend_matches_native_byte_for_byte() -> None:
    """One small case on the reference backend: same seeds give the same keys, ciphertext and key on both."""
    out = []
    for backend in ("pure", "native"):
        G = get_group(backend)
        rng = DeterministicRNG(b"fame-properties/pure")
        pk, msk = fame.setup(G, rng)
        sk = fame.keygen(G, msk, {"a"}, rng)
        key, ct = fame.encrypt(G, pk, "a", rng)
        assert fame.decrypt(G, sk, ct) == key
        out.append((pk.to_bytes(), sk.to_bytes(), ct.to_bytes(), key.to_bytes()))
    assert out[0] == out[1]


def test_pure_backend_rejects_a_tampered_record() -> None:
    G = get_group("pure")
    rng = DeterministicRNG(b"fame-properties/pure-record")
    pk, msk = fame.setup(G, rng)
    sk = fame.keygen(G, msk, {"a"}, rng)
    rec = record.encrypt_record(G, pk, "a", b"r", b"pulse 61", rng)
    assert record.decrypt_record(G, sk, b"r", rec) == b"pulse 61"
    ct = rec.key_part
    tampered = fame.Ciphertext(ct.policy, ct.c0, ((ct.rows[0][0], ct.rows[0][1] + G.g1(), ct.rows[0][2]),))
    with pytest.raises(MedshareError) as e:
        record.decrypt_record(G, sk, b"r", record.EncryptedRecord(tampered, rec.sealed))
    assert e.value.code == "DECRYPTION_FAILED"
