"""FAME and record encryption: wire formats, strict decoding, epochs, secrets' repr."""

from __future__ import annotations

from functools import cache

import pytest
from medshare.reference.testbed import adversarial, get_group
from medshare.spec.crypto import fame, record
from medshare.spec.errors import MedshareError
from medshare.spec.policy import Policy, parse
from medshare.spec.rng import DeterministicRNG


@cache
def material() -> tuple[fame.PublicKey, fame.MasterKey, fame.AttributeKey, fame.Ciphertext]:
    G = get_group("native")
    rng = DeterministicRNG(b"test_fame")
    pk, msk = fame.setup(G, rng)
    sk = fame.keygen(G, msk, ["irb@1", "cardiology", "dpo"], rng)
    _, ct = fame.encrypt(G, pk, Policy.of("cardiology and (irb@1 or 2 of (dpo, x, y))"), rng)
    return pk, msk, sk, ct


def code(fn, *args) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(MedshareError) as e:
        fn(*args)
    return e.value.code


def test_round_trips() -> None:
    G = get_group("native")
    pk, msk, sk, ct = material()
    assert fame.PublicKey.from_bytes(G, pk.to_bytes()) == pk
    assert fame.PublicKey.from_json(G, pk.to_json()) == pk
    assert fame.MasterKey.from_bytes(G, msk.to_bytes()) == msk
    assert fame.MasterKey.from_json(G, msk.to_json()) == msk
    assert fame.AttributeKey.from_bytes(G, sk.to_bytes()) == sk
    assert fame.AttributeKey.from_json(G, sk.to_json()) == sk
    assert fame.Ciphertext.from_bytes(G, ct.to_bytes()) == ct
    assert fame.Ciphertext.from_json(G, ct.to_json()) == ct
    assert len(ct.to_bytes()) == 1 + 2 + len(ct.to_json()["policy"]) + 3 * 96 + 2 + 5 * 3 * 48


def test_secrets_print_a_fingerprint_only() -> None:
    _, msk, sk, _ = material()
    assert "fingerprint=" in repr(msk) and msk.to_bytes().hex()[:20] not in repr(msk)
    assert "fingerprint=" in repr(sk) and sk.to_bytes().hex()[2:40] not in repr(sk)
    assert str(msk.a1.value) not in repr(msk)


def test_strict_ciphertext_bytes() -> None:
    G = get_group("native")
    _, _, _, ct = material()
    data = ct.to_bytes()
    assert code(fame.Ciphertext.from_bytes, G, data + b"\x00") == "MALFORMED_ENCODING"
    assert code(fame.Ciphertext.from_bytes, G, data[:-1]) == "MALFORMED_ENCODING"
    assert code(fame.Ciphertext.from_bytes, G, b"\xf3" + data[1:]) == "MALFORMED_ENCODING"
    assert code(fame.Ciphertext.from_bytes, G, b"") == "MALFORMED_ENCODING"
    row0 = len(data) - 5 * 3 * 48
    bad = data[:row0] + adversarial.g1_off_subgroup() + data[row0 + 48:]
    assert code(fame.Ciphertext.from_bytes, G, bad) == "POINT_NOT_IN_SUBGROUP"
    ident = adversarial.identity(48)
    assert code(fame.Ciphertext.from_bytes, G, data[:row0] + ident + data[row0 + 48:]) == "IDENTITY_NOT_ALLOWED"


def test_strict_ciphertext_json() -> None:
    G = get_group("native")
    _, _, _, ct = material()
    j = ct.to_json()
    assert code(fame.Ciphertext.from_json, G, {**j, "extra": 1}) == "BAD_JSON"
    assert code(fame.Ciphertext.from_json, G, {**j, "policy": "(irb@1 or 2 of (dpo, x, y)) and cardiology"}) \
        == "MALFORMED_ENCODING"
    assert code(fame.Ciphertext.from_json, G, {**j, "policy": "cardiology and"}) == "POLICY_SYNTAX"
    assert code(fame.Ciphertext.from_json, G, {**j, "rows": j["rows"][:-1]}) == "MALFORMED_ENCODING"
    assert code(fame.Ciphertext.from_json, G, {**j, "c0": [j["c0"][0].upper(), *j["c0"][1:]]}) == "BAD_HEX"
    assert code(fame.Ciphertext.from_json, G, {**j, "c0": j["c0"][:2]}) == "BAD_JSON"


