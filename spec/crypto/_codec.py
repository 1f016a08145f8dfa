"""Strict field codecs shared by the identity schemes (cbs, ibe): integers, strings, hex, JSON objects.

Every decoder fails with a typed error (spec/errors.md): ``MALFORMED_ENCODING`` for truncated or trailing
bytes, ``BAD_HEX`` for hex that is not ``0x``-prefixed lowercase, ``BAD_JSON`` for missing, extra or mistyped
fields.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..codec import Reader as BaseReader
from ..codec import from_hex as from_hex  # re-exported: the shared strict hex form
from ..codec import to_hex as to_hex
from ..errors import fail

U64_MAX = (1 << 64) - 1
MAX_NAME_BYTES = 1024


def u16(n: int) -> bytes:
    return n.to_bytes(2, "big")


def u64(n: int) -> bytes:
    return n.to_bytes(8, "big")


def name_bytes(name: str, what: str = "identity") -> bytes:
    """UTF-8 of a name (identity, device id): 1 to 1024 bytes, compared exactly (no normalisation)."""
    if not isinstance(name, str):
        fail("BAD_JSON", f"{what} must be a string")
    try:
        raw = name.encode("utf-8")
    except UnicodeEncodeError:
        fail("MALFORMED_ENCODING", f"{what} is not valid UTF-8")
    if not 1 <= len(raw) <= MAX_NAME_BYTES:
        fail("MALFORMED_ENCODING", f"{what} must be 1 to {MAX_NAME_BYTES} UTF-8 bytes")
    return raw


def lp_name(name: str, what: str = "identity") -> bytes:
    """u16 length || UTF-8."""
    raw = name_bytes(name, what)
    return u16(len(raw)) + raw


def check_u64(n: Any, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= U64_MAX:
        fail("MALFORMED_ENCODING", f"{what} must be an integer in [0, 2^64)")
    return n


def fingerprint(data: bytes) -> str:
    """The first 12 hex digits of SHA-256: what ``repr`` of a secret shows."""
    return hashlib.sha256(data).hexdigest()[:12]


class Reader(BaseReader):
    """Reads the fields of an identity-scheme encoding: adds length-prefixed names."""

    def name(self, what: str = "identity") -> str:
        n = self.u16()
        raw = self.take(n)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            fail("MALFORMED_ENCODING", f"{what} is not valid UTF-8")
        name_bytes(text, what)
        return text




def json_object(obj: Any, keys: set[str], what: str) -> dict[str, Any]:
    """``obj`` must be a dict with exactly ``keys``."""
    if not isinstance(obj, dict) or set(obj) != keys:
        fail("BAD_JSON", f"{what} must be an object with exactly the fields {sorted(keys)}")
    return obj


def json_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= U64_MAX:
        fail("BAD_JSON", f"{what} must be an integer in [0, 2^64)")
    return value


def json_str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        fail("BAD_JSON", f"{what} must be a string")
    return value
