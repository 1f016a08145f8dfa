"""Vectors of the group layer: strict decoders, RFC 9380 hashing, arithmetic and pairings (spec/group.py).

The adversarial encodings come from reference/adversarial.py: wrong lengths, each bad flag combination,
coordinates >= p, x with x^3 + b not a square (not on the curve), and real curve points outside the prime-order
subgroup (x chosen so that x^3 + b is a square; the cofactor makes such a point almost never land in the
subgroup, and the reference decoder confirms it). Every test is checked against the reference handler while it
is built (builder.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...reference.testbed import G1_SUITE, G2_SUITE, adversarial, fp12, g1_encoding, g2_encoding, get_group, rfc9380_vectors
from ...spec.group import PairingGroup
from ...spec.hashing import dst_tag
from ...spec.params import P, R
from ...spec.rng import DeterministicRNG, random_below
from ..builder import VectorFileBuilder
from ..ops.group import tohex

SEED = b"medshare/conformance/group"


def _note(bug: str, text: str, anchor: str) -> dict[str, str]:
    return {"bugType": bug, "description": text, "specRef": f"spec/group.md#{anchor}"}


NOTES = {
    # valid
    "CanonicalPairing": _note("KNOWN_ANSWER", "A pairing value in medshare's canonical normalisation; a backend "
                              "whose pairing differs by a fixed power or a conjugation gives another value.",
                              "the-canonical-pairing"),
    "KnownAnswer": _note("KNOWN_ANSWER", "A known answer computed by the reference; any other output is a bug "
                         "in the arithmetic, the encoding or the canonical pairing value.", "elements-and-operations"),
    "Rfc9380": _note("KNOWN_ANSWER", "A published RFC 9380 test vector (Appendix J/K).", "hashing"),
    "MedshareDst": _note("KNOWN_ANSWER", "Hashing under a medshare domain tag MEDSHARE-V1-<purpose>.", "hashing"),
    "Identity": _note("EDGE_CASE", "The identity (point at infinity, or 1 in GT) where it is allowed; "
                      "implementations often special-case it wrongly.", "encodings"),
    "SignBit": _note("EDGE_CASE", "The point with the other y (sign bit flipped); an implementation that ignores "
                     "the sign flag decodes the wrong point.", "encodings"),
    "EdgeScalar": _note("EDGE_CASE", "Scalar 0, 1, 2 or r - 1.", "encodings"),
    "Doubling": _note("EDGE_CASE", "Adding a point to itself or to its negation (formula edge cases).",
                      "elements-and-operations"),
    "DstBoundary": _note("EDGE_CASE", "A DST of exactly 1 or 255 bytes, or an output length at a boundary.",
                         "hashing"),
    # invalid
    "WrongLength": _note("WRONG_LENGTH", "The encoding has the wrong length; strict decoders reject it before "
                         "reading flags.", "strict-decoding"),
    "UncompressedFlag": _note("NON_CANONICAL_ENCODING", "The compression bit is clear; medshare accepts only "
                              "compressed points.", "strict-decoding"),
    "InfinityWithPayload": _note("NON_CANONICAL_ENCODING", "The infinity bit is set but other bits are not zero; "
                                 "accepting it makes the identity malleable.", "strict-decoding"),
    "InfinityWithSign": _note("NON_CANONICAL_ENCODING", "The infinity bit and the sign bit are both set.",
                              "strict-decoding"),
    "IdentityForbidden": _note("EDGE_CASE", "The identity where the caller forbids it (a public key, a "
                               "signature).", "strict-decoding"),
    "CoordinateNotReduced": _note("NON_CANONICAL_ENCODING", "A coordinate is >= p; reducing it mod p gives a "
                                  "second encoding of a point.", "strict-decoding"),
    "NotOnCurve": _note("INVALID_CURVE_POINT", "x^3 + b is not a square: no point has this x (invalid-curve "
                        "attacks).", "strict-decoding"),
    "NotInSubgroup": _note("MISSING_SUBGROUP_CHECK", "A real curve point outside the order-r subgroup "
                           "(small-subgroup attacks).", "strict-decoding"),
    "ScalarNotReduced": _note("MISSING_RANGE_CHECK", "A scalar encoding >= r; reducing it mod r accepts a second "
                              "encoding.", "strict-decoding"),
    "ZeroForbidden": _note("EDGE_CASE", "The zero scalar where the caller forbids it.", "strict-decoding"),
    "GtNotInSubgroup": _note("MISSING_SUBGROUP_CHECK", "An Fp12 element outside GT: not unitary, unitary but not "
                             "cyclotomic, cyclotomic of order other than r, or zero.", "strict-decoding"),
    "BadHex": {"bugType": "MALFORMED_INPUT", "specRef": "spec/errors.md#codes",
               "description": "The JSON hex string is not 0x-prefixed lowercase even-length hex."},
    "BadJson": {"bugType": "MALFORMED_INPUT", "specRef": "spec/errors.md#codes",
                "description": "A JSON field is missing or has the wrong type."},
    "DstInvalid": _note("DOMAIN_SEPARATION", "The DST is empty or longer than 255 bytes (RFC 9380 §5.3.1; "
                        "medshare rejects rather than hashing an oversized DST).", "hashing"),
    "LengthOutOfRange": _note("EDGE_CASE", "expand_message_xmd output length 0, > 255 * 32 or > 65535.",
                              "hashing"),
    "MsmLengthMismatch": _note("LENGTH_MISMATCH", "Different numbers of points and scalars; zipping them "
                               "silently drops a term.", "elements-and-operations"),
}

CURVE = {"curve": "BLS12-381", "encoding": "zcash-compressed"}


def _b(op: str, header: str) -> VectorFileBuilder:
    return VectorFileBuilder(op, NOTES, header=header)


# Files ------------------------------------------------------------------------------------------------------
def _decode_file(name: str, group: PairingGroup, rng: DeterministicRNG) -> dict[str, Any]:
    g1 = name == "g1"
    size = 48 if g1 else 96
    gen = group.g1() if g1 else group.g2()
    ident = group.identity_g1() if g1 else group.identity_g2()
    b = _b(f"group.{name}.decode", f"Strict {name.upper()} decoding: ZCash compressed, {size} bytes.")
    b.group(CURVE)
    b.valid("the generator", {"bytes": tohex(gen.to_bytes())}, flags=["KnownAnswer"])
    b.valid("the identity, allowed", {"bytes": tohex(ident.to_bytes()), "allowIdentity": True}, flags=["Identity"])
    b.valid("the identity, allowIdentity defaults to true", {"bytes": tohex(ident.to_bytes())}, flags=["Identity"])
    points = [gen * group.random_zr(rng) for _ in range(12)]
    for i, p in enumerate(points):
        b.valid(f"random multiple of the generator #{i}", {"bytes": tohex(p.to_bytes()), "allowIdentity": i % 2 == 0},
                flags=["KnownAnswer"])
    for i, p in enumerate(points[:6]):
        b.valid(f"negation of random point #{i} (other sign bit)", {"bytes": tohex((-p).to_bytes())},
                flags=["SignBit"])
    for k in (2, R - 1):
        b.valid(f"the generator times {'r - 1' if k > 2 else k}", {"bytes": tohex((gen * k).to_bytes())},
                flags=["EdgeScalar"])

    enc = points[0].to_bytes()
    b.group(CURVE)
    for n in (0, 1, size - 1, size + 1, 2 * size, 48 if not g1 else 96):
        b.invalid(f"{n} bytes", {"bytes": tohex(adversarial.wrong_length(enc, n))}, "BAD_LENGTH", ["WrongLength"])
    b.invalid("the uncompressed form of the generator", {"bytes": tohex(adversarial.uncompressed(gen.to_bytes()))},
              "BAD_LENGTH", ["UncompressedFlag", "WrongLength"])
    for i, p in enumerate(points[:4]):
        b.invalid(f"compression bit cleared on random point #{i}",
                  {"bytes": tohex(adversarial.uncompressed_flag(p.to_bytes()))}, "BAD_FLAGS", ["UncompressedFlag"])
    b.invalid("all-zero bytes (no flags)", {"bytes": tohex(bytes(size))}, "BAD_FLAGS", ["UncompressedFlag"])
    b.invalid("infinity bit without the compression bit",
              {"bytes": tohex(adversarial.uncompressed_flag(adversarial.identity(size)))}, "BAD_FLAGS",
              ["UncompressedFlag"])
    for pos, val in ((size - 1, 1), (1, 0x80), (size // 2, 0x10), (0, 0x01)):
        b.invalid(f"infinity with a payload bit at byte {pos}",
                  {"bytes": tohex(adversarial.infinity_with_payload(size, pos, val))}, "BAD_FLAGS",
                  ["InfinityWithPayload"])
    b.invalid("infinity flag on a real point's x", {"bytes": tohex(adversarial.infinity_flag_on_point(enc))},
              "BAD_FLAGS", ["InfinityWithPayload"])
    b.invalid("infinity with the sign bit", {"bytes": tohex(adversarial.infinity_with_sign(size))}, "BAD_FLAGS",
              ["InfinityWithSign"])
    b.invalid("infinity with the sign bit and a payload",
              {"bytes": tohex(adversarial.infinity_with_sign(size, payload=True))}, "BAD_FLAGS",
              ["InfinityWithPayload", "InfinityWithSign"])
    b.invalid("the identity where it is forbidden", {"bytes": tohex(ident.to_bytes()), "allowIdentity": False},
              "IDENTITY_NOT_ALLOWED", ["IdentityForbidden"])

    b.group(CURVE)
    b.invalid("x = p", {"bytes": tohex(adversarial.x_not_canonical(size))}, "COORDINATE_NOT_CANONICAL",
              ["CoordinateNotReduced"])
    b.invalid("x = 2^381 - 1 (all payload bits set)", {"bytes": tohex(adversarial.x_all_ones(size))},
              "COORDINATE_NOT_CANONICAL", ["CoordinateNotReduced"])
    for i, p in enumerate(points[:6]):
        alias = adversarial.x_plus_p(p.to_bytes())
        if alias is not None:
            b.invalid(f"random point #{i} with x + p (an alias of a valid x)", {"bytes": tohex(alias)},
                      "COORDINATE_NOT_CANONICAL", ["CoordinateNotReduced"])
    if not g1:
        b.invalid("the generator with x0 + p in its low word", {"bytes": tohex(adversarial.x0_plus_p(gen.to_bytes()))},
                  "COORDINATE_NOT_CANONICAL", ["CoordinateNotReduced"])
        b.invalid("x0 = p, x1 = 0", {"bytes": tohex(adversarial.compress_g2(P, 0))}, "COORDINATE_NOT_CANONICAL",
                  ["CoordinateNotReduced"])

    b.group(CURVE)
    not_on_curve = adversarial.random_g1_not_on_curve if g1 else adversarial.random_g2_not_on_curve
    for i, data in enumerate(not_on_curve(rng, 8)):
        b.invalid(f"x with x^3 + b not a square #{i}", {"bytes": tohex(data)}, "POINT_NOT_ON_CURVE", ["NotOnCurve"])
    b.group(CURVE)
    if g1:
        b.invalid("x = 0: the point (0, 2) of order 3", {"bytes": tohex(adversarial.compress_g1(0, False))},
                  "POINT_NOT_IN_SUBGROUP", ["NotInSubgroup"])
        b.invalid("x = 0 with the sign bit: (0, -2) of order 3", {"bytes": tohex(adversarial.compress_g1(0, True))},
                  "POINT_NOT_IN_SUBGROUP", ["NotInSubgroup"])
    off_subgroup = adversarial.random_g1_off_subgroup if g1 else adversarial.random_g2_off_subgroup
    for i, data in enumerate(off_subgroup(rng, 12)):
        b.invalid(f"curve point outside the subgroup #{i} (sign {'1' if data[0] & 0x20 else '0'})",
                  {"bytes": tohex(data), "allowIdentity": False}, "POINT_NOT_IN_SUBGROUP", ["NotInSubgroup"])
    b.group(CURVE)
    b.invalid("uppercase hex", {"bytes": "0x" + gen.to_bytes().hex().upper()}, "BAD_HEX", ["BadHex"])
    b.invalid("no 0x prefix", {"bytes": gen.to_bytes().hex()}, "BAD_HEX", ["BadHex"])
    b.invalid("odd number of hex digits", {"bytes": tohex(gen.to_bytes())[:-1]}, "BAD_HEX", ["BadHex"])
    b.invalid("bytes missing", {"allowIdentity": True}, "BAD_JSON", ["BadJson"])
    return b.build()


def _zr_file(group: PairingGroup, rng: DeterministicRNG) -> dict[str, Any]:
    b = _b("group.zr.decode", "Strict scalar decoding: 32 bytes big-endian, < r.")
    b.group({"order": hex(R)})
    for v, name in ((0, "zero"), (1, "one"), (2, "two"), (R - 1, "r - 1"), (R >> 1, "(r - 1) / 2")):
        b.valid(f"scalar {name}", {"bytes": tohex(v.to_bytes(32, "big"))}, {"scalar": tohex(v.to_bytes(32, "big"))},
                flags=["EdgeScalar"])
    for i in range(6):
        v = random_below(rng, R)
        b.valid(f"random scalar #{i}", {"bytes": tohex(v.to_bytes(32, "big")), "allowZero": False},
                flags=["KnownAnswer"])
    for v, name in ((R, "r"), (R + 1, "r + 1"), (2 * R - 1, "2r - 1"), (2**256 - 1, "2^256 - 1"),
                    (R + random_below(rng, 2**256 - R), "random value >= r")):
        b.invalid(f"scalar {name}", {"bytes": tohex(v.to_bytes(32, "big"))}, "SCALAR_OUT_OF_RANGE",
                  ["ScalarNotReduced"])
    for n in (0, 1, 31, 33, 48, 64):
        b.invalid(f"{n} bytes", {"bytes": tohex(bytes(n - 1) + b"\x01" if n else b"")}, "BAD_LENGTH",
                  ["WrongLength"])
    b.invalid("zero where it is forbidden", {"bytes": tohex(bytes(32)), "allowZero": False},
              "SCALAR_ZERO_NOT_ALLOWED", ["ZeroForbidden"])
    b.invalid("uppercase hex", {"bytes": "0x" + (R - 0xABC).to_bytes(32, "big").hex().upper()},
              "BAD_HEX", ["BadHex"])
    b.invalid("a JSON number instead of hex", {"bytes": 5}, "BAD_JSON", ["BadJson"])
    return b.build()


def _gt_file(group: PairingGroup, rng: DeterministicRNG) -> dict[str, Any]:
    b = _b("group.gt.decode", "Strict GT decoding: 576 bytes, 12 coefficients < p, in the order-r subgroup.")
    b.group({"order": hex(R), "coefficientOrder": "c0.c0.c0 c0.c0.c1 ... c1.c2.c1"})
    gen = group.gt_generator()
    b.valid("1 in GT", {"bytes": tohex(group.gt_one().to_bytes())}, flags=["Identity"])
    b.valid("e(g1, g2)", {"bytes": tohex(gen.to_bytes())}, flags=["CanonicalPairing"])
    b.valid("e(g1, g2)^-1", {"bytes": tohex(gen.inverse().to_bytes())}, flags=["KnownAnswer"])
    for i in range(4):
        b.valid(f"random power of e(g1, g2) #{i}", {"bytes": tohex((gen ** group.random_zr(rng)).to_bytes())},
                flags=["KnownAnswer"])

    b.group({"order": hex(R)})
    b.invalid("zero", {"bytes": tohex(adversarial.gt_encoding([0] * 12))}, "GT_NOT_IN_SUBGROUP", ["GtNotInSubgroup"])
    b.invalid("the Fp12 element 2", {"bytes": tohex(adversarial.gt_off_subgroup())}, "GT_NOT_IN_SUBGROUP",
              ["GtNotInSubgroup"])
    b.invalid("-1 (order 2)", {"bytes": tohex(adversarial.gt_encoding([P - 1] + [0] * 11))}, "GT_NOT_IN_SUBGROUP",
              ["GtNotInSubgroup"])
    flats = []
    for i in range(3):
        c = [random_below(rng, P) for _ in range(12)]
        flats.append(c)
        b.invalid(f"random Fp12 element #{i} (not unitary)", {"bytes": tohex(adversarial.gt_encoding(c))},
                  "GT_NOT_IN_SUBGROUP", ["GtNotInSubgroup"])
    b.invalid("f^(p^6 - 1): unitary, not in GT", {"bytes": tohex(adversarial.gt_encoding(adversarial.gt_unitary(
              flats[0])))}, "GT_NOT_IN_SUBGROUP", ["GtNotInSubgroup"])
    cyclo = adversarial.gt_cyclotomic(flats[0])
    b.invalid("f^((p^6 - 1)(p^2 + 1)): cyclotomic, order not r", {"bytes": tohex(adversarial.gt_encoding(cyclo))},
              "GT_NOT_IN_SUBGROUP", ["GtNotInSubgroup"])
    b.invalid("a cyclotomic element raised to r: order divides the cofactor",
              {"bytes": tohex(adversarial.gt_encoding(fp12.from_flat(fp12.to_flat(cyclo) ** R)))},
              "GT_NOT_IN_SUBGROUP", ["GtNotInSubgroup"])
    prod = fp12.mul(adversarial.gt_coefficients(gen.to_bytes()), cyclo)
    b.invalid("e(g1, g2) times a cyclotomic element of other order", {"bytes": tohex(adversarial.gt_encoding(prod))},
              "GT_NOT_IN_SUBGROUP", ["GtNotInSubgroup"])

    b.group({"order": hex(R)})
    one = group.gt_one().to_bytes()
    b.invalid("1 with its first coefficient 1 + p", {"bytes": tohex(adversarial.gt_coefficient_plus_p(one, 0))},
              "COORDINATE_NOT_CANONICAL", ["CoordinateNotReduced"])
    for i in (0, 5, 11):
        alias = adversarial.gt_coefficient_plus_p(gen.to_bytes(), i)
        if alias is not None:
            b.invalid(f"e(g1, g2) with coefficient {i} plus p", {"bytes": tohex(alias)}, "COORDINATE_NOT_CANONICAL",
                      ["CoordinateNotReduced"])
    b.invalid("a coefficient 2^384 - 1", {"bytes": tohex(adversarial.gt_with_coefficient(one, 7, (1 << 384) - 1))},
              "COORDINATE_NOT_CANONICAL", ["CoordinateNotReduced"])
    for n in (0, 48, 575, 577, 1152):
        b.invalid(f"{n} bytes", {"bytes": tohex(adversarial.wrong_length(gen.to_bytes(), n))}, "BAD_LENGTH",
                  ["WrongLength"])
    b.invalid("odd hex", {"bytes": tohex(gen.to_bytes())[:-1]}, "BAD_HEX", ["BadHex"])
    return b.build()


# Hashing ---------------------------------------------------------------------------------------------------
PURPOSES = ("CBS-CERT", "CBS-SIG", "IBE-ID", "FAME-H", "POSEIDON-ATTR", "RECORD-ID", "ZR", "TEST")
MESSAGES = (b"", b"abc", b"patient:7f3a", bytes(range(64)), b"q" * 200)


def _hash_files(group: PairingGroup) -> list[dict[str, Any]]:
    data = rfc9380_vectors()
    out = []

    # expand_message_xmd
    b = _b("group.hash.expand_message_xmd", "RFC 9380 §5.3.1 expand_message_xmd with SHA-256.")
    suite = data["expand_message_xmd_sha256"]
    dst = suite["dst"].encode()
    b.group({"dst": tohex(dst)})
    for t in suite["tests"]:
        b.valid(f"RFC 9380 K.1 msg={t['msg'][:12]!r} len={t['len_in_bytes']}",
                {"msg": tohex(t["msg"].encode()), "lenInBytes": t["len_in_bytes"]},
                {"uniformBytes": "0x" + t["uniform_bytes"]}, flags=["Rfc9380"])
    b.group({})
    for i, purpose in enumerate(PURPOSES[:5]):
        for n in (32, 48, 96):
            b.valid(f"{dst_tag(purpose).decode()} len={n}", {"msg": tohex(MESSAGES[i]), "dst": tohex(dst_tag(purpose)),
                                                             "lenInBytes": n}, flags=["MedshareDst"])
    for n, name in ((1, "1 byte"), (31, "31 bytes"), (33, "33 bytes"), (8160, "255 * 32 bytes (the maximum)")):
        b.valid(f"output of {name}", {"msg": "0x616263", "dst": tohex(dst_tag("TEST")), "lenInBytes": n},
                flags=["DstBoundary"])
    b.valid("DST of 1 byte", {"msg": "0x", "dst": "0x41", "lenInBytes": 32}, flags=["DstBoundary"])
    b.valid("DST of 255 bytes", {"msg": "0x", "dst": tohex(b"D" * 255), "lenInBytes": 32}, flags=["DstBoundary"])
    b.invalid("empty DST", {"msg": "0x", "dst": "0x", "lenInBytes": 32}, "DST_INVALID", ["DstInvalid"])
    b.invalid("DST of 256 bytes", {"msg": "0x", "dst": tohex(b"D" * 256), "lenInBytes": 32}, "DST_INVALID",
              ["DstInvalid"])
    b.invalid("DST of 1000 bytes", {"msg": "0x00", "dst": tohex(b"E" * 1000), "lenInBytes": 64}, "DST_INVALID",
              ["DstInvalid"])
    for n in (0, 8161, 65535, 65536):
        b.invalid(f"lenInBytes = {n}", {"msg": "0x", "dst": tohex(dst_tag("TEST")), "lenInBytes": n},
                  "HASH_LENGTH_INVALID", ["LengthOutOfRange"])
    b.invalid("lenInBytes negative", {"msg": "0x", "dst": tohex(dst_tag("TEST")), "lenInBytes": -32},
              "HASH_LENGTH_INVALID", ["LengthOutOfRange"])
    b.invalid("lenInBytes as a string", {"msg": "0x", "dst": tohex(dst_tag("TEST")), "lenInBytes": "32"},
              "BAD_JSON", ["BadJson"])
    b.invalid("msg not hex", {"msg": "abc", "dst": tohex(dst_tag("TEST")), "lenInBytes": 32}, "BAD_HEX", ["BadHex"])
    out.append(b.build())

    # hash_to_g1 / hash_to_g2
    for name, suite_name, enc in (("g1", G1_SUITE, "g1"), ("g2", G2_SUITE, "g2")):
        b = _b(f"group.hash.hash_to_{name}", f"RFC 9380 {suite_name}.")
        suite = data[suite_name]
        b.group({"dst": tohex(suite["dst"].encode())})
        for t in suite["tests"]:
            if enc == "g1":
                want = g1_encoding(int(t["x"], 16), int(t["y"], 16))
            else:
                want = g2_encoding((int(t["x"][0], 16), int(t["x"][1], 16)), (int(t["y"][0], 16), int(t["y"][1], 16)))
            b.valid(f"RFC 9380 msg={t['msg'][:12]!r}", {"msg": tohex(t["msg"].encode())}, {"point": tohex(want)},
                    flags=["Rfc9380"])
        b.group({})
        for purpose in PURPOSES:
            for msg in MESSAGES[:3]:
                b.valid(f"{dst_tag(purpose).decode()} msg={msg[:12]!r}",
                        {"msg": tohex(msg), "dst": tohex(dst_tag(purpose))}, flags=["MedshareDst"])
        b.valid("DST of 255 bytes", {"msg": "0x00", "dst": tohex(b"M" * 255)}, flags=["DstBoundary"])
        b.invalid("empty DST", {"msg": "0x616263", "dst": "0x"}, "DST_INVALID", ["DstInvalid"])
        b.invalid("DST of 256 bytes", {"msg": "0x616263", "dst": tohex(b"M" * 256)}, "DST_INVALID", ["DstInvalid"])
        b.invalid("dst missing", {"msg": "0x616263"}, "BAD_JSON", ["BadJson"])
        b.invalid("msg uppercase hex", {"msg": "0xABCD", "dst": tohex(dst_tag("TEST"))}, "BAD_HEX", ["BadHex"])
        out.append(b.build())

    b = _b("group.hash.hash_to_zr", "RFC 9380 hash_to_field into F_r (L = 48, expand_message_xmd SHA-256).")
    b.group({})
    for purpose in PURPOSES:
        for msg in MESSAGES:
            b.valid(f"{dst_tag(purpose).decode()} msg={msg[:12]!r}",
                    {"msg": tohex(msg), "dst": tohex(dst_tag(purpose))}, flags=["MedshareDst"])
    b.valid("DST of 255 bytes", {"msg": "0x00", "dst": tohex(b"Z" * 255)}, flags=["DstBoundary"])
    b.invalid("empty DST", {"msg": "0x616263", "dst": "0x"}, "DST_INVALID", ["DstInvalid"])
    b.invalid("DST of 256 bytes", {"msg": "0x616263", "dst": tohex(b"Z" * 256)}, "DST_INVALID", ["DstInvalid"])
    b.invalid("msg missing", {"dst": tohex(dst_tag("ZR"))}, "BAD_JSON", ["BadJson"])
    out.append(b.build())
    return out


# Arithmetic and pairings -----------------------------------------------------------------------------------
def _bad_points(name: str, group: PairingGroup, rng: DeterministicRNG) -> list[tuple[str, bytes, str, str]]:
    """(comment, encoding, error, flag) of bad encodings used as operands."""
    g1 = name == "g1"
    size = 48 if g1 else 96
    gen = (group.g1() if g1 else group.g2()).to_bytes()
    sub = (adversarial.random_g1_off_subgroup if g1 else adversarial.random_g2_off_subgroup)(rng, 2)
    curve = (adversarial.random_g1_not_on_curve if g1 else adversarial.random_g2_not_on_curve)(rng, 1)
    return [
        ("an operand outside the subgroup", sub[0], "POINT_NOT_IN_SUBGROUP", "NotInSubgroup"),
        ("an operand outside the subgroup (other sign)", sub[1], "POINT_NOT_IN_SUBGROUP", "NotInSubgroup"),
        ("an operand not on the curve", curve[0], "POINT_NOT_ON_CURVE", "NotOnCurve"),
        ("an operand with x >= p", adversarial.x_not_canonical(size), "COORDINATE_NOT_CANONICAL", "CoordinateNotReduced"),
        ("an infinity operand with a payload", adversarial.infinity_with_payload(size), "BAD_FLAGS", "InfinityWithPayload"),
        ("an operand one byte short", gen[:-1], "BAD_LENGTH", "WrongLength"),
    ]


def _arith_files(name: str, group: PairingGroup, rng: DeterministicRNG) -> list[dict[str, Any]]:
    g1 = name == "g1"
    gen = group.g1() if g1 else group.g2()
    ident = group.identity_g1() if g1 else group.identity_g2()
    pts = [gen * group.random_zr(rng) for _ in range(10)]
    bad = _bad_points(name, group, rng)
    h = tohex
    out = []

    b = _b(f"group.{name}.add", f"{name.upper()} addition of decoded points.")
    b.group(CURVE)
    for i in range(5):
        b.valid(f"random points #{i} + #{i + 1}", {"a": h(pts[i].to_bytes()), "b": h(pts[i + 1].to_bytes())},
                flags=["KnownAnswer"])
    b.valid("P + P (doubling)", {"a": h(pts[0].to_bytes()), "b": h(pts[0].to_bytes())}, flags=["Doubling"])
    b.valid("g + g (doubling the generator)", {"a": h(gen.to_bytes()), "b": h(gen.to_bytes())}, flags=["Doubling"])
    b.valid("P + (-P) = identity", {"a": h(pts[1].to_bytes()), "b": h((-pts[1]).to_bytes())},
            {"point": h(ident.to_bytes())}, flags=["Doubling", "Identity"])
    b.valid("P + identity", {"a": h(pts[2].to_bytes()), "b": h(ident.to_bytes())}, {"point": h(pts[2].to_bytes())},
            flags=["Identity"])
    b.valid("identity + P", {"a": h(ident.to_bytes()), "b": h(pts[3].to_bytes())}, {"point": h(pts[3].to_bytes())},
            flags=["Identity"])
    b.valid("identity + identity", {"a": h(ident.to_bytes()), "b": h(ident.to_bytes())},
            {"point": h(ident.to_bytes())}, flags=["Identity"])
    for i, (comment, data, err, flag) in enumerate(bad):
        inp = {"a": h(pts[i].to_bytes()), "b": h(data)} if i % 2 else {"a": h(data), "b": h(pts[i].to_bytes())}
        b.invalid(comment, inp, err, [flag])
    b.invalid("b missing", {"a": h(pts[0].to_bytes())}, "BAD_JSON", ["BadJson"])
    out.append(b.build())

    b = _b(f"group.{name}.mul", f"{name.upper()} scalar multiplication; the scalar is a strict 32-byte Zr encoding.")
    b.group(CURVE)

    def s(v: int) -> str:
        return h(v.to_bytes(32, "big"))

    for v, label in ((0, "0"), (1, "1"), (2, "2"), (R - 1, "r - 1")):
        b.valid(f"generator times {label}", {"point": h(gen.to_bytes()), "scalar": s(v)}, flags=["EdgeScalar"])
        b.valid(f"random point times {label}", {"point": h(pts[4].to_bytes()), "scalar": s(v)}, flags=["EdgeScalar"])
    b.valid("(r - 1) * P = -P", {"point": h(pts[5].to_bytes()), "scalar": s(R - 1)}, {"point": h((-pts[5]).to_bytes())},
            flags=["EdgeScalar"])
    b.valid("identity times a random scalar", {"point": h(ident.to_bytes()), "scalar": s(random_below(rng, R))},
            {"point": h(ident.to_bytes())}, flags=["Identity"])
    for i in range(6):
        b.valid(f"random point #{i} times a random scalar",
                {"point": h(pts[i].to_bytes()), "scalar": s(random_below(rng, R))}, flags=["KnownAnswer"])
    for v, label in ((R, "r"), (R + 1, "r + 1"), (R + 2, "r + 2"), (2**256 - 1, "2^256 - 1")):
        b.invalid(f"scalar {label}", {"point": h(pts[6].to_bytes()), "scalar": s(v)}, "SCALAR_OUT_OF_RANGE",
                  ["ScalarNotReduced"])
    b.invalid("scalar of 31 bytes", {"point": h(pts[6].to_bytes()), "scalar": h(bytes(30) + b"\x07")}, "BAD_LENGTH",
              ["WrongLength"])
    b.invalid("scalar of 33 bytes", {"point": h(pts[6].to_bytes()), "scalar": h(bytes(32) + b"\x07")}, "BAD_LENGTH",
              ["WrongLength"])
    for comment, data, err, flag in bad:
        b.invalid(comment, {"point": h(data), "scalar": s(5)}, err, [flag])
    out.append(b.build())

    b = _b(f"group.{name}.msm", f"{name.upper()} multi-scalar multiplication sum_i s_i * P_i.")
    b.group(CURVE)
    b.valid("no terms: the identity", {"points": [], "scalars": []}, {"point": h(ident.to_bytes())},
            flags=["Identity"])
    for n in (1, 2, 3, 5, 8):
        sc = [random_below(rng, R) for _ in range(n)]
        b.valid(f"{n} random terms", {"points": [h(p.to_bytes()) for p in pts[:n]], "scalars": [s(v) for v in sc]},
                flags=["KnownAnswer"])
    b.valid("zero scalars", {"points": [h(p.to_bytes()) for p in pts[:3]], "scalars": [s(0)] * 3},
            {"point": h(ident.to_bytes())}, flags=["EdgeScalar"])
    b.valid("the same point twice, scalars 1 and r - 1", {"points": [h(pts[0].to_bytes())] * 2,
                                                           "scalars": [s(1), s(R - 1)]},
            {"point": h(ident.to_bytes())}, flags=["Doubling", "EdgeScalar"])
    b.valid("identity points among the terms", {"points": [h(ident.to_bytes()), h(pts[1].to_bytes())],
                                                 "scalars": [s(3), s(2)]},
            {"point": h((pts[1] * 2).to_bytes())}, flags=["Identity"])
    b.invalid("3 points, 2 scalars", {"points": [h(p.to_bytes()) for p in pts[:3]], "scalars": [s(1), s(2)]},
              "MSM_LENGTH_MISMATCH", ["MsmLengthMismatch"])
    b.invalid("2 points, 3 scalars", {"points": [h(p.to_bytes()) for p in pts[:2]], "scalars": [s(1), s(2), s(3)]},
              "MSM_LENGTH_MISMATCH", ["MsmLengthMismatch"])
    b.invalid("no points, 1 scalar", {"points": [], "scalars": [s(1)]}, "MSM_LENGTH_MISMATCH", ["MsmLengthMismatch"])
    b.invalid("a scalar >= r", {"points": [h(p.to_bytes()) for p in pts[:2]], "scalars": [s(1), s(R + 5)]},
              "SCALAR_OUT_OF_RANGE", ["ScalarNotReduced"])
    for comment, data, err, flag in bad[:4]:
        b.invalid(comment, {"points": [h(pts[0].to_bytes()), h(data)], "scalars": [s(1), s(2)]}, err, [flag])
    b.invalid("points not a list", {"points": h(pts[0].to_bytes()), "scalars": [s(1)]}, "BAD_JSON", ["BadJson"])
    out.append(b.build())
    return out


def _pairing_files(group: PairingGroup, rng: DeterministicRNG) -> list[dict[str, Any]]:
    g1, g2 = group.g1(), group.g2()
    h = tohex
    bad1 = _bad_points("g1", group, rng)
    bad2 = _bad_points("g2", group, rng)
    out = []

    b = _b("group.pairing.pair", "The canonical pairing value e(P, Q) (spec/group.md, the canonical pairing).")
    b.group(CURVE)
    b.valid("e(g1, g2)", {"p": h(g1.to_bytes()), "q": h(g2.to_bytes())}, flags=["CanonicalPairing"])
    b.valid("e(-g1, g2) = e(g1, g2)^-1", {"p": h((-g1).to_bytes()), "q": h(g2.to_bytes())},
            {"gt": h(group.gt_generator().inverse().to_bytes())}, flags=["CanonicalPairing"])
    for i in range(5):
        a, c = group.random_zr(rng), group.random_zr(rng)
        b.valid(f"e(a g1, c g2) random #{i}", {"p": h((g1 * a).to_bytes()), "q": h((g2 * c).to_bytes())},
                {"gt": h((group.gt_generator() ** (a * c)).to_bytes())}, flags=["CanonicalPairing"])
    b.valid("e(identity, g2) = 1", {"p": h(group.identity_g1().to_bytes()), "q": h(g2.to_bytes())},
            {"gt": h(group.gt_one().to_bytes())}, flags=["Identity"])
    b.valid("e(g1, identity) = 1", {"p": h(g1.to_bytes()), "q": h(group.identity_g2().to_bytes())},
            {"gt": h(group.gt_one().to_bytes())}, flags=["Identity"])
    for comment, data, err, flag in bad1:
        b.invalid(f"P: {comment}", {"p": h(data), "q": h(g2.to_bytes())}, err, [flag])
    for comment, data, err, flag in bad2:
        b.invalid(f"Q: {comment}", {"p": h(g1.to_bytes()), "q": h(data)}, err, [flag])
    b.invalid("arguments swapped (G2 bytes as P)", {"p": h(g2.to_bytes()), "q": h(g1.to_bytes())}, "BAD_LENGTH",
              ["WrongLength"])
    out.append(b.build())

    def pairs(ps: list[tuple[Any, Any]]) -> list[dict[str, str]]:
        return [{"p": h(p if isinstance(p, bytes) else p.to_bytes()),
                 "q": h(q if isinstance(q, bytes) else q.to_bytes())} for p, q in ps]

    a = group.random_zr(rng)
    balanced = [(g1 * a, g2), (-g1, g2 * a)]
    b = _b("group.pairing.multi_pairing", "prod_i e(P_i, Q_i) with one final exponentiation.")
    b.group(CURVE)
    b.valid("no pairs: 1", {"pairs": []}, {"gt": h(group.gt_one().to_bytes())}, flags=["Identity"])
    b.valid("one pair", {"pairs": pairs([(g1, g2)])}, {"gt": h(group.gt_generator().to_bytes())}, flags=["CanonicalPairing"])
    b.valid("e(a g1, g2) e(-g1, a g2) = 1", {"pairs": pairs(balanced)}, {"gt": h(group.gt_one().to_bytes())},
            flags=["CanonicalPairing"])
    for n in (2, 3, 4):
        ps = [(g1 * group.random_zr(rng), g2 * group.random_zr(rng)) for _ in range(n)]
        want = group.gt_one()
        for p, q in ps:
            want = want * group.pair(p, q)
        b.valid(f"{n} random pairs", {"pairs": pairs(ps)}, {"gt": h(want.to_bytes())}, flags=["CanonicalPairing"])
    for comment, data, err, flag in bad1[:4]:
        b.invalid(f"second P: {comment}", {"pairs": pairs([(g1, g2), (data, g2)])}, err, [flag])
    for comment, data, err, flag in bad2[:4]:
        b.invalid(f"first Q: {comment}", {"pairs": pairs([(g1, data), (g1, g2)])}, err, [flag])
    b.invalid("a pair without q", {"pairs": [{"p": h(g1.to_bytes())}]}, "BAD_JSON", ["BadJson"])
    out.append(b.build())

    b = _b("group.pairing.pairing_check", "True iff prod_i e(P_i, Q_i) = 1.")
    b.group(CURVE)
    b.valid("no pairs: true", {"pairs": []}, {"result": True}, flags=["Identity"])
    b.valid("e(a g1, g2) e(-g1, a g2) = 1", {"pairs": pairs(balanced)}, {"result": True}, flags=["CanonicalPairing"])
    for i in range(3):
        x, y = group.random_zr(rng), group.random_zr(rng)
        b.valid(f"e(x g1, y g2) e(-xy g1, g2) = 1 #{i}", {"pairs": pairs([(g1 * x, g2 * y), (-(g1 * (x * y)), g2)])},
                {"result": True}, flags=["CanonicalPairing"])
        b.valid(f"e(x g1, y g2) e(-(xy + 1) g1, g2) != 1 #{i}",
                {"pairs": pairs([(g1 * x, g2 * y), (-(g1 * (x * y + 1)), g2)])}, {"result": False},
                flags=["CanonicalPairing"])
    b.valid("a single pair e(g1, g2): false", {"pairs": pairs([(g1, g2)])}, {"result": False}, flags=["CanonicalPairing"])
    b.valid("e(identity, g2): true", {"pairs": pairs([(group.identity_g1(), g2)])}, {"result": True},
            flags=["Identity"])
    sub1, sub2 = bad1[0][1], bad2[0][1]
    b.invalid("a balanced equation plus an off-subgroup G1 point", {"pairs": pairs(balanced + [(sub1, g2)])},
              "POINT_NOT_IN_SUBGROUP", ["NotInSubgroup"])
    b.invalid("a balanced equation plus an off-subgroup G2 point", {"pairs": pairs(balanced + [(g1, sub2)])},
              "POINT_NOT_IN_SUBGROUP", ["NotInSubgroup"])
    for comment, data, err, flag in bad1[2:]:
        b.invalid(f"P: {comment}", {"pairs": pairs([(data, g2)])}, err, [flag])
    for comment, data, err, flag in bad2[2:]:
        b.invalid(f"Q: {comment}", {"pairs": pairs([(g1, data)])}, err, [flag])
    b.invalid("pairs not a list", {"pairs": {"p": h(g1.to_bytes()), "q": h(g2.to_bytes())}}, "BAD_JSON", ["BadJson"])
    out.append(b.build())
    return out


def generate() -> list[dict[str, Any]]:
    """Every group-layer vector file, deterministically (seeded RNG, native backend)."""
    group = get_group("native")
    root = DeterministicRNG(SEED)
    files: list[dict[str, Any]] = []
    sections: list[Callable[[], Any]] = [
        lambda: _decode_file("g1", group, root.fork("g1.decode")),
        lambda: _decode_file("g2", group, root.fork("g2.decode")),
        lambda: _zr_file(group, root.fork("zr.decode")),
        lambda: _gt_file(group, root.fork("gt.decode")),
        lambda: _hash_files(group),
        lambda: _arith_files("g1", group, root.fork("g1.arith")),
        lambda: _arith_files("g2", group, root.fork("g2.arith")),
        lambda: _pairing_files(group, root.fork("pairing")),
    ]
    for section in sections:
        result = section()
        files.extend(result if isinstance(result, list) else [result])
    return files
