"""The pairing-group API every medshare scheme is written against (spec/group.md).

A scheme takes a :class:`PairingGroup` as a parameter and never names a backend. ``Zr`` is concrete and shared
by all backends (integers mod r); ``G1``, ``G2`` and ``GT`` elements are backend objects that implement the
abstract element classes below. What is normative here, and identical on every backend byte for byte:

* encodings: G1 48-byte and G2 96-byte ZCash compressed, GT 576 bytes (tower coefficients, big-endian, in the
  order of :data:`GT_COEFFICIENT_ORDER`), Zr 32 bytes big-endian ``< r``;
* the strict decoders' checks and their order, with their error codes (:func:`parse_compressed`);
* the value of the pairing (spec/group.md, "The canonical pairing");
* ``hash_to_g1`` / ``hash_to_g2`` = RFC 9380 ``BLS12381G1_XMD:SHA-256_SSWU_RO_`` / ``BLS12381G2_XMD:SHA-256_SSWU_RO_``
  and ``hash_to_zr`` = RFC 9380 ``hash_to_field`` into F_r.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, TypeVar

from .errors import fail
from .hashing import hash_to_zr
from .params import FP_BYTES, G1_BYTES, G2_BYTES, GT_BYTES, ZR_BYTES, P, R
from .rng import RNG

#: Names of the 12 Fp coefficients of a GT element in encoding order: Fp12 = Fp6[w]/(w^2 - v),
#: Fp6 = Fp2[v]/(v^3 - (u + 1)), Fp2 = Fp[u]/(u^2 + 1); "c1.c2.c0" is the u^0 part of the v^2 part of the w part.
GT_COEFFICIENT_ORDER = tuple(f"c{j}.c{i}.c{k}" for j in range(2) for i in range(3) for k in range(2))


class Zr:
    """An integer modulo the group order r."""

    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value % R

    # arithmetic -------------------------------------------------------------------------------------------
    def __add__(self, other: Zr | int) -> Zr:
        return Zr(self.value + _int(other))

    __radd__ = __add__

    def __sub__(self, other: Zr | int) -> Zr:
        return Zr(self.value - _int(other))

    def __rsub__(self, other: Zr | int) -> Zr:
        return Zr(_int(other) - self.value)

    def __mul__(self, other: Zr | int) -> Zr:
        return Zr(self.value * _int(other))

    __rmul__ = __mul__

    def __truediv__(self, other: Zr | int) -> Zr:
        return self * Zr(_int(other)).inverse()

    def __neg__(self) -> Zr:
        return Zr(-self.value)

    def __pow__(self, e: int) -> Zr:
        return Zr(pow(self.value, e, R))

    def inverse(self) -> Zr:
        if self.value == 0:
            fail("SCALAR_ZERO_NOT_ALLOWED", "inverse of zero")
        return Zr(pow(self.value, -1, R))

    # comparison and conversion ------------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Zr):
            return self.value == other.value
        if isinstance(other, int):
            return self.value == other % R
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Zr", self.value))

    def __int__(self) -> int:
        return self.value

    def __bool__(self) -> bool:
        return self.value != 0

    def __repr__(self) -> str:
        return f"Zr(0x{self.value:064x})"

    def is_zero(self) -> bool:
        return self.value == 0

    def to_bytes(self) -> bytes:
        return self.value.to_bytes(ZR_BYTES, "big")

    @staticmethod
    def from_bytes(data: bytes, *, allow_zero: bool = True) -> Zr:
        """Strict: exactly 32 bytes, big-endian, ``< r``."""
        if not isinstance(data, (bytes, bytearray)):
            fail("BAD_LENGTH", f"Zr needs {ZR_BYTES} bytes, got {type(data).__name__}")
        if len(data) != ZR_BYTES:
            fail("BAD_LENGTH", f"Zr needs {ZR_BYTES} bytes, got {len(data)}")
        v = int.from_bytes(data, "big")
        if v >= R:
            fail("SCALAR_OUT_OF_RANGE", "scalar encoding >= r")
        if v == 0 and not allow_zero:
            fail("SCALAR_ZERO_NOT_ALLOWED")
        return Zr(v)


def _int(x: Zr | int) -> int:
    return x.value if isinstance(x, Zr) else x


E = TypeVar("E", bound="PointElement")


class PointElement(ABC):
    """An element of G1 or G2, written additively."""

    @abstractmethod
    def __add__(self: E, other: E) -> E: ...

    @abstractmethod
    def __neg__(self: E) -> E: ...

    @abstractmethod
    def __mul__(self: E, k: Zr | int) -> E: ...

    def __rmul__(self: E, k: Zr | int) -> E:
        return self * k

    def __sub__(self: E, other: E) -> E:
        return self + (-other)

    @abstractmethod
    def __eq__(self, other: object) -> bool: ...

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.to_bytes()))

    @abstractmethod
    def is_identity(self) -> bool: ...

    @abstractmethod
    def to_bytes(self) -> bytes:
        """The ZCash compressed encoding."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(0x{self.to_bytes().hex()})"


