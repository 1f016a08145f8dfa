"""The fields the identity schemes (cbs, ibe) add to spec/codec.py: names, 64-bit integers, key pairs.

A name (identity, device id) is 1 to 1024 bytes of UTF-8, compared exactly (no normalisation), written after a
u16 length. A bad name or integer fails ``MALFORMED_ENCODING`` (``BAD_JSON`` for a name that is not a string).
"""

from __future__ import annotations

from typing import Any

from ..codec import U64_MAX, Reader, u16
from ..codec import from_hex as from_hex  # the shared strict hex form, named here for the schemes' callers
from ..codec import to_hex as to_hex
from ..errors import fail
from ..group import G2Element, PairingGroup, Zr

MAX_NAME_BYTES = 1024


def name_bytes(name: str, what: str = "identity") -> bytes:
    """UTF-8 of a name: 1 to 1024 bytes."""
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


def read_name(r: Reader, what: str = "identity") -> str:
    """The inverse of :func:`lp_name`."""
    name = r.text(2)
    name_bytes(name, what)
    return name


def check_u64(n: Any, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= U64_MAX:
        fail("MALFORMED_ENCODING", f"{what} must be an integer in [0, 2^64)")
    return n


def key_pair_from_bytes(group: PairingGroup, data: bytes) -> tuple[Zr, G2Element]:
    """A secret scalar and its public key: sk (32) || pk (96), with pk = sk·g2 (``KEY_MISMATCH`` otherwise)."""
    r = Reader(data)
    sk, pk = r.zr(), r.g2(group)
    r.end()
    if group.g2() * sk != pk:
        fail("KEY_MISMATCH", "public key is not sk·g2")
    return sk, pk
