"""Mutant: the Groth16 verifier reduces public inputs mod r instead of refusing values >= r."""

from __future__ import annotations

from typing import Any

from medshare.conformance.ops.zk import _proof_and_vk, scalars
from medshare.reference.testbed import get_group
from medshare.spec.params import R
from medshare.spec.zk import groth16


def verify(inp: dict[str, Any]) -> dict[str, Any]:
    vk, proof = _proof_and_vk(inp)
    groth16.verify(get_group(), vk, [x % R for x in scalars(inp.get("public"))], proof)
    return {"valid": True}


MUTANT = {"name": "zk_public_inputs_mod_r", "bugType": "CAN_OF_WORMS",
          "description": "accepts public inputs >= r by reducing them (x and x + r verify alike)",
          "overrides": {"zk.groth16.verify": verify}}
