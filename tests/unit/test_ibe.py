"""Boneh–Franklin IBE KEM + AES-256-GCM readings (spec/crypto/ibe.md): correctness on both backends, and the
adversarial cases with their error codes."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest
from medshare.reference.testbed import adversarial, get_group
from medshare.spec.crypto import ibe
from medshare.spec.errors import MedshareError
from medshare.spec.group import PairingGroup
from medshare.spec.rng import DeterministicRNG


def code_of(fn: Callable[[], object]) -> str:
    with pytest.raises(MedshareError) as e:
        fn()
    return e.value.code


@attrs.frozen
class World:
    G: PairingGroup
    master: ibe.MasterKeyPair
    key: ibe.IdentityKey
    ct: ibe.ReadingCiphertext


def make_world(G: PairingGroup) -> World:
    rng = DeterministicRNG("ibe")
    master = ibe.setup(G, rng)
    key = ibe.extract(G, master, "mi-1", 3)
    ct = ibe.encrypt_reading(G, master.p_pub, "mi-1", 3, "device-9", 41, b"spo2=97", rng)
    return World(G, master, key, ct)


@pytest.fixture(scope="module")
def w() -> World:
    return make_world(get_group("native"))


def test_roundtrip_both_backends_agree(group: PairingGroup) -> None:
    w = make_world(group)
    ibe.verify_identity_key(group, w.master.p_pub, w.key, identity="mi-1", epoch=3)
    assert ibe.decrypt_reading(group, w.key, w.ct) == b"spo2=97"
    assert w.ct.to_bytes() == make_world(get_group("native")).ct.to_bytes()
    k, enc = ibe.encapsulate(group, w.master.p_pub, "mi-1", 3, DeterministicRNG("kem"))
    assert ibe.decapsulate(group, w.key, "mi-1", 3, enc) == k and len(k) == 32


def test_wrong_identity_or_epoch_key(w: World) -> None:
    G = w.G
    other_id = ibe.extract(G, w.master, "mi-2", 3)
    other_epoch = ibe.extract(G, w.master, "mi-1", 4)
    for key in (other_id, other_epoch):
        assert code_of(lambda k=key: ibe.decrypt_reading(G, k, w.ct)) == "KEY_MISMATCH"
        # a key relabelled to claim the right identity/epoch: caught on import, else by the AEAD
        relabelled = attrs.evolve(key, identity="mi-1", epoch=3)
        assert code_of(lambda r=relabelled: ibe.verify_identity_key(G, w.master.p_pub, r)) == "KEY_MISMATCH"
        assert code_of(lambda r=relabelled: ibe.decrypt_reading(G, r, w.ct)) == "DECRYPTION_FAILED"
    assert code_of(lambda: ibe.verify_identity_key(G, w.master.p_pub, w.key, epoch=4)) == "KEY_MISMATCH"
    assert code_of(lambda: ibe.verify_identity_key(G, w.master.p_pub, w.key, identity="mi-2")) == "KEY_MISMATCH"
    foreign = ibe.setup(G, DeterministicRNG("other kgc"))
    assert code_of(lambda: ibe.verify_identity_key(G, foreign.p_pub, w.key)) == "KEY_MISMATCH"


def test_tampering(w: World) -> None:
    G, key, ct = w.G, w.key, w.ct
    flipped = bytearray(ct.body)
    flipped[0] ^= 1
    cases = [attrs.evolve(ct, body=bytes(flipped)),
             attrs.evolve(ct, body=ct.body[:-1] + bytes([ct.body[-1] ^ 0x80])),
             attrs.evolve(ct, device_id="device-8"),
             attrs.evolve(ct, sequence=42),
             attrs.evolve(ct, encapsulation=ibe.Encapsulation(ct.encapsulation.u + G.g2()))]
    for bad in cases:
        assert code_of(lambda b=bad: ibe.decrypt_reading(G, key, b)) == "DECRYPTION_FAILED"
    # the identity/epoch are in the AD and the KDF: another epoch's key is refused before any decryption
    assert code_of(lambda: ibe.decrypt_reading(G, key, attrs.evolve(ct, epoch=4))) == "KEY_MISMATCH"
    assert code_of(lambda: ibe.decapsulate(G, key, "mi-1", 3, ibe.Encapsulation(G.identity_g2()))) == \
        "DECRYPTION_FAILED"


def test_encodings(w: World) -> None:
    G = w.G
    for obj, cls in ((w.ct, ibe.ReadingCiphertext), (w.key, ibe.IdentityKey), (w.master, ibe.MasterKeyPair)):
        assert cls.from_bytes(G, obj.to_bytes()) == obj  # type: ignore[attr-defined]
        assert cls.from_json(G, obj.to_json()) == obj  # type: ignore[attr-defined]
    enc = w.ct.encapsulation
    assert ibe.Encapsulation.from_json(G, enc.to_json()) == enc
    raw = w.ct.to_bytes()
    assert code_of(lambda: ibe.ReadingCiphertext.from_bytes(G, raw + b"\x00")) == "MALFORMED_ENCODING"
    assert code_of(lambda: ibe.ReadingCiphertext.from_bytes(G, raw[:-1])) == "MALFORMED_ENCODING"
    assert code_of(lambda: ibe.Encapsulation.from_bytes(G, adversarial.identity(96))) == "IDENTITY_NOT_ALLOWED"
    assert code_of(lambda: ibe.Encapsulation.from_bytes(G, bytes(96))) == "BAD_FLAGS"
    assert code_of(lambda: ibe.IdentityKey.from_json(G, {**w.key.to_json(), "epoch": -1})) == "BAD_JSON"
    assert code_of(lambda: ibe.ReadingCiphertext.from_json(G, {**w.ct.to_json(), "body": "0x00"})) == \
        "MALFORMED_ENCODING"
    bad_master = w.master.s.to_bytes() + ibe.setup(G, DeterministicRNG(5)).p_pub.to_bytes()
    assert code_of(lambda: ibe.MasterKeyPair.from_bytes(G, bad_master)) == "KEY_MISMATCH"
    assert w.master.s.to_bytes().hex() not in repr(w.master) and w.key.d.to_bytes().hex() not in repr(w.key)


def test_hkdf_rfc5869_case_1() -> None:
    ikm = bytes([0x0B] * 22)
    salt = bytes(range(13))
    info = bytes(range(0xF0, 0xFA))
    okm = ibe.hkdf_sha256(ikm, info, 42, salt)
    assert okm.hex() == ("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                         "34007208d5b887185865")
