"""Field/FFT, Poseidon (reference vector; native = in-circuit), R1CS gadgets, Groth16 round trips, formats."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from medshare.spec.errors import MedshareError
from medshare.spec.params import R
from medshare.spec.rng import DeterministicRNG
from medshare.spec.zk import field, formats, gadgets, groth16, poseidon
from medshare.spec.zk.r1cs import Circuit

fr = st.integers(min_value=0, max_value=R - 1)


def test_domain_generator_is_ffjavascript_choice() -> None:
    assert field.NON_RESIDUE == 5
    w = field.root_of_unity(10)
    assert pow(w, 1 << 10, R) == 1 and pow(w, 1 << 9, R) == R - 1


@given(st.lists(fr, min_size=8, max_size=8))
def test_fft_is_evaluation(coeffs: list[int]) -> None:
    w = field.root_of_unity(3)
    evals = [sum(c * pow(w, i * j, R) for j, c in enumerate(coeffs)) % R for i in range(8)]
    assert field.fft(coeffs, w) == evals
    assert field.ifft(evals, w) == coeffs
    assert field.coset_ifft(field.coset_fft(coeffs, w, 5), w, 5) == coeffs


def test_poseidon_reference_vector() -> None:
    assert tuple(poseidon.permute(list(poseidon.TEST_VECTOR_INPUT))) == poseidon.TEST_VECTOR_OUTPUT


def test_poseidon_mds_is_cauchy_and_invertible() -> None:
    constants, mds = poseidon.parameters()
    assert len(constants) == (poseidon.R_F + poseidon.R_P) * poseidon.T and all(c < R for c in constants)
    (a, b, c), (d, e, f), (g, h, i) = mds
    det = (a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g)) % R
    assert det != 0


@given(st.lists(fr, min_size=1, max_size=5))
def test_poseidon_native_equals_circuit(xs: list[int]) -> None:
    cs = Circuit()
    out = gadgets.poseidon_hash(cs, [cs.private(x) for x in xs])
    assert cs.value(out) == poseidon.poseidon_hash(xs)
    cs.witness()
    assert len(cs.constraints) == 243 * ((len(xs) + 1) // 2)


def test_poseidon_rejects_non_field_input() -> None:
    with pytest.raises(MedshareError) as e:
        poseidon.poseidon_hash([R])
    assert e.value.code == "SCALAR_OUT_OF_RANGE"


@given(st.integers(0, 15), st.integers(0, 15))
def test_gadget_values(a: int, b: int) -> None:
    cs = Circuit()
    x, y = cs.private(a), cs.private(b)
    lt = gadgets.less_than(cs, x, y, 4)
    eq = gadgets.is_equal(cs, x, y)
    sel = gadgets.select(cs, eq, x, 99)
    bits = gadgets.to_bits(cs, x, 4)
    cs.witness()
    assert cs.value(lt) == int(a < b) and cs.value(eq) == int(a == b)
    assert cs.value(sel) == (a if a == b else 99)
    assert [cs.value(bb) for bb in bits] == [(a >> i) & 1 for i in range(4)]


def test_range_check_rejects_out_of_range() -> None:
    cs = Circuit()
    gadgets.range_check(cs, cs.private(16), 4)
    with pytest.raises(MedshareError) as e:
        cs.witness()
    assert e.value.code == "WITNESS_UNSATISFIED"


def _hash_circuit(a: int | None, b: int | None, h: int | None) -> Circuit:
    cs = Circuit()
    pub = cs.public(h)
    x, y = cs.private(a), cs.private(b)
    cs.assert_equal(gadgets.poseidon_hash(cs, [x, y]), pub)
    return cs


def test_groth16_round_trip_both_backends(group) -> None:  # type: ignore[no-untyped-def]
    h = poseidon.poseidon_hash([3, 4])
    if group.name == "pure":  # tiny circuit for the slow backend
        cs = Circuit()
        pub = cs.public(12)
        cs.assert_equal(cs.mul(cs.private(3), cs.private(4)), pub)
        public = [12]
    else:
        cs = _hash_circuit(3, 4, h)
        public = [h]
    pk = groth16.setup_for_tests(group, cs.to_r1cs(), DeterministicRNG(b"setup"))
    proof = groth16.prove(group, pk, cs.witness(), DeterministicRNG(b"prove"))
    groth16.verify(group, pk.vk, public, proof)
    assert not groth16.is_valid(group, pk.vk, [public[0] + 1], proof)
    again = groth16.Proof.from_bytes(group, proof.to_bytes())
    assert again == proof
    assert groth16.VerifyingKey.from_bytes(group, pk.vk.to_bytes()) == pk.vk
    assert groth16.VerifyingKey.from_json(group, pk.vk.to_json()) == pk.vk
    assert groth16.Proof.from_json(group, proof.to_json()) == proof
    # snarkjs JSON round trip
    assert formats.vk_from_snarkjs(group, formats.vk_to_snarkjs(pk.vk)) == pk.vk
    assert formats.proof_from_snarkjs(group, formats.proof_to_snarkjs(proof)) == proof


def test_prove_rejects_bad_witness(native) -> None:  # type: ignore[no-untyped-def]
    h = poseidon.poseidon_hash([3, 4])
    cs = _hash_circuit(3, 4, h)
    pk = groth16.setup_for_tests(native, cs.to_r1cs(), DeterministicRNG(1))
    z = cs.witness()
    z[2] += 1
    with pytest.raises(MedshareError) as e:
        groth16.prove(native, pk, z, DeterministicRNG(2))
    assert e.value.code == "WITNESS_UNSATISFIED"


def test_affine_round_trip(native) -> None:  # type: ignore[no-untyped-def]
    for k in (1, 2, 7, R - 1):
        p, q = native.g1() * k, native.g2() * k
        assert formats.g1_from_snarkjs(native, formats.g1_to_snarkjs(p)) == p
        assert formats.g2_from_snarkjs(native, formats.g2_to_snarkjs(q)) == q
    assert formats.g1_to_snarkjs(native.identity_g1()) == ["0", "1", "0"]
