"""Mutant: SHC never consults record revocation notices, so a record revoked on MDC (and noticed on SHC) can
still be requested and granted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

from ...spec.chain import state as chain_state
from ..ops.protocol import OPS


def _patched(op: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def handler(inp: dict[str, Any]) -> dict[str, Any]:
        with mock.patch.object(chain_state, "_record_revoked_on_shc", lambda s, rid: False):
            return OPS[op](inp)
    return handler


MUTANT = {
    "name": "protocol_grant_ignores_record_revocation",
    "description": "grants and requests ignore SHC record-revocation notices",
    "bugType": "REVOCATION_IGNORED",
    "overrides": {"protocol.shc.apply": _patched("protocol.shc.apply")},
}