class G1Element(PointElement, ABC):
    """An element of G1 (on E(Fp))."""


class G2Element(PointElement, ABC):
    """An element of G2 (on the twist E'(Fp2))."""


class GTElement(ABC):
    """An element of GT (the order-r subgroup of Fp12*), written multiplicatively."""

    @abstractmethod
    def __mul__(self, other: GTElement) -> GTElement: ...

    @abstractmethod
    def __pow__(self, k: Zr | int) -> GTElement: ...

    @abstractmethod
    def inverse(self) -> GTElement: ...

    def __truediv__(self, other: GTElement) -> GTElement:
        return self * other.inverse()

    @abstractmethod
    def __eq__(self, other: object) -> bool: ...

    def __hash__(self) -> int:
        return hash(("GT", self.to_bytes()))

    @abstractmethod
    def is_one(self) -> bool: ...

    @abstractmethod
    def to_bytes(self) -> bytes:
        """576 bytes: the 12 Fp coefficients in :data:`GT_COEFFICIENT_ORDER`, 48 bytes big-endian each."""

    def __repr__(self) -> str:
        return f"GT(0x{self.to_bytes()[:16].hex()}…)"


class PairingGroup(ABC):
    """BLS12-381 with a type-III pairing e: G1 x G2 -> GT. Backends subclass this."""

    name: str = "abstract"
    order: int = R

    # generators and identities -------------------------------------------------------------------------------
    @abstractmethod
    def g1(self) -> G1Element: ...

    @abstractmethod
    def g2(self) -> G2Element: ...

    @abstractmethod
    def identity_g1(self) -> G1Element: ...

    @abstractmethod
    def identity_g2(self) -> G2Element: ...

    @abstractmethod
    def gt_one(self) -> GTElement: ...

    def gt_generator(self) -> GTElement:
        """e(g1, g2)."""
        return self.pair(self.g1(), self.g2())

    # pairing ---------------------------------------------------------------------------------------------
    @abstractmethod
    def pair(self, p: G1Element, q: G2Element) -> GTElement:
        """The canonical pairing value (spec/group.md)."""

    @abstractmethod
    def multi_pairing(self, pairs: Sequence[tuple[G1Element, G2Element]]) -> GTElement:
        """prod_i e(p_i, q_i), with one shared final exponentiation."""

    def pairing_check(self, pairs: Sequence[tuple[G1Element, G2Element]]) -> bool:
        """True iff prod_i e(p_i, q_i) == 1."""
        return self.multi_pairing(pairs).is_one()

    # multi-scalar multiplication ---------------------------------------------------------------------------
    @abstractmethod
    def msm_g1(self, points: Sequence[G1Element], scalars: Sequence[Zr | int]) -> G1Element: ...

    @abstractmethod
    def msm_g2(self, points: Sequence[G2Element], scalars: Sequence[Zr | int]) -> G2Element: ...

    # hashing ---------------------------------------------------------------------------------------------
    @abstractmethod
    def hash_to_g1(self, msg: bytes, dst: bytes) -> G1Element:
        """RFC 9380 BLS12381G1_XMD:SHA-256_SSWU_RO_."""

    @abstractmethod
    def hash_to_g2(self, msg: bytes, dst: bytes) -> G2Element:
        """RFC 9380 BLS12381G2_XMD:SHA-256_SSWU_RO_."""

    def hash_to_zr(self, msg: bytes, dst: bytes) -> Zr:
        """RFC 9380 hash_to_field into F_r (L = 48, SHA-256 expand_message_xmd)."""
        return Zr(hash_to_zr(msg, dst, 1)[0])

    # randomness ------------------------------------------------------------------------------------------
    def random_zr(self, rng: RNG, *, nonzero: bool = True) -> Zr:
        """Wide reduction: int(rng.read(48)) mod r, redrawn if zero and ``nonzero``."""
        while True:
            v = int.from_bytes(rng.read(48), "big") % R
            if v or not nonzero:
                return Zr(v)

    # strict decoding -------------------------------------------------------------------------------------
    def g1_from_bytes(self, data: bytes, *, allow_identity: bool = True) -> G1Element:
        x, sign = parse_compressed(data, G1_BYTES, allow_identity)
        if x is None:
            return self.identity_g1()
        return self._g1_from_x(x[0], sign)

    def g2_from_bytes(self, data: bytes, *, allow_identity: bool = True) -> G2Element:
        x, sign = parse_compressed(data, G2_BYTES, allow_identity)
        if x is None:
            return self.identity_g2()
        return self._g2_from_x(x, sign)

    def gt_from_bytes(self, data: bytes) -> GTElement:
        coefficients = parse_gt(data)
        return self._gt_from_coefficients(coefficients)

    @abstractmethod
    def _g1_from_x(self, x: int, sign: bool) -> G1Element:
        """Decompress; fail POINT_NOT_ON_CURVE, then POINT_NOT_IN_SUBGROUP."""

    @abstractmethod
    def _g2_from_x(self, x: tuple[int, ...], sign: bool) -> G2Element:
        """x = (x0, x1) meaning x0 + x1*u; fail POINT_NOT_ON_CURVE, then POINT_NOT_IN_SUBGROUP."""

    @abstractmethod
    def _gt_from_coefficients(self, c: list[int]) -> GTElement:
        """Coefficients in GT_COEFFICIENT_ORDER, each < p; fail GT_NOT_IN_SUBGROUP."""

    # affine coordinates (interchange formats such as snarkjs's) ------------------------------------------
    def g1_affine(self, p: G1Element) -> tuple[int, int] | None:
        """(x, y) of p, None for the identity. The default decompresses ``p.to_bytes()``; a backend holding
        the coordinates returns the same values faster."""
        return g1_affine(p)

    def g2_affine(self, p: G2Element) -> tuple[Fp2, Fp2] | None:
        """((x0, x1), (y0, y1)) of p (x = x0 + x1*u), None for the identity; as ``g1_affine``."""
        return g2_affine(p)

    def __repr__(self) -> str:
        return f"PairingGroup({self.name})"


