"""Vectors for ``crypto.fame`` (spec/crypto/fame.md): keygen and encrypt known answers (seeded), and decrypt on
valid, unsatisfied, stale-epoch, tampered and malformed inputs. Every outcome is computed by the reference op
and checked against the outcome the case was written for."""

from __future__ import annotations

from typing import Any

from ...reference.testbed import get_group
from ...spec.crypto import fame
from ...spec.params import P
from ...spec.policy import Policy, satisfies
from ...spec.rng import DeterministicRNG
from .policy import run_case, vector_file

NOTES: dict[str, dict[str, str]] = {
    "Valid": {"bugType": "FUNCTIONALITY", "description": "a satisfying key recovers the encapsulated GT element",
              "specRef": "spec/crypto/fame.md#algorithms"},
    "KnownAnswer": {"bugType": "FUNCTIONALITY", "description": "seeded DeterministicRNG, scalars drawn in the "
                    "order the spec writes them: byte-exact output", "specRef": "spec/crypto/fame.md#algorithms"},
    "Duplicates": {"bugType": "EDGE_CASE", "description": "an attribute on several rows reuses its key component",
                   "specRef": "spec/crypto/fame.md#algorithms"},
    "PolicyUnsatisfied": {"bugType": "AUTH_BYPASS", "description": "the key's attributes do not satisfy the "
                          "policy: decryption must refuse, not return some GT element",
                          "specRef": "spec/crypto/fame.md#algorithms"},
    "ThresholdSemantics": {"bugType": "AUTH_BYPASS", "description": "k-1 attributes of a k-of-n gate",
                           "specRef": "spec/policy.md#satisfaction"},
    "StaleEpoch": {"bugType": "REVOCATION_BYPASS", "description": "a key for irb@1 against a policy on irb@2",
                   "specRef": "spec/policy.md#attributes-and-key-epochs"},
    "ModifiedCiphertext": {"bugType": "MODIFIED_CIPHERTEXT", "description": "a valid but altered component: the "
                           "KEM returns another key (the record layer then fails); outputs are exact",
                           "specRef": "spec/crypto/fame.md#algorithms"},
    "InvalidPoint": {"bugType": "INVALID_POINT", "description": "a point off the curve, outside the subgroup, "
                     "the identity, or with a non-canonical coordinate or bad flags, in any row (used or not)",
                     "specRef": "spec/crypto/fame.md#encodings-strict"},
    "MalformedEncoding": {"bugType": "MALFORMED_INPUT", "description": "wrong tag, truncation, trailing bytes, "
                          "row count, non-canonical policy text, unsorted key attributes, bad hex",
                          "specRef": "spec/crypto/fame.md#encodings-strict"},
    "PolicySyntax": {"bugType": "MALFORMED_INPUT", "description": "a policy that does not parse or breaks a limit",
                     "specRef": "spec/policy.md#errors-and-limits"},
    "AttributeInvalid": {"bugType": "MALFORMED_INPUT", "description": "an attribute outside the grammar",
                         "specRef": "spec/policy.md#attributes-and-key-epochs"},
}

ATTRS = ["cardiology", "researcher", "ethics_approved", "irb@2", "dpo"]
POLICIES = [
    "(cardiology and researcher) or 2 of (ethics_approved, irb@2, dpo)",
    "cardiology",
    "cardiology and researcher and dpo",
    "2 of (cardiology, cardiology, dpo) and (cardiology or irb@2)",
    "3 of (cardiology, researcher, dpo, irb@2 and ethics_approved)",
]
#: key name -> attributes
KEYS: dict[str, list[str]] = {
    "all": ATTRS,
    "clinician": ["cardiology", "researcher"],
    "committee": ["irb@2", "dpo"],
    "cardiology": ["cardiology"],
    "stale": ["cardiology", "irb@1", "dpo", "ethics_approved"],
    "ethics": ["ethics_approved", "irb@2"],
}


