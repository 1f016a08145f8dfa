"""The JSON hex form shared by every wire object (DESIGN §4): ``"0x"`` followed by lowercase hex digits."""

from __future__ import annotations

import re

from .errors import fail

_HEX = re.compile(r"0x(?:[0-9a-f]{2})*")


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
