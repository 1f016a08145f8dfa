"""Mutant: apply records transaction ids but never looks them up, so a transaction can be included twice
when its rule alone would accept it again (a replayed certificate issue, a replayed block)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

from ...spec.chain import state as chain_state
from ..ops.chain import OPS

_original = chain_state._Overlay.__contains__


def _contains_except_tx_ids(self: Any, key: object) -> bool:
    if isinstance(key, bytes) and key.startswith(b"tx/"):
        return False
    return bool(_original(self, key))


def _patched(op: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def handler(inp: dict[str, Any]) -> dict[str, Any]:
        with mock.patch.object(chain_state._Overlay, "__contains__", _contains_except_tx_ids):
            return OPS[op](inp)
    return handler


MUTANT = {
    "name": "chain_accepts_duplicate_tx",
    "description": "the duplicate-transaction check is skipped (transaction ids are stored but never consulted)",
    "bugType": "REPLAY",
    "overrides": {op: _patched(op) for op in ("chain.mdc.apply", "chain.shc.apply")},
}
