"""Mutant: hash_to_zr expands to 32 bytes (L = 32) instead of 48, giving a biased and different scalar."""

from __future__ import annotations

from ...spec.group import Zr
from ...spec.hashing import expand_message_xmd
from ..ops.group import Codec, make_ops


class _Codec(Codec):
    def hash_to_zr(self, msg: bytes, dst: bytes) -> Zr:
        return Zr(int.from_bytes(expand_message_xmd(msg, dst, 32), "big"))


MUTANT = {
    "name": "group_hash_to_zr_short",
    "description": "hash_to_zr reduces 32 expanded bytes mod r (L = 32) instead of 48 (L = 48, RFC 9380 §5)",
    "bugType": "WRONG_PRIMITIVE",
    "overrides": make_ops(_Codec(), ["group.hash.hash_to_zr"]),
}
