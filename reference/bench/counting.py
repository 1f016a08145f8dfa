"""A counting proxy around a pairing group: the scheme runs unchanged and every group operation is tallied — and
recorded with its operands, so a benchmark can replay exactly the group operations a call performed and compare
the call's time with theirs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from ...spec.group import G1Element, G2Element, GTElement, PairingGroup, Zr


class Tally:
    """Counts per kind of operation, and the trace of operations (thunks on the inner group's values)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.trace: list[Callable[[], Any]] = []

    def run(self, kind: str, thunk: Callable[[], Any]) -> Any:
        self.counts[kind] += 1
        self.trace.append(thunk)
        return thunk()

    def clear(self) -> None:
        self.counts.clear()
        self.trace.clear()

    def replay(self) -> None:
        """Run the recorded group operations again, in order, on the same operands."""
        for thunk in self.trace:
            thunk()


def _ones(scalars: Sequence[Zr | int]) -> str:
    """MSMs whose scalars are all 1 (reconstruction coefficients of and/or policies) cost far less: own kind."""
    return "_ones" if all(int(s) == 1 for s in scalars) else ""


class _Point:
    """Shared behaviour of the counted G1 and G2 wrappers."""

    kind = "g?"
    __slots__ = ("e", "t")

    def __init__(self, e: Any, t: Tally) -> None:
        self.e, self.t = e, t

    def _op(self, name: str, thunk: Callable[[], Any]) -> Any:
        return type(self)(self.t.run(f"{self.kind}_{name}", thunk), self.t)

    def __add__(self, other: Any) -> Any:
        a, b = self.e, other.e
        return self._op("add", lambda: a + b)

    def __sub__(self, other: Any) -> Any:
        a, b = self.e, other.e
        return self._op("add", lambda: a - b)

    def __neg__(self) -> Any:
        a = self.e
        return self._op("neg", lambda: -a)

    def __mul__(self, k: Zr | int) -> Any:
        a = self.e
        return self._op("mul", lambda: a * k)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Point) and bool(self.e == other.e)

    def __hash__(self) -> int:
        return hash(self.e)

    def is_identity(self) -> bool:
        return bool(self.e.is_identity())

    def to_bytes(self) -> bytes:
        a = self.e
        return bytes(self.t.run(f"{self.kind}_encode", lambda: a.to_bytes()))


class CountedG1(_Point, G1Element):  # type: ignore[misc]
    kind = "g1"
    __slots__ = ()


class CountedG2(_Point, G2Element):  # type: ignore[misc]
    kind = "g2"
    __slots__ = ()


class CountedGT(GTElement):
    __slots__ = ("e", "t")

    def __init__(self, e: Any, t: Tally) -> None:
        self.e, self.t = e, t

    def __mul__(self, other: GTElement) -> CountedGT:
        assert isinstance(other, CountedGT)
        a, b = self.e, other.e
        return CountedGT(self.t.run("gt_mul", lambda: a * b), self.t)

    def __pow__(self, k: Zr | int) -> CountedGT:
        a = self.e
        return CountedGT(self.t.run("gt_exp", lambda: a ** k), self.t)

    def inverse(self) -> CountedGT:
        a = self.e
        return CountedGT(self.t.run("gt_inverse", lambda: a.inverse()), self.t)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CountedGT) and bool(self.e == other.e)

    def __hash__(self) -> int:
        return hash(self.e)

    def is_one(self) -> bool:
        return bool(self.e.is_one())

    def to_bytes(self) -> bytes:
        a = self.e
        return bytes(self.t.run("gt_encode", lambda: a.to_bytes()))