# Encodings ---------------------------------------------------------------------------------------------------
FLAG_COMPRESSED = 0x80
FLAG_INFINITY = 0x40
FLAG_SIGN = 0x20


def parse_compressed(data: bytes, size: int, allow_identity: bool) -> tuple[tuple[int, ...] | None, bool]:
    """Check the ZCash compressed encoding of a G1 (48) or G2 (96) point, in this order:

    1. ``BAD_LENGTH`` unless ``len(data) == size``;
    2. ``BAD_FLAGS`` unless the compression bit is set;
    3. infinity bit set: ``BAD_FLAGS`` if the sign bit or any other bit is set, ``IDENTITY_NOT_ALLOWED`` if the
       caller forbids the identity, else the identity (returned as ``None``);
    4. ``COORDINATE_NOT_CANONICAL`` if a coordinate of x is >= p (G2: x = x0 + x1*u is encoded x1 || x0).

    Returns (x coordinates low-first, sign bit); curve and subgroup checks follow in the backend.
    """
    if not isinstance(data, (bytes, bytearray)) or len(data) != size:
        fail("BAD_LENGTH", f"expected {size} bytes, got {len(data) if hasattr(data, '__len__') else '?'}")
    flags = data[0] & 0xE0
    if not flags & FLAG_COMPRESSED:
        fail("BAD_FLAGS", "compression flag not set (medshare accepts compressed points only)")
    sign = bool(flags & FLAG_SIGN)
    body = bytes([data[0] & 0x1F]) + bytes(data[1:])
    if flags & FLAG_INFINITY:
        if sign or any(body):
            fail("BAD_FLAGS", "infinity flag with a non-zero payload or sign bit")
        if not allow_identity:
            fail("IDENTITY_NOT_ALLOWED")
        return None, False
    words = [int.from_bytes(body[i:i + FP_BYTES], "big") for i in range(0, size, FP_BYTES)]
    if any(w >= P for w in words):
        fail("COORDINATE_NOT_CANONICAL", "x coordinate >= p")
    return tuple(reversed(words)), sign


def parse_gt(data: bytes) -> list[int]:
    """Check a GT encoding's length and canonical coefficients (``BAD_LENGTH``, ``COORDINATE_NOT_CANONICAL``)."""
    if not isinstance(data, (bytes, bytearray)) or len(data) != GT_BYTES:
        fail("BAD_LENGTH", f"GT needs {GT_BYTES} bytes")
    c = [int.from_bytes(data[i:i + FP_BYTES], "big") for i in range(0, GT_BYTES, FP_BYTES)]
    if any(x >= P for x in c):
        fail("COORDINATE_NOT_CANONICAL", "GT coefficient >= p")
    return c