def test_strict_key_decoding() -> None:
    G = get_group("native")
    _, _, sk, _ = material()
    j = sk.to_json()
    swapped = {**j, "attributes": list(reversed(j["attributes"]))}
    assert code(fame.AttributeKey.from_json, G, swapped) == "MALFORMED_ENCODING"
    dup = {**j, "attributes": [j["attributes"][0], j["attributes"][0]]}
    assert code(fame.AttributeKey.from_json, G, dup) == "MALFORMED_ENCODING"
    bad_name = {**j, "attributes": [{**j["attributes"][0], "name": "Cardiology"}]}
    assert code(fame.AttributeKey.from_json, G, bad_name) == "ATTRIBUTE_INVALID"
    assert code(fame.AttributeKey.from_bytes, G, sk.to_bytes() + b"\x00") == "MALFORMED_ENCODING"
    assert code(fame.MasterKey.from_bytes, G, b"\xf2" + bytes(32 * 4 + 48 * 3)) == "SCALAR_ZERO_NOT_ALLOWED"


def test_epochs_separate_keys() -> None:
    G = get_group("native")
    pk, msk, sk, _ = material()
    rng = DeterministicRNG(b"epochs")
    key, ct = fame.encrypt(G, pk, Policy.of("cardiology and irb@2"), rng)
    with pytest.raises(MedshareError) as e:
        fame.decrypt(G, sk, ct)
    assert e.value.code == "POLICY_UNSATISFIED" and "irb@2" in e.value.message
    renewed = fame.keygen(G, msk, ["cardiology", "irb@2"], rng)
    assert fame.decrypt(G, renewed, ct) == key
    assert fame.hash_attribute(G, "irb@1", 1, 1) != fame.hash_attribute(G, "irb@2", 1, 1)


def test_duplicate_attributes_in_policy() -> None:
    G = get_group("native")
    pk, msk, _, _ = material()
    rng = DeterministicRNG(b"dups")
    key, ct = fame.encrypt(G, pk, Policy.of(parse("2 of (a, a, b) and (a or c)")), rng)
    assert fame.decrypt(G, fame.keygen(G, msk, ["a"], rng), ct) == key
    assert code(fame.decrypt, G, fame.keygen(G, msk, ["b", "c"], rng), ct) == "POLICY_UNSATISFIED"


def test_record_primitives_round_trip_and_key_combination() -> None:
    """encapsulate / decapsulate agree on k_abe, k = derive_content_key(k_abe, k_pre) depends on both parts, and
    seal / open_sealed bind (record id, policy hash); a wrong k_pre fails the tag."""
    G = get_group("native")
    pk, _, sk, _ = material()
    rng = DeterministicRNG(b"record")
    k_pre, p_hash = bytes(range(32)), bytes(range(32, 64))
    k_abe, ct = record.encapsulate(G, pk, Policy.of("cardiology"), rng)
    assert record.decapsulate(G, sk, ct) == k_abe and len(k_abe) == 32
    assert record.decapsulate(G, sk, fame.Ciphertext.from_bytes(G, ct.to_bytes())) == k_abe
    key = record.derive_content_key(k_abe, k_pre)
    assert key != record.derive_content_key(k_abe, b"") and len(key) == 32
    sealed = record.seal(key, b"rec-1", p_hash, b"ECG trace", rng)
    assert record.open_sealed(key, b"rec-1", p_hash, sealed) == b"ECG trace"
    assert code(record.open_sealed, record.derive_content_key(k_abe, b""), b"rec-1", p_hash, sealed) \
        == "DECRYPTION_FAILED"
    assert code(record.open_sealed, key, b"rec-1", bytes(32), sealed) == "DECRYPTION_FAILED"
    assert code(record.open_sealed, key, b"rec-2", p_hash, sealed) == "DECRYPTION_FAILED"
    assert record.SealedRecord.from_json(sealed.to_json()) == sealed
    assert record.SealedRecord.from_bytes(sealed.to_bytes()) == sealed
    assert code(record.SealedRecord.from_bytes, b"short") == "BAD_LENGTH"
    assert code(record.derive_content_key, b"short", b"") == "BAD_LENGTH"
    assert code(record.seal, key, b"", p_hash, b"x", rng) == "BAD_LENGTH"
    assert code(record.seal, key, b"rec-1", p_hash[:31], b"x", rng) == "BAD_LENGTH"
