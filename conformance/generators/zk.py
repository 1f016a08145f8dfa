"""Vectors for zk: Poseidon (permute, hash), Groth16 verification, the circuits (encodings and verification).

Deterministic: keys come from ``groth16.setup`` on seeded RNGs (unsafe for production, fine for vectors), and
proofs from seeded provers, so every file is a byte-exact known answer. Invalid cases name their error code.
"""

from __future__ import annotations

from typing import Any

from medshare.reference.testbed import get_group
from medshare.spec.params import G1_BYTES, G2_BYTES, R
from medshare.spec.rng import DeterministicRNG
from medshare.spec.zk import circuits, gadgets, groth16, poseidon
from medshare.spec.zk.r1cs import Circuit

from medshare import SPEC_VERSION

from ..ops.zk import hex32
from . import _zk_points as bad

SPEC = "spec/zk/zk.md"

NOTES: dict[str, dict[str, str]] = {
    "KnownAnswer": {"bugType": "FUNCTIONALITY", "description": "a correct input with its known answer",
                    "specRef": SPEC},
    "ReferenceVector": {"bugType": "FUNCTIONALITY", "description": "the Poseidon reference implementation's "
                        "published test vector for poseidonperm_x5_255_3", "specRef": SPEC + "#poseidon"},
    "NonCanonicalScalar": {"bugType": "CAN_OF_WORMS", "description": "a field element encoded as a value >= r "
                           "must be refused, not reduced", "specRef": SPEC},
    "BadLength": {"bugType": "MODIFIED_PARAMETER", "description": "wrong number of elements or bytes",
                  "specRef": SPEC},
    "BadEncoding": {"bugType": "MODIFIED_PARAMETER", "description": "malformed hex or JSON", "specRef": SPEC},
    "Malleability": {"bugType": "MALLEABILITY", "description": "a re-randomised Groth16 proof verifies for the "
                     "same public inputs (expected; requests are bound by their inputs and signature)",
                     "specRef": SPEC + "#malleability-and-why-requests-stay-bound"},
    "WrongPublicInput": {"bugType": "AUTH_BYPASS", "description": "a valid proof presented with other public "
                         "inputs", "specRef": SPEC + "#groth16"},
    "PublicInputCount": {"bugType": "AUTH_BYPASS", "description": "too few or too many public inputs",
                         "specRef": SPEC + "#groth16"},
    "PointNotOnCurve": {"bugType": "INVALID_CURVE", "description": "a proof point off the curve",
                        "specRef": "spec/group.md"},
    "PointNotInSubgroup": {"bugType": "SMALL_SUBGROUP", "description": "a proof point on the curve but outside "
                           "the order-r subgroup", "specRef": "spec/group.md"},
    "IdentityPoint": {"bugType": "EDGE_CASE", "description": "a proof point is the identity",
                      "specRef": SPEC + "#groth16"},
    "WrongKey": {"bugType": "AUTH_BYPASS", "description": "a proof made for another verification key",
                 "specRef": SPEC + "#groth16"},
    "ForgedProof": {"bugType": "AUTH_BYPASS", "description": "proof parts swapped or negated",
                    "specRef": SPEC + "#groth16"},
    "RequestBinding": {"bugType": "REPLAY", "description": "a policy proof presented for another record id or "
                       "nonce", "specRef": SPEC + "#circuits"},
    "PolicyMalformed": {"bugType": "MODIFIED_PARAMETER", "description": "a policy outside the circuit's limits "
                        "or with a bad threshold", "specRef": SPEC + "#circuits"},
    "CriterionMalformed": {"bugType": "MODIFIED_PARAMETER", "description": "a malformed data criterion",
                           "specRef": SPEC + "#circuits"},
}


