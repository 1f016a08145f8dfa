"""Mutant: the policy verifier drops the nonce's IC term and checks the proof against nonce 0's statement,
accepting a proof replayed with any nonce when it was made for nonce 0 — and failing honest proofs."""

from __future__ import annotations

from typing import Any

from medshare.conformance.ops.zk import _proof_and_vk, scalar
from medshare.reference.testbed import get_group
from medshare.spec.zk import groth16


def policy_verify(inp: dict[str, Any]) -> dict[str, Any]:
    vk, proof = _proof_and_vk(inp)
    public = [scalar(inp.get(k)) for k in ("policyHash", "attributeCommitment", "recordId")]
    groth16.check_public_inputs(vk, public + [scalar(inp.get("nonce"))])
    groth16.verify(get_group(), vk, public + [0], proof)  # the IC term of the nonce is ignored
    return {"valid": True}


MUTANT = {"name": "zk_policy_ignores_nonce", "bugType": "REPLAY",
          "description": "ignores the IC term of the request nonce in the policy-proof verification",
          "overrides": {"zk.circuits.policy_verify": policy_verify}}
