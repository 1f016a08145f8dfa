"""Mutant: the access-request predicate checks the payload's shape but never verifies the Groth16 policy proof,
so any RI (or junk bytes) passes."""

from __future__ import annotations

from typing import Any
from unittest import mock

from ...spec.zk import circuits
from ..ops.protocol import OPS


def _handler(inp: dict[str, Any]) -> dict[str, Any]:
    with mock.patch.object(circuits, "verify_policy", lambda *args, **kwargs: None):
        return OPS["protocol.shc.apply"](inp)


MUTANT = {
    "name": "protocol_skips_policy_proof",
    "description": "the Groth16 policy proof of an access request is not verified",
    "bugType": "AUTH_BYPASS",
    "overrides": {"protocol.shc.apply": _handler},
}
