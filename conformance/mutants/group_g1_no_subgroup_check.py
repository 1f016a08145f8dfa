"""Mutant: G1 decoding skips the subgroup check (any curve point is accepted)."""

from __future__ import annotations

from ..ops.group import G1_OPS, Codec, make_ops
from ._group import LaxG1Group

MUTANT = {
    "name": "group_g1_no_subgroup_check",
    "description": "G1 decoding checks the curve equation but not membership in the order-r subgroup",
    "bugType": "MISSING_SUBGROUP_CHECK",
    "overrides": make_ops(Codec(LaxG1Group()), G1_OPS),
}
