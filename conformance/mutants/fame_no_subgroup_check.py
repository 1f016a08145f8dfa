"""Mutant: FAME decoding that accepts G1 and G2 points on the curve but outside the order-r subgroup."""

from __future__ import annotations

from typing import Any

from ..ops.fame import op_decrypt
from ._group import LaxGroup

_LAX = LaxGroup()


def decrypt(inp: dict[str, Any]) -> dict[str, Any]:
    return op_decrypt(inp, _LAX)


MUTANT = {
    "name": "fame_no_subgroup_check",
    "description": "accepts ciphertext and key points outside the prime-order subgroup",
    "bugType": "INVALID_POINT",
    "overrides": {"crypto.fame.decrypt": decrypt},
}
