"""The JSON hex form shared by every wire object (DESIGN §4): ``"0x"`` followed by lowercase hex digits."""

from __future__ import annotations

import re

from .errors import fail

_HEX = re.compile(r"0x(?:[0-9a-f]{2})*")


class Reader:
    """A cursor over one canonical byte encoding: a read past the end, a non-bytes input and (at ``end``) any
    leftover byte are ``MALFORMED_ENCODING``. Integers are unsigned big-endian."""

    def __init__(self, data: bytes) -> None:
        if not isinstance(data, (bytes, bytearray)):
            fail("MALFORMED_ENCODING", "expected bytes")
        self.data = bytes(data)
        self.pos = 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            fail("MALFORMED_ENCODING", f"truncated at byte {self.pos} (need {n})")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return int.from_bytes(self.take(2), "big")

    def u32(self) -> int:
        return int.from_bytes(self.take(4), "big")

    def u64(self) -> int:
        return int.from_bytes(self.take(8), "big")

    def end(self) -> None:
        if self.pos != len(self.data):
            fail("MALFORMED_ENCODING", f"{len(self.data) - self.pos} trailing bytes")

    done = end


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
