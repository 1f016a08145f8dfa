"""Mutant: request nonces are recorded but never looked up, so a replayed access request is not refused as a
replay (it falls through to later checks)."""

from __future__ import annotations

from ...spec.chain import state as chain_state
from ..ops.protocol import OPS
from ._patch import contains_except, patched

MUTANT = {
    "name": "protocol_accepts_replayed_nonce",
    "description": "the used-nonce set is written but never consulted",
    "bugType": "REPLAY",
    "overrides": {"protocol.shc.apply": patched(OPS["protocol.shc.apply"], chain_state._Overlay, "__contains__",
                                                contains_except(b"nonce/"))},
}
