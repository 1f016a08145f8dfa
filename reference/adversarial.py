"""Malformed group encodings, for the conformance vectors, the mutants and the tests.

Each constructor returns bytes that fail one strict-decoding check of spec/group.md (BLS12-381 G1, G2 and GT)
or of spec/crypto/secp256k1.py, so a decoder that skips that check is caught. Points outside the subgroup are
genuine curve points (found by searching x), not random bytes. Nothing here checks what a decoder makes of the
bytes: the vector builder runs every encoding through the reference decoder.

G1 encodings are 48 bytes, G2 96 (x = x0 + x1*u encoded x1 || x0, the flags in the first byte of x1), GT 576
(twelve 48-byte coefficients), secp256k1 points 33.
"""

from __future__ import annotations

from py_ecc.bls.point_compression import modular_squareroot_in_FQ2
from py_ecc.optimized_bls12_381 import FQ, FQ2, b2, is_inf, multiply, normalize

from ..spec.crypto import secp256k1
from ..spec.params import FP_BYTES, G1_BYTES, GT_BYTES, P, R
from ..spec.rng import RNG, random_below
from .backends import fp12, get_group

FLAG_COMPRESSED, FLAG_INFINITY, FLAG_SIGN = 0x80, 0x40, 0x20


# Compressed encodings of an x, whatever it is -----------------------------------------------------------------
def compress_g1(x: int, sign: bool = False) -> bytes:
    """The compression flag (and the sign flag) over x; x is not checked (x >= p or off the curve pass)."""
    out = bytearray(x.to_bytes(FP_BYTES, "big"))
    out[0] |= FLAG_COMPRESSED | (FLAG_SIGN if sign else 0)
    return bytes(out)


def compress_g2(x0: int, x1: int, sign: bool = False) -> bytes:
    """The compression flag (and the sign flag) over x = x0 + x1*u, encoded x1 || x0; x is not checked."""
    out = bytearray(x1.to_bytes(FP_BYTES, "big") + x0.to_bytes(FP_BYTES, "big"))
    out[0] |= FLAG_COMPRESSED | (FLAG_SIGN if sign else 0)
    return bytes(out)


