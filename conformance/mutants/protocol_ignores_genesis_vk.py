"""Mutant: the access-request predicate verifies the policy proof under whatever verification key the validator
was configured with, never comparing its hash with the genesis commitment (meta/vk/policy): a validator handed
another key (one whose trapdoor someone knows) accepts that key's proofs."""

from __future__ import annotations

from ...spec.protocol import protocol
from ..ops.protocol import OPS
from ._patch import patched

MUTANT = {
    "name": "protocol_ignores_genesis_vk",
    "description": "the policy proof is checked under the configured key without the genesis commitment check",
    "bugType": "AUTH_BYPASS",
    "overrides": {"protocol.shc.apply": patched(OPS["protocol.shc.apply"], protocol, "check_committed_key",
                                                lambda *args, **kwargs: None)},
}
