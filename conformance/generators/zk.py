"""Vectors for zk: Poseidon (permute, hash), Groth16 verification, the circuits (encodings and verification).

Deterministic: keys come from ``groth16.setup_for_tests`` on seeded RNGs (for tests and vectors only), and
proofs from seeded provers, so every file is a byte-exact known answer. Invalid cases name their error code.
"""

from __future__ import annotations

from typing import Any

from medshare.reference.testbed import adversarial, get_group
from medshare.spec.params import G1_BYTES, G2_BYTES, R
from medshare.spec.rng import DeterministicRNG
from medshare.spec.zk import circuits, gadgets, groth16, poseidon
from medshare.spec.zk.r1cs import Circuit

from ..builder import VectorFileBuilder, note
from ..ops.zk import hex32

SPEC = "spec/zk/zk.md"

NOTES: dict[str, dict[str, str]] = {
    "KnownAnswer": note("FUNCTIONALITY", "a correct input with its known answer", SPEC),
    "ReferenceVector": note("FUNCTIONALITY", "the Poseidon reference implementation's published test vector for "
                            "poseidonperm_x5_255_3", SPEC + "#poseidon"),
    "NonCanonicalScalar": note("CAN_OF_WORMS", "a field element encoded as a value >= r must be refused, not reduced",
                               SPEC),
    "BadLength": note("MODIFIED_PARAMETER", "wrong number of elements or bytes", SPEC),
    "BadEncoding": note("MODIFIED_PARAMETER", "malformed hex or JSON", SPEC),
    "Malleability": note("MALLEABILITY", "a re-randomised Groth16 proof verifies for the same public inputs "
                         "(expected; requests are bound by their inputs and signature)",
                         SPEC + "#malleability-and-why-requests-stay-bound"),
    "WrongPublicInput": note("AUTH_BYPASS", "a valid proof presented with other public inputs", SPEC + "#groth16"),
    "PublicInputCount": note("AUTH_BYPASS", "too few or too many public inputs", SPEC + "#groth16"),
    "PointNotOnCurve": note("INVALID_CURVE", "a proof point off the curve", "spec/group.md"),
    "PointNotInSubgroup": note("SMALL_SUBGROUP", "a proof point on the curve but outside the order-r subgroup",
                               "spec/group.md"),
    "IdentityPoint": note("EDGE_CASE", "a proof point is the identity", SPEC + "#groth16"),
    "WrongKey": note("AUTH_BYPASS", "a proof made for another verification key", SPEC + "#groth16"),
    "ForgedProof": note("AUTH_BYPASS", "proof parts swapped or negated", SPEC + "#groth16"),
    "RequestBinding": note("REPLAY", "a policy proof presented for another record id or nonce", SPEC + "#circuits"),
    "PolicyMalformed": note("MODIFIED_PARAMETER", "a policy outside the circuit's limits or with a bad threshold",
                            SPEC + "#circuits"),
    "CriterionMalformed": note("MODIFIED_PARAMETER", "a malformed data criterion", SPEC + "#circuits"),
}


def _scalars(rng: DeterministicRNG, n: int) -> list[int]:
    return [int.from_bytes(rng.read(48), "big") % R for _ in range(n)]


