"""Mutant: proof points are decompressed without the subgroup check (on-curve only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from medshare.conformance.ops.zk import scalars
from medshare.reference.testbed import get_group
from medshare.spec.codec import from_hex
from medshare.spec.errors import fail
from medshare.spec.params import G1_BYTES, G2_BYTES
from medshare.spec.zk import groth16

from ._group import g1_unchecked, g2_unchecked


def _unchecked(data: bytes, decompress: Callable[[bytes], Any]) -> Any:
    if data[0] & 0x40:
        fail("IDENTITY_NOT_ALLOWED")
    return decompress(data)


def verify(inp: dict[str, Any]) -> dict[str, Any]:
    group = get_group("native")
    vk = groth16.VerifyingKey.from_json(group, inp.get("vk"))
    raw = from_hex(inp.get("proof"))
    if len(raw) != groth16.PROOF_BYTES:
        fail("BAD_LENGTH")
    a = _unchecked(raw[:G1_BYTES], g1_unchecked)
    b = _unchecked(raw[G1_BYTES:G1_BYTES + G2_BYTES], g2_unchecked)
    c = _unchecked(raw[G1_BYTES + G2_BYTES:], g1_unchecked)
    groth16.verify(group, vk, scalars(inp.get("public")), groth16.Proof(a, b, c))
    return {"valid": True}


MUTANT = {"name": "zk_no_subgroup_check", "bugType": "SMALL_SUBGROUP",
          "description": "decodes Groth16 proof points without checking the order-r subgroup",
          "overrides": {"zk.groth16.verify": verify}}
