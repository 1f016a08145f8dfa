"""The native group backend on ``py-arkworks-bls12381`` (the default).

arkworks' pairing value is medshare's canonical pairing value (spec/group.md), so ``pair`` is used as it is.
The library exposes GT multiplication but no GT exponentiation, inversion or constructor from bytes, so:

* exponentiation is a fixed-window (w = 4) square-and-multiply over the native GT multiplication;
* inversion is exponentiation by r - 1;
* a GT element decoded from bytes is held as reference-backend Fp12 arithmetic (``ref``); operations mixing
  such an element fall back to the reference arithmetic. Decoding GT is rare (no medshare ciphertext carries a
  GT element); elements the native side computes stay native.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import py_arkworks_bls12381 as ark

from ...spec.errors import fail
from ...spec.group import (
    FLAG_COMPRESSED,
    FLAG_SIGN,
    G1Element,
    G2Element,
    GTElement,
    PairingGroup,
    Zr,
    as_int,
    check_msm,
    encode_gt,
)
from ...spec.hashing import check_dst
from ...spec.params import FP_BYTES, R
from . import fp12
from .points import BackendPoint

_WINDOW = 4


def _scalar(k: Zr | int) -> ark.Scalar:
    return ark.Scalar(as_int(k))


class NativePoint(BackendPoint):
    """A point of arkworks (``ark.G1Point`` or ``ark.G2Point``); ``_IDENTITY`` is its curve's identity."""

    __slots__ = ()
    _IDENTITY: Any

    def _add(self, a: Any, other: Any) -> Any:
        return a + other

    def _sub(self, a: Any, other: Any) -> Any:
        return a - other

    def _neg(self, a: Any) -> Any:
        return -a

    def _mul(self, a: Any, k: int) -> Any:
        return a * ark.Scalar(k)

    def _eq(self, a: Any, other: Any) -> bool:
        return bool(a == other)

    def _is_identity(self, a: Any) -> bool:
        return bool(a == self._IDENTITY)

    def _encode(self, a: Any) -> bytes:
        return bytes(a.to_compressed_bytes())


class NativeG1(NativePoint, G1Element):
    __slots__ = ()
    _IDENTITY = ark.G1Point.identity()


class NativeG2(NativePoint, G2Element):
    __slots__ = ()
    _IDENTITY = ark.G2Point.identity()


class NativeGT(GTElement):
    """A native GT value (``v``), or a decoded one held as reference Fp12 coefficients (``ref``)."""

    __slots__ = ("v", "ref")

    def __init__(self, v: ark.GT | None = None, ref: list[int] | None = None) -> None:
        self.v = v
        self.ref = ref

    def coefficients(self) -> list[int]:
        if self.ref is not None:
            return self.ref
        raw = bytes.fromhex(str(self.v))  # arkworks: the same coefficient order, little-endian
        return [int.from_bytes(raw[i:i + FP_BYTES], "little") for i in range(0, len(raw), FP_BYTES)]

    def __mul__(self, other: GTElement) -> NativeGT:
        assert isinstance(other, NativeGT)
        if self.v is not None and other.v is not None:
            return NativeGT(self.v * other.v)
        return NativeGT(ref=fp12.mul(self.coefficients(), other.coefficients()))

    def __pow__(self, k: Zr | int) -> NativeGT:
        e = as_int(k)
        if self.v is None:
            return NativeGT(ref=fp12.pow_(self.coefficients(), e))
        # fixed window: table[i] = self^i
        table = [ark.GT.one(), self.v]
        for _ in range(2, 1 << _WINDOW):
            table.append(table[-1] * self.v)
        acc = ark.GT.one()
        nbits = e.bit_length()
        top = -(-nbits // _WINDOW) * _WINDOW
        for shift in range(top - _WINDOW, -1, -_WINDOW):
            for _ in range(_WINDOW):
                acc = acc * acc
            digit = (e >> shift) & ((1 << _WINDOW) - 1)
            if digit:
                acc = acc * table[digit]
        return NativeGT(acc)

    def inverse(self) -> NativeGT:
        if self.v is None:
            return NativeGT(ref=fp12.conjugate(self.coefficients()))
        return self ** (R - 1)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NativeGT):
            return False
        if self.v is not None and other.v is not None:
            return bool(self.v == other.v)
        return self.coefficients() == other.coefficients()

    __hash__ = GTElement.__hash__

    def is_one(self) -> bool:
        if self.v is not None:
            return bool(self.v == ark.GT.one())
        return self.ref == fp12.ONE

    def to_bytes(self) -> bytes:
        return encode_gt(self.coefficients())


