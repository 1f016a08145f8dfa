"""Umbral on secp256k1 (spec/crypto/umbral.md): known answers, round trips, strict decoding, adversarial cases."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st
from medshare.spec.crypto import secp256k1 as ec
from medshare.spec.crypto import umbral as um
from medshare.spec.crypto import xchacha20poly1305 as xc
from medshare.spec.errors import MedshareError
from medshare.spec.rng import DeterministicRNG

RFC9380_DST = b"QUUX-V01-CS02-with-secp256k1_XMD:SHA-256_SSWU_RO_"


def code_of(fn, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(MedshareError) as info:
        fn(*args, **kwargs)
    return info.value.code


class World:
    """Alice, Bob, a signer, one ciphertext and t-of-n kfrags and cfrags, all from one seed."""

    def __init__(self, seed: bytes, t: int = 2, n: int = 3) -> None:
        self.rng = rng = DeterministicRNG(seed)
        self.a = um.SecretKey.random(rng)
        self.b = um.SecretKey.random(rng)
        self.A, self.B = self.a.public_key(), self.b.public_key()
        self.signer = um.Signer(um.SecretKey.random(rng))
        self.S = self.signer.verifying_key()
        self.plaintext = b"patient 42: HbA1c 6.1%"
        self.capsule, self.ciphertext = um.encrypt(self.A, self.plaintext, rng)
        self.t = t
        self.kfrags = um.generate_kfrags(self.a, self.B, self.signer, t, n, True, True, rng)
        self.cfrags = [um.reencrypt(self.capsule, k, rng) for k in self.kfrags]


@pytest.fixture(scope="module")
def w() -> World:
    return World(b"unit/umbral")


# -- known answers --------------------------------------------------------------------------------------------
def test_hash_to_curve_rfc9380_vectors() -> None:
    # RFC 9380 Appendix J.8.1 (secp256k1_XMD:SHA-256_SSWU_RO_)
    p = ec.hash_to_curve(b"", RFC9380_DST)
    assert p.to_bytes().hex() == "03c1cae290e291aee617ebaef1be6d73861479c48b841eaba9b7b5852ddfeb1346"
    assert ec.hash_to_curve(b"abc", RFC9380_DST).x() == \
        0x3377E01EAB42DB296B512293120C6CEE72B6ECF9F9205760BD9FF11FB3CB2C4B


def test_parameter_u_is_umbral_pre_point() -> None:
    assert um.parameter_u().to_bytes().hex() == \
        "03079390d0fbe220fc34aab8ecbf49098098036820fadb98c03143e55db8ec73cd"


def test_hchacha20_draft_vector() -> None:
    key = bytes(range(32))
    nonce = bytes.fromhex("000000090000004a0000000031415927")
    assert xc.hchacha20(key, nonce).hex() == "82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc"


def test_hkdf_rfc5869_case3() -> None:
    okm = xc.hkdf_sha256(bytes([0x0B] * 22), 42)
    assert okm.hex().startswith("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d")


def test_hash_to_scalar_never_zero_and_reduces_mod_n_minus_1() -> None:
    w_ = int.from_bytes(hashlib.sha256(b"\x00\x00\x00\x03abcxyz").digest(), "big")
    assert ec.hash_to_scalar(b"abc", [b"xyz"]) == w_ % (ec.N - 1) + 1


def test_deterministic_outputs() -> None:
    one, two = World(b"same"), World(b"same")
    assert one.capsule.to_bytes() == two.capsule.to_bytes()
    assert [k.to_bytes() for k in one.kfrags] == [k.to_bytes() for k in two.kfrags]
    assert one.cfrags[0].to_bytes() == two.cfrags[0].to_bytes()


# -- round trips ------------------------------------------------------------------------------------------------
def test_decrypt_original_and_reencrypted(w: World) -> None:
    assert um.decrypt_original(w.a, w.capsule, w.ciphertext) == w.plaintext
    for pair in ([0, 1], [1, 2], [2, 0], [0, 1, 2]):
        chosen = [um.verify_cfrag(w.cfrags[i].cfrag, w.capsule, w.S, w.A, w.B) for i in pair]
        assert um.decrypt_reencrypted(w.b, w.A, w.capsule, chosen, w.ciphertext, threshold=2) == w.plaintext


def test_sizes_and_encodings_round_trip(w: World) -> None:
    assert len(w.capsule.to_bytes()) == 105 and len(w.capsule.to_bytes_simple()) == 98
    assert len(w.kfrags[0].to_bytes()) == 310 and len(w.cfrags[0].to_bytes()) == 381
    assert um.Capsule.from_bytes(w.capsule.to_bytes()) == w.capsule
    assert um.Capsule.from_json(w.capsule.to_json()) == w.capsule
    k = w.kfrags[0].kfrag
    assert um.KeyFrag.from_bytes(k.to_bytes()) == k and um.KeyFrag.from_json(k.to_json()) == k
    c = w.cfrags[0].cfrag
    assert um.CapsuleFrag.from_bytes(c.to_bytes()) == c and um.CapsuleFrag.from_json(c.to_json()) == c
    assert um.SecretKey.from_bytes(w.a.to_bytes()) == w.a and um.PublicKey.from_json(w.A.to_json()) == w.A
    assert "fingerprint" in repr(w.a) and w.a.to_bytes().hex() not in repr(w.a)


@given(t=st.integers(1, 4), extra=st.integers(0, 2), seed=st.binary(min_size=1, max_size=8))
def test_any_t_of_n_decrypts(t: int, extra: int, seed: bytes) -> None:
    world = World(b"prop/" + seed, t=t, n=t + extra)
    chosen = [um.verify_cfrag(c.cfrag, world.capsule, world.S, world.A, world.B) for c in world.cfrags[extra:]]
    assert um.decrypt_reencrypted(world.b, world.A, world.capsule, chosen, world.ciphertext) == world.plaintext


def test_ecdsa_low_s_and_high_s_rejected(w: World) -> None:
    sig = w.signer.sign(b"m", w.rng)
    assert sig.s <= ec.N // 2 and sig.verify(w.S, b"m")
    assert not um.Signature(sig.r, ec.N - sig.s).verify(w.S, b"m")
    assert not sig.verify(w.S, b"m'") and not sig.verify(w.A, b"m")


# -- adversarial ----------------------------------------------------------------------------------------------
def _tamper_point(p: ec.Point) -> ec.Point:
    return p + ec.Point.generator()


def test_tampered_capsule(w: World) -> None:
    bad = um.Capsule(w.capsule.point_e, w.capsule.point_v, (w.capsule.signature + 1) % ec.N)
    assert code_of(um.Capsule.from_bytes, bad.to_bytes()) == "CAPSULE_INVALID"
    assert code_of(um.Capsule.from_json, bad.to_json()) == "CAPSULE_INVALID"
    swapped = um.Capsule(w.capsule.point_v, w.capsule.point_e, w.capsule.signature)
    assert not swapped.is_valid()


def test_degenerate_capsule_rejected() -> None:
    from medshare.conformance.generators.umbral import degenerate_capsule

    raw = degenerate_capsule()
    e, v = ec.Point.from_bytes(raw[3:36]), ec.Point.from_bytes(raw[38:71])
    s = int.from_bytes(raw[73:], "big")
    assert ec.Point.mul_base(s) == v + e * um.hash_capsule_points(e, v)  # the equation alone holds
    assert code_of(um.Capsule.from_bytes, raw) == "CAPSULE_INVALID"


def test_tampered_ciphertext(w: World) -> None:
    ct = bytearray(w.ciphertext)
    ct[-1] ^= 1
    assert code_of(um.decrypt_original, w.a, w.capsule, bytes(ct)) == "DECRYPTION_FAILED"
    assert code_of(um.decrypt_original, w.b, w.capsule, w.ciphertext) == "DECRYPTION_FAILED"
    assert code_of(um.decrypt_original, w.a, w.capsule, w.ciphertext[:39]) == "BAD_LENGTH"


@pytest.mark.parametrize("field", ["point_e1", "point_v1", "point_e2", "point_v2", "kfrag_pok", "signature"])
def test_tampered_cfrag_proof_components(w: World, field: str) -> None:
    c = w.cfrags[0].cfrag
    value = getattr(c, field)
    new = (value + 1) % ec.N if field == "signature" else _tamper_point(value)
    bad = um.CapsuleFrag(**{**_fields(c), field: new})
    assert code_of(um.verify_cfrag, bad, w.capsule, w.S, w.A, w.B) == "CFRAG_INVALID"


@pytest.mark.parametrize("field", ["kfrag_id", "precursor", "kfrag_commitment", "kfrag_signature"])
def test_tampered_cfrag_signed_components(w: World, field: str) -> None:
    c = w.cfrags[0].cfrag
    value = getattr(c, field)
    if field == "kfrag_id":
        new = bytes([value[0] ^ 1]) + value[1:]
    elif field == "kfrag_signature":
        new = um.Signature(value.r, (value.s + 1) % ec.N)
    else:
        new = _tamper_point(value)
    bad = um.CapsuleFrag(**{**_fields(c), field: new})
    assert code_of(um.verify_cfrag, bad, w.capsule, w.S, w.A, w.B) == "KFRAG_SIGNATURE_INVALID"


def _fields(obj: object) -> dict[str, object]:
    return {a.name: getattr(obj, a.name) for a in obj.__attrs_attrs__}  # type: ignore[attr-defined]


def test_cfrag_for_another_capsule_fails_proof(w: World) -> None:
    other_capsule, _ = um.encrypt(w.A, b"other", w.rng)
    assert code_of(um.verify_cfrag, w.cfrags[0].cfrag, other_capsule, w.S, w.A, w.B) == "CFRAG_INVALID"


def test_fewer_than_t_cfrags(w: World) -> None:
    one = [w.cfrags[0]]
    assert code_of(um.decrypt_reencrypted, w.b, w.A, w.capsule, one, w.ciphertext, threshold=2) == \
        "NOT_ENOUGH_CFRAGS"
    # without the threshold, the combination check catches the short set before any key is used
    assert code_of(um.decrypt_reencrypted, w.b, w.A, w.capsule, one, w.ciphertext) == "CFRAG_MISMATCH"
    assert code_of(um.decrypt_reencrypted, w.b, w.A, w.capsule, [], w.ciphertext) == "NOT_ENOUGH_CFRAGS"


def test_repeated_cfrags(w: World) -> None:
    twice = [w.cfrags[0], w.cfrags[0]]
    assert code_of(um.decrypt_reencrypted, w.b, w.A, w.capsule, twice, w.ciphertext) == "CFRAG_MISMATCH"


def test_cfrag_from_kfrag_for_someone_else(w: World) -> None:
    carol = um.SecretKey.random(w.rng)
    kf_carol = um.generate_kfrags(w.a, carol.public_key(), w.signer, 2, 2, True, True, w.rng)
    cf_carol = um.reencrypt(w.capsule, kf_carol[0], w.rng)
    # Bob checks the cfrag against his own key: the kfrag signature binds Carol's
    assert code_of(um.verify_cfrag, cf_carol.cfrag, w.capsule, w.S, w.A, w.B) == "KFRAG_SIGNATURE_INVALID"
    # skipping the check and combining still fails: other precursor
    mixed = [w.cfrags[0], cf_carol]
    assert code_of(um.decrypt_reencrypted, w.b, w.A, w.capsule, mixed, w.ciphertext) == "CFRAG_MISMATCH"
    # Carol with her own two cfrags succeeds; Bob with Carol's two does not
    both = [um.reencrypt(w.capsule, k, w.rng) for k in kf_carol]
    assert um.decrypt_reencrypted(carol, w.A, w.capsule, both, w.ciphertext) == w.plaintext
    assert code_of(um.decrypt_reencrypted, w.b, w.A, w.capsule, both, w.ciphertext) == "CFRAG_MISMATCH"


def test_cfrags_from_different_capsules_mixed(w: World) -> None:
    capsule2, _ = um.encrypt(w.A, b"second record", w.rng)
    cf2 = um.reencrypt(capsule2, w.kfrags[1], w.rng)
    mixed = [w.cfrags[0], cf2]
    assert code_of(um.decrypt_reencrypted, w.b, w.A, w.capsule, mixed, w.ciphertext) == "CFRAG_MISMATCH"


def test_kfrag_checks(w: World) -> None:
    k = w.kfrags[0].kfrag
    assert um.verify_kfrag(k, w.S, w.A, w.B).kfrag == k
    bad_sig = um.KeyFrag(**{**_fields(k), "signature_for_proxy": um.Signature(k.signature_for_proxy.r, 1)})
    assert code_of(um.verify_kfrag, bad_sig, w.S, w.A, w.B) == "KFRAG_SIGNATURE_INVALID"
    bad_key = um.KeyFrag(**{**_fields(k), "key": (k.key + 1) % ec.N})
    assert code_of(um.verify_kfrag, bad_key, w.S, w.A, w.B) == "KFRAG_INVALID"
    assert code_of(um.verify_kfrag, k, w.S, None, w.B) == "KFRAG_SIGNATURE_INVALID"
    assert code_of(um.verify_kfrag, k, w.S, w.A, w.A) == "KFRAG_SIGNATURE_INVALID"
    assert code_of(um.verify_kfrag, k, w.A, w.A, w.B) == "KFRAG_SIGNATURE_INVALID"
    unsigned = um.generate_kfrags(w.a, w.B, w.signer, 1, 1, False, False, w.rng)[0].kfrag
    assert um.verify_kfrag(unsigned, w.S).kfrag == unsigned
    assert code_of(um.generate_kfrags, w.a, w.B, w.signer, 3, 2, True, True, w.rng) == "INVALID_ARGUMENT"


# -- strict decoding ------------------------------------------------------------------------------------------
def test_point_decoding() -> None:
    g = ec.Point.generator().to_bytes()
    assert ec.Point.from_bytes(g) == ec.Point.generator()
    assert code_of(ec.Point.from_bytes, g[:-1]) == "BAD_LENGTH"
    assert code_of(ec.Point.from_bytes, b"\x04" + g[1:]) == "BAD_FLAGS"
    assert code_of(ec.Point.from_bytes, b"\x00" * 33) == "BAD_FLAGS"
    assert code_of(ec.Point.from_bytes, b"\x02" + ec.P.to_bytes(32, "big")) == "COORDINATE_NOT_CANONICAL"
    x = next(x for x in range(1, 100) if pow((x**3 + 7) % ec.P, (ec.P - 1) // 2, ec.P) != 1)
    assert code_of(ec.Point.from_bytes, b"\x02" + x.to_bytes(32, "big")) == "POINT_NOT_ON_CURVE"


def test_scalar_and_key_decoding() -> None:
    assert code_of(um.SecretKey.from_bytes, bytes(32)) == "SCALAR_ZERO_NOT_ALLOWED"
    assert code_of(um.SecretKey.from_bytes, ec.N.to_bytes(32, "big")) == "SCALAR_OUT_OF_RANGE"
    assert code_of(um.SecretKey.from_bytes, bytes(31)) == "BAD_LENGTH"
    assert code_of(um.Signature.from_bytes, bytes(64)) == "SCALAR_ZERO_NOT_ALLOWED"
    assert code_of(um.Signature.from_bytes, bytes(65)) == "BAD_LENGTH"
    assert code_of(um.PublicKey.from_json, "0xZZ") == "BAD_HEX"
    assert code_of(um.PublicKey.from_json, "0x" + "AB" * 33) == "BAD_HEX"


def test_wire_decoding(w: World) -> None:
    cap = w.capsule.to_bytes()
    assert code_of(um.Capsule.from_bytes, cap + b"\x00") == "MALFORMED_ENCODING"
    assert code_of(um.Capsule.from_bytes, cap[:-1]) == "MALFORMED_ENCODING"
    assert code_of(um.Capsule.from_bytes, b"\x83" + cap[1:]) == "MALFORMED_ENCODING"
    assert code_of(um.Capsule.from_bytes, b"") == "MALFORMED_ENCODING"
    kf = w.kfrags[0].to_bytes()
    assert code_of(um.KeyFrag.from_bytes, kf[:-1] + b"\x01") == "MALFORMED_ENCODING"  # bool byte
    other_u = ec.Point.generator().to_bytes()
    assert code_of(um.KeyFrag.from_bytes, kf[:4] + other_u + kf[37:]) == "KFRAG_INVALID"
    cf = w.cfrags[0].to_bytes()
    assert code_of(um.CapsuleFrag.from_bytes, cf[:1] + b"\xc4\x20" + cf[3:]) == "BAD_LENGTH"
    assert code_of(um.CapsuleFrag.from_json, {**w.cfrags[0].cfrag.to_json(), "extra": "0x"}) == "BAD_JSON"
    assert code_of(um.KeyFrag.from_json, {**w.kfrags[0].kfrag.to_json(), "delegatingKeySigned": 1}) == "BAD_JSON"


@given(st.binary(max_size=400))
def test_random_bytes_never_crash(data: bytes) -> None:
    for decode in (um.Capsule.from_bytes, um.KeyFrag.from_bytes, um.CapsuleFrag.from_bytes):
        try:
            decode(data)
        except MedshareError:
            pass


@given(pos=st.integers(0, 380), bit=st.integers(0, 7))
def test_cfrag_bit_flips_are_caught(pos: int, bit: int) -> None:
    w = _SHARED
    data = bytearray(w.cfrags[0].to_bytes())
    data[pos] ^= 1 << bit
    try:
        c = um.CapsuleFrag.from_bytes(bytes(data))
        um.verify_cfrag(c, w.capsule, w.S, w.A, w.B)
    except MedshareError:
        return
    pytest.fail("a flipped bit in a cfrag was accepted")


_SHARED = World(b"unit/umbral/shared")


def test_ecdsa_agrees_with_libsecp256k1() -> None:
    """Our ECDSA against libsecp256k1's own signer and verifier (coincurve), both ways."""
    import coincurve

    def sha256(m: bytes) -> bytes:
        return hashlib.sha256(m).digest()

    rng = DeterministicRNG(b"ecdsa/differential")
    for i in range(5):
        sk = um.SecretKey.random(rng)
        msg = b"message %d" % i
        ours = um.Signer(sk).sign(msg, rng)
        assert coincurve.PublicKey(sk.public_key().to_bytes()).verify(_der(ours.to_bytes()), msg, hasher=sha256)
        native = coincurve.PrivateKey(sk.to_bytes()).sign_recoverable(msg, hasher=sha256)
        theirs = um.Signature.from_bytes(native[:64])
        assert theirs.verify(sk.public_key(), msg) and not theirs.verify(sk.public_key(), msg + b"x")


def _der(compact: bytes) -> bytes:
    def integer(x: bytes) -> bytes:
        x = x.lstrip(b"\x00") or b"\x00"
        if x[0] & 0x80:
            x = b"\x00" + x
        return b"\x02" + bytes([len(x)]) + x

    body = integer(compact[:32]) + integer(compact[32:])
    return b"\x30" + bytes([len(body)]) + body


def test_prose_names_exist() -> None:
    """Every function the prose table names is defined, and every public algorithm is in the prose."""
    import re
    from pathlib import Path

    prose = (Path(um.__file__).with_name("umbral.md")).read_text()
    named = set(re.findall(r"^\| `(\w+)", prose, re.M))
    for name in named:
        assert hasattr(um, name.split(".")[0]), name
    for fn in ("encrypt", "decrypt_original", "generate_kfrags", "verify_kfrag", "reencrypt", "verify_cfrag",
               "decrypt_reencrypted"):
        assert f"`{fn}(" in prose, fn
