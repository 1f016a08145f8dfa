"""Mutant: SHC's receipt rule checks the grant and its record but not the requester, so a CPC node's receipt
is accepted after the requester's certificate or attribute epoch is revoked (re-encryption goes on)."""

from __future__ import annotations

from typing import Any

from ...spec.chain import state as chain_state
from ...spec.errors import fail
from ..ops.chain import OPS as CHAIN_OPS
from ..ops.protocol import OPS as PROTOCOL_OPS
from ._patch import patched


def _grant_live_record_only(s: Any, request_id: bytes, record_id: bytes) -> None:
    if chain_state._record_revoked_on_shc(s, record_id):
        fail("RECORD_REVOKED", "the record is revoked")


MUTANT = {
    "name": "chain_receipt_ignores_requester_revocation",
    "description": "re-encryption receipts are accepted after the requester's certificate or attribute epoch "
                   "is revoked",
    "bugType": "REVOCATION_IGNORED",
    "overrides": {op: patched(ops[op], chain_state, "_grant_live", _grant_live_record_only)
                  for ops, op in ((CHAIN_OPS, "chain.shc.apply"), (PROTOCOL_OPS, "protocol.shc.apply"))},
}
