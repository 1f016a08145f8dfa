"""A counting proxy around a pairing group: the scheme runs unchanged and every group operation is tallied, so a
benchmark can compare an operation's time with the time of the group operations it performs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ...spec.group import G1Element, G2Element, GTElement, PairingGroup, Zr


def _ones(scalars: Sequence[Zr | int]) -> str:
    """MSMs whose scalars are all 1 (reconstruction coefficients of and/or policies) cost far less: own kind."""
    return "_ones" if all(int(s) == 1 for s in scalars) else ""


class _Point:
    """Shared behaviour of the counted G1 and G2 wrappers."""

    kind = "g?"
    __slots__ = ("c", "e")

    def __init__(self, e: object, c: Counter[str]) -> None:
        self.e, self.c = e, c

    def _wrap(self, e: object) -> _Point:
        return type(self)(e, self.c)

    def __add__(self, other: _Point) -> _Point:  # type: ignore[override]
        self.c[f"{self.kind}_add"] += 1
        return self._wrap(self.e + other.e)  # type: ignore[operator]

    def __sub__(self, other: _Point) -> _Point:  # type: ignore[override]
        self.c[f"{self.kind}_add"] += 1
        return self._wrap(self.e - other.e)  # type: ignore[operator]

    def __neg__(self) -> _Point:
        self.c[f"{self.kind}_neg"] += 1
        return self._wrap(-self.e)  # type: ignore[operator]

    def __mul__(self, k: Zr | int) -> _Point:
        self.c[f"{self.kind}_mul"] += 1
        return self._wrap(self.e * k)  # type: ignore[operator]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Point) and self.e == other.e

    def __hash__(self) -> int:
        return hash(self.e)

    def is_identity(self) -> bool:
        return bool(self.e.is_identity())  # type: ignore[attr-defined]

    def to_bytes(self) -> bytes:
        self.c[f"{self.kind}_encode"] += 1
        return bytes(self.e.to_bytes())  # type: ignore[attr-defined]


class CountedG1(_Point, G1Element):  # type: ignore[misc]
    kind = "g1"
    __slots__ = ()


class CountedG2(_Point, G2Element):  # type: ignore[misc]
    kind = "g2"
    __slots__ = ()


class CountedGT(GTElement):
    __slots__ = ("c", "e")

    def __init__(self, e: GTElement, c: Counter[str]) -> None:
        self.e, self.c = e, c

    def __mul__(self, other: GTElement) -> CountedGT:
        assert isinstance(other, CountedGT)
        self.c["gt_mul"] += 1
        return CountedGT(self.e * other.e, self.c)

    def __pow__(self, k: Zr | int) -> CountedGT:
        self.c["gt_exp"] += 1
        return CountedGT(self.e ** k, self.c)

    def inverse(self) -> CountedGT:
        self.c["gt_inverse"] += 1
        return CountedGT(self.e.inverse(), self.c)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CountedGT) and self.e == other.e

    def __hash__(self) -> int:
        return hash(self.e)

    def is_one(self) -> bool:
        return self.e.is_one()

    def to_bytes(self) -> bytes:
        self.c["gt_encode"] += 1
        return self.e.to_bytes()


class CountingGroup(PairingGroup):
    """Delegates to ``inner`` and counts: ``g1_mul``, ``g1_add``, ``msm_g1_<n>`` (``msm_g1_<n>_ones`` when every
    scalar is 1), ``multi_pairing_<n>``,
    ``hash_to_g1``, ``gt_exp``, ``gt_mul``, decodings, …"""

    def __init__(self, inner: PairingGroup) -> None:
        self.inner = inner
        self.name = f"counting({inner.name})"
        self.counts: Counter[str] = Counter()

    def g1(self) -> CountedG1:
        return CountedG1(self.inner.g1(), self.counts)

    def g2(self) -> CountedG2:
        return CountedG2(self.inner.g2(), self.counts)

    def identity_g1(self) -> CountedG1:
        return CountedG1(self.inner.identity_g1(), self.counts)

    def identity_g2(self) -> CountedG2:
        return CountedG2(self.inner.identity_g2(), self.counts)

    def gt_one(self) -> CountedGT:
        return CountedGT(self.inner.gt_one(), self.counts)

    def pair(self, p: G1Element, q: G2Element) -> CountedGT:
        self.counts["pairing"] += 1
        return CountedGT(self.inner.pair(p.e, q.e), self.counts)  # type: ignore[attr-defined]

    def multi_pairing(self, pairs: Sequence[tuple[G1Element, G2Element]]) -> CountedGT:
        self.counts[f"multi_pairing_{len(pairs)}"] += 1
        return CountedGT(self.inner.multi_pairing([(p.e, q.e) for p, q in pairs]), self.counts)  # type: ignore[attr-defined]

    def pairing_check(self, pairs: Sequence[tuple[G1Element, G2Element]]) -> bool:
        self.counts[f"multi_pairing_{len(pairs)}"] += 1
        return self.inner.pairing_check([(p.e, q.e) for p, q in pairs])  # type: ignore[attr-defined]

    def msm_g1(self, points: Sequence[G1Element], scalars: Sequence[Zr | int]) -> CountedG1:
        self.counts[f"msm_g1_{len(points)}{_ones(scalars)}"] += 1
        return CountedG1(self.inner.msm_g1([p.e for p in points], scalars), self.counts)  # type: ignore[attr-defined]

    def msm_g2(self, points: Sequence[G2Element], scalars: Sequence[Zr | int]) -> CountedG2:
        self.counts[f"msm_g2_{len(points)}{_ones(scalars)}"] += 1
        return CountedG2(self.inner.msm_g2([p.e for p in points], scalars), self.counts)  # type: ignore[attr-defined]

    def hash_to_g1(self, msg: bytes, dst: bytes) -> CountedG1:
        self.counts["hash_to_g1"] += 1
        return CountedG1(self.inner.hash_to_g1(msg, dst), self.counts)

    def hash_to_g2(self, msg: bytes, dst: bytes) -> CountedG2:
        self.counts["hash_to_g2"] += 1
        return CountedG2(self.inner.hash_to_g2(msg, dst), self.counts)

    def g1_from_bytes(self, data: bytes, *, allow_identity: bool = True) -> CountedG1:
        self.counts["g1_decode"] += 1
        return CountedG1(self.inner.g1_from_bytes(data, allow_identity=allow_identity), self.counts)

    def g2_from_bytes(self, data: bytes, *, allow_identity: bool = True) -> CountedG2:
        self.counts["g2_decode"] += 1
        return CountedG2(self.inner.g2_from_bytes(data, allow_identity=allow_identity), self.counts)

    def gt_from_bytes(self, data: bytes) -> CountedGT:
        self.counts["gt_decode"] += 1
        return CountedGT(self.inner.gt_from_bytes(data), self.counts)

    def _g1_from_x(self, x: int, sign: bool) -> G1Element:
        raise NotImplementedError  # decoding is delegated whole in g1_from_bytes

    def _g2_from_x(self, x: tuple[int, ...], sign: bool) -> G2Element:
        raise NotImplementedError

    def _gt_from_coefficients(self, c: list[int]) -> GTElement:
        raise NotImplementedError
