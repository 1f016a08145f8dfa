"""Adversarial Groth16 verification: each malformed input fails with its error code; re-randomised proofs."""

from __future__ import annotations

import copy

import pytest
from medshare.reference.testbed import adversarial as bad
from medshare.spec.errors import MedshareError
from medshare.spec.params import G1_BYTES, G2_BYTES, R
from medshare.spec.rng import DeterministicRNG
from medshare.spec.zk import formats, gadgets, groth16, poseidon
from medshare.spec.zk.r1cs import Circuit


def _circuit(a: int | None = None, b: int | None = None) -> Circuit:
    cs = Circuit()
    h = cs.public(poseidon.poseidon_hash([a, b]) if a is not None and b is not None else None)
    t = cs.public(None if a is None else 7)
    cs.constrain(t, t, cs.private(None if a is None else 49))
    cs.assert_equal(gadgets.poseidon_hash(cs, [cs.private(a), cs.private(b)]), h)
    return cs


@pytest.fixture(scope="module")
def fixture(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    from medshare.reference.testbed import get_group

    group = get_group("native")
    pk = groth16.setup_for_tests(group, _circuit().to_r1cs(), DeterministicRNG(b"adv-setup"))
    cs = _circuit(5, 6)
    proof = groth16.prove(group, pk, cs.witness(), DeterministicRNG(b"adv-prove"))
    return group, pk, proof, cs.public_values()


def code_of(fn, *args):  # type: ignore[no-untyped-def]
    with pytest.raises(MedshareError) as e:
        fn(*args)
    return e.value.code


def test_valid(fixture) -> None:  # type: ignore[no-untyped-def]
    group, pk, proof, public = fixture
    groth16.verify(group, pk.vk, public, proof)


@pytest.mark.parametrize("part, encoding, code", [
    ("a", bad.g1_not_on_curve, "POINT_NOT_ON_CURVE"),
    ("a", bad.g1_off_subgroup, "POINT_NOT_IN_SUBGROUP"),
    ("a", lambda: bad.identity(G1_BYTES), "IDENTITY_NOT_ALLOWED"),
    ("a", lambda: bad.x_not_canonical(G1_BYTES), "COORDINATE_NOT_CANONICAL"),
    ("b", bad.g2_not_on_curve, "POINT_NOT_ON_CURVE"),
    ("b", bad.g2_off_subgroup, "POINT_NOT_IN_SUBGROUP"),
    ("b", lambda: bad.identity(G2_BYTES), "IDENTITY_NOT_ALLOWED"),
    ("c", bad.g1_off_subgroup, "POINT_NOT_IN_SUBGROUP"),
    ("c", lambda: bad.identity(G1_BYTES), "IDENTITY_NOT_ALLOWED"),
])
def test_bad_proof_points(fixture, part: str, encoding, code: str) -> None:  # type: ignore[no-untyped-def]
    group, _, proof, _ = fixture
    raw = proof.to_bytes()
    spans = {"a": (0, G1_BYTES), "b": (G1_BYTES, G1_BYTES + G2_BYTES), "c": (G1_BYTES + G2_BYTES, len(raw))}
    lo, hi = spans[part]
    assert code_of(groth16.Proof.from_bytes, group, raw[:lo] + encoding() + raw[hi:]) == code


def test_identity_proof_points_rejected_by_verify(fixture) -> None:  # type: ignore[no-untyped-def]
    group, pk, proof, public = fixture
    forged = groth16.Proof(group.identity_g1(), proof.b, proof.c)
    assert code_of(groth16.verify, group, pk.vk, public, forged) == "IDENTITY_NOT_ALLOWED"


@pytest.mark.parametrize("cut", [0, 1, 191, 193])
def test_wrong_proof_length(fixture, cut: int) -> None:  # type: ignore[no-untyped-def]
    group, _, proof, _ = fixture
    raw = (proof.to_bytes() + b"\x00")[:cut]
    assert code_of(groth16.Proof.from_bytes, group, raw) == "BAD_LENGTH"


def test_wrong_public_inputs(fixture) -> None:  # type: ignore[no-untyped-def]
    group, pk, proof, public = fixture
    assert code_of(groth16.verify, group, pk.vk, [public[0] + 1, public[1]], proof) == "PROOF_INVALID"
    assert code_of(groth16.verify, group, pk.vk, [public[0]], proof) == "PUBLIC_INPUT_INVALID"
    assert code_of(groth16.verify, group, pk.vk, public + [0], proof) == "PUBLIC_INPUT_INVALID"
    # x and x + r are the same field element, but a verifier must not accept the non-canonical one
    assert code_of(groth16.verify, group, pk.vk, [public[0] + R, public[1]], proof) == "PUBLIC_INPUT_INVALID"
    assert code_of(groth16.verify, group, pk.vk, [-1, public[1]], proof) == "PUBLIC_INPUT_INVALID"
    assert code_of(groth16.verify, group, pk.vk, ["5", public[1]], proof) == "PUBLIC_INPUT_INVALID"


def test_proof_for_another_key(fixture) -> None:  # type: ignore[no-untyped-def]
    group, _pk, proof, public = fixture
    other = groth16.setup_for_tests(group, _circuit().to_r1cs(), DeterministicRNG(b"another"))
    assert code_of(groth16.verify, group, other.vk, public, proof) == "PROOF_INVALID"


def test_swapped_proof_parts(fixture) -> None:  # type: ignore[no-untyped-def]
    group, pk, proof, public = fixture
    assert code_of(groth16.verify, group, pk.vk, public, groth16.Proof(proof.c, proof.b, proof.a)) == "PROOF_INVALID"


def test_rerandomised_proof_still_verifies(fixture) -> None:  # type: ignore[no-untyped-def]
    """Groth16 is malleable: (rho A, rho^-1 B, C) and (A, B + z delta, C + z A) verify for the same inputs."""
    group, pk, proof, public = fixture
    rho, zeta = 0x1234567, 0xABCDEF
    p1 = groth16.Proof(proof.a * rho, proof.b * pow(rho, -1, R), proof.c)
    p2 = groth16.Proof(proof.a, proof.b + pk.vk.delta_g2 * zeta, proof.c + proof.a * zeta)
    for p in (p1, p2):
        assert p != proof
        groth16.verify(group, pk.vk, public, p)
        # still bound to the public inputs: malleability does not move a proof to another statement
        assert code_of(groth16.verify, group, pk.vk, [public[0], public[1] + 1], p) == "PROOF_INVALID"


def test_snarkjs_json_strictness(fixture) -> None:  # type: ignore[no-untyped-def]
    group, pk, proof, _public = fixture
    good = formats.proof_to_snarkjs(proof)
    off = copy.deepcopy(good)
    off["pi_a"][1] = str(int(off["pi_a"][1]) + 1)
    assert code_of(formats.proof_from_snarkjs, group, off) == "POINT_NOT_ON_CURVE"
    off = copy.deepcopy(good)
    off["pi_b"][1][0] = str(int(off["pi_b"][1][0]) + 1)
    assert code_of(formats.proof_from_snarkjs, group, off) == "POINT_NOT_ON_CURVE"
    ident = copy.deepcopy(good)
    ident["pi_c"] = ["0", "1", "0"]
    assert code_of(formats.proof_from_snarkjs, group, ident) == "IDENTITY_NOT_ALLOWED"
    proj = copy.deepcopy(good)
    proj["pi_a"][2] = "2"
    assert code_of(formats.proof_from_snarkjs, group, proj) == "BAD_JSON"
    big = copy.deepcopy(good)
    big["pi_a"][0] = str(int(big["pi_a"][0]) + 2**381 * 2)
    assert code_of(formats.proof_from_snarkjs, group, big) == "COORDINATE_NOT_CANONICAL"
    vk = formats.vk_to_snarkjs(pk.vk)
    vk2 = dict(vk, curve="bn128")
    assert code_of(formats.vk_from_snarkjs, group, vk2) == "VK_INVALID"
    vk3 = dict(vk, nPublic=3)
    assert code_of(formats.vk_from_snarkjs, group, vk3) == "VK_INVALID"
    assert code_of(formats.public_from_snarkjs, ["12", "0x5"]) == "PUBLIC_INPUT_INVALID"


def test_verifying_key_bytes_strict(fixture) -> None:  # type: ignore[no-untyped-def]
    group, pk, _, _ = fixture
    raw = pk.vk.to_bytes()
    assert code_of(groth16.VerifyingKey.from_bytes, group, raw[:-1]) == "VK_INVALID"
    assert code_of(groth16.VerifyingKey.from_bytes, group, raw + b"\x00") == "VK_INVALID"
    assert code_of(groth16.VerifyingKey.from_bytes, group, bad.g1_off_subgroup() + raw[G1_BYTES:]) == \
        "POINT_NOT_IN_SUBGROUP"


def _binfile(magic: bytes, version: int, sections: list[tuple[int, bytes]]) -> bytes:
    out = magic + version.to_bytes(4, "little") + len(sections).to_bytes(4, "little")
    for kind, body in sections:
        out += kind.to_bytes(4, "little") + len(body).to_bytes(8, "little") + body
    return out


def _wtns(prime: int, values: list[int]) -> bytes:
    header = (32).to_bytes(4, "little") + prime.to_bytes(32, "little") + len(values).to_bytes(4, "little")
    return _binfile(b"wtns", 2, [(1, header), (2, b"".join(v.to_bytes(32, "little") for v in values))])


def test_circom_binfiles_strict() -> None:
    assert formats.wtns_from_snarkjs(_wtns(R, [1, 2, 3])) == [1, 2, 3]
    bn254 = 21888242871839275222246405745257275088548364400416034343698204186575808495617
    assert code_of(formats.wtns_from_snarkjs, _wtns(bn254, [1])) == "CIRCUIT_FORMAT"
    assert code_of(formats.wtns_from_snarkjs, _wtns(R, [1, R])) == "CIRCUIT_FORMAT"
    assert code_of(formats.wtns_from_snarkjs, _wtns(R, [1, 2])[:-1]) == "CIRCUIT_FORMAT"
    assert code_of(formats.wtns_from_snarkjs, _wtns(R, [1]) + b"\x00") == "CIRCUIT_FORMAT"
    assert code_of(formats.wtns_from_snarkjs, b"r1cs" + _wtns(R, [1])[4:]) == "CIRCUIT_FORMAT"
    header = ((32).to_bytes(4, "little") + R.to_bytes(32, "little")
              + b"".join(x.to_bytes(4, "little") for x in (3, 1, 0, 1)) + (3).to_bytes(8, "little")
              + (1).to_bytes(4, "little"))
    lc = lambda w: (1).to_bytes(4, "little") + w.to_bytes(4, "little") + (1).to_bytes(32, "little")
    body = lc(2) + lc(2) + lc(1)
    r1cs = formats.r1cs_from_circom(_binfile(b"r1cs", 1, [(1, header), (2, body)]))
    assert (r1cs.n_vars, r1cs.n_public, len(r1cs.constraints)) == (3, 1, 1)
    r1cs.check_witness([1, 9, 3])
    bad_wire = lc(2) + lc(3) + lc(1)
    assert code_of(formats.r1cs_from_circom, _binfile(b"r1cs", 1, [(1, header), (2, bad_wire)])) == "CIRCUIT_FORMAT"
    assert code_of(formats.r1cs_from_circom, _binfile(b"r1cs", 1, [(1, header)])) == "CIRCUIT_FORMAT"
    assert code_of(formats.r1cs_from_circom, _binfile(b"r1cs", 1, [(1, header), (2, body), (4, b"")])) == \
        "CIRCUIT_FORMAT"
