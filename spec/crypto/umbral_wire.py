"""Umbral wire encodings: the MessagePack subset of ``umbral-pre`` 0.11 (rmp-serde, structs as arrays) and hex JSON.

Only the canonical forms are written or read: a fixarray header (0x90 | n), bin 8 (0xC4, length, bytes) for
every byte string, and 0xC2 / 0xC3 for false / true. Anything else — other MessagePack types, maps, wrong
lengths, truncation, trailing bytes — is rejected (spec/crypto/umbral.md, "Encodings").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..codec import from_hex, to_hex
from ..errors import fail
from .secp256k1 import POINT_BYTES, SCALAR_BYTES, Point, scalar_from_bytes


def arr(*items: bytes) -> bytes:
    assert len(items) < 16
    return bytes([0x90 | len(items)]) + b"".join(items)


def bin_(data: bytes) -> bytes:
    assert len(data) < 256
    return b"\xc4" + bytes([len(data)]) + data


def as_bool(value: bool) -> bytes:
    return b"\xc3" if value else b"\xc2"


class Reader:
    """Strict sequential reader of the canonical subset."""

    def __init__(self, data: bytes) -> None:
        if not isinstance(data, (bytes, bytearray)):
            fail("MALFORMED_ENCODING", "expected bytes")
        self.data, self.pos = bytes(data), 0

    def _take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            fail("MALFORMED_ENCODING", "truncated encoding")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def array(self, n: int) -> None:
        tag = self._take(1)[0]
        if tag != 0x90 | n:
            fail("MALFORMED_ENCODING", f"expected a MessagePack array of {n} at offset {self.pos - 1}")

    def bin(self, n: int) -> bytes:
        tag = self._take(1)[0]
        if tag != 0xC4:
            fail("MALFORMED_ENCODING", f"expected MessagePack bin 8 at offset {self.pos - 1}")
        length = self._take(1)[0]
        if length != n:
            fail("BAD_LENGTH", f"expected {n} bytes at offset {self.pos - 2}, got {length}")
        return self._take(n)

    def bool(self) -> bool:
        tag = self._take(1)[0]
        if tag not in (0xC2, 0xC3):
            fail("MALFORMED_ENCODING", f"expected a MessagePack boolean at offset {self.pos - 1}")
        return tag == 0xC3

    def point(self) -> Point:
        return Point.from_bytes(self.bin(POINT_BYTES))

    def scalar(self) -> int:
        return scalar_from_bytes(self.bin(SCALAR_BYTES))

    def end(self) -> None:
        if self.pos != len(self.data):
            fail("MALFORMED_ENCODING", f"{len(self.data) - self.pos} trailing bytes")


hex_out, hex_in = to_hex, from_hex


def json_fields(obj: Any, hex_keys: Sequence[str], flags: Sequence[str] = ()) -> dict[str, Any]:
    """Exactly ``hex_keys`` (decoded from hex) and ``flags`` (booleans); nothing else."""
    if not isinstance(obj, dict) or set(obj) != set(hex_keys) | set(flags):
        fail("BAD_JSON", f"expected an object with fields {sorted(set(hex_keys) | set(flags))}")
    out: dict[str, Any] = {k: hex_in(obj[k]) for k in hex_keys}
    for k in flags:
        if not isinstance(obj[k], bool):
            fail("BAD_JSON", f"{k} must be a boolean")
        out[k] = obj[k]
    return out
