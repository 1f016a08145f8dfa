"""Vectors for ``crypto.umbral`` (spec/crypto/umbral.md): capsule decoding, kfrag and cfrag verification,
decryption of original and re-encrypted ciphertexts. Deterministic (one seeded RNG); most cases are invalid,
each naming its error code and a flag explained in ``notes``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...reference.testbed import adversarial
from ...spec.crypto import secp256k1 as ec
from ...spec.crypto import umbral as um
from ...spec.crypto.umbral_wire import arr, bin_, hex_out
from ...spec.rng import DeterministicRNG
from ..builder import VectorFileBuilder, note

SPEC = "spec/crypto/umbral.md"

NOTES: dict[str, dict[str, str]] = {
    "Valid": note("FUNCTIONALITY", "A well-formed input that must be accepted.", f"{SPEC}#algorithms"),
    "PeerLayout": note("INTEROPERABILITY", "umbral-pre 0.11 MessagePack layout.", f"{SPEC}#encodings"),
    "CapsuleCheck": note("MISSING_CHECK", "The capsule fails s·G = V + H(E, V)·E; decoding must check it "
                         "(umbral-pre does).", f"{SPEC}#encodings"),
    "NonCanonicalEncoding": note("MALLEABILITY", "A MessagePack form other than the canonical one (trailing bytes, "
                                 "other headers, maps, wrong lengths).", f"{SPEC}#encodings"),
    "InvalidPoint": note("EDGE_CASE", "A point encoding that is not a compressed point of secp256k1 (prefix, x >= "
                         "p, off the curve, identity, uncompressed).",
                         f"{SPEC}#group-hashes-signatures-spec-crypto-secp256k1-py"),
    "InvalidScalar": note("EDGE_CASE", "A scalar >= N, or zero where it must be nonzero.",
                          f"{SPEC}#group-hashes-signatures-spec-crypto-secp256k1-py"),
    "KfragCommitment": note("MISSING_CHECK", "The kfrag commitment is not U·rk.", f"{SPEC}#algorithms"),
    "KfragSignature": note("AUTH_BYPASS", "The kfrag's signature does not bind these keys, flags and values under "
                           "the verifying key.", f"{SPEC}#algorithms"),
    "KfragParameter": note("MISSING_CHECK", "The kfrag names a parameter point other than U.", f"{SPEC}#encodings"),
    "CfragProof": note("MISSING_CHECK", "The proof of correct re-encryption fails (a tampered E1, V1, E2, V2, U2 or "
                       "z3, a proxy that used another key, or another capsule).", f"{SPEC}#algorithms"),
    "CfragForOtherKeys": note("AUTH_BYPASS", "The cfrag's kfrag signature binds other delegating/receiving keys, or "
                              "a signed field was tampered.", f"{SPEC}#algorithms"),
    "NotEnoughCfrags": note("AUTH_BYPASS", "Fewer than t cfrags must never open the capsule.", f"{SPEC}#algorithms"),
    "CfragMismatch": note("MISSING_CHECK", "Individually valid cfrags that do not combine (other kfrag sets, "
                          "repeats, fewer than t without a threshold).", f"{SPEC}#algorithms"),
    "DemFailure": note("CONFIDENTIALITY", "The AEAD must reject a wrong key, a tampered ciphertext or another "
                       "capsule's associated data.", f"{SPEC}#algorithms"),
    "BadJson": note("EDGE_CASE", "Malformed JSON input (hex, fields).", f"{SPEC}#encodings"),
}


class World:
    def __init__(self, rng: DeterministicRNG, t: int, n: int) -> None:
        self.rng, self.t, self.n = rng, t, n
        self.a, self.b = um.SecretKey.random(rng), um.SecretKey.random(rng)
        self.A, self.B = self.a.public_key(), self.b.public_key()
        self.signer = um.Signer(um.SecretKey.random(rng))
        self.S = self.signer.verifying_key()
        self.plaintext = b"medshare record: blood pressure 128/84, pulse 71"
        self.capsule, self.ciphertext = um.encrypt(self.A, self.plaintext, rng)
        self.kfrags = um.generate_kfrags(self.a, self.B, self.signer, t, n, True, True, rng)
        self.cfrags = [um.reencrypt(self.capsule, k, rng).cfrag for k in self.kfrags]

    def keys(self) -> dict[str, str]:
        return {"verifyingKey": hex_out(self.S.to_bytes()), "delegatingKey": hex_out(self.A.to_bytes()),
                "receivingKey": hex_out(self.B.to_bytes())}


def _h(data: bytes) -> str:
    return hex_out(data)


def _point_variants() -> list[tuple[str, bytes, str]]:
    """(comment, 33-or-other-byte point encoding, error) for bad points."""
    off_curve = adversarial.secp256k1_not_on_curve()
    return [
        ("prefix 0x04 on a 33-byte point", adversarial.secp256k1_uncompressed_prefix(ec.Point.generator().to_bytes()),
         "BAD_FLAGS"),
        ("identity encoded as 33 zero bytes", adversarial.secp256k1_zeros(), "BAD_FLAGS"),
        ("x = p (not reduced)", adversarial.secp256k1_x_not_canonical(), "COORDINATE_NOT_CANONICAL"),
        (f"x = {int.from_bytes(off_curve[1:], 'big')}: x^3 + 7 is not a square", off_curve, "POINT_NOT_ON_CURVE"),
    ]


def _capsule_raw(e: bytes, v: bytes, s: bytes) -> bytes:
    return arr(bin_(e), bin_(v), bin_(s))


def degenerate_capsule(e: int = 0x5EED) -> bytes:
    """E = e·G, V = −E, s = (H(E, V) − 1)·e: s·G = V + H(E, V)·E holds, yet E + V is the identity."""
    point_e = ec.Point.mul_base(e)
    h = um.hash_capsule_points(point_e, -point_e)
    return _capsule_raw(point_e.to_bytes(), (-point_e).to_bytes(), ec.scalar_to_bytes((h - 1) * e))


def capsule_decode(rng: DeterministicRNG) -> dict[str, Any]:
    c = VectorFileBuilder("crypto.umbral.capsule_decode", NOTES).group({"encoding": "MessagePack [E, V, s]"})
    w = World(rng, 2, 3)
    for i in range(3):
        cap, _ = um.encrypt(w.A, b"x" * i, rng)
        c.valid(f"capsule {i} made by encrypt", {"capsule": _h(cap.to_bytes())}, flags=["Valid", "PeerLayout"])
    cap = w.capsule
    e, v, s = cap.point_e.to_bytes(), cap.point_v.to_bytes(), ec.scalar_to_bytes(cap.signature)
    raw = cap.to_bytes()
    c.invalid("s + 1", {"capsule": _h(_capsule_raw(e, v, ec.scalar_to_bytes(cap.signature + 1)))},
              "CAPSULE_INVALID", ["CapsuleCheck"])
    c.invalid("E and V swapped", {"capsule": _h(_capsule_raw(v, e, s))}, "CAPSULE_INVALID", ["CapsuleCheck"])
    c.invalid("E negated", {"capsule": _h(_capsule_raw((-cap.point_e).to_bytes(), v, s))}, "CAPSULE_INVALID",
              ["CapsuleCheck"])
    c.invalid("V from another capsule", {"capsule": _h(_capsule_raw(e, um.encrypt(w.A, b"", rng)[0].point_v.to_bytes(),
                                                                  s))}, "CAPSULE_INVALID", ["CapsuleCheck"])
    c.invalid("V = −E with s = (h − 1)·e: passes the equation, E + V is the identity (umbral-pre accepts it, then "
              "panics when opening)", {"capsule": _h(degenerate_capsule())}, "CAPSULE_INVALID", ["CapsuleCheck"])
    c.invalid("s = 0", {"capsule": _h(_capsule_raw(e, v, bytes(32)))}, "CAPSULE_INVALID", ["CapsuleCheck"])
    c.invalid("s = N", {"capsule": _h(_capsule_raw(e, v, ec.N.to_bytes(32, "big")))}, "SCALAR_OUT_OF_RANGE",
              ["InvalidScalar"])
    for comment, bad, code in _point_variants():
        c.invalid(f"E: {comment}", {"capsule": _h(_capsule_raw(bad, v, s))}, code, ["InvalidPoint"])
    uncompressed = adversarial.secp256k1_uncompressed_form(e)
    c.invalid("E uncompressed (65 bytes; umbral-pre accepts it, medshare is strict)",
              {"capsule": _h(_capsule_raw(uncompressed, v, s))}, "BAD_LENGTH", ["NonCanonicalEncoding"])
    c.invalid("trailing zero byte", {"capsule": _h(raw + b"\x00")}, "MALFORMED_ENCODING", ["NonCanonicalEncoding"])
    c.invalid("truncated by one byte", {"capsule": _h(raw[:-1])}, "MALFORMED_ENCODING", ["NonCanonicalEncoding"])
    c.invalid("bin 16 header for E", {"capsule": _h(b"\x93\xc5\x00\x21" + raw[3:])}, "MALFORMED_ENCODING",
              ["NonCanonicalEncoding"])
    c.invalid("fixmap header instead of fixarray", {"capsule": _h(b"\x83" + raw[1:])}, "MALFORMED_ENCODING",
              ["NonCanonicalEncoding"])
    c.invalid("array of 4", {"capsule": _h(b"\x94" + raw[1:] + bin_(b""))}, "MALFORMED_ENCODING",
              ["NonCanonicalEncoding"])
    c.invalid("the 98-byte simple form is not the wire form", {"capsule": _h(cap.to_bytes_simple())},
              "MALFORMED_ENCODING", ["NonCanonicalEncoding"])
    c.invalid("empty", {"capsule": "0x"}, "MALFORMED_ENCODING", ["NonCanonicalEncoding"])
    c.invalid("uppercase hex", {"capsule": "0x" + raw.hex().upper()}, "BAD_HEX", ["BadJson"])
    c.invalid("missing field", {}, "BAD_JSON", ["BadJson"])
    return c.build()


def _kfrag_raw(k: um.KeyFrag, *, u: bytes | None = None, key: bytes | None = None,
               sig_p: bytes | None = None, flags: bytes | None = None) -> bytes:
    proof = arr(bin_(k.commitment.to_bytes()), bin_(sig_p if sig_p is not None else k.signature_for_proxy.to_bytes()),
                bin_(k.signature_for_receiver.to_bytes()),
                *(bytes([x]) for x in (flags if flags is not None else bytes([0xC2 | k.delegating_key_signed,
                                                                                 0xC2 | k.receiving_key_signed]))))
    return arr(arr(bin_(u if u is not None else um.parameter_u().to_bytes())), bin_(k.id),
               bin_(key if key is not None else ec.scalar_to_bytes(k.key)), bin_(k.precursor.to_bytes()), proof)


def _replace(obj: Any, **changes: Any) -> Any:
    return type(obj)(**{**{a.name: getattr(obj, a.name) for a in obj.__attrs_attrs__}, **changes})


def kfrag_verify(rng: DeterministicRNG) -> dict[str, Any]:
    c = VectorFileBuilder("crypto.umbral.kfrag_verify", NOTES).group({"threshold": 2, "shares": 3})
    w = World(rng, 2, 3)
    keys = w.keys()
    for i, vk in enumerate(w.kfrags):
        c.valid(f"kfrag {i} of 2-of-3, both keys signed", {"kfrag": _h(vk.to_bytes()), **keys},
                flags=["Valid", "PeerLayout"])
    for sd, sr in ((False, False), (True, False), (False, True)):
        k = um.generate_kfrags(w.a, w.B, w.signer, 1, 1, sd, sr, rng)[0].kfrag
        inp = {"kfrag": _h(k.to_bytes()), **keys}
        if not sd:
            inp["delegatingKey"] = None
        if not sr:
            inp["receivingKey"] = None
        c.valid(f"sign_delegating_key={sd}, sign_receiving_key={sr}; unsigned keys omitted", inp, flags=["Valid"])
        if sd or sr:
            missing = {**inp, ("delegatingKey" if sd else "receivingKey"): None}
            c.invalid("a signed key is not supplied", missing, "KFRAG_SIGNATURE_INVALID", ["KfragSignature"])
    k = w.kfrags[0].kfrag
    base = {"kfrag": _h(k.to_bytes()), **keys}
    c.invalid("key + 1 (commitment no longer U·key)",
              {**base, "kfrag": _h(_replace(k, key=(k.key + 1) % ec.N).to_bytes())}, "KFRAG_INVALID",
              ["KfragCommitment"])
    c.invalid("commitment replaced by another kfrag's",
              {**base, "kfrag": _h(_replace(k, commitment=w.kfrags[1].kfrag.commitment).to_bytes())},
              "KFRAG_INVALID", ["KfragCommitment"])
    forged_key = um.SecretKey.random(rng).scalar
    c.invalid("key and commitment replaced consistently (signature then fails)",
              {**base, "kfrag": _h(_replace(k, key=forged_key, commitment=um.parameter_u() * forged_key).to_bytes())},
              "KFRAG_SIGNATURE_INVALID", ["KfragSignature"])
    c.invalid("signature for proxy over another message",
              {**base, "kfrag": _h(_replace(k, signature_for_proxy=w.signer.sign(b"other", rng)).to_bytes())},
              "KFRAG_SIGNATURE_INVALID", ["KfragSignature"])
    high_s = um.Signature(k.signature_for_proxy.r, ec.N - k.signature_for_proxy.s)
    c.invalid("signature for proxy with high s (k256 and libsecp256k1 reject it)",
              {**base, "kfrag": _h(_replace(k, signature_for_proxy=high_s).to_bytes())},
              "KFRAG_SIGNATURE_INVALID", ["KfragSignature"])
    c.invalid("signature for receiver in the proxy slot",
              {**base, "kfrag": _h(_replace(k, signature_for_proxy=k.signature_for_receiver,
                                            receiving_key_signed=False).to_bytes())},
              "KFRAG_SIGNATURE_INVALID", ["KfragSignature"])
    c.invalid("delegatingKeySigned flag cleared", {**base, "kfrag": _h(_replace(k, delegating_key_signed=False)
                                                                       .to_bytes())},
              "KFRAG_SIGNATURE_INVALID", ["KfragSignature"])
    c.invalid("id changed", {**base, "kfrag": _h(_replace(k, id=bytes(32)).to_bytes())},
              "KFRAG_SIGNATURE_INVALID", ["KfragSignature"])
    c.invalid("precursor changed", {**base, "kfrag": _h(_replace(k, precursor=w.A.point).to_bytes())},
              "KFRAG_SIGNATURE_INVALID", ["KfragSignature"])
    c.invalid("verified under the delegating key instead of the signer's",
              {**base, "verifyingKey": keys["delegatingKey"]}, "KFRAG_SIGNATURE_INVALID", ["KfragSignature"])
    c.invalid("verified for another receiver", {**base, "receivingKey": _h(um.SecretKey.random(rng).public_key()
                                                                          .to_bytes())},
              "KFRAG_SIGNATURE_INVALID", ["KfragSignature"])
    c.invalid("parameter point G instead of U", {**base, "kfrag": _h(_kfrag_raw(k, u=ec.Point.generator().to_bytes()))},
              "KFRAG_INVALID", ["KfragParameter"])
    c.invalid("key = N", {**base, "kfrag": _h(_kfrag_raw(k, key=ec.N.to_bytes(32, "big")))}, "SCALAR_OUT_OF_RANGE",
              ["InvalidScalar"])
    c.invalid("signature r = 0", {**base, "kfrag": _h(_kfrag_raw(k, sig_p=bytes(32) + ec.scalar_to_bytes(1)))},
              "SCALAR_ZERO_NOT_ALLOWED", ["InvalidScalar"])
    c.invalid("boolean encoded as integer 1", {**base, "kfrag": _h(_kfrag_raw(k, flags=b"\x01\xc3"))},
              "MALFORMED_ENCODING", ["NonCanonicalEncoding"])
    c.invalid("trailing byte", {**base, "kfrag": _h(k.to_bytes() + b"\xc0")}, "MALFORMED_ENCODING",
              ["NonCanonicalEncoding"])
    c.invalid("31-byte id", {**base, "kfrag": _h(k.to_bytes()[:38] + b"\x1f" + k.to_bytes()[39:])}, "BAD_LENGTH",
              ["NonCanonicalEncoding"])
    c.invalid("verifying key off the curve", {**base, "verifyingKey": _h(_point_variants()[3][1])},
              "POINT_NOT_ON_CURVE", ["InvalidPoint"])
    return c.build()


CFRAG_POINTS = ("point_e1", "point_v1", "point_e2", "point_v2", "kfrag_pok")


def cfrag_verify(rng: DeterministicRNG) -> dict[str, Any]:
    c = VectorFileBuilder("crypto.umbral.cfrag_verify", NOTES).group({"threshold": 3, "shares": 4})
    w = World(rng, 3, 4)
    keys, cap = w.keys(), _h(w.capsule.to_bytes())
    for i, cf in enumerate(w.cfrags):
        c.valid(f"cfrag {i} of 3-of-4", {"cfrag": _h(cf.to_bytes()), "capsule": cap, **keys}, flags=["Valid", "PeerLayout"])
    cf = w.cfrags[0]
    base = {"cfrag": _h(cf.to_bytes()), "capsule": cap, **keys}
    g = ec.Point.generator()
    for name in CFRAG_POINTS:
        c.invalid(f"{name} + G", {**base, "cfrag": _h(_replace(cf, **{name: getattr(cf, name) + g}).to_bytes())},
                  "CFRAG_INVALID", ["CfragProof"])
    c.invalid("z3 + 1", {**base, "cfrag": _h(_replace(cf, signature=(cf.signature + 1) % ec.N).to_bytes())},
              "CFRAG_INVALID", ["CfragProof"])
    c.invalid("E1 and V1 both doubled (a wrong re-encryption under the original proof)",
              {**base, "cfrag": _h(_replace(cf, point_e1=cf.point_e1 * 2, point_v1=cf.point_v1 * 2).to_bytes())},
              "CFRAG_INVALID", ["CfragProof"])
    # a proxy that re-encrypts with another key share but keeps the signed commitment
    wrong = um.VerifiedKeyFrag(_replace(w.kfrags[1].kfrag, key=(w.kfrags[1].kfrag.key + 7) % ec.N))
    c.invalid("proxy used another key share (commitment unchanged)",
              {**base, "cfrag": _h(um.reencrypt(w.capsule, wrong, rng).to_bytes())}, "CFRAG_INVALID", ["CfragProof"])
    other_capsule, _ = um.encrypt(w.A, b"other record", rng)
    c.invalid("checked against another capsule of the same delegator",
              {**base, "capsule": _h(other_capsule.to_bytes())}, "CFRAG_INVALID", ["CfragProof"])
    c.invalid("kfrag id changed", {**base, "cfrag": _h(_replace(cf, kfrag_id=bytes(32)).to_bytes())},
              "KFRAG_SIGNATURE_INVALID", ["CfragForOtherKeys"])
    c.invalid("precursor changed", {**base, "cfrag": _h(_replace(cf, precursor=cf.precursor + g).to_bytes())},
              "KFRAG_SIGNATURE_INVALID", ["CfragForOtherKeys"])
    c.invalid("commitment changed", {**base, "cfrag": _h(_replace(cf, kfrag_commitment=cf.kfrag_commitment + g)
                                                         .to_bytes())},
              "KFRAG_SIGNATURE_INVALID", ["CfragForOtherKeys"])
    carol = um.SecretKey.random(rng)
    kf_carol = um.generate_kfrags(w.a, carol.public_key(), w.signer, 3, 4, True, True, rng)[0]
    c.invalid("cfrag from a kfrag for another receiver",
              {**base, "cfrag": _h(um.reencrypt(w.capsule, kf_carol, rng).to_bytes())}, "KFRAG_SIGNATURE_INVALID",
              ["CfragForOtherKeys"])
    c.invalid("checked with another delegating key", {**base, "delegatingKey": keys["receivingKey"]},
              "KFRAG_SIGNATURE_INVALID", ["CfragForOtherKeys"])
    c.invalid("checked with another verifying key", {**base, "verifyingKey": keys["delegatingKey"]},
              "KFRAG_SIGNATURE_INVALID", ["CfragForOtherKeys"])
    raw = cf.to_bytes()
    c.invalid("trailing byte", {**base, "cfrag": _h(raw + b"\x00")}, "MALFORMED_ENCODING", ["NonCanonicalEncoding"])
    c.invalid("truncated", {**base, "cfrag": _h(raw[:200])}, "MALFORMED_ENCODING", ["NonCanonicalEncoding"])
    c.invalid("proof array of 5", {**base, "cfrag": _h(raw[:140] + b"\x95" + raw[141:])}, "MALFORMED_ENCODING",
              ["NonCanonicalEncoding"])
    for comment, bad, code in _point_variants()[:3]:
        c.invalid(f"E1: {comment}", {**base, "cfrag": _h(raw[:3] + bad + raw[36:])}, code, ["InvalidPoint"])
    c.invalid("z3 = N", {**base, "cfrag": _h(raw[:-98] + ec.N.to_bytes(32, "big") + raw[-66:])},
              "SCALAR_OUT_OF_RANGE", ["InvalidScalar"])
    return c.build()


def decrypt_reencrypted(rng: DeterministicRNG) -> dict[str, Any]:
    c = VectorFileBuilder("crypto.umbral.decrypt_reencrypted", NOTES).group({"threshold": 2, "shares": 3})
    w = World(rng, 2, 3)
    sk = _h(w.b.to_bytes())

    def inp(chosen: list[um.CapsuleFrag], threshold: int | None = 2, **extra: Any) -> dict[str, Any]:
        return {"receivingSecretKey": sk, **w.keys(), "capsule": _h(w.capsule.to_bytes()),
                "cfrags": [_h(x.to_bytes()) for x in chosen], "ciphertext": _h(w.ciphertext), "threshold": threshold,
                **extra}

    cf = w.cfrags
    for sel in ([0, 1], [1, 2], [2, 0], [0, 1, 2]):
        c.valid(f"cfrags {sel} of 2-of-3", inp([cf[i] for i in sel]), flags=["Valid"])
    c.valid("cfrags [0, 2] without a stated threshold", inp([cf[0], cf[2]], None), flags=["Valid"])
    w3 = World(rng, 3, 5)
    c.valid("cfrags [4, 0, 2] of 3-of-5",
            {"receivingSecretKey": _h(w3.b.to_bytes()), **w3.keys(), "capsule": _h(w3.capsule.to_bytes()),
             "cfrags": [_h(w3.cfrags[i].to_bytes()) for i in (4, 0, 2)], "ciphertext": _h(w3.ciphertext),
             "threshold": 3}, flags=["Valid"])
    c.invalid("one cfrag, threshold 2", inp([cf[1]]), "NOT_ENOUGH_CFRAGS", ["NotEnoughCfrags"])
    c.invalid("no cfrags", inp([]), "NOT_ENOUGH_CFRAGS", ["NotEnoughCfrags"])
    c.invalid("two cfrags of 3-of-5, threshold 3",
              {"receivingSecretKey": _h(w3.b.to_bytes()), **w3.keys(), "capsule": _h(w3.capsule.to_bytes()),
               "cfrags": [_h(w3.cfrags[i].to_bytes()) for i in (1, 3)], "ciphertext": _h(w3.ciphertext),
               "threshold": 3}, "NOT_ENOUGH_CFRAGS", ["NotEnoughCfrags"])
    c.invalid("one cfrag without a stated threshold (the combination check fails)", inp([cf[1]], None),
              "CFRAG_MISMATCH", ["CfragMismatch"])
    c.invalid("the same cfrag twice", inp([cf[0], cf[0]]), "CFRAG_MISMATCH", ["CfragMismatch"])
    other = um.generate_kfrags(w.a, w.B, w.signer, 2, 3, True, True, rng)
    c.invalid("cfrags from two kfrag sets (different precursors)",
              inp([cf[0], um.reencrypt(w.capsule, other[1], rng).cfrag]), "CFRAG_MISMATCH", ["CfragMismatch"])
    capsule2, _ = um.encrypt(w.A, b"second", rng)
    c.invalid("a cfrag of another capsule in the set", inp([cf[0], um.reencrypt(capsule2, w.kfrags[1], rng).cfrag]),
              "CFRAG_INVALID", ["CfragProof"])
    tampered = _replace(cf[1], point_e1=cf[1].point_e1 + ec.Point.generator())
    c.invalid("a tampered cfrag in the set", inp([cf[0], tampered]), "CFRAG_INVALID", ["CfragProof"])
    carol = um.SecretKey.random(rng)
    c.invalid("another receiver's secret key", inp([cf[0], cf[1]], receivingSecretKey=_h(carol.to_bytes()),
                                                   receivingKey=_h(carol.public_key().to_bytes())),
              "KFRAG_SIGNATURE_INVALID", ["CfragForOtherKeys"])
    c.invalid("receivingKey does not match receivingSecretKey",
              inp([cf[0], cf[1]], receivingSecretKey=_h(carol.to_bytes())), "KEY_MISMATCH", ["CfragForOtherKeys"])
    ct = bytearray(w.ciphertext)
    ct[30] ^= 0x80
    c.invalid("ciphertext body tampered", inp([cf[0], cf[1]], ciphertext=_h(bytes(ct))), "DECRYPTION_FAILED",
              ["DemFailure"])
    c.invalid("ciphertext of another capsule", inp([cf[0], cf[1]], ciphertext=_h(um.encrypt(w.A, w.plaintext, rng)[1])),
              "DECRYPTION_FAILED", ["DemFailure"])
    c.invalid("ciphertext shorter than nonce and tag", inp([cf[0], cf[1]], ciphertext=_h(w.ciphertext[:39])),
              "BAD_LENGTH", ["DemFailure"])
    c.invalid("a malformed cfrag in the list", inp([cf[0], cf[1]], cfrags=[_h(cf[0].to_bytes()), "0x95"]),
              "MALFORMED_ENCODING", ["NonCanonicalEncoding"])
    c.invalid("threshold 0", inp([cf[0], cf[1]], 0), "BAD_JSON", ["BadJson"])
    return c.build()


def decrypt_original(rng: DeterministicRNG) -> dict[str, Any]:
    c = VectorFileBuilder("crypto.umbral.decrypt_original", NOTES).group({"dem": "XChaCha20-Poly1305, HKDF-SHA-256"})
    a = um.SecretKey.random(rng)
    texts = [b"", b"\x00", b"medshare " * 40]
    made = [um.encrypt(a.public_key(), m, rng) for m in texts]
    for m, (cap, ct) in zip(texts, made, strict=True):
        c.valid(f"{len(m)}-byte plaintext", {"delegatingSecretKey": _h(a.to_bytes()), "capsule": _h(cap.to_bytes()),
                                             "ciphertext": _h(ct)}, flags=["Valid"])
    cap, ct = made[2]
    base = {"delegatingSecretKey": _h(a.to_bytes()), "capsule": _h(cap.to_bytes()), "ciphertext": _h(ct)}

    def flip(i: int) -> str:
        b = bytearray(ct)
        b[i] ^= 1
        return _h(bytes(b))

    c.invalid("another secret key", {**base, "delegatingSecretKey": _h(um.SecretKey.random(rng).to_bytes())},
              "DECRYPTION_FAILED", ["DemFailure"])
    c.invalid("nonce byte flipped", {**base, "ciphertext": flip(0)}, "DECRYPTION_FAILED", ["DemFailure"])
    c.invalid("body byte flipped", {**base, "ciphertext": flip(40)}, "DECRYPTION_FAILED", ["DemFailure"])
    c.invalid("tag byte flipped", {**base, "ciphertext": flip(len(ct) - 1)}, "DECRYPTION_FAILED", ["DemFailure"])
    c.invalid("ciphertext paired with another capsule", {**base, "capsule": _h(made[0][0].to_bytes())},
              "DECRYPTION_FAILED", ["DemFailure"])
    c.invalid("39-byte ciphertext", {**base, "ciphertext": _h(ct[:39])}, "BAD_LENGTH", ["DemFailure"])
    bad_cap = _capsule_raw(cap.point_e.to_bytes(), cap.point_v.to_bytes(), ec.scalar_to_bytes(cap.signature ^ 1))
    c.invalid("capsule fails its check", {**base, "capsule": _h(bad_cap)}, "CAPSULE_INVALID", ["CapsuleCheck"])
    c.invalid("degenerate capsule (E + V = identity)", {**base, "capsule": _h(degenerate_capsule())},
              "CAPSULE_INVALID", ["CapsuleCheck"])
    c.invalid("secret key zero", {**base, "delegatingSecretKey": _h(bytes(32))}, "SCALAR_ZERO_NOT_ALLOWED",
              ["InvalidScalar"])
    c.invalid("secret key = N", {**base, "delegatingSecretKey": _h(ec.N.to_bytes(32, "big"))}, "SCALAR_OUT_OF_RANGE",
              ["InvalidScalar"])
    return c.build()


GENERATORS: list[Callable[[DeterministicRNG], dict[str, Any]]] = [
    capsule_decode, kfrag_verify, cfrag_verify, decrypt_reencrypted, decrypt_original]


def generate() -> list[dict[str, Any]]:
    root = DeterministicRNG(b"medshare/vectors/crypto.umbral")
    return [g(root.fork(g.__name__)) for g in GENERATORS]
