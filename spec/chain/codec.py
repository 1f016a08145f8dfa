"""Canonical byte encoding of chain objects (spec/chain/chain.md, "Encoding").

Every chain object encodes as a one-byte type tag followed by its fields in a fixed order. Integers are
unsigned big-endian of a fixed width; byte strings and text (UTF-8) carry a 4-byte length prefix; a list is a
4-byte count followed by its items. Decoding is strict: a wrong tag, a truncated field, invalid UTF-8, an
over-long field or trailing bytes fail with ``MALFORMED_ENCODING``.
"""

from __future__ import annotations

import hashlib

from ..codec import Reader as BaseReader
from ..codec import from_hex as from_hex  # re-exported: the shared strict hex form
from ..codec import to_hex as to_hex
from ..errors import fail

#: a single variable-length field may not exceed this (the message size limit is enforced separately)
MAX_FIELD = 1 << 22


def u8(x: int) -> bytes:
    return x.to_bytes(1, "big")


def u32(x: int) -> bytes:
    return x.to_bytes(4, "big")


def u64(x: int) -> bytes:
    return x.to_bytes(8, "big")


def blob(b: bytes) -> bytes:
    """A length-prefixed byte string."""
    return u32(len(b)) + b


def text(s: str) -> bytes:
    """A length-prefixed UTF-8 string."""
    return blob(s.encode())


def sha256(*parts: bytes) -> bytes:
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.digest()


class Reader(BaseReader):
    """Reads the fields of one chain encoding: length-prefixed blobs and text, counted lists, tags."""

    def blob(self) -> bytes:
        n = self.u32()
        if n > MAX_FIELD:
            fail("MALFORMED_ENCODING", f"field of {n} bytes exceeds {MAX_FIELD}")
        return self.take(n)

    def fixed(self, n: int) -> bytes:
        return self.take(n)

    def text(self) -> str:
        raw = self.blob()
        try:
            return raw.decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            fail("MALFORMED_ENCODING", "text field is not UTF-8")

    def count(self, limit: int) -> int:
        n = self.u32()
        if n > limit:
            fail("MALFORMED_ENCODING", f"list of {n} items exceeds {limit}")
        return n

    def tag(self, expected: int) -> None:
        t = self.u8()
        if t != expected:
            fail("MALFORMED_ENCODING", f"tag 0x{t:02x}, expected 0x{expected:02x}")


