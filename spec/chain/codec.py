"""Canonical byte encoding of chain objects (spec/chain/chain.md, "Encoding").

Every chain object encodes as a one-byte type tag followed by its fields in a fixed order. Integers are
unsigned big-endian of a fixed width; byte strings and text (UTF-8) carry a 4-byte length prefix; a list is a
4-byte count followed by its items. Decoding is strict: a wrong tag, a truncated field, invalid UTF-8, an
over-long field or trailing bytes fail with ``MALFORMED_ENCODING``. The encoders and the :class:`Reader` are
spec/codec.py's, named here for the chain modules.
"""

from __future__ import annotations

import hashlib

from ..codec import MAX_FIELD, Reader, blob, from_hex, text, to_hex, u8, u32, u64

__all__ = ["MAX_FIELD", "Reader", "blob", "from_hex", "sha256", "text", "to_hex", "u8", "u32", "u64"]


def sha256(*parts: bytes) -> bytes:
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.digest()