class NativeGroup(PairingGroup):
    """BLS12-381 on arkworks through ``py-arkworks-bls12381``."""

    name = "native"

    def __init__(self) -> None:
        self._g1 = NativeG1(ark.G1Point())
        self._g2 = NativeG2(ark.G2Point())

    def g1(self) -> NativeG1:
        return self._g1

    def g2(self) -> NativeG2:
        return self._g2

    def identity_g1(self) -> NativeG1:
        return NativeG1(ark.G1Point.identity())

    def identity_g2(self) -> NativeG2:
        return NativeG2(ark.G2Point.identity())

    def gt_one(self) -> NativeGT:
        return NativeGT(ark.GT.one())

    def pair(self, p: G1Element, q: G2Element) -> NativeGT:
        assert isinstance(p, NativeG1) and isinstance(q, NativeG2)
        return NativeGT(ark.GT.pairing(p.p, q.p))

    def multi_pairing(self, pairs: Sequence[tuple[G1Element, G2Element]]) -> NativeGT:
        if not pairs:
            return self.gt_one()
        return NativeGT(ark.GT.multi_pairing([p.p for p, _ in pairs], [q.p for _, q in pairs]))  # type: ignore[attr-defined]

    def pairing_check(self, pairs: Sequence[tuple[G1Element, G2Element]]) -> bool:
        if not pairs:
            return True
        return bool(ark.GT.pairing_check([p.p for p, _ in pairs], [q.p for _, q in pairs]))  # type: ignore[attr-defined]

    def msm_g1(self, points: Sequence[G1Element], scalars: Sequence[Zr | int]) -> NativeG1:
        check_msm(points, scalars)
        if not points:
            return self.identity_g1()
        return NativeG1(ark.G1Point.multiexp_unchecked([p.p for p in points], [_scalar(s) for s in scalars]))  # type: ignore[attr-defined]

    def msm_g2(self, points: Sequence[G2Element], scalars: Sequence[Zr | int]) -> NativeG2:
        check_msm(points, scalars)
        if not points:
            return self.identity_g2()
        return NativeG2(ark.G2Point.multiexp_unchecked([p.p for p in points], [_scalar(s) for s in scalars]))  # type: ignore[attr-defined]

    def hash_to_g1(self, msg: bytes, dst: bytes) -> NativeG1:
        check_dst(dst)
        return NativeG1(ark.G1Point.hash_to_curve(msg, dst))

    def hash_to_g2(self, msg: bytes, dst: bytes) -> NativeG2:
        check_dst(dst)
        return NativeG2(ark.G2Point.hash_to_curve(msg, dst))

    def g1_affine(self, p: G1Element) -> tuple[int, int] | None:
        """The coordinates arkworks holds (the same values as the decompression in spec/group.py)."""
        if p.is_identity():
            return None
        assert isinstance(p, NativeG1)
        raw = bytes(p.p.to_xy_bytes_le())
        return int.from_bytes(raw[:FP_BYTES], "little"), int.from_bytes(raw[FP_BYTES:], "little")

    def g2_affine(self, p: G2Element) -> tuple[tuple[int, int], tuple[int, int]] | None:
        if p.is_identity():
            return None
        assert isinstance(p, NativeG2)
        raw = bytes(p.p.to_xy_bytes_le())
        x0, x1, y0, y1 = (int.from_bytes(raw[i:i + FP_BYTES], "little") for i in range(0, 4 * FP_BYTES, FP_BYTES))
        return (x0, x1), (y0, y1)

    def _g1_from_x(self, x: int, sign: bool) -> NativeG1:
        return NativeG1(_decompress(ark.G1Point, x.to_bytes(FP_BYTES, "big"), sign, "G1: x^3 + 4"))

    def _g2_from_x(self, x: tuple[int, ...], sign: bool) -> NativeG2:
        x_bytes = x[1].to_bytes(FP_BYTES, "big") + x[0].to_bytes(FP_BYTES, "big")
        return NativeG2(_decompress(ark.G2Point, x_bytes, sign, "G2: x^3 + 4(1+u)"))

    def _gt_from_coefficients(self, c: list[int]) -> NativeGT:
        fp12.check_in_gt(c)
        return NativeGT(ref=list(c))


def _decompress(kind: Any, x: bytes, sign: bool, curve: str) -> Any:
    """The arkworks point of ``kind`` with x-coordinate ``x`` (big-endian) and y of the given sign; the curve
    equation (``POINT_NOT_ON_CURVE``), then the subgroup (``POINT_NOT_IN_SUBGROUP``)."""
    data = bytearray(x)
    data[0] |= FLAG_COMPRESSED | (FLAG_SIGN if sign else 0)
    try:
        p = kind.from_compressed_bytes_unchecked(bytes(data))
    except ValueError:
        fail("POINT_NOT_ON_CURVE", f"{curve} is not a square")
    if not p.is_in_subgroup():
        fail("POINT_NOT_IN_SUBGROUP", f"{curve[:2]} point outside the order-r subgroup")
    return p
