"""The pure-Python reference backend on ``py_ecc`` (the cross-check of the native backend).

py_ecc's ``pairing(Q, P)`` differs from medshare's canonical pairing by a fixed power: canonical e(P, Q) equals
``pairing(Q, P) ** -3`` (spec/group.md, measured against arkworks). Since GT elements are unitary, x^-1 is the
conjugate, so the correction is a conjugation and a cube. Point decompression and the strict checks are written
here from the curve equations; hashing to the curves is py_ecc's RFC 9380 implementation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from py_ecc.bls.hash_to_curve import hash_to_G1, hash_to_G2
from py_ecc.bls.point_compression import modular_squareroot_in_FQ2
from py_ecc.optimized_bls12_381 import (
    FQ,
    FQ2,
    FQ12,
    G1,
    G2,
    Z1,
    Z2,
    add,
    b,
    b2,
    eq,
    final_exponentiate,
    is_inf,
    multiply,
    neg,
    normalize,
    pairing,
)

from ...spec.errors import fail
from ...spec.group import (
    FLAG_COMPRESSED,
    FLAG_INFINITY,
    FLAG_SIGN,
    G1Element,
    G2Element,
    GTElement,
    PairingGroup,
    Zr,
    as_int,
    check_msm,
    encode_gt,
    fp2_sign,
    fp_sign,
)
from ...spec.hashing import check_dst
from ...spec.params import FP_BYTES, G1_BYTES, G2_BYTES, P, R
from . import fp12
from .points import BackendPoint

Point = Any  # py_ecc projective triple


class PurePoint(BackendPoint):
    """A point of py_ecc (a projective triple over FQ or FQ2)."""

    __slots__ = ()

    def _add(self, a: Point, other: Point) -> Point:
        return add(a, other)

    def _neg(self, a: Point) -> Point:
        return neg(a)

    def _mul(self, a: Point, k: int) -> Point:
        return multiply(a, k)

    def _eq(self, a: Point, other: Point) -> bool:
        return bool(eq(a, other))

    def _is_identity(self, a: Point) -> bool:
        return bool(is_inf(a))


class PureG1(PurePoint, G1Element):
    __slots__ = ()

    def _encode(self, a: Point) -> bytes:
        if is_inf(a):
            return _compressed_identity(G1_BYTES)
        x, y = normalize(a)
        return _compressed([x.n], fp_sign(y.n))


class PureG2(PurePoint, G2Element):
    __slots__ = ()

    def _encode(self, a: Point) -> bytes:
        if is_inf(a):
            return _compressed_identity(G2_BYTES)
        x, y = normalize(a)
        x0, x1 = (int(c) for c in x.coeffs)
        y0, y1 = (int(c) for c in y.coeffs)
        return _compressed([x1, x0], fp2_sign(y0, y1))


def _compressed(x: list[int], y_sign: bool) -> bytes:
    """The x-coordinate words big-endian, with the compression flag and y's sign."""
    data = bytearray(b"".join(v.to_bytes(FP_BYTES, "big") for v in x))
    data[0] |= FLAG_COMPRESSED | (FLAG_SIGN if y_sign else 0)
    return bytes(data)


def _compressed_identity(size: int) -> bytes:
    return bytes([FLAG_COMPRESSED | FLAG_INFINITY]) + bytes(size - 1)


class PureGT(GTElement):
    """A GT element held in py_ecc's flat Fp12 representation."""

    __slots__ = ("f",)

    def __init__(self, f: FQ12) -> None:
        self.f = f

    def __mul__(self, other: GTElement) -> PureGT:
        assert isinstance(other, PureGT)
        return PureGT(self.f * other.f)

    def __pow__(self, k: Zr | int) -> PureGT:
        return PureGT(self.f ** as_int(k))

    def inverse(self) -> PureGT:
        return PureGT(fp12.to_flat(fp12.conjugate(fp12.from_flat(self.f))))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PureGT) and self.f == other.f

    __hash__ = GTElement.__hash__

    def is_one(self) -> bool:
        return bool(self.f == FQ12.one())

    def to_bytes(self) -> bytes:
        return encode_gt(fp12.from_flat(self.f))


