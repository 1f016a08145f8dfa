"""Mutant: SHC never consults record revocation notices, so a record revoked on MDC (and noticed on SHC) can
still be requested and granted."""

from __future__ import annotations

from ...spec.chain import state as chain_state
from ..ops.protocol import OPS
from ._patch import patched

MUTANT = {
    "name": "protocol_grant_ignores_record_revocation",
    "description": "grants and requests ignore SHC record-revocation notices",
    "bugType": "REVOCATION_IGNORED",
    "overrides": {"protocol.shc.apply": patched(OPS["protocol.shc.apply"], chain_state, "_record_revoked_on_shc",
                                                lambda s, rid: False)},
}
