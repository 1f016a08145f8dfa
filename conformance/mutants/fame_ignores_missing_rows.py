"""Mutant: FAME decryption that, when the key does not satisfy the policy, uses the rows it can instead of
refusing (an authorisation bypass that returns a wrong key rather than POLICY_UNSATISFIED)."""

from __future__ import annotations

from typing import Any

from ...spec.errors import MedshareError
from ...spec.policy import reconstruction_coefficients
from ._fame_common import combine, decode


def decrypt(inp: dict[str, Any]) -> dict[str, Any]:
    G, sk, ct = decode(inp)
    lsss = ct.policy.lsss
    try:
        gamma = reconstruction_coefficients(lsss, sk.names())
    except MedshareError:
        gamma = {i: 1 for i, y in enumerate(lsss.labels) if y in sk.names()}
    return {"kemKey": "0x" + combine(G, sk, ct, lsss, gamma).to_bytes().hex()}


MUTANT = {
    "name": "fame_ignores_missing_rows",
    "description": "decrypts an unsatisfied policy with the rows the key has, instead of POLICY_UNSATISFIED",
    "bugType": "AUTH_BYPASS",
    "overrides": {"crypto.fame.decrypt": decrypt},
}
