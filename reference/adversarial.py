"""Constructors of real malformed group encodings, for tests and conformance vectors.

Each returns bytes that fail exactly one strict-decoding check of spec/group.md, so a decoder that skips that
check is caught. Points off the subgroup are genuine curve points (found by searching x), not random bytes.
py_ecc is imported by the functions that search for points, so importing this module stays cheap.
"""

from __future__ import annotations

from ..spec.group import fp2_sign, fp_sign
from ..spec.params import FP_BYTES, G1_BYTES, G2_BYTES, P, R
from .backends import fp12

G1_COFACTOR = 0x396C8C005555E1568C00AAAB0000AAAB


def _g1_y(x: int) -> int | None:
    rhs = (pow(x, 3, P) + 4) % P
    y = pow(rhs, (P + 1) // 4, P)
    return y if y * y % P == rhs else None


def _compress_g1(x: int, sign: bool) -> bytes:
    out = bytearray(x.to_bytes(FP_BYTES, "big"))
    out[0] |= 0x80 | (0x20 if sign else 0)
    return bytes(out)


def _compress_g2(x0: int, x1: int, sign: bool) -> bytes:
    out = bytearray(x1.to_bytes(FP_BYTES, "big") + x0.to_bytes(FP_BYTES, "big"))
    out[0] |= 0x80 | (0x20 if sign else 0)
    return bytes(out)


def g1_not_on_curve(start: int = 1) -> bytes:
    """An x (>= start) for which x^3 + 4 is not a square in Fp."""
    x = start
    while _g1_y(x) is not None:
        x += 1
    return _compress_g1(x, False)


def g1_off_subgroup(start: int = 1) -> bytes:
    """A point on E(Fp) outside the order-r subgroup (most curve points are: the cofactor is ~2^125)."""
    from py_ecc.optimized_bls12_381 import FQ, is_inf, multiply

    x = start
    while True:
        y = _g1_y(x)
        if y is not None and not is_inf(multiply((FQ(x), FQ(y), FQ(1)), R)):
            return _compress_g1(x, fp_sign(y))
        x += 1


def g2_not_on_curve(start: int = 1) -> bytes:
    """An x = (x0, 1) (x0 >= start) for which x^3 + 4(u + 1) is not a square in Fp2."""
    from py_ecc.bls.point_compression import modular_squareroot_in_FQ2
    from py_ecc.optimized_bls12_381 import FQ2, b2

    x = start
    while modular_squareroot_in_FQ2(FQ2([x, 1]) ** 3 + b2) is not None:
        x += 1
    return _compress_g2(x, 1, False)


def g2_off_subgroup(start: int = 1) -> bytes:
    """A point on the twist E'(Fp2) outside the order-r subgroup, with x = (x0, 1) (x0 >= start)."""
    from py_ecc.bls.point_compression import modular_squareroot_in_FQ2
    from py_ecc.optimized_bls12_381 import FQ2, b2, is_inf, multiply

    x = start
    while True:
        xx = FQ2([x, 1])
        y = modular_squareroot_in_FQ2(xx**3 + b2)
        if y is not None and not is_inf(multiply((xx, y, FQ2.one()), R)):
            y0, y1 = (int(c) for c in y.coeffs)
            return _compress_g2(x, 1, fp2_sign(y0, y1))
        x += 1


def x_not_canonical(size: int) -> bytes:
    """The compression flag over x = p (G2: in the c1 word)."""
    out = bytearray(P.to_bytes(FP_BYTES, "big") + bytes(size - FP_BYTES))
    out[0] |= 0x80
    return bytes(out)


def uncompressed_flag(valid: bytes) -> bytes:
    """A valid compressed encoding with the compression bit cleared."""
    return bytes([valid[0] & 0x7F]) + valid[1:]


def infinity_with_payload(size: int) -> bytes:
    """The compression and infinity flags over a nonzero payload."""
    return bytes([0xC0]) + bytes(size - 2) + b"\x01"


def infinity_with_sign(size: int) -> bytes:
    """The compression and infinity flags with the sign bit set."""
    return bytes([0xE0]) + bytes(size - 1)


def identity(size: int) -> bytes:
    """The canonical encoding of the identity (the point at infinity): valid, unless the identity is refused."""
    return bytes([0xC0]) + bytes(size - 1)


def gt_off_subgroup() -> bytes:
    """A unit of Fp12 outside GT: 2 (its order divides p - 1, which r does not divide)."""
    from ..spec.group import encode_gt

    c = [2] + [0] * 11
    assert fp12.to_flat(c) ** R != fp12.to_flat(fp12.ONE)
    return encode_gt(c)


def gt_not_canonical(valid: bytes) -> bytes:
    """A valid GT encoding with its first coefficient replaced by itself + p (when that still fits)."""
    c0 = int.from_bytes(valid[:FP_BYTES], "big") + P
    if c0 >= 1 << (8 * FP_BYTES):
        c0 = P  # coefficient = p: non-canonical zero
    return c0.to_bytes(FP_BYTES, "big") + valid[FP_BYTES:]


SIZES = {"g1": G1_BYTES, "g2": G2_BYTES}