def _file(component: str, operation: str, groups: list[dict[str, Any]]) -> dict[str, Any]:
    n = 0
    used: set[str] = set()
    for g in groups:
        for t in g["tests"]:
            n += 1
            t["tcId"] = n
            used.update(t["flags"])
    return {"schema": "medshare/v1/vectors", "specVersion": SPEC_VERSION, "component": component,
            "operation": operation, "numberOfTests": n, "notes": {k: NOTES[k] for k in sorted(used)},
            "testGroups": groups}


def _ok(comment: str, inp: dict[str, Any], out: dict[str, Any], flags: list[str] | None = None) -> dict[str, Any]:
    return {"tcId": 0, "comment": comment, "input": inp, "result": "valid", "output": out,
            "flags": flags or ["KnownAnswer"]}


def _bad(comment: str, inp: dict[str, Any], error: str, flags: list[str]) -> dict[str, Any]:
    return {"tcId": 0, "comment": comment, "input": inp, "result": "invalid", "error": error, "flags": flags}


def _scalars(rng: DeterministicRNG, n: int) -> list[int]:
    return [int.from_bytes(rng.read(48), "big") % R for _ in range(n)]


# Poseidon ---------------------------------------------------------------------------------------------------
def _poseidon_files() -> list[dict[str, Any]]:
    rng = DeterministicRNG(b"zk-vectors-poseidon")
    perm: list[dict[str, Any]] = [
        _ok("reference vector perm([0, 1, 2])", {"state": [hex32(v) for v in poseidon.TEST_VECTOR_INPUT]},
            {"state": [hex32(v) for v in poseidon.TEST_VECTOR_OUTPUT]}, ["ReferenceVector"])]
    for state in ([0, 0, 0], [R - 1] * 3, _scalars(rng, 3), _scalars(rng, 3)):
        perm.append(_ok("permutation", {"state": [hex32(v) for v in state]},
                        {"state": [hex32(v) for v in poseidon.permute(state)]}))
    perm += [
        _bad("two elements", {"state": [hex32(0), hex32(1)]}, "BAD_LENGTH", ["BadLength"]),
        _bad("four elements", {"state": [hex32(0)] * 4}, "BAD_LENGTH", ["BadLength"]),
        _bad("element = r", {"state": [hex32(R), hex32(1), hex32(2)]}, "SCALAR_OUT_OF_RANGE",
             ["NonCanonicalScalar"]),
        _bad("element = 2^256 - 1", {"state": [hex32(0), hex32(1), "0x" + "ff" * 32]}, "SCALAR_OUT_OF_RANGE",
             ["NonCanonicalScalar"]),
        _bad("31-byte element", {"state": [hex32(0), hex32(1), "0x" + "00" * 31]}, "BAD_LENGTH", ["BadLength"]),
        _bad("uppercase hex", {"state": [hex32(0), hex32(1), "0x" + "AB" * 32]}, "BAD_HEX", ["BadEncoding"]),
    ]
    hashes: list[dict[str, Any]] = []
    for n in (1, 2, 3, 4, 5, 9, 16, 17, 32):
        xs = _scalars(rng, n)
        hashes.append(_ok(f"{n} inputs", {"inputs": [hex32(x) for x in xs]},
                          {"digest": hex32(poseidon.poseidon_hash(xs))}))
    hashes.append(_ok("[0] and [0, 0] differ (length in the capacity)", {"inputs": [hex32(0), hex32(0)]},
                      {"digest": hex32(poseidon.poseidon_hash([0, 0]))}))
    hashes += [
        _bad("empty input", {"inputs": []}, "BAD_LENGTH", ["BadLength"]),
        _bad("input = r", {"inputs": [hex32(R)]}, "SCALAR_OUT_OF_RANGE", ["NonCanonicalScalar"]),
        _bad("input = r + 1 after a valid one", {"inputs": [hex32(1), hex32(R + 1)]}, "SCALAR_OUT_OF_RANGE",
             ["NonCanonicalScalar"]),
        _bad("no 0x prefix", {"inputs": ["00" * 32]}, "BAD_HEX", ["BadEncoding"]),
        _bad("33-byte input", {"inputs": ["0x" + "00" * 33]}, "BAD_LENGTH", ["BadLength"]),
        _bad("inputs not a list", {"inputs": hex32(1)}, "BAD_JSON", ["BadEncoding"]),
        _bad("odd hex", {"inputs": ["0x" + "0" * 63]}, "BAD_HEX", ["BadEncoding"]),
    ]
    params = {"t": poseidon.T, "alpha": poseidon.ALPHA, "R_F": poseidon.R_F, "R_P": poseidon.R_P,
              "field": "BLS12-381 r"}
    return [_file("zk.poseidon", "permute", [{"params": params, "tests": perm}]),
            _file("zk.poseidon", "hash", [{"params": params, "tests": hashes}])]


