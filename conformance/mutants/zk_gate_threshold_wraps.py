"""Mutant: the gate list does not check that a threshold fits the gate word, so a 64-leaf AND is encoded with
k = 64, which reads as k = 0 (and carries into the input bits): the circuit would accept any attribute set."""

from __future__ import annotations

from ...spec.zk import circuits
from ..ops.zk import OPS
from ._patch import patched


def _unchecked(self: circuits.PolicyGates) -> None:
    return None


MUTANT = {
    "name": "zk_gate_threshold_wraps",
    "description": "a gate threshold of 64 or more is encoded without a check and wraps to k = 0",
    "bugType": "AUTH_BYPASS",
    "overrides": {"zk.circuits.policy_hash": patched(OPS["zk.circuits.policy_hash"], circuits.PolicyGates,
                                                     "__attrs_post_init__", _unchecked)},
}
