"""Mutant: G2 decoding skips the subgroup check (any point of the twist is accepted)."""

from __future__ import annotations

from ..ops.group import G2_OPS, Codec, make_ops
from ._group import LaxG2Group

MUTANT = {
    "name": "group_g2_no_subgroup_check",
    "description": "G2 decoding checks the twist equation but not membership in the order-r subgroup",
    "bugType": "MISSING_SUBGROUP_CHECK",
    "overrides": make_ops(Codec(LaxG2Group()), G2_OPS),
}