# Poseidon ---------------------------------------------------------------------------------------------------
def _poseidon_files() -> list[dict[str, Any]]:
    rng = DeterministicRNG(b"zk-vectors-poseidon")
    params = {"t": poseidon.T, "alpha": poseidon.ALPHA, "R_F": poseidon.R_F, "R_P": poseidon.R_P,
              "field": "BLS12-381 r"}
    perm = VectorFileBuilder("zk.poseidon.permute", NOTES).group(params)
    perm.valid("reference vector perm([0, 1, 2])", {"state": [hex32(v) for v in poseidon.TEST_VECTOR_INPUT]},
               {"state": [hex32(v) for v in poseidon.TEST_VECTOR_OUTPUT]}, ["ReferenceVector"])
    for state in ([0, 0, 0], [R - 1] * 3, _scalars(rng, 3), _scalars(rng, 3)):
        perm.valid("permutation", {"state": [hex32(v) for v in state]},
                   {"state": [hex32(v) for v in poseidon.permute(state)]}, ["KnownAnswer"])
    perm.invalid("two elements", {"state": [hex32(0), hex32(1)]}, "BAD_LENGTH", ["BadLength"])
    perm.invalid("four elements", {"state": [hex32(0)] * 4}, "BAD_LENGTH", ["BadLength"])
    perm.invalid("element = r", {"state": [hex32(R), hex32(1), hex32(2)]}, "SCALAR_OUT_OF_RANGE",
                 ["NonCanonicalScalar"])
    perm.invalid("element = 2^256 - 1", {"state": [hex32(0), hex32(1), "0x" + "ff" * 32]}, "SCALAR_OUT_OF_RANGE",
                 ["NonCanonicalScalar"])
    perm.invalid("31-byte element", {"state": [hex32(0), hex32(1), "0x" + "00" * 31]}, "BAD_LENGTH", ["BadLength"])
    perm.invalid("uppercase hex", {"state": [hex32(0), hex32(1), "0x" + "AB" * 32]}, "BAD_HEX", ["BadEncoding"])

    hashes = VectorFileBuilder("zk.poseidon.hash", NOTES).group(params)
    for n in (1, 2, 3, 4, 5, 9, 16, 17, 32):
        xs = _scalars(rng, n)
        hashes.valid(f"{n} inputs", {"inputs": [hex32(x) for x in xs]}, {"digest": hex32(poseidon.poseidon_hash(xs))},
                     ["KnownAnswer"])
    hashes.valid("[0] and [0, 0] differ (length in the capacity)", {"inputs": [hex32(0), hex32(0)]},
                 {"digest": hex32(poseidon.poseidon_hash([0, 0]))}, ["KnownAnswer"])
    hashes.invalid("empty input", {"inputs": []}, "BAD_LENGTH", ["BadLength"])
    hashes.invalid("input = r", {"inputs": [hex32(R)]}, "SCALAR_OUT_OF_RANGE", ["NonCanonicalScalar"])
    hashes.invalid("input = r + 1 after a valid one", {"inputs": [hex32(1), hex32(R + 1)]}, "SCALAR_OUT_OF_RANGE",
                   ["NonCanonicalScalar"])
    hashes.invalid("no 0x prefix", {"inputs": ["00" * 32]}, "BAD_HEX", ["BadEncoding"])
    hashes.invalid("33-byte input", {"inputs": ["0x" + "00" * 33]}, "BAD_LENGTH", ["BadLength"])
    hashes.invalid("inputs not a list", {"inputs": hex32(1)}, "BAD_JSON", ["BadEncoding"])
    hashes.invalid("odd hex", {"inputs": ["0x" + "0" * 63]}, "BAD_HEX", ["BadEncoding"])
    return [perm.build(), hashes.build()]


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


def _proof_cases(b: VectorFileBuilder, proof: groth16.Proof, other: groth16.Proof, make_input: Any) -> None:
    """Malformed-proof cases shared by every verify operation; ``make_input(proof_hex)`` builds the input."""
    raw = proof.to_bytes()
    g1 = {"off the curve": adversarial.g1_not_on_curve(), "outside the subgroup": adversarial.g1_off_subgroup(),
          "= identity": adversarial.identity(G1_BYTES)}
    g2 = {"off the curve": adversarial.g2_not_on_curve(), "outside the subgroup": adversarial.g2_off_subgroup(),
          "= identity": adversarial.identity(G2_BYTES)}
    for what, error, flag in (("off the curve", "POINT_NOT_ON_CURVE", "PointNotOnCurve"),
                              ("outside the subgroup", "POINT_NOT_IN_SUBGROUP", "PointNotInSubgroup"),
                              ("= identity", "IDENTITY_NOT_ALLOWED", "IdentityPoint")):
        for part, points in (("a", g1), ("b", g2), ("c", g1)):
            b.invalid(f"{part.upper()} {what}", make_input(_splice(raw, part, points[what])), error, [flag])
    b.invalid("A's x >= p", make_input(_splice(raw, "a", adversarial.x_not_canonical(G1_BYTES))),
              "COORDINATE_NOT_CANONICAL", ["BadEncoding"])
    b.invalid("proof one byte short", make_input("0x" + raw[:-1].hex()), "BAD_LENGTH", ["BadLength"])
    b.invalid("proof with a trailing byte", make_input("0x" + raw.hex() + "00"), "BAD_LENGTH", ["BadLength"])
    b.invalid("A and C swapped", make_input("0x" + groth16.Proof(proof.c, proof.b, proof.a).to_bytes().hex()),
              "PROOF_INVALID", ["ForgedProof"])
    b.invalid("A negated", make_input("0x" + groth16.Proof(-proof.a, proof.b, proof.c).to_bytes().hex()),
              "PROOF_INVALID", ["ForgedProof"])
    b.invalid("proof for another key", make_input("0x" + other.to_bytes().hex()), "PROOF_INVALID", ["WrongKey"])