# Groth16 ----------------------------------------------------------------------------------------------------
def _preimage_circuit(a: int | None = None, b: int | None = None, tag: int | None = None) -> Circuit:
    """Public: Poseidon(a, b) and a tag; private: a, b (the tag is bound by tag * tag = private)."""
    cs = Circuit()
    h = cs.public(None if a is None else poseidon.poseidon_hash([a, b]))  # type: ignore[list-item]
    t = cs.public(tag)
    cs.constrain(t, t, cs.private(None if tag is None else tag * tag % R))
    cs.assert_equal(gadgets.poseidon_hash(cs, [cs.private(a), cs.private(b)]), h)
    return cs


def _splice(raw: bytes, part: str, enc: bytes) -> str:
    spans = {"a": (0, G1_BYTES), "b": (G1_BYTES, G1_BYTES + G2_BYTES), "c": (G1_BYTES + G2_BYTES, len(raw))}
    lo, hi = spans[part]
    return "0x" + (raw[:lo] + enc + raw[hi:]).hex()


def _proof_cases(group: Any, vk: groth16.VerifyingKey, proof: groth16.Proof, other: groth16.Proof,
                 make_input: Any) -> list[dict[str, Any]]:
    """Malformed-proof cases shared by every verify operation; ``make_input(proof_hex)`` builds the input."""
    raw = proof.to_bytes()
    cases = [
        _bad("A off the curve", make_input(_splice(raw, "a", bad.g1_off_curve())), "POINT_NOT_ON_CURVE",
             ["PointNotOnCurve"]),
        _bad("B off the curve", make_input(_splice(raw, "b", bad.g2_off_curve())), "POINT_NOT_ON_CURVE",
             ["PointNotOnCurve"]),
        _bad("C off the curve", make_input(_splice(raw, "c", bad.g1_off_curve())), "POINT_NOT_ON_CURVE",
             ["PointNotOnCurve"]),
        _bad("A outside the subgroup", make_input(_splice(raw, "a", bad.g1_off_subgroup())),
             "POINT_NOT_IN_SUBGROUP", ["PointNotInSubgroup"]),
        _bad("B outside the subgroup", make_input(_splice(raw, "b", bad.g2_off_subgroup())),
             "POINT_NOT_IN_SUBGROUP", ["PointNotInSubgroup"]),
        _bad("C outside the subgroup", make_input(_splice(raw, "c", bad.g1_off_subgroup())),
             "POINT_NOT_IN_SUBGROUP", ["PointNotInSubgroup"]),
        _bad("A = identity", make_input(_splice(raw, "a", bad.g1_identity())), "IDENTITY_NOT_ALLOWED",
             ["IdentityPoint"]),
        _bad("B = identity", make_input(_splice(raw, "b", bad.g2_identity())), "IDENTITY_NOT_ALLOWED",
             ["IdentityPoint"]),
        _bad("C = identity", make_input(_splice(raw, "c", bad.g1_identity())), "IDENTITY_NOT_ALLOWED",
             ["IdentityPoint"]),
        _bad("A's x >= p", make_input(_splice(raw, "a", bad.g1_non_canonical())), "COORDINATE_NOT_CANONICAL",
             ["BadEncoding"]),
        _bad("proof one byte short", make_input("0x" + raw[:-1].hex()), "BAD_LENGTH", ["BadLength"]),
        _bad("proof with a trailing byte", make_input("0x" + raw.hex() + "00"), "BAD_LENGTH", ["BadLength"]),
        _bad("A and C swapped", make_input("0x" + groth16.Proof(proof.c, proof.b, proof.a).to_bytes().hex()),
             "PROOF_INVALID", ["ForgedProof"]),
        _bad("A negated", make_input("0x" + groth16.Proof(-proof.a, proof.b, proof.c).to_bytes().hex()),
             "PROOF_INVALID", ["ForgedProof"]),
        _bad("proof for another key", make_input("0x" + other.to_bytes().hex()), "PROOF_INVALID", ["WrongKey"]),
    ]
    return cases


