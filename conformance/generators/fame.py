"""Vectors for ``crypto.fame`` (spec/crypto/fame.md): keygen and encrypt known answers (seeded), and decrypt on
valid, unsatisfied, stale-epoch, tampered and malformed inputs. Every outcome is computed by the reference op
and checked against the outcome the case was written for."""

from __future__ import annotations

from typing import Any

from ...reference.testbed import adversarial, get_group
from ...spec.crypto import fame
from ...spec.params import G1_BYTES, G2_BYTES
from ...spec.policy import Policy, satisfies
from ...spec.rng import DeterministicRNG
from ..builder import VectorFileBuilder, note

NOTES: dict[str, dict[str, str]] = {
    "Valid": note("FUNCTIONALITY", "a satisfying key recovers the encapsulated GT element",
                  "spec/crypto/fame.md#algorithms"),
    "KnownAnswer": note("FUNCTIONALITY", "seeded DeterministicRNG, scalars drawn in the order the spec writes them: "
                        "byte-exact output", "spec/crypto/fame.md#algorithms"),
    "Duplicates": note("EDGE_CASE", "an attribute on several rows reuses its key component",
                       "spec/crypto/fame.md#algorithms"),
    "PolicyUnsatisfied": note("AUTH_BYPASS", "the key's attributes do not satisfy the policy: decryption must "
                              "refuse, not return some GT element", "spec/crypto/fame.md#algorithms"),
    "ThresholdSemantics": note("AUTH_BYPASS", "k-1 attributes of a k-of-n gate", "spec/policy.md#satisfaction"),
    "StaleEpoch": note("REVOCATION_BYPASS", "a key for irb@1 against a policy on irb@2",
                       "spec/policy.md#attributes-and-key-epochs"),
    "ModifiedCiphertext": note("MODIFIED_CIPHERTEXT", "a valid but altered component: the KEM returns another key "
                               "(the record layer then fails); outputs are exact", "spec/crypto/fame.md#algorithms"),
    "InvalidPoint": note("INVALID_POINT", "a point off the curve, outside the subgroup, the identity, or with a "
                         "non-canonical coordinate or bad flags, in any row (used or not)",
                         "spec/crypto/fame.md#encodings-strict"),
    "MalformedEncoding": note("MALFORMED_INPUT", "wrong tag, truncation, trailing bytes, row count, non-canonical "
                              "policy text, unsorted key attributes, bad hex",
                              "spec/crypto/fame.md#encodings-strict"),
    "PolicySyntax": note("MALFORMED_INPUT", "a policy that does not parse or breaks a limit",
                         "spec/policy.md#errors-and-limits"),
    "AttributeInvalid": note("MALFORMED_INPUT", "an attribute outside the grammar",
                             "spec/policy.md#attributes-and-key-epochs"),
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


BAD_G1: list[tuple[str, bytes, str]] = [
    ("off the subgroup", adversarial.g1_off_subgroup(), "POINT_NOT_IN_SUBGROUP"),
    ("off the curve", adversarial.g1_not_on_curve(), "POINT_NOT_ON_CURVE"),
    ("the identity", adversarial.identity(G1_BYTES), "IDENTITY_NOT_ALLOWED"),
    ("x >= p", adversarial.x_not_canonical(G1_BYTES), "COORDINATE_NOT_CANONICAL"),
    ("compression flag cleared", bytes(G1_BYTES), "BAD_FLAGS"),
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
    b = VectorFileBuilder("crypto.fame.keygen", NOTES).group(params)
    m = _h(msk.to_bytes())
    for a, s, c in ((["cardiology"], b"k1", "one attribute"), (ATTRS, b"k2", "five attributes"),
                    (["irb@1", "irb@2"], b"k3", "two epochs of one attribute"),
                    (["dpo", "dpo", "a"], b"k4", "duplicates are merged")):
        b.valid(c, {"masterKey": m, "attributes": a, "seed": _h(s)}, flags=["KnownAnswer"])
    for a, c in ((["Cardiology"], "upper case"), (["irb@0"], "epoch 0"), (["and"], "keyword"), ([""], "empty"),
                 (["x" * 65], "65 characters")):
        b.invalid(c, {"masterKey": m, "attributes": a, "seed": "0x01"}, "ATTRIBUTE_INVALID", ["AttributeInvalid"])
    raw = msk.to_bytes()
    for bad, c, code in ((raw + b"\x00", "trailing byte", "MALFORMED_ENCODING"),
                         (raw[:-1], "truncated", "MALFORMED_ENCODING"),
                         (b"\xf1" + raw[1:], "wrong tag", "MALFORMED_ENCODING"),
                         (raw[:1] + bytes(32) + raw[33:], "a1 = 0", "SCALAR_ZERO_NOT_ALLOWED"),
                         (raw[:1] + b"\xff" * 32 + raw[33:], "a1 >= r", "SCALAR_OUT_OF_RANGE")):
        b.invalid(c, {"masterKey": _h(bad), "attributes": ["a"], "seed": "0x01"}, code, ["MalformedEncoding"])
    b.invalid("upper-case hex", {"masterKey": m.upper().replace("0X", "0x"), "attributes": ["a"], "seed": "0x01"},
              "BAD_HEX", ["MalformedEncoding"])
    return b.build()


def _encrypt_file(pk: fame.PublicKey, params: dict[str, Any]) -> dict[str, Any]:
    b = VectorFileBuilder("crypto.fame.encrypt", NOTES).group(params)
    p = _h(pk.to_bytes())
    for i, pol in enumerate(POLICIES[:3]):
        b.valid(f"policy {i}", {"publicKey": p, "policy": pol, "seed": _h(bytes([i]))}, flags=["KnownAnswer"])
    for pol, code, c in (("a and", "POLICY_SYNTAX", "dangling and"), ("3 of (a, b)", "POLICY_BAD_THRESHOLD", "k > n"),
                         (" or ".join(["a"] * 65), "POLICY_TOO_MANY_LEAVES", "65 leaves"),
                         ("(" * 17 + "a" + ")" * 17, "POLICY_TOO_DEEP", "17 parentheses")):
        b.invalid(c, {"publicKey": p, "policy": pol, "seed": "0x01"}, code, ["PolicySyntax"])
    raw = pk.to_bytes()
    for bad, c, code in ((raw + b"\x00", "trailing byte", "MALFORMED_ENCODING"),
                         (raw[:-1], "truncated", "MALFORMED_ENCODING"),
                         (b"\xf4" + raw[1:], "wrong tag", "MALFORMED_ENCODING"),
                         (raw[:1] + adversarial.identity(G2_BYTES) + raw[97:], "H1 is the identity", "IDENTITY_NOT_ALLOWED"),
                         (raw[:1] + bytes(G2_BYTES) + raw[97:], "H1 without the compression flag", "BAD_FLAGS")):
        b.invalid(c, {"publicKey": _h(bad), "policy": "a", "seed": "0x01"}, code,
                  ["MalformedEncoding" if code == "MALFORMED_ENCODING" else "InvalidPoint"])
    return b.build()


def _decrypt_file(G: Any, keys: dict[str, fame.AttributeKey], cts: list[fame.Ciphertext],
                  params: dict[str, Any]) -> dict[str, Any]:
    b = VectorFileBuilder("crypto.fame.decrypt", NOTES).group(params)
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
            inp = {"key": _h(sk.to_bytes()), "ciphertext": _h(ct.to_bytes())}
            if ok:
                b.valid(f"key {name} on policy {i}", inp, flags=flags)
            else:
                b.invalid(f"key {name} on policy {i}", inp, "POLICY_UNSATISFIED", flags)

    sk, ct = keys["all"], cts[0]
    k_hex = _h(sk.to_bytes())
    # valid but altered components: another key comes out (exact values)
    g1, g2 = G.g1(), G.g2()
    swapped_row = fame.Ciphertext(ct.policy, ct.c0, ((ct.rows[0][0] + g1, *ct.rows[0][1:]), *ct.rows[1:]))
    swapped_c0 = fame.Ciphertext(ct.policy, (ct.c0[0] + g2, ct.c0[1], ct.c0[2]), ct.rows)
    for alt, c in ((swapped_row, "row 0 component 1 moved by g1"), (swapped_c0, "ct0 component 1 moved by g2")):
        b.valid(c, {"key": k_hex, "ciphertext": _h(alt.to_bytes())}, flags=["ModifiedCiphertext"])

    raw = ct.to_bytes()
    rows_at = len(raw) - len(ct.rows) * 3 * 48
    for row in (0, len(ct.rows) - 1):
        for desc, bad, code in BAD_G1:
            at = rows_at + row * 3 * 48 + 48
            b.invalid(f"row {row} component 2 {desc}", {"key": k_hex, "ciphertext": _h(raw[:at] + bad + raw[at + 48:])},
                      code, ["InvalidPoint"])
    c0_at = rows_at - 2 - 3 * 96
    identity_c0 = raw[:c0_at] + adversarial.identity(G2_BYTES) + raw[c0_at + 96:]
    b.invalid("ct0 component 1 is the identity", {"key": k_hex, "ciphertext": _h(identity_c0)}, "IDENTITY_NOT_ALLOWED",
              ["InvalidPoint"])
    for bad, c in ((raw + b"\x00", "trailing byte"), (raw[:-1], "truncated"), (b"\xf3" + raw[1:], "wrong tag"),
                   (raw[:rows_at - 2] + (len(ct.rows) + 1).to_bytes(2, "big") + raw[rows_at:] + raw[-144:],
                    "one row too many"),
                   (raw[:rows_at - 2] + (len(ct.rows) - 1).to_bytes(2, "big") + raw[rows_at:-144],
                    "one row too few")):
        b.invalid(c, {"key": k_hex, "ciphertext": _h(bad)}, "MALFORMED_ENCODING", ["MalformedEncoding"])
    text = raw[3:3 + int.from_bytes(raw[1:3], "big")]
    swapped_text = b"2 of (dpo, ethics_approved, irb@2) or (researcher and cardiology)"
    assert len(swapped_text) == len(text)
    b.invalid("policy text not canonical (and children unsorted)",
              {"key": k_hex, "ciphertext": _h(raw.replace(text, swapped_text))}, "MALFORMED_ENCODING",
              ["MalformedEncoding"])
    broken = text.replace(b" or ", b" or(")
    b.invalid("policy text does not parse",
              {"key": k_hex, "ciphertext": _h(raw[:1] + len(broken).to_bytes(2, "big") + broken + raw[3 + len(text):])},
              "POLICY_SYNTAX", ["PolicySyntax"])
    kraw = sk.to_bytes()
    kp_at = 1 + 3 * 96
    for desc, bad, code in BAD_G1[:3]:
        b.invalid(f"key sk'_1 {desc}", {"key": _h(kraw[:kp_at] + bad + kraw[kp_at + 48:]), "ciphertext": _h(raw)}, code,
                  ["InvalidPoint"])
    b.invalid("key with a trailing byte", {"key": _h(kraw + b"\x00"), "ciphertext": _h(raw)}, "MALFORMED_ENCODING",
              ["MalformedEncoding"])
    first = kp_at + 3 * 48 + 2
    bad_name = kraw[:first + 1] + b"C" + kraw[first + 2:]
    b.invalid("key attribute with upper case", {"key": _h(bad_name), "ciphertext": _h(raw)}, "ATTRIBUTE_INVALID",
              ["AttributeInvalid"])
    unsorted = fame.AttributeKey(sk.k0, tuple(reversed(sk.attributes)), sk.kp)
    b.invalid("key attributes not sorted", {"key": _h(unsorted.to_bytes()), "ciphertext": _h(raw)},
              "MALFORMED_ENCODING", ["MalformedEncoding"])
    b.invalid("odd-length hex", {"key": k_hex, "ciphertext": "0x" + raw.hex()[:-1]}, "BAD_HEX", ["MalformedEncoding"])
    b.invalid("missing ciphertext", {"key": k_hex}, "BAD_JSON", ["MalformedEncoding"])
    return b.build()