class CountingGroup(PairingGroup):
    """Delegates to ``inner`` and tallies: ``g1_mul``, ``g1_add``, ``msm_g1_<n>`` (``msm_g1_<n>_ones`` when every
    scalar is 1), ``multi_pairing_<n>``, ``hash_to_g1``, ``gt_exp``, ``gt_mul``, decodings, …"""

    def __init__(self, inner: PairingGroup) -> None:
        self.inner = inner
        self.name = f"counting({inner.name})"
        self.tally = Tally()
        self.counts = self.tally.counts

    def _g1(self, kind: str, thunk: Callable[[], Any]) -> CountedG1:
        return CountedG1(self.tally.run(kind, thunk), self.tally)

    def _g2(self, kind: str, thunk: Callable[[], Any]) -> CountedG2:
        return CountedG2(self.tally.run(kind, thunk), self.tally)

    def _gt(self, kind: str, thunk: Callable[[], Any]) -> CountedGT:
        return CountedGT(self.tally.run(kind, thunk), self.tally)

    def g1(self) -> CountedG1:
        return CountedG1(self.inner.g1(), self.tally)

    def g2(self) -> CountedG2:
        return CountedG2(self.inner.g2(), self.tally)

    def identity_g1(self) -> CountedG1:
        return CountedG1(self.inner.identity_g1(), self.tally)

    def identity_g2(self) -> CountedG2:
        return CountedG2(self.inner.identity_g2(), self.tally)

    def gt_one(self) -> CountedGT:
        return CountedGT(self.inner.gt_one(), self.tally)

    def pair(self, p: G1Element, q: G2Element) -> CountedGT:
        a, b = _inner(p), _inner(q)
        return self._gt("pairing", lambda: self.inner.pair(a, b))

    def multi_pairing(self, pairs: Sequence[tuple[G1Element, G2Element]]) -> CountedGT:
        raw = [(_inner(p), _inner(q)) for p, q in pairs]
        return self._gt(f"multi_pairing_{len(raw)}", lambda: self.inner.multi_pairing(raw))

    def pairing_check(self, pairs: Sequence[tuple[G1Element, G2Element]]) -> bool:
        raw = [(_inner(p), _inner(q)) for p, q in pairs]
        return bool(self.tally.run(f"multi_pairing_{len(raw)}", lambda: self.inner.pairing_check(raw)))

    def msm_g1(self, points: Sequence[G1Element], scalars: Sequence[Zr | int]) -> CountedG1:
        raw, ks = [_inner(p) for p in points], list(scalars)
        return self._g1(f"msm_g1_{len(raw)}{_ones(ks)}", lambda: self.inner.msm_g1(raw, ks))

    def msm_g2(self, points: Sequence[G2Element], scalars: Sequence[Zr | int]) -> CountedG2:
        raw, ks = [_inner(p) for p in points], list(scalars)
        return self._g2(f"msm_g2_{len(raw)}{_ones(ks)}", lambda: self.inner.msm_g2(raw, ks))

    def hash_to_g1(self, msg: bytes, dst: bytes) -> CountedG1:
        return self._g1("hash_to_g1", lambda: self.inner.hash_to_g1(msg, dst))

    def hash_to_g2(self, msg: bytes, dst: bytes) -> CountedG2:
        return self._g2("hash_to_g2", lambda: self.inner.hash_to_g2(msg, dst))

    def g1_from_bytes(self, data: bytes, *, allow_identity: bool = True) -> CountedG1:
        return self._g1("g1_decode", lambda: self.inner.g1_from_bytes(data, allow_identity=allow_identity))

    def g2_from_bytes(self, data: bytes, *, allow_identity: bool = True) -> CountedG2:
        return self._g2("g2_decode", lambda: self.inner.g2_from_bytes(data, allow_identity=allow_identity))

    def gt_from_bytes(self, data: bytes) -> CountedGT:
        return self._gt("gt_decode", lambda: self.inner.gt_from_bytes(data))

    def _g1_from_x(self, x: int, sign: bool) -> G1Element:
        raise NotImplementedError  # decoding is delegated whole in g1_from_bytes

    def _g2_from_x(self, x: tuple[int, ...], sign: bool) -> G2Element:
        raise NotImplementedError

    def _gt_from_coefficients(self, c: list[int]) -> GTElement:
        raise NotImplementedError


def _inner(x: Any) -> Any:
    return x.e
