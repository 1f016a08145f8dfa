"""Shared pieces of the mutants that break group decoding: decompression without the subgroup check, and a
codec that rewrites each point encoding before the strict decoder reads it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import py_arkworks_bls12381 as ark

from ...reference.testbed import NativeG1, NativeG2, NativeGroup, adversarial
from ...spec.errors import fail
from ...spec.group import G1Element, G2Element
from ..ops.group import Codec

#: The group ops that decode a scalar.
ZR_OPS = ["group.zr.decode", "group.g1.mul", "group.g2.mul", "group.g1.msm", "group.g2.msm"]


def _on_curve_only(decompress: Callable[[bytes], Any], data: bytes) -> Any:
    try:
        return decompress(data)
    except ValueError:
        fail("POINT_NOT_ON_CURVE", "x is on no point of the curve")


def g1_unchecked(data: bytes) -> NativeG1:
    """A compressed G1 encoding decompressed with the curve check but no subgroup check."""
    return NativeG1(_on_curve_only(ark.G1Point.from_compressed_bytes_unchecked, data))


def g2_unchecked(data: bytes) -> NativeG2:
    """A compressed G2 encoding decompressed with the twist check but no subgroup check."""
    return NativeG2(_on_curve_only(ark.G2Point.from_compressed_bytes_unchecked, data))


class LaxG1Group(NativeGroup):
    """The native group, accepting G1 points outside the order-r subgroup."""

    def _g1_from_x(self, x: int, sign: bool) -> NativeG1:
        return g1_unchecked(adversarial.compress_g1(x, sign))


class LaxG2Group(NativeGroup):
    """The native group, accepting G2 points outside the order-r subgroup."""

    def _g2_from_x(self, x: tuple[int, ...], sign: bool) -> NativeG2:
        return g2_unchecked(adversarial.compress_g2(x[0], x[1], sign))


class LaxGroup(LaxG1Group, LaxG2Group):
    """The native group, accepting G1 and G2 points outside the order-r subgroup."""


class RewritingCodec(Codec):
    """The reference codec, each G1 and G2 encoding passed through ``rewrite`` before strict decoding."""

    def __init__(self, rewrite: Callable[[bytes], bytes]) -> None:
        super().__init__()
        self.rewrite = rewrite

    def g1(self, data: bytes, allow_identity: bool = True) -> G1Element:
        return super().g1(self.rewrite(data), allow_identity)

    def g2(self, data: bytes, allow_identity: bool = True) -> G2Element:
        return super().g2(self.rewrite(data), allow_identity)
