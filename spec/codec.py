"""The byte and JSON field codecs every wire object is written with (docs/design.md §4).

* Bytes: fixed-width unsigned integers (big-endian unless a format says otherwise), length-prefixed byte strings
  and UTF-8 text, one-byte type tags, and the strict group encodings of spec/group.md. :class:`Reader` decodes
  them strictly: a truncated field, an over-long field, an undecodable text, a wrong tag or a leftover byte
  fails with the format's error code (``MALFORMED_ENCODING`` unless the format names another).
* JSON: byte strings as ``"0x"`` followed by lowercase hex digits; objects with exactly their fields. Every
  failure is ``BAD_JSON``, except hex (``BAD_HEX``, ``BAD_LENGTH``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from typing import Any, Literal

from .errors import fail
from .group import G1Element, G2Element, GTElement, PairingGroup, Zr
from .params import G1_BYTES, G2_BYTES, GT_BYTES, ZR_BYTES

#: a single length-prefixed field may not exceed this many bytes
MAX_FIELD = 1 << 22
U64_MAX = (1 << 64) - 1

_HEX = re.compile(r"0x(?:[0-9a-f]{2})*")


# Bytes ---------------------------------------------------------------------------------------------------------
def u8(n: int) -> bytes:
    return n.to_bytes(1, "big")


def u16(n: int) -> bytes:
    return n.to_bytes(2, "big")


def u32(n: int) -> bytes:
    return n.to_bytes(4, "big")


def u64(n: int) -> bytes:
    return n.to_bytes(8, "big")


def blob(data: bytes, width: int = 4) -> bytes:
    """A byte string after its length, a big-endian integer of ``width`` bytes."""
    return len(data).to_bytes(width, "big") + data


def text(s: str, width: int = 4) -> bytes:
    """A string's UTF-8 as a :func:`blob`."""
    return blob(s.encode(), width)


class Reader:
    """A cursor over one canonical byte encoding. Every structural failure — a non-bytes input, a read past the
    end, a length over :data:`MAX_FIELD`, undecodable text, a wrong tag, a count over its limit, and (at
    :meth:`end`) a leftover byte — fails with ``code``. Integers are unsigned, in ``byteorder``. Group elements
    are decoded strictly by the group, with its error codes (spec/group.md)."""

    def __init__(self, data: bytes, *, code: str = "MALFORMED_ENCODING",
                 byteorder: Literal["big", "little"] = "big") -> None:
        if not isinstance(data, (bytes, bytearray)):
            fail(code, "expected bytes")
        self.data = bytes(data)
        self.pos = 0
        self.code = code
        self.byteorder: Literal["big", "little"] = byteorder

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            fail(self.code, f"truncated at byte {self.pos} (need {n})")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    fixed = take  # the name chain encodings read their fixed-size fields with

    def uint(self, width: int) -> int:
        return int.from_bytes(self.take(width), self.byteorder)

    def u8(self) -> int:
        return self.uint(1)

    def u16(self) -> int:
        return self.uint(2)

    def u32(self) -> int:
        return self.uint(4)

    def u64(self) -> int:
        return self.uint(8)

    def blob(self, width: int = 4) -> bytes:
        """A byte string after its ``width``-byte length."""
        n = self.uint(width)
        if n > MAX_FIELD:
            fail(self.code, f"field of {n} bytes exceeds {MAX_FIELD}")
        return self.take(n)

    def text(self, width: int = 4, encoding: Literal["utf-8", "ascii"] = "utf-8") -> str:
        """A :meth:`blob` decoded strictly as ``encoding``."""
        raw = self.blob(width)
        try:
            return raw.decode(encoding, errors="strict")
        except UnicodeDecodeError:
            fail(self.code, f"text field is not {encoding}")

    def count(self, limit: int) -> int:
        """A u32 item count, at most ``limit``."""
        n = self.u32()
        if n > limit:
            fail(self.code, f"list of {n} items exceeds {limit}")
        return n

    def tag(self, expected: int) -> None:
        t = self.u8()
        if t != expected:
            fail(self.code, f"tag 0x{t:02x}, expected 0x{expected:02x}")

    def zr(self, *, allow_zero: bool = False) -> Zr:
        return Zr.from_bytes(self.take(ZR_BYTES), allow_zero=allow_zero)

    def g1(self, group: PairingGroup, *, allow_identity: bool = False) -> G1Element:
        return group.g1_from_bytes(self.take(G1_BYTES), allow_identity=allow_identity)

    def g2(self, group: PairingGroup, *, allow_identity: bool = False) -> G2Element:
        return group.g2_from_bytes(self.take(G2_BYTES), allow_identity=allow_identity)

    def gt(self, group: PairingGroup) -> GTElement:
        return group.gt_from_bytes(self.take(GT_BYTES))

    def end(self) -> None:
        if self.pos != len(self.data):
            fail(self.code, f"{len(self.data) - self.pos} trailing bytes")


def fingerprint(data: bytes) -> str:
    """The first 12 hex digits of SHA-256: what ``repr`` of a secret shows."""
    return hashlib.sha256(data).hexdigest()[:12]


# JSON ----------------------------------------------------------------------------------------------------------
def to_hex(data: bytes) -> str:
    """``"0x" + data.hex()``."""
    return "0x" + data.hex()


def from_hex(value: object, length: int | None = None) -> bytes:
    """Strict: a string ``0x`` + an even number of lowercase hex digits, nothing else (no whitespace, no
    upper case) — ``BAD_HEX``; with ``length``, exactly that many bytes — ``BAD_LENGTH``."""
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        fail("BAD_HEX", f"expected 0x-prefixed lowercase hex, got {str(value)[:40]!r}")
    out = bytes.fromhex(value[2:])
    if length is not None and len(out) != length:
        fail("BAD_LENGTH", f"expected {length} bytes, got {len(out)}")
    return out


def json_object(obj: Any, required: Collection[str], optional: Collection[str] = (),
                what: str = "object") -> dict[str, Any]:
    """``obj`` must be an object with every ``required`` field and none outside ``required`` and ``optional``."""
    if not isinstance(obj, dict) or not set(required) <= set(obj) or not set(obj) <= set(required) | set(optional):
        extra = f" (optional {sorted(optional)})" if optional else ""
        fail("BAD_JSON", f"{what} must be an object with the fields {sorted(required)}{extra}")
    return obj


def json_int(value: Any, what: str) -> int:
    """An integer in [0, 2^64) (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= U64_MAX:
        fail("BAD_JSON", f"{what} must be an integer in [0, 2^64)")
    return value


def json_str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        fail("BAD_JSON", f"{what} must be a string")
    return value


def json_bool(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        fail("BAD_JSON", f"{what} must be a boolean")
    return value


def json_list(value: Any, what: str, length: int | None = None) -> list[Any]:
    """A list (of exactly ``length`` items, if given)."""
    if not isinstance(value, list) or (length is not None and len(value) != length):
        fail("BAD_JSON", f"{what} must be a list" + (f" of {length} items" if length is not None else ""))
    return value
