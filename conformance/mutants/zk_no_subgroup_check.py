"""Mutant: proof points are decompressed without the subgroup check (on-curve only)."""

from __future__ import annotations

from typing import Any

import py_arkworks_bls12381 as ark
from medshare.conformance.ops.zk import scalars
from medshare.reference.testbed import NativeG1, NativeG2, get_group
from medshare.spec.codec import from_hex
from medshare.spec.errors import fail
from medshare.spec.params import G1_BYTES, G2_BYTES
from medshare.spec.zk import groth16


def _unchecked(data: bytes, cls: Any, point: Any) -> Any:
    if data[0] & 0x40:
        fail("IDENTITY_NOT_ALLOWED")
    try:
        return cls(point.from_compressed_bytes_unchecked(data))
    except ValueError:
        fail("POINT_NOT_ON_CURVE")


def verify(inp: dict[str, Any]) -> dict[str, Any]:
    group = get_group("native")
    vk = groth16.VerifyingKey.from_json(group, inp.get("vk"))
    raw = from_hex(inp.get("proof"))
    if len(raw) != groth16.PROOF_BYTES:
        fail("BAD_LENGTH")
    a = _unchecked(raw[:G1_BYTES], NativeG1, ark.G1Point)
    b = _unchecked(raw[G1_BYTES:G1_BYTES + G2_BYTES], NativeG2, ark.G2Point)
    c = _unchecked(raw[G1_BYTES + G2_BYTES:], NativeG1, ark.G1Point)
    groth16.verify(group, vk, scalars(inp.get("public")), groth16.Proof(a, b, c))
    return {"valid": True}


MUTANT = {"name": "zk_no_subgroup_check", "bugType": "SMALL_SUBGROUP",
          "description": "decodes Groth16 proof points without checking the order-r subgroup",
          "overrides": {"zk.groth16.verify": verify}}