def _g1_y(x: int) -> int | None:
    """A y with y^2 = x^3 + 4, or None when x^3 + 4 is not a square (x is on no point of E(Fp))."""
    rhs = (pow(x, 3, P) + 4) % P
    y = pow(rhs, (P + 1) // 4, P)
    return y if y * y % P == rhs else None


def _g2_on_twist(x0: int, x1: int) -> bool:
    """x^3 + 4(1 + u) is a square in Fp2 (iff its norm is a square in Fp), for x = x0 + x1*u."""
    s0, s1 = (x0 * x0 - x1 * x1) % P, (2 * x0 * x1) % P
    c0, c1 = (s0 * x0 - s1 * x1 + 4) % P, (s0 * x1 + s1 * x0 + 4) % P
    norm = (c0 * c0 + c1 * c1) % P
    return norm == 0 or pow(norm, (P - 1) // 2, P) == 1


# Off the curve, off the subgroup ------------------------------------------------------------------------------
def g1_not_on_curve(start: int = 1) -> bytes:
    """The smallest x >= start for which x^3 + 4 is not a square in Fp."""
    x = start
    while _g1_y(x) is not None:
        x += 1
    return compress_g1(x)


def g1_off_subgroup(start: int = 1, sign: bool = False) -> bytes:
    """The smallest x >= start of a point on E(Fp) outside the order-r subgroup (most curve points are: the
    cofactor is ~2^125); ``sign`` picks (x, y) or (x, -y), both outside."""
    x = start
    while True:
        y = _g1_y(x)
        if y is not None and not is_inf(multiply((FQ(x), FQ(y), FQ(1)), R)):
            return compress_g1(x, sign)
        x += 1


def g2_not_on_curve(start: int = 1) -> bytes:
    """x = x0 + u for the smallest x0 >= start with x^3 + 4(1 + u) not a square in Fp2."""
    x0 = start
    while _g2_on_twist(x0, 1):
        x0 += 1
    return compress_g2(x0, 1)


def g2_off_subgroup(start: int = 1, x1: int = 1, sign: bool = False) -> bytes:
    """x = x0 + x1*u for the smallest x0 >= start of a point on the twist outside the order-r subgroup;
    ``sign`` picks (x, y) or (x, -y), both outside."""
    x0 = start
    while True:
        x = FQ2([x0, x1])
        y = modular_squareroot_in_FQ2(x**3 + b2)
        if y is not None and not is_inf(multiply((x, y, FQ2.one()), R)):
            return compress_g2(x0, x1, sign)
        x0 += 1


def random_g1_not_on_curve(rng: RNG, n: int) -> list[bytes]:
    """n random x with x^3 + 4 not a square, sign flags alternating."""
    out: list[bytes] = []
    while len(out) < n:
        x = random_below(rng, P)
        if _g1_y(x) is None:
            out.append(compress_g1(x, len(out) % 2 == 1))
    return out


def random_g1_off_subgroup(rng: RNG, n: int) -> list[bytes]:
    """Random curve points, both signs of each x: outside G1 but with probability ~2^-125 (the cofactor)."""
    out: list[bytes] = []
    while len(out) < n:
        x = random_below(rng, P)
        if _g1_y(x) is not None:
            out += [compress_g1(x, False), compress_g1(x, True)]
    return out[:n]


def random_g2_not_on_curve(rng: RNG, n: int) -> list[bytes]:
    """n random x = x0 + x1*u off the twist, sign flags alternating."""
    out: list[bytes] = []
    while len(out) < n:
        x0, x1 = random_below(rng, P), random_below(rng, P)
        if not _g2_on_twist(x0, x1):
            out.append(compress_g2(x0, x1, len(out) % 2 == 1))
    return out


def random_g2_off_subgroup(rng: RNG, n: int) -> list[bytes]:
    """Random points of the twist, both signs of each x: outside G2 but with negligible probability."""
    out: list[bytes] = []
    while len(out) < n:
        x0, x1 = random_below(rng, P), random_below(rng, P)
        if _g2_on_twist(x0, x1):
            out += [compress_g2(x0, x1, False), compress_g2(x0, x1, True)]
    return out[:n]


# Flags, coordinates, lengths ----------------------------------------------------------------------------------
def identity(size: int) -> bytes:
    """The canonical identity: compression and infinity flags, the rest zero."""
    return bytes([FLAG_COMPRESSED | FLAG_INFINITY]) + bytes(size - 1)


def infinity_with_payload(size: int, at: int = -1, bits: int = 0x01) -> bytes:
    """The identity with ``bits`` set in byte ``at`` (default: the last byte's low bit)."""
    out = bytearray(identity(size))
    out[at] |= bits
    return bytes(out)


def infinity_with_sign(size: int, payload: bool = False) -> bytes:
    """The identity with the sign flag set (and a payload bit, if asked)."""
    out = bytearray(infinity_with_payload(size) if payload else identity(size))
    out[0] |= FLAG_SIGN
    return bytes(out)


def infinity_flag_on_point(valid: bytes) -> bytes:
    """A point's encoding with the infinity flag set too: an identity with a payload."""
    return bytes([valid[0] | FLAG_COMPRESSED | FLAG_INFINITY]) + valid[1:]


def uncompressed_flag(valid: bytes) -> bytes:
    """A valid compressed encoding with the compression bit cleared."""
    return bytes([valid[0] & 0x7F]) + valid[1:]


def x_not_canonical(size: int) -> bytes:
    """The compression flag over x = p (G2: in the x1 word, x0 = 0)."""
    return compress_g1(P) if size == G1_BYTES else compress_g2(0, P)


def x_all_ones(size: int) -> bytes:
    """The compression flag over every payload bit set: x = 2^381 - 1 >= p (G2: the x1 word)."""
    return bytes([FLAG_COMPRESSED | 0x1F]) + b"\xff" * (size - 1)


def x_plus_p(valid: bytes) -> bytes | None:
    """A valid encoding with x (G2: its x1 word) replaced by x + p, the same flags; None when x + p does not fit
    below the flag bits."""
    flags = valid[0] & 0xE0
    body = bytes([valid[0] & 0x1F]) + valid[1:]
    hi = int.from_bytes(body[:FP_BYTES], "big") + P
    if hi >= 1 << 381:
        return None
    out = bytearray(hi.to_bytes(FP_BYTES, "big") + body[FP_BYTES:])
    out[0] |= flags
    return bytes(out)


def x0_plus_p(valid: bytes) -> bytes:
    """A valid G2 encoding with its low word x0 replaced by x0 + p (< 2^384: the low word has no flag bits)."""
    x0 = int.from_bytes(valid[FP_BYTES:], "big") + P
    return valid[:FP_BYTES] + x0.to_bytes(FP_BYTES, "big")


def wrong_length(valid: bytes, n: int) -> bytes:
    """``valid`` repeated and cut to n bytes."""
    return (valid * (n // len(valid) + 1))[:n]


def uncompressed(valid: bytes) -> bytes:
    """The ZCash uncompressed form (x || y, flags clear: 96 or 192 bytes) of a valid compressed G1 or G2 point,
    from the pure backend's affine coordinates."""
    pure = get_group("pure")
    if len(valid) == G1_BYTES:
        x, y = normalize(pure.g1_from_bytes(valid).p)  # type: ignore[attr-defined]
        return int(x).to_bytes(FP_BYTES, "big") + int(y).to_bytes(FP_BYTES, "big")
    x, y = normalize(pure.g2_from_bytes(valid).p)  # type: ignore[attr-defined]
    return b"".join(int(c).to_bytes(FP_BYTES, "big") for c in (x.coeffs[1], x.coeffs[0], y.coeffs[1], y.coeffs[0]))


# GT ------------------------------------------------------------------------------------------------------------
def gt_encoding(c: list[int]) -> bytes:
    """Twelve coefficients as 48-byte words, unchecked (zero, values >= p and elements outside GT pass)."""
    return b"".join(x.to_bytes(FP_BYTES, "big") for x in c)


def gt_coefficients(valid: bytes) -> list[int]:
    return [int.from_bytes(valid[i:i + FP_BYTES], "big") for i in range(0, GT_BYTES, FP_BYTES)]


def gt_off_subgroup() -> bytes:
    """A unit of Fp12 outside GT: 2 (its order divides p - 1, which r does not divide)."""
    c = [2] + [0] * 11
    assert fp12.to_flat(c) ** R != fp12.to_flat(fp12.ONE)
    return gt_encoding(c)


def gt_unitary(c: list[int]) -> list[int]:
    """c^(p^6 - 1) = conj(c) / c: unitary, and for a random c not in GT."""
    return fp12.from_flat(fp12.to_flat(c).inv() * fp12.to_flat(fp12.conjugate(c)))


def gt_cyclotomic(c: list[int]) -> list[int]:
    """c^((p^6 - 1)(p^2 + 1)): in the cyclotomic subgroup, of order other than r for a random c."""
    u = fp12.to_flat(gt_unitary(c))
    return fp12.from_flat(u ** (P * P) * u)


def gt_with_coefficient(valid: bytes, index: int, value: int) -> bytes:
    """An encoding with coefficient ``index`` replaced by ``value`` (< 2^384), unchecked."""
    c = gt_coefficients(valid)
    c[index] = value
    return gt_encoding(c)


def gt_coefficient_plus_p(valid: bytes, index: int) -> bytes | None:
    """A valid encoding with coefficient ``index`` replaced by itself + p; None when that does not fit."""
    value = gt_coefficients(valid)[index] + P
    return gt_with_coefficient(valid, index, value) if value < 1 << (8 * FP_BYTES) else None


def gt_not_canonical(valid: bytes) -> bytes:
    """A valid GT encoding with its first coefficient replaced by itself + p, or by p (a non-canonical zero)
    when that does not fit."""
    alias = gt_coefficient_plus_p(valid, 0)
    return alias if alias is not None else gt_with_coefficient(valid, 0, P)


# secp256k1 (33-byte compressed points) ------------------------------------------------------------------------
def secp256k1_not_on_curve(start: int = 1) -> bytes:
    """Prefix 0x03 over the smallest x >= start with x^3 + 7 not a square."""
    p = secp256k1.P
    x = start
    while pow((x**3 + secp256k1.B) % p, (p - 1) // 2, p) == 1:
        x += 1
    return b"\x03" + x.to_bytes(32, "big")


def secp256k1_x_not_canonical() -> bytes:
    """Prefix 0x02 over x = p."""
    return b"\x02" + secp256k1.P.to_bytes(32, "big")


def secp256k1_zeros() -> bytes:
    """33 zero bytes: no prefix (some libraries read it as the identity)."""
    return bytes(secp256k1.POINT_BYTES)


def secp256k1_uncompressed_prefix(valid: bytes) -> bytes:
    """A valid compressed point with the uncompressed prefix 0x04."""
    return b"\x04" + valid[1:]


def secp256k1_uncompressed_form(valid: bytes) -> bytes:
    """The 65-byte uncompressed layout 0x04 || x || y of a valid point's x, y left zero (the length is wrong)."""
    return b"\x04" + valid[1:] + bytes(32)
