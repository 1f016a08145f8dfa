"""Mutant: the access-request predicate checks the payload's shape but never verifies the Groth16 policy proof,
so any RI (or junk bytes) passes."""

from __future__ import annotations

from ...spec.zk import circuits
from ..ops.protocol import OPS
from ._patch import patched

MUTANT = {
    "name": "protocol_skips_policy_proof",
    "description": "the Groth16 policy proof of an access request is not verified",
    "bugType": "AUTH_BYPASS",
    "overrides": {"protocol.shc.apply": patched(OPS["protocol.shc.apply"], circuits, "verify_policy",
                                                lambda *args, **kwargs: None)},
}