def _groth16_file() -> dict[str, Any]:
    group = get_group("native")
    r1cs = _preimage_circuit().to_r1cs()
    pk = groth16.setup(group, r1cs, DeterministicRNG(b"zk-vectors-groth16-setup"))
    pk_other = groth16.setup(group, r1cs, DeterministicRNG(b"zk-vectors-groth16-other"))
    cs = _preimage_circuit(11, 22, 7)
    z = cs.witness()
    pub = cs.public_values()
    proof = groth16.prove(group, pk, z, DeterministicRNG(b"zk-vectors-groth16-prove"))
    other = groth16.prove(group, pk_other, z, DeterministicRNG(b"zk-vectors-groth16-prove"))
    vk = pk.vk.to_json()

    def inp(proof_hex: str, public: list[int] = pub, vk_json: Any = vk) -> dict[str, Any]:
        return {"vk": vk_json, "public": [hex32(x) for x in public], "proof": proof_hex}

    ph = "0x" + proof.to_bytes().hex()
    rho, zeta = 0x5EED, 0xC0FFEE
    rerand1 = groth16.Proof(proof.a * rho, proof.b * pow(rho, -1, R), proof.c)
    rerand2 = groth16.Proof(proof.a, proof.b + pk.vk.delta_g2 * zeta, proof.c + proof.a * zeta)
    cs2 = _preimage_circuit(33, 44, 0)
    proof2 = groth16.prove(group, pk, cs2.witness(), DeterministicRNG(b"zk-vectors-groth16-prove2"))
    tests = [
        _ok("valid proof", inp(ph), {"valid": True}),
        _ok("another statement (tag 0)", inp("0x" + proof2.to_bytes().hex(), cs2.public_values()),
            {"valid": True}),
        _ok("re-randomised (rho A, B / rho, C)", inp("0x" + rerand1.to_bytes().hex()), {"valid": True},
            ["Malleability"]),
        _ok("re-randomised (A, B + z delta, C + z A)", inp("0x" + rerand2.to_bytes().hex()), {"valid": True},
            ["Malleability"]),
        _bad("first public input + 1", inp(ph, [pub[0] + 1, pub[1]]), "PROOF_INVALID", ["WrongPublicInput"]),
        _bad("second public input changed", inp(ph, [pub[0], 8]), "PROOF_INVALID", ["WrongPublicInput"]),
        _bad("public inputs swapped", inp(ph, [pub[1], pub[0]]), "PROOF_INVALID", ["WrongPublicInput"]),
        _bad("a public input + r", inp(ph, [pub[0], pub[1] + R]), "PUBLIC_INPUT_INVALID",
             ["NonCanonicalScalar"]),
        _bad("a public input = r + first", inp(ph, [pub[0] + R, pub[1]]), "PUBLIC_INPUT_INVALID",
             ["NonCanonicalScalar"]),
        _bad("one public input missing", inp(ph, pub[:1]), "PUBLIC_INPUT_INVALID", ["PublicInputCount"]),
        _bad("an extra public input", inp(ph, pub + [0]), "PUBLIC_INPUT_INVALID", ["PublicInputCount"]),
        _bad("no public inputs", inp(ph, []), "PUBLIC_INPUT_INVALID", ["PublicInputCount"]),
        _bad("proof verified under the other key", inp(ph, vk_json=pk_other.vk.to_json()), "PROOF_INVALID",
             ["WrongKey"]),
        _bad("vk with IC_1 outside the subgroup",
             inp(ph, vk_json=dict(vk, ic=[vk["ic"][0], "0x" + bad.g1_off_subgroup().hex(), vk["ic"][2]])),
             "POINT_NOT_IN_SUBGROUP", ["PointNotInSubgroup"]),
        _bad("vk without ic", inp(ph, vk_json={k: v for k, v in vk.items() if k != "ic"}), "BAD_JSON",
             ["BadEncoding"]),
    ] + _proof_cases(group, pk.vk, proof, other, inp)
    return _file("zk.groth16", "verify", [{"params": {"curve": "bls12381", "nPublic": 2}, "tests": tests}])