def _canonical(f: FQ12) -> FQ12:
    """py_ecc's pairing value f -> canonical f^-3 = conj(f)^3."""
    c = fp12.to_flat(fp12.conjugate(fp12.from_flat(f)))
    return c * c * c


class PureGroup(PairingGroup):
    """BLS12-381 in pure Python on ``py_ecc.optimized_bls12_381``."""

    name = "pure"

    def g1(self) -> PureG1:
        return PureG1(G1)

    def g2(self) -> PureG2:
        return PureG2(G2)

    def identity_g1(self) -> PureG1:
        return PureG1(Z1)

    def identity_g2(self) -> PureG2:
        return PureG2(Z2)

    def gt_one(self) -> PureGT:
        return PureGT(FQ12.one())

    def pair(self, p: G1Element, q: G2Element) -> PureGT:
        assert isinstance(p, PureG1) and isinstance(q, PureG2)
        if is_inf(p.p) or is_inf(q.p):
            return self.gt_one()
        return PureGT(_canonical(pairing(q.p, p.p)))

    def multi_pairing(self, pairs: Sequence[tuple[G1Element, G2Element]]) -> PureGT:
        acc = FQ12.one()
        for p, q in pairs:
            assert isinstance(p, PureG1) and isinstance(q, PureG2)
            if is_inf(p.p) or is_inf(q.p):
                continue
            acc = acc * pairing(q.p, p.p, final_exponentiate=False)
        return PureGT(_canonical(final_exponentiate(acc)))

    def msm_g1(self, points: Sequence[G1Element], scalars: Sequence[Zr | int]) -> PureG1:
        check_msm(points, scalars)
        acc = Z1
        for pt, s in zip(points, scalars, strict=False):
            acc = add(acc, multiply(pt.p, as_int(s)))  # type: ignore[attr-defined]
        return PureG1(acc)

    def msm_g2(self, points: Sequence[G2Element], scalars: Sequence[Zr | int]) -> PureG2:
        check_msm(points, scalars)
        acc = Z2
        for pt, s in zip(points, scalars, strict=False):
            acc = add(acc, multiply(pt.p, as_int(s)))  # type: ignore[attr-defined]
        return PureG2(acc)

    def hash_to_g1(self, msg: bytes, dst: bytes) -> PureG1:
        check_dst(dst)
        return PureG1(hash_to_G1(msg, dst, hashlib.sha256))

    def hash_to_g2(self, msg: bytes, dst: bytes) -> PureG2:
        check_dst(dst)
        return PureG2(hash_to_G2(msg, dst, hashlib.sha256))

    def _g1_from_x(self, x: int, sign: bool) -> PureG1:
        rhs = (pow(x, 3, P) + 4) % P
        y = pow(rhs, (P + 1) // 4, P)
        if y * y % P != rhs:
            fail("POINT_NOT_ON_CURVE", "G1: x^3 + 4 is not a square")
        if fp_sign(y) != sign:
            y = (-y) % P
        pt = (FQ(x), FQ(y), FQ(1))
        if not is_inf(multiply(pt, R)):
            fail("POINT_NOT_IN_SUBGROUP", "G1 point outside the order-r subgroup")
        return PureG1(pt)

    def _g2_from_x(self, x: tuple[int, ...], sign: bool) -> PureG2:
        xx = FQ2([x[0], x[1]])
        rhs = xx**3 + b2
        if rhs == FQ2.zero():
            y = FQ2.zero()
        else:
            root = modular_squareroot_in_FQ2(rhs)
            if root is None:
                fail("POINT_NOT_ON_CURVE", "G2: x^3 + 4(1+u) is not a square")
            y = root
        y0, y1 = (int(c) for c in y.coeffs)
        if fp2_sign(y0, y1) != sign:
            y = -y
        pt = (xx, y, FQ2.one())
        if not is_inf(multiply(pt, R)):
            fail("POINT_NOT_IN_SUBGROUP", "G2 point outside the order-r subgroup")
        return PureG2(pt)

    def _gt_from_coefficients(self, c: list[int]) -> PureGT:
        fp12.check_in_gt(c)
        return PureGT(fp12.to_flat(c))



assert b == FQ(4)
