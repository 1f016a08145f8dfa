"""Conformance handlers for zk: Poseidon, Groth16 verification, the circuits' public inputs and verification.

Scalars are "0x" + 64 hex digits (32 bytes big-endian); points and proofs are compressed encodings in hex; a
verification key is the JSON form of ``VerifyingKey`` (spec/zk/zk.md).
"""

from __future__ import annotations

from typing import Any

import attrs
from medshare.reference.testbed import get_group
from medshare.spec.codec import from_hex, to_hex
from medshare.spec.errors import fail
from medshare.spec.zk import circuits, groth16, poseidon


def scalar(s: Any) -> int:
    """A 32-byte hex scalar (strict hex, ``BAD_HEX``; 32 bytes, ``BAD_LENGTH``), not range-checked (the operation
    decides what >= r means)."""
    return int.from_bytes(from_hex(s, 32), "big")


def hex32(v: int) -> str:
    return to_hex(v.to_bytes(32, "big"))


def scalars(obj: Any) -> list[int]:
    if not isinstance(obj, list):
        fail("BAD_JSON", "expected a list of scalars")
    return [scalar(x) for x in obj]


def _proof_and_vk(inp: dict[str, Any]) -> tuple[groth16.VerifyingKey, groth16.Proof]:
    group = get_group()
    vk = groth16.VerifyingKey.from_json(group, inp.get("vk"))
    proof_hex = inp.get("proof")
    if not isinstance(proof_hex, str):
        fail("BAD_JSON", "proof must be a hex string")
    return vk, groth16.Proof.from_bytes(group, from_hex(proof_hex))


def poseidon_permute(inp: dict[str, Any]) -> dict[str, Any]:
    return {"state": [hex32(v) for v in poseidon.permute(scalars(inp.get("state")))]}


def poseidon_hash(inp: dict[str, Any]) -> dict[str, Any]:
    return {"digest": hex32(poseidon.poseidon_hash(scalars(inp.get("inputs"))))}


def groth16_verify(inp: dict[str, Any]) -> dict[str, Any]:
    vk, proof = _proof_and_vk(inp)
    groth16.verify(get_group(), vk, scalars(inp.get("public")), proof)
    return {"valid": True}


@attrs.frozen
class _Attr:
    name: str


@attrs.frozen
class _Threshold:
    k: int
    children: tuple[Any, ...]


def policy_from_json(obj: Any, depth: int = 0) -> Any:
    """{"attr": name} or {"k": k, "children": [...]} (AND = n-of-n, OR = 1-of-n)."""
    if depth > 32:
        fail("POLICY_TOO_DEEP", "policy JSON nests too deeply")
    if isinstance(obj, dict) and set(obj) == {"attr"} and isinstance(obj["attr"], str):
        return _Attr(obj["attr"])
    if isinstance(obj, dict) and set(obj) == {"k", "children"} and isinstance(obj["children"], list):
        return _Threshold(obj["k"], tuple(policy_from_json(c, depth + 1) for c in obj["children"]))
    fail("POLICY_SYNTAX", "a policy node is {attr} or {k, children}")


def policy_hash(inp: dict[str, Any]) -> dict[str, Any]:
    gates = circuits.gates_from_policy(policy_from_json(inp.get("policy")))
    return {"gateWords": [hex32(w) for w in gates.words()], "policyHash": hex32(circuits.gate_hash(gates))}


def attribute_commitment(inp: dict[str, Any]) -> dict[str, Any]:
    names = inp.get("attributes")
    if not isinstance(names, list):
        fail("BAD_JSON", "attributes must be a list of names")
    values = [circuits.attribute_field(n) for n in names]
    salt = scalar(inp.get("salt"))
    return {"commitment": hex32(circuits.attribute_commitment(values, salt))}


def data_commitment(inp: dict[str, Any]) -> dict[str, Any]:
    fields = inp.get("fields")
    if not isinstance(fields, list) or not all(isinstance(f, int) for f in fields):
        fail("BAD_JSON", "fields must be a list of integers")
    return {"commitment": hex32(circuits.data_commitment(fields, scalar(inp.get("salt"))))}


def criterion_from_json(obj: Any) -> circuits.Criterion:
    if not isinstance(obj, dict) or not {"kind", "index"} <= set(obj) <= {"kind", "index", "lo", "hi", "codes"}:
        fail("BAD_JSON", "criterion is {kind, index, lo?, hi?, codes?}")
    ints = [obj.get(k, 0) for k in ("kind", "index", "lo", "hi")]
    codes = obj.get("codes", [])
    if not isinstance(codes, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in ints + codes):
        fail("BAD_JSON", "criterion values are integers and codes a list of integers")
    return circuits.Criterion(ints[0], ints[1], ints[2], ints[3], tuple(codes))


def policy_verify(inp: dict[str, Any]) -> dict[str, Any]:
    vk, proof = _proof_and_vk(inp)
    circuits.verify_policy(get_group(), vk, scalar(inp.get("policyHash")), scalar(inp.get("attributeCommitment")),
                           scalar(inp.get("recordId")), scalar(inp.get("nonce")), proof)
    return {"valid": True}


def data_verify(inp: dict[str, Any]) -> dict[str, Any]:
    vk, proof = _proof_and_vk(inp)
    circuits.verify_data(get_group(), vk, scalar(inp.get("dataCommitment")),
                         criterion_from_json(inp.get("criterion")), proof)
    return {"valid": True}


OPS = {
    "zk.poseidon.permute": poseidon_permute,
    "zk.poseidon.hash": poseidon_hash,
    "zk.groth16.verify": groth16_verify,
    "zk.circuits.policy_hash": policy_hash,
    "zk.circuits.attribute_commitment": attribute_commitment,
    "zk.circuits.data_commitment": data_commitment,
    "zk.circuits.policy_verify": policy_verify,
    "zk.circuits.data_verify": data_verify,
}
