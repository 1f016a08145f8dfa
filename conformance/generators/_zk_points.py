"""Malformed point encodings for the zk vectors and tests: off the curve, outside the subgroup, the identity."""

from __future__ import annotations

from medshare.spec.params import FP_BYTES, P
from medshare.spec.zk.formats import _fp2_sqrt, _fp_sqrt, _g1_rhs, _g2_rhs


def _compressed(words: list[int]) -> bytes:
    data = bytearray(b"".join(w.to_bytes(FP_BYTES, "big") for w in words))
    data[0] |= 0x80
    return bytes(data)


def g1_off_curve() -> bytes:
    """The smallest x >= 1 with x^3 + 4 a non-square, compressed."""
    x = 1
    while _fp_sqrt(_g1_rhs(x)) is not None:
        x += 1
    return _compressed([x])


def g1_off_subgroup() -> bytes:
    """The smallest x >= 1 on E(Fp) (x = 0 is not), which lies outside the order-r subgroup."""
    x = 1
    while _fp_sqrt(_g1_rhs(x)) is None:
        x += 1
    return _compressed([x])


def g2_off_curve() -> bytes:
    x0 = 1
    while _fp2_sqrt(_g2_rhs((x0, 1))) is not None:
        x0 += 1
    return _compressed([1, x0])  # x = x0 + 1*u, encoded x1 || x0


def g2_off_subgroup() -> bytes:
    x0 = 1
    while _fp2_sqrt(_g2_rhs((x0, 1))) is None:
        x0 += 1
    return _compressed([1, x0])


def g1_identity() -> bytes:
    return bytes([0xC0]) + bytes(FP_BYTES - 1)


def g2_identity() -> bytes:
    return bytes([0xC0]) + bytes(2 * FP_BYTES - 1)


def g1_non_canonical() -> bytes:
    """x = p (not reduced)."""
    return _compressed([P])