def _groth16_file() -> dict[str, Any]:
    group = get_group("native")
    r1cs = _preimage_circuit().to_r1cs()
    pk = groth16.setup_for_tests(group, r1cs, DeterministicRNG(b"zk-vectors-groth16-setup"))
    pk_other = groth16.setup_for_tests(group, r1cs, DeterministicRNG(b"zk-vectors-groth16-other"))
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
    b = VectorFileBuilder("zk.groth16.verify", NOTES).group({"curve": "bls12381", "nPublic": 2})
    b.valid("valid proof", inp(ph), {"valid": True}, ["KnownAnswer"])
    b.valid("another statement (tag 0)", inp("0x" + proof2.to_bytes().hex(), cs2.public_values()), {"valid": True},
            ["KnownAnswer"])
    b.valid("re-randomised (rho A, B / rho, C)", inp("0x" + rerand1.to_bytes().hex()), {"valid": True},
            ["Malleability"])
    b.valid("re-randomised (A, B + z delta, C + z A)", inp("0x" + rerand2.to_bytes().hex()), {"valid": True},
            ["Malleability"])
    b.invalid("first public input + 1", inp(ph, [pub[0] + 1, pub[1]]), "PROOF_INVALID", ["WrongPublicInput"])
    b.invalid("second public input changed", inp(ph, [pub[0], 8]), "PROOF_INVALID", ["WrongPublicInput"])
    b.invalid("public inputs swapped", inp(ph, [pub[1], pub[0]]), "PROOF_INVALID", ["WrongPublicInput"])
    b.invalid("a public input + r", inp(ph, [pub[0], pub[1] + R]), "PUBLIC_INPUT_INVALID", ["NonCanonicalScalar"])
    b.invalid("a public input = r + first", inp(ph, [pub[0] + R, pub[1]]), "PUBLIC_INPUT_INVALID",
              ["NonCanonicalScalar"])
    b.invalid("one public input missing", inp(ph, pub[:1]), "PUBLIC_INPUT_INVALID", ["PublicInputCount"])
    b.invalid("an extra public input", inp(ph, pub + [0]), "PUBLIC_INPUT_INVALID", ["PublicInputCount"])
    b.invalid("no public inputs", inp(ph, []), "PUBLIC_INPUT_INVALID", ["PublicInputCount"])
    b.invalid("proof verified under the other key", inp(ph, vk_json=pk_other.vk.to_json()), "PROOF_INVALID",
              ["WrongKey"])
    b.invalid("vk with IC_1 outside the subgroup",
              inp(ph, vk_json=dict(vk, ic=[vk["ic"][0], "0x" + adversarial.g1_off_subgroup().hex(), vk["ic"][2]])),
              "POINT_NOT_IN_SUBGROUP", ["PointNotInSubgroup"])
    b.invalid("vk without ic", inp(ph, vk_json={k: v for k, v in vk.items() if k != "ic"}), "BAD_JSON", ["BadEncoding"])
    _proof_cases(b, proof, other, inp)
    return b.build()


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
    enc = VectorFileBuilder("zk.circuits.policy_hash", NOTES).group({"maxLeaves": 16, "maxGates": 16})
    for pj in (POLICY_JSON, _attr("role:nurse"), _k(1, _attr("a"), _attr("b")), _k(2, _attr("a"), _attr("b")),
               _k(1, _attr("x"), _k(2, _attr("x"), _attr("y")))):
        g = circuits.gates_from_policy(policy_from_json(pj))
        enc.valid("gate list and hash", {"policy": pj},
                  {"gateWords": [hex32(w) for w in g.words()], "policyHash": hex32(circuits.gate_hash(g))},
                  ["KnownAnswer"])
    enc.invalid("k = 0", {"policy": _k(0, _attr("a"))}, "POLICY_BAD_THRESHOLD", ["PolicyMalformed"])
    enc.invalid("k > n", {"policy": _k(3, _attr("a"), _attr("b"))}, "POLICY_BAD_THRESHOLD", ["PolicyMalformed"])
    enc.invalid("17 leaves", {"policy": _k(1, *[_attr(f"a{i}") for i in range(17)])}, "POLICY_TOO_MANY_LEAVES",
                ["PolicyMalformed"])
    enc.invalid("not a node", {"policy": {"and": []}}, "POLICY_SYNTAX", ["PolicyMalformed"])
    enc.invalid("empty attribute name", {"policy": _attr("")}, "ATTRIBUTE_INVALID", ["PolicyMalformed"])
    enc.invalid("64-leaf AND: k = 64 overflows the 6-bit threshold field",
                {"policy": _k(64, *[_attr(f"a{i % 16}") for i in range(64)])}, "POLICY_TOO_LARGE", ["PolicyMalformed"])
    salt = 0x1234
    commits = VectorFileBuilder("zk.circuits.attribute_commitment", NOTES).group({"maxAttributes": 16})
    doctor = {"commitment": hex32(circuits.attribute_commitment(
        [circuits.attribute_field("role:doctor"), circuits.attribute_field("dept:cardio")], salt))}
    commits.valid("commitment", {"attributes": ["role:doctor", "dept:cardio"], "salt": hex32(salt)}, doctor,
                  ["KnownAnswer"])
    commits.valid("order and repetition do not matter",
                  {"attributes": ["dept:cardio", "role:doctor", "dept:cardio"], "salt": hex32(salt)}, doctor,
                  ["KnownAnswer"])
    commits.invalid("17 attributes", {"attributes": [f"a{i}" for i in range(17)], "salt": hex32(salt)},
                    "CIRCUIT_TOO_LARGE", ["PolicyMalformed"])
    commits.invalid("salt >= r", {"attributes": ["a"], "salt": hex32(R)}, "PUBLIC_INPUT_INVALID",
                    ["NonCanonicalScalar"])
    fields = [120, 80, 37, 0, 2**64 - 1, 5, 6, 7]
    data_c = VectorFileBuilder("zk.circuits.data_commitment", NOTES).group({"fields": 8})
    data_c.valid("data commitment", {"fields": fields, "salt": hex32(99)},
                 {"commitment": hex32(circuits.data_commitment(fields, 99))}, ["KnownAnswer"])
    data_c.invalid("7 fields", {"fields": fields[:7], "salt": hex32(99)}, "BAD_LENGTH", ["BadLength"])
    data_c.invalid("a field >= 2^64", {"fields": fields[:7] + [2**64], "salt": hex32(99)}, "SCALAR_OUT_OF_RANGE",
                   ["NonCanonicalScalar"])

    # policy proof
    pk = groth16.setup_for_tests(group, circuits.policy_circuit().to_r1cs(), DeterministicRNG(b"zk-vectors-policy-setup"))
    gates = circuits.gates_from_policy(policy_from_json(POLICY_JSON))
    held = [circuits.attribute_field(n) for n in ("role:doctor", "dept:neuro", "cert:a", "cert:c", "misc")]
    rid, nonce = circuits.binding_field(b"record-0001"), circuits.binding_field(b"nonce-0001")
    proof, public = circuits.prove_policy(group, pk, gates, held, salt, rid, nonce,
                                          DeterministicRNG(b"zk-vectors-policy-prove"))
    other_pk = groth16.setup_for_tests(group, _preimage_circuit().to_r1cs(), DeterministicRNG(b"zk-vectors-groth16-other"))
    other = groth16.prove(group, other_pk, _preimage_circuit(1, 2, 3).witness(), DeterministicRNG(b"x"))
    vk = pk.vk.to_json()

    def pinp(proof_hex: str, pub: list[int] = public) -> dict[str, Any]:
        return {"vk": vk, "policyHash": hex32(pub[0]), "attributeCommitment": hex32(pub[1]),
                "recordId": hex32(pub[2]), "nonce": hex32(pub[3]), "proof": proof_hex}

    ph = "0x" + proof.to_bytes().hex()
    other_policy = circuits.gate_hash(circuits.gates_from_policy(policy_from_json(_k(2, _attr("role:doctor"),
                                                                                         _attr("dept:cardio")))))
    pol = VectorFileBuilder("zk.circuits.policy_verify", NOTES).group({"constraints": 7343})
    pol.valid("attributes satisfy the policy", pinp(ph), {"valid": True}, ["KnownAnswer"])
    pol.invalid("another policy hash", pinp(ph, [other_policy] + public[1:]), "PROOF_INVALID", ["WrongPublicInput"])
    pol.invalid("another attribute commitment", pinp(ph, [public[0], public[1] + 1] + public[2:]), "PROOF_INVALID",
                ["WrongPublicInput"])
    pol.invalid("another record id", pinp(ph, public[:2] + [circuits.binding_field(b"record-0002"), public[3]]),
                "PROOF_INVALID", ["RequestBinding"])
    pol.invalid("another nonce", pinp(ph, public[:3] + [circuits.binding_field(b"nonce-0002")]), "PROOF_INVALID",
                ["RequestBinding"])
    pol.invalid("nonce + r", pinp(ph, public[:3] + [public[3] + R]), "PUBLIC_INPUT_INVALID", ["NonCanonicalScalar"])
    _proof_cases(pol, proof, other, pinp)

    # data proof
    dpk = groth16.setup_for_tests(group, circuits.data_circuit().to_r1cs(), DeterministicRNG(b"zk-vectors-data-setup"))
    comm = circuits.data_commitment(fields, 99)

    def dinp(proof_hex: str, crit: dict[str, Any], commitment: int = comm) -> dict[str, Any]:
        return {"vk": dpk.vk.to_json(), "dataCommitment": hex32(commitment), "criterion": crit,
                "proof": proof_hex}

    dat = VectorFileBuilder("zk.circuits.data_verify", NOTES).group({"constraints": 1581})
    range_crit = {"kind": 0, "index": 0, "lo": 100, "hi": 140}
    set_crit = {"kind": 1, "index": 2, "codes": [36, 37, 38]}
    proofs = {}
    for name, crit in (("range", range_crit), ("set", set_crit)):
        c = circuits.Criterion(crit["kind"], crit["index"], crit.get("lo", 0), crit.get("hi", 0),
                               tuple(crit.get("codes", ())))
        p, _ = circuits.prove_data(group, dpk, fields, 99, c, DeterministicRNG(b"zk-vectors-data-" + name.encode()))
        proofs[name] = "0x" + p.to_bytes().hex()
        dat.valid(f"{name} criterion met", dinp(proofs[name], crit), {"valid": True}, ["KnownAnswer"])
    rp = proofs["range"]
    dat.invalid("range proof shown for a narrower range", dinp(rp, {"kind": 0, "index": 0, "lo": 121, "hi": 140}),
                "PROOF_INVALID", ["WrongPublicInput"])
    dat.invalid("range proof shown for another field", dinp(rp, {"kind": 0, "index": 1, "lo": 100, "hi": 140}),
                "PROOF_INVALID", ["WrongPublicInput"])
    dat.invalid("range proof shown as a set criterion", dinp(rp, {"kind": 1, "index": 0, "codes": [120]}),
                "PROOF_INVALID", ["WrongPublicInput"])
    dat.invalid("set proof shown with a code removed", dinp(proofs["set"], {"kind": 1, "index": 2, "codes": [36, 38]}),
                "PROOF_INVALID", ["WrongPublicInput"])
    dat.invalid("another data commitment", dinp(rp, range_crit, comm + 1), "PROOF_INVALID", ["WrongPublicInput"])
    dat.invalid("lo > hi", dinp(rp, {"kind": 0, "index": 0, "lo": 5, "hi": 4}), "PUBLIC_INPUT_INVALID",
                ["CriterionMalformed"])
    dat.invalid("hi >= 2^64", dinp(rp, {"kind": 0, "index": 0, "lo": 0, "hi": 2**64}), "PUBLIC_INPUT_INVALID",
                ["CriterionMalformed"])
    dat.invalid("index 8", dinp(rp, {"kind": 0, "index": 8, "lo": 0, "hi": 1}), "PUBLIC_INPUT_INVALID",
                ["CriterionMalformed"])
    dat.invalid("kind 2", dinp(rp, {"kind": 2, "index": 0}), "PUBLIC_INPUT_INVALID", ["CriterionMalformed"])
    dat.invalid("9 codes", dinp(rp, {"kind": 1, "index": 0, "codes": list(range(9))}), "PUBLIC_INPUT_INVALID",
                ["CriterionMalformed"])
    dat.invalid("empty code set", dinp(rp, {"kind": 1, "index": 0, "codes": []}), "PUBLIC_INPUT_INVALID",
                ["CriterionMalformed"])
    dat.invalid("commitment >= r", dinp(rp, range_crit, R), "PUBLIC_INPUT_INVALID", ["NonCanonicalScalar"])
    _proof_cases(dat, groth16.Proof.from_bytes(group, bytes.fromhex(rp[2:])), other, lambda h: dinp(h, range_crit))
    return [enc.build(), commits.build(), data_c.build(), pol.build(), dat.build()]


def generate() -> list[dict[str, Any]]:
    """All zk vector files."""
    return _poseidon_files() + [_groth16_file()] + _circuit_files()
