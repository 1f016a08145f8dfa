"""Mutant: SHC's grant and receipt rules check the requester's current attribute epoch instead of the epoch its
request was proven under, so a new attribute commitment revives the requests and grants of a revoked epoch."""

from __future__ import annotations

from typing import Any

from ...spec.chain import state as chain_state
from ..ops.chain import OPS as CHAIN_OPS
from ..ops.protocol import OPS as PROTOCOL_OPS
from ._patch import patched


def _current_epoch_only(s: Any, request: Any) -> None:
    chain_state._attr_epoch_ok(s, request.requester)


MUTANT = {
    "name": "chain_grant_checks_current_epoch_only",
    "description": "grants and receipts check the requester's current attribute epoch, not the request's: a new "
                   "commitment after an epoch revocation revives older requests",
    "bugType": "REVOCATION_IGNORED",
    "overrides": {op: patched(ops[op], chain_state, "_request_epoch_ok", _current_epoch_only)
                  for ops, op in ((CHAIN_OPS, "chain.shc.apply"), (PROTOCOL_OPS, "protocol.shc.apply"))},
}