def off_subgroup_g1() -> bytes:
    """A compressed G1 encoding of a point on the curve, outside the order-r subgroup."""
    x = 1
    while pow((x**3 + 4) % P, (P - 1) // 2, P) != 1:
        x += 1
    return _compressed(x)


def off_curve_g1() -> bytes:
    """A compressed G1 encoding whose x has no y on the curve."""
    x = 1
    while pow((x**3 + 4) % P, (P - 1) // 2, P) == 1:
        x += 1
    return _compressed(x)


def _compressed(x: int) -> bytes:
    data = bytearray(x.to_bytes(48, "big"))
    data[0] |= 0x80
    return bytes(data)


BAD_G1: list[tuple[str, bytes, str]] = [
    ("off the subgroup", off_subgroup_g1(), "POINT_NOT_IN_SUBGROUP"),
    ("off the curve", off_curve_g1(), "POINT_NOT_ON_CURVE"),
    ("the identity", bytes([0xC0]) + bytes(47), "IDENTITY_NOT_ALLOWED"),
    ("x >= p", _compressed(P), "COORDINATE_NOT_CANONICAL"),
    ("compression flag cleared", bytes(48), "BAD_FLAGS"),
]


def _h(b: bytes) -> str:
    return "0x" + b.hex()


def generate() -> list[dict[str, Any]]:
    G = get_group("native")
    rng = DeterministicRNG(b"medshare/vectors/crypto.fame")
    pk, msk = fame.setup(G, rng)
    keys = {name: fame.keygen(G, msk, attrs, rng.fork(f"key/{name}")) for name, attrs in KEYS.items()}
    cts = [fame.encrypt(G, pk, Policy.of(p), rng.fork(f"ct/{i}"))[1] for i, p in enumerate(POLICIES)]
    params = {"publicKey": _h(pk.to_bytes()), "keys": {n: KEYS[n] for n in KEYS}, "policies": POLICIES}
    return [_keygen_file(G, msk, params), _encrypt_file(pk, params), _decrypt_file(G, keys, cts, params)]


def _keygen_file(G: Any, msk: fame.MasterKey, params: dict[str, Any]) -> dict[str, Any]:
    op = "crypto.fame.keygen"
    m = _h(msk.to_bytes())
    tests = [run_case(op, {"masterKey": m, "attributes": a, "seed": _h(s)}, c, ["KnownAnswer"])
             for a, s, c in ((["cardiology"], b"k1", "one attribute"), (ATTRS, b"k2", "five attributes"),
                             (["irb@1", "irb@2"], b"k3", "two epochs of one attribute"),
                             (["dpo", "dpo", "a"], b"k4", "duplicates are merged"))]
    for a, c in ((["Cardiology"], "upper case"), (["irb@0"], "epoch 0"), (["and"], "keyword"), ([""], "empty"),
                 (["x" * 65], "65 characters")):
        tests.append(run_case(op, {"masterKey": m, "attributes": a, "seed": "0x01"}, c, ["AttributeInvalid"],
                              "ATTRIBUTE_INVALID"))
    raw = msk.to_bytes()
    for bad, c, code in ((raw + b"\x00", "trailing byte", "MALFORMED_ENCODING"),
                         (raw[:-1], "truncated", "MALFORMED_ENCODING"),
                         (b"\xf1" + raw[1:], "wrong tag", "MALFORMED_ENCODING"),
                         (raw[:1] + bytes(32) + raw[33:], "a1 = 0", "SCALAR_ZERO_NOT_ALLOWED"),
                         (raw[:1] + b"\xff" * 32 + raw[33:], "a1 >= r", "SCALAR_OUT_OF_RANGE")):
        tests.append(run_case(op, {"masterKey": _h(bad), "attributes": ["a"], "seed": "0x01"}, c,
                              ["MalformedEncoding"], code))
    tests.append(run_case(op, {"masterKey": m.upper().replace("0X", "0x"), "attributes": ["a"], "seed": "0x01"},
                          "upper-case hex", ["MalformedEncoding"], "BAD_HEX"))
    return vector_file("crypto.fame", "keygen", tests, params, NOTES)


def _encrypt_file(pk: fame.PublicKey, params: dict[str, Any]) -> dict[str, Any]:
    op = "crypto.fame.encrypt"
    p = _h(pk.to_bytes())
    tests = [run_case(op, {"publicKey": p, "policy": pol, "seed": _h(bytes([i]))}, f"policy {i}", ["KnownAnswer"])
             for i, pol in enumerate(POLICIES[:3])]
    for pol, code, c in (("a and", "POLICY_SYNTAX", "dangling and"), ("3 of (a, b)", "POLICY_BAD_THRESHOLD", "k > n"),
                         (" or ".join(["a"] * 65), "POLICY_TOO_MANY_LEAVES", "65 leaves"),
                         ("(" * 17 + "a" + ")" * 17, "POLICY_TOO_DEEP", "17 parentheses")):
        tests.append(run_case(op, {"publicKey": p, "policy": pol, "seed": "0x01"}, c, ["PolicySyntax"], code))
    raw = pk.to_bytes()
    for bad, c, code in ((raw + b"\x00", "trailing byte", "MALFORMED_ENCODING"),
                         (raw[:-1], "truncated", "MALFORMED_ENCODING"),
                         (b"\xf4" + raw[1:], "wrong tag", "MALFORMED_ENCODING"),
                         (raw[:1] + bytes([0xC0]) + bytes(95) + raw[97:], "H1 is the identity", "IDENTITY_NOT_ALLOWED"),
                         (raw[:1] + bytes(96) + raw[97:], "H1 without the compression flag", "BAD_FLAGS")):
        tests.append(run_case(op, {"publicKey": _h(bad), "policy": "a", "seed": "0x01"}, c,
                              ["MalformedEncoding" if code == "MALFORMED_ENCODING" else "InvalidPoint"], code))
    return vector_file("crypto.fame", "encrypt", tests, params, NOTES)


def _decrypt_file(G: Any, keys: dict[str, fame.AttributeKey], cts: list[fame.Ciphertext],
                  params: dict[str, Any]) -> dict[str, Any]:
    op = "crypto.fame.decrypt"
    tests = []
    for i, ct in enumerate(cts):
        for name, sk in keys.items():
            ok = satisfies(ct.policy.tree, sk.names())
            flags = ["Valid"] if ok else ["PolicyUnsatisfied"]
            if "2 of" in POLICIES[i] or "3 of" in POLICIES[i]:
                flags.append("ThresholdSemantics")
            if name == "stale":
                flags.append("StaleEpoch")
            if i == 3:
                flags.append("Duplicates")
            tests.append(run_case(op, {"key": _h(sk.to_bytes()), "ciphertext": _h(ct.to_bytes())},
                                  f"key {name} on policy {i}", flags, None if ok else "POLICY_UNSATISFIED"))

    sk, ct = keys["all"], cts[0]
    k_hex = _h(sk.to_bytes())
    # valid but altered components: another key comes out (exact values)
    g1, g2 = G.g1(), G.g2()
    swapped_row = fame.Ciphertext(ct.policy, ct.c0, ((ct.rows[0][0] + g1, *ct.rows[0][1:]), *ct.rows[1:]))
    swapped_c0 = fame.Ciphertext(ct.policy, (ct.c0[0] + g2, ct.c0[1], ct.c0[2]), ct.rows)
    for alt, c in ((swapped_row, "row 0 component 1 moved by g1"), (swapped_c0, "ct0 component 1 moved by g2")):
        tests.append(run_case(op, {"key": k_hex, "ciphertext": _h(alt.to_bytes())}, c, ["ModifiedCiphertext"]))

    raw = ct.to_bytes()
    rows_at = len(raw) - len(ct.rows) * 3 * 48
    for row in (0, len(ct.rows) - 1):
        for desc, bad, code in BAD_G1:
            at = rows_at + row * 3 * 48 + 48
            tests.append(run_case(op, {"key": k_hex, "ciphertext": _h(raw[:at] + bad + raw[at + 48:])},
                                  f"row {row} component 2 {desc}", ["InvalidPoint"], code))
    c0_at = rows_at - 2 - 3 * 96
    identity_c0 = raw[:c0_at] + bytes([0xC0]) + bytes(95) + raw[c0_at + 96:]
    tests.append(run_case(op, {"key": k_hex, "ciphertext": _h(identity_c0)},
                          "ct0 component 1 is the identity", ["InvalidPoint"], "IDENTITY_NOT_ALLOWED"))
    for bad, c in ((raw + b"\x00", "trailing byte"), (raw[:-1], "truncated"), (b"\xf3" + raw[1:], "wrong tag"),
                   (raw[:rows_at - 2] + (len(ct.rows) + 1).to_bytes(2, "big") + raw[rows_at:] + raw[-144:],
                    "one row too many"),
                   (raw[:rows_at - 2] + (len(ct.rows) - 1).to_bytes(2, "big") + raw[rows_at:-144],
                    "one row too few")):
        tests.append(run_case(op, {"key": k_hex, "ciphertext": _h(bad)}, c, ["MalformedEncoding"],
                              "MALFORMED_ENCODING"))
    text = raw[3:3 + int.from_bytes(raw[1:3], "big")]
    swapped_text = b"2 of (dpo, ethics_approved, irb@2) or (researcher and cardiology)"
    assert len(swapped_text) == len(text)
    tests.append(run_case(op, {"key": k_hex, "ciphertext": _h(raw.replace(text, swapped_text))},
                          "policy text not canonical (and children unsorted)", ["MalformedEncoding"],
                          "MALFORMED_ENCODING"))
    broken = text.replace(b" or ", b" or(")
    tests.append(run_case(op, {"key": k_hex, "ciphertext": _h(raw[:1] + len(broken).to_bytes(2, "big") + broken +
                                                           raw[3 + len(text):])},
                       "policy text does not parse", ["PolicySyntax"], "POLICY_SYNTAX"))
    kraw = sk.to_bytes()
    kp_at = 1 + 3 * 96
    for desc, bad, code in BAD_G1[:3]:
        tests.append(run_case(op, {"key": _h(kraw[:kp_at] + bad + kraw[kp_at + 48:]), "ciphertext": _h(raw)},
                              f"key sk'_1 {desc}", ["InvalidPoint"], code))
    tests.append(run_case(op, {"key": _h(kraw + b"\x00"), "ciphertext": _h(raw)}, "key with a trailing byte",
                          ["MalformedEncoding"], "MALFORMED_ENCODING"))
    first = kp_at + 3 * 48 + 2
    bad_name = kraw[:first + 1] + b"C" + kraw[first + 2:]
    tests.append(run_case(op, {"key": _h(bad_name), "ciphertext": _h(raw)}, "key attribute with upper case",
                          ["AttributeInvalid"], "ATTRIBUTE_INVALID"))
    unsorted = fame.AttributeKey(sk.k0, tuple(reversed(sk.attributes)), sk.kp)
    tests.append(run_case(op, {"key": _h(unsorted.to_bytes()), "ciphertext": _h(raw)}, "key attributes not sorted",
                          ["MalformedEncoding"], "MALFORMED_ENCODING"))
    tests.append(run_case(op, {"key": k_hex, "ciphertext": "0x" + raw.hex()[:-1]}, "odd-length hex",
                          ["MalformedEncoding"], "BAD_HEX"))
    tests.append(run_case(op, {"key": k_hex}, "missing ciphertext", ["MalformedEncoding"], "BAD_JSON"))
    return vector_file("crypto.fame", "decrypt", tests, params, NOTES)