def encode_gt(c: Sequence[int]) -> bytes:
    """The canonical GT encoding from coefficients in :data:`GT_COEFFICIENT_ORDER`."""
    return b"".join(x.to_bytes(FP_BYTES, "big") for x in c)


def fp_sign(y: int) -> bool:
    """ZCash sign of an Fp element: y > (p - 1) / 2."""
    return y > (P - 1) // 2


def fp2_sign(y0: int, y1: int) -> bool:
    """ZCash sign of an Fp2 element y0 + y1*u: lexicographically largest, comparing y1 first."""
    return fp_sign(y1) if y1 else fp_sign(y0)


def check_msm(points: Sequence[Any], scalars: Sequence[Any]) -> None:
    """MSM_LENGTH_MISMATCH unless there are as many scalars as points."""
    if len(points) != len(scalars):
        fail("MSM_LENGTH_MISMATCH", f"{len(points)} points, {len(scalars)} scalars")


def as_int(k: Any) -> int:
    """A scalar argument (Zr or int) as an integer mod r."""
    if isinstance(k, Zr):
        return k.value
    if isinstance(k, int):
        return k % R
    raise TypeError(f"scalar must be Zr or int, not {type(k).__name__}")


# Affine coordinates by decompression ------------------------------------------------------------------------
Fp2 = tuple[int, int]


def f2_mul(a: Fp2, b: Fp2) -> Fp2:
    return ((a[0] * b[0] - a[1] * b[1]) % P, (a[0] * b[1] + a[1] * b[0]) % P)


def f2_pow(a: Fp2, e: int) -> Fp2:
    out: Fp2 = (1, 0)
    while e:
        if e & 1:
            out = f2_mul(out, a)
        a = f2_mul(a, a)
        e >>= 1
    return out


def fp_sqrt(a: int) -> int | None:
    """A square root in Fp (p = 3 mod 4), None for a non-square."""
    y = pow(a, (P + 1) // 4, P)
    return y if y * y % P == a % P else None


def fp2_sqrt(a: Fp2) -> Fp2 | None:
    """A square root in Fp2 = Fp[u]/(u^2 + 1), p = 3 mod 4 (Adj and Rodriguez-Henriquez, Algorithm 9)."""
    a1 = f2_pow(a, (P - 3) // 4)
    alpha = f2_mul(f2_mul(a1, a1), a)
    x0 = f2_mul(a1, a)
    if alpha == (P - 1, 0):
        x = (-x0[1] % P, x0[0])  # u * x0
    else:
        x = f2_mul(f2_pow(((1 + alpha[0]) % P, alpha[1]), (P - 1) // 2), x0)
    return x if f2_mul(x, x) == (a[0] % P, a[1] % P) else None


def g1_rhs(x: int) -> int:
    """x^3 + 4, the right-hand side of the G1 curve equation."""
    return (x * x * x + 4) % P


def g2_rhs(x: Fp2) -> Fp2:
    """x^3 + 4(1 + u), the right-hand side of the G2 curve equation."""
    x3 = f2_mul(f2_mul(x, x), x)
    return ((x3[0] + 4) % P, (x3[1] + 4) % P)


def g1_affine(p: G1Element) -> tuple[int, int] | None:
    """(x, y) of a G1 point from its compressed encoding, None for the identity."""
    data = p.to_bytes()
    if data[0] & FLAG_INFINITY:
        return None
    x = int.from_bytes(bytes([data[0] & 0x1F]) + data[1:], "big")
    y = fp_sqrt(g1_rhs(x))
    assert y is not None
    if fp_sign(y) != bool(data[0] & FLAG_SIGN):
        y = P - y
    return x, y


def g2_affine(p: G2Element) -> tuple[Fp2, Fp2] | None:
    """((x0, x1), (y0, y1)) of a G2 point from its compressed encoding, None for the identity."""
    data = p.to_bytes()
    if data[0] & FLAG_INFINITY:
        return None
    x1 = int.from_bytes(bytes([data[0] & 0x1F]) + data[1:FP_BYTES], "big")
    x0 = int.from_bytes(data[FP_BYTES:], "big")
    y = fp2_sqrt(g2_rhs((x0, x1)))
    assert y is not None
    if fp2_sign(*y) != bool(data[0] & FLAG_SIGN):
        y = ((P - y[0]) % P, (P - y[1]) % P)
    return (x0, x1), y
