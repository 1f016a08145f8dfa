"""Mutant: a request nonce counts as used once any requester used it (nonces global, not scoped per requester),
so an RI that sees another's pending request can spend its nonce first."""

from __future__ import annotations

from typing import Any

from ...spec.chain import state as chain_state
from ..ops.chain import OPS as CHAIN_OPS
from ..ops.protocol import OPS as PROTOCOL_OPS
from ._patch import patched

_contains = chain_state._Overlay.__contains__


def _keys(s: Any) -> set[bytes]:
    if isinstance(s, chain_state._Overlay):
        return _keys(s.base) | set(s.writes)
    return set(s)


def _contains_any_requester(self: Any, key: object) -> bool:
    """``nonce/<requester>/<nonce>`` is found when any requester used the nonce (the last 32 bytes)."""
    if isinstance(key, bytes) and key.startswith(b"nonce/"):
        return any(k.startswith(b"nonce/") and k[-32:] == key[-32:] for k in _keys(self))
    return bool(_contains(self, key))


MUTANT = {
    "name": "chain_nonces_global",
    "description": "a nonce one RI used blocks every other RI's request with it",
    "bugType": "REPLAY",
    "overrides": {op: patched(ops[op], chain_state._Overlay, "__contains__", _contains_any_requester)
                  for ops, op in ((CHAIN_OPS, "chain.shc.apply"), (PROTOCOL_OPS, "protocol.shc.apply"))},
}