# Circuits ---------------------------------------------------------------------------------------------------
def _attr(name: str) -> dict[str, str]:
    return {"attr": name}


def _k(k: int, *children: Any) -> dict[str, Any]:
    return {"k": k, "children": list(children)}


POLICY_JSON = _k(3, _attr("role:doctor"), _k(1, _attr("dept:cardio"), _attr("dept:neuro")),
                 _k(2, _attr("cert:a"), _attr("cert:b"), _attr("cert:c")))


def _circuit_files() -> list[dict[str, Any]]:
    from ..ops.zk import policy_from_json

    group = get_group("native")
    # encodings
    enc: list[dict[str, Any]] = []
    for pj in (POLICY_JSON, _attr("role:nurse"), _k(1, _attr("a"), _attr("b")), _k(2, _attr("a"), _attr("b")),
               _k(1, _attr("x"), _k(2, _attr("x"), _attr("y")))):
        g = circuits.gates_from_policy(policy_from_json(pj))
        enc.append(_ok("gate list and hash", {"policy": pj},
                       {"gateWords": [hex32(w) for w in g.words()], "policyHash": hex32(circuits.gate_hash(g))}))
    enc += [
        _bad("k = 0", {"policy": _k(0, _attr("a"))}, "POLICY_BAD_THRESHOLD", ["PolicyMalformed"]),
        _bad("k > n", {"policy": _k(3, _attr("a"), _attr("b"))}, "POLICY_BAD_THRESHOLD", ["PolicyMalformed"]),
        _bad("17 leaves", {"policy": _k(1, *[_attr(f"a{i}") for i in range(17)])}, "POLICY_TOO_MANY_LEAVES",
             ["PolicyMalformed"]),
        _bad("not a node", {"policy": {"and": []}}, "POLICY_SYNTAX", ["PolicyMalformed"]),
        _bad("empty attribute name", {"policy": _attr("")}, "ATTRIBUTE_INVALID", ["PolicyMalformed"]),
    ]
    salt = 0x1234
    commits = [
        _ok("commitment", {"attributes": ["role:doctor", "dept:cardio"], "salt": hex32(salt)},
            {"commitment": hex32(circuits.attribute_commitment(
                [circuits.attribute_field("role:doctor"), circuits.attribute_field("dept:cardio")], salt))}),
        _ok("order and repetition do not matter",
            {"attributes": ["dept:cardio", "role:doctor", "dept:cardio"], "salt": hex32(salt)},
            {"commitment": hex32(circuits.attribute_commitment(
                [circuits.attribute_field("role:doctor"), circuits.attribute_field("dept:cardio")], salt))}),
        _bad("17 attributes", {"attributes": [f"a{i}" for i in range(17)], "salt": hex32(salt)},
             "CIRCUIT_TOO_LARGE", ["PolicyMalformed"]),
        _bad("salt >= r", {"attributes": ["a"], "salt": hex32(R)}, "PUBLIC_INPUT_INVALID", ["NonCanonicalScalar"]),
    ]
    fields = [120, 80, 37, 0, 2**64 - 1, 5, 6, 7]
    data_c = [
        _ok("data commitment", {"fields": fields, "salt": hex32(99)},
            {"commitment": hex32(circuits.data_commitment(fields, 99))}),
        _bad("7 fields", {"fields": fields[:7], "salt": hex32(99)}, "BAD_LENGTH", ["BadLength"]),
        _bad("a field >= 2^64", {"fields": fields[:7] + [2**64], "salt": hex32(99)}, "SCALAR_OUT_OF_RANGE",
             ["NonCanonicalScalar"]),
    ]

    # policy proof
    pk = groth16.setup(group, circuits.policy_circuit().to_r1cs(), DeterministicRNG(b"zk-vectors-policy-setup"))
    gates = circuits.gates_from_policy(policy_from_json(POLICY_JSON))
    held = [circuits.attribute_field(n) for n in ("role:doctor", "dept:neuro", "cert:a", "cert:c", "misc")]
    rid, nonce = circuits.binding_field(b"record-0001"), circuits.binding_field(b"nonce-0001")
    proof, public = circuits.prove_policy(group, pk, gates, held, salt, rid, nonce,
                                          DeterministicRNG(b"zk-vectors-policy-prove"))
    other_pk = groth16.setup(group, _preimage_circuit().to_r1cs(), DeterministicRNG(b"zk-vectors-groth16-other"))
    other = groth16.prove(group, other_pk, _preimage_circuit(1, 2, 3).witness(), DeterministicRNG(b"x"))
    vk = pk.vk.to_json()

    def pinp(proof_hex: str, pub: list[int] = public) -> dict[str, Any]:
        return {"vk": vk, "policyHash": hex32(pub[0]), "attributeCommitment": hex32(pub[1]),
                "recordId": hex32(pub[2]), "nonce": hex32(pub[3]), "proof": proof_hex}

    ph = "0x" + proof.to_bytes().hex()
    other_policy = circuits.gate_hash(circuits.gates_from_policy(policy_from_json(_k(2, _attr("role:doctor"),
                                                                                         _attr("dept:cardio")))))
    pol = [
        _ok("attributes satisfy the policy", pinp(ph), {"valid": True}),
        _bad("another policy hash", pinp(ph, [other_policy] + public[1:]), "PROOF_INVALID", ["WrongPublicInput"]),
        _bad("another attribute commitment", pinp(ph, [public[0], public[1] + 1] + public[2:]), "PROOF_INVALID",
             ["WrongPublicInput"]),
        _bad("another record id", pinp(ph, public[:2] + [circuits.binding_field(b"record-0002"), public[3]]),
             "PROOF_INVALID", ["RequestBinding"]),
        _bad("another nonce", pinp(ph, public[:3] + [circuits.binding_field(b"nonce-0002")]), "PROOF_INVALID",
             ["RequestBinding"]),
        _bad("nonce + r", pinp(ph, public[:3] + [public[3] + R]), "PUBLIC_INPUT_INVALID", ["NonCanonicalScalar"]),
    ] + _proof_cases(group, pk.vk, proof, other, pinp)

    # data proof
    dpk = groth16.setup(group, circuits.data_circuit().to_r1cs(), DeterministicRNG(b"zk-vectors-data-setup"))
    comm = circuits.data_commitment(fields, 99)

    def dinp(proof_hex: str, crit: dict[str, Any], commitment: int = comm) -> dict[str, Any]:
        return {"vk": dpk.vk.to_json(), "dataCommitment": hex32(commitment), "criterion": crit,
                "proof": proof_hex}

    dat: list[dict[str, Any]] = []
    range_crit = {"kind": 0, "index": 0, "lo": 100, "hi": 140}
    set_crit = {"kind": 1, "index": 2, "codes": [36, 37, 38]}
    proofs = {}
    for name, crit in (("range", range_crit), ("set", set_crit)):
        c = circuits.Criterion(crit["kind"], crit["index"], crit.get("lo", 0), crit.get("hi", 0),
                               tuple(crit.get("codes", ())))
        p, _ = circuits.prove_data(group, dpk, fields, 99, c, DeterministicRNG(b"zk-vectors-data-" + name.encode()))
        proofs[name] = "0x" + p.to_bytes().hex()
        dat.append(_ok(f"{name} criterion met", dinp(proofs[name], crit), {"valid": True}))
    rp = proofs["range"]
    dat += [
        _bad("range proof shown for a narrower range", dinp(rp, {"kind": 0, "index": 0, "lo": 121, "hi": 140}),
             "PROOF_INVALID", ["WrongPublicInput"]),
        _bad("range proof shown for another field", dinp(rp, {"kind": 0, "index": 1, "lo": 100, "hi": 140}),
             "PROOF_INVALID", ["WrongPublicInput"]),
        _bad("range proof shown as a set criterion", dinp(rp, {"kind": 1, "index": 0, "codes": [120]}),
             "PROOF_INVALID", ["WrongPublicInput"]),
        _bad("set proof shown with a code removed", dinp(proofs["set"], {"kind": 1, "index": 2, "codes": [36, 38]}),
             "PROOF_INVALID", ["WrongPublicInput"]),
        _bad("another data commitment", dinp(rp, range_crit, comm + 1), "PROOF_INVALID", ["WrongPublicInput"]),
        _bad("lo > hi", dinp(rp, {"kind": 0, "index": 0, "lo": 5, "hi": 4}), "PUBLIC_INPUT_INVALID",
             ["CriterionMalformed"]),
        _bad("hi >= 2^64", dinp(rp, {"kind": 0, "index": 0, "lo": 0, "hi": 2**64}), "PUBLIC_INPUT_INVALID",
             ["CriterionMalformed"]),
        _bad("index 8", dinp(rp, {"kind": 0, "index": 8, "lo": 0, "hi": 1}), "PUBLIC_INPUT_INVALID",
             ["CriterionMalformed"]),
        _bad("kind 2", dinp(rp, {"kind": 2, "index": 0}), "PUBLIC_INPUT_INVALID", ["CriterionMalformed"]),
        _bad("9 codes", dinp(rp, {"kind": 1, "index": 0, "codes": list(range(9))}), "PUBLIC_INPUT_INVALID",
             ["CriterionMalformed"]),
        _bad("empty code set", dinp(rp, {"kind": 1, "index": 0, "codes": []}), "PUBLIC_INPUT_INVALID",
             ["CriterionMalformed"]),
        _bad("commitment >= r", dinp(rp, range_crit, R), "PUBLIC_INPUT_INVALID", ["NonCanonicalScalar"]),
    ] + _proof_cases(group, dpk.vk, groth16.Proof.from_bytes(group, bytes.fromhex(rp[2:])), other,
                     lambda h: dinp(h, range_crit))
    return [
        _file("zk.circuits", "policy_hash", [{"params": {"maxLeaves": 16, "maxGates": 16}, "tests": enc}]),
        _file("zk.circuits", "attribute_commitment", [{"params": {"maxAttributes": 16}, "tests": commits}]),
        _file("zk.circuits", "data_commitment", [{"params": {"fields": 8}, "tests": data_c}]),
        _file("zk.circuits", "policy_verify", [{"params": {"constraints": 7343}, "tests": pol}]),
        _file("zk.circuits", "data_verify", [{"params": {"constraints": 1581}, "tests": dat}]),
    ]


def generate() -> list[dict[str, Any]]:
    """All zk vector files."""
    return _poseidon_files() + [_groth16_file()] + _circuit_files()
