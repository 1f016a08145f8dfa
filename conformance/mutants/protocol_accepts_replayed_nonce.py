"""Mutant: request nonces are recorded but never looked up, so a replayed access request is not refused as a
replay (it falls through to later checks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

from ...spec.chain import state as chain_state
from ..ops.protocol import OPS

_original = chain_state._Overlay.__contains__


def _contains_except_nonces(self: Any, key: object) -> bool:
    if isinstance(key, bytes) and key.startswith(b"nonce/"):
        return False
    return bool(_original(self, key))


def _patched(op: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def handler(inp: dict[str, Any]) -> dict[str, Any]:
        with mock.patch.object(chain_state._Overlay, "__contains__", _contains_except_nonces):
            return OPS[op](inp)
    return handler


MUTANT = {
    "name": "protocol_accepts_replayed_nonce",
    "description": "the used-nonce set is written but never consulted",
    "bugType": "REPLAY",
    "overrides": {"protocol.shc.apply": _patched("protocol.shc.apply")},
}
