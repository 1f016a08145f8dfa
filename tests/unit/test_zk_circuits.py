"""The policy-satisfaction and data-requirement circuits: encoding, evaluation, end-to-end Groth16."""

from __future__ import annotations

import itertools
import time

import attrs
import pytest
from medshare.reference.testbed import get_group
from medshare.spec.errors import MedshareError
from medshare.spec.rng import DeterministicRNG
from medshare.spec.zk import circuits, groth16


@attrs.frozen
class Attr:
    name: str


@attrs.frozen
class Threshold:
    k: int
    children: tuple[object, ...]


def AND(*c: object) -> Threshold:
    return Threshold(len(c), tuple(c))


def OR(*c: object) -> Threshold:
    return Threshold(1, tuple(c))


A = circuits.attribute_field

POLICY = AND(Attr("role:doctor"), OR(Attr("dept:cardio"), Attr("dept:neuro")),
             Threshold(2, (Attr("cert:a"), Attr("cert:b"), Attr("cert:c"))))


def holds(node: object, held: set[str]) -> bool:
    if isinstance(node, Attr):
        return node.name in held
    assert isinstance(node, Threshold)
    return sum(holds(c, held) for c in node.children) >= node.k


def test_gate_list_shape() -> None:
    g = circuits.gates_from_policy(POLICY)
    assert len(g.leaves) == 16 and len(g.gates) == 16 and len(g.words()) == 32
    assert g.gates[:13] == ((0, ()),) * 13  # three real gates, root last
    assert g.gates[-1][0] == 3
    assert circuits.gate_hash(g) != circuits.gate_hash(circuits.gates_from_policy(OR(Attr("role:doctor"))))


def test_gate_list_evaluates_like_the_tree() -> None:
    g = circuits.gates_from_policy(POLICY)
    names = ["role:doctor", "dept:cardio", "dept:neuro", "cert:a", "cert:b", "cert:c", "other"]
    for r in range(len(names) + 1):
        for held in itertools.combinations(names, r):
            assert g.evaluate({A(n) for n in held}) == holds(POLICY, set(held))


def test_single_attribute_and_repeated_leaf() -> None:
    g = circuits.gates_from_policy(Attr("x"))
    assert g.gates[-1] == (1, (0,)) and g.evaluate({A("x")}) and not g.evaluate({A("y")})
    g2 = circuits.gates_from_policy(OR(Attr("x"), AND(Attr("x"), Attr("y"))))
    assert sum(1 for v in g2.leaves if v) == 2


@pytest.mark.parametrize("bad, code", [
    (Threshold(0, (Attr("a"),)), "POLICY_BAD_THRESHOLD"),
    (Threshold(3, (Attr("a"), Attr("b"))), "POLICY_BAD_THRESHOLD"),
    (OR(*[Attr(f"a{i}") for i in range(17)]), "POLICY_TOO_MANY_LEAVES"),
    (AND(*[OR(Attr(f"a{i}"), Attr(f"b{i}")) for i in range(16)]), "POLICY_TOO_MANY_LEAVES"),
    ("not a node", "POLICY_SYNTAX"),
    (Attr(""), "ATTRIBUTE_INVALID"),
])
def test_gate_list_rejects(bad: object, code: str) -> None:
    with pytest.raises(MedshareError) as e:
        circuits.gates_from_policy(bad)
    assert e.value.code == code


def test_threshold_beyond_the_gate_word_is_refused() -> None:
    """A 64-leaf AND (16 attributes, each four times; the policy language allows 64 leaves) has k = 64, which the
    6-bit threshold field cannot hold: encoded anyway, k would read as 0 and the carry would turn on an input bit of
    an always-true unused gate, so an unrelated attribute set would satisfy the circuit. It is refused instead,
    and so is a hand-built gate list whose threshold or inputs overflow their bits."""
    from medshare.spec.policy import Policy

    wide = Policy.of(" and ".join(f"a{i % 16}@1" for i in range(64)))
    with pytest.raises(MedshareError) as e:
        circuits.gates_from_policy(wide.tree)
    assert e.value.code == "POLICY_TOO_LARGE"
    with pytest.raises(MedshareError) as e:
        circuits.gates_from_policy(AND(*[Attr(f"a{i % 16}") for i in range(64)]))
    assert e.value.code == "POLICY_TOO_LARGE"
    circuits.gates_from_policy(AND(*[Attr(f"a{i % 16}") for i in range(63)]))  # k = 63 fits
    ok = circuits.gates_from_policy(POLICY)
    for gates in ((*ok.gates[:-1], (64, ok.gates[-1][1])), (*ok.gates[:-1], (3, (0, 31))),
                  ((1, (16,)), *ok.gates[1:])):
        with pytest.raises(MedshareError) as e:
            circuits.PolicyGates(ok.leaves, gates)
        assert e.value.code == "POLICY_TOO_LARGE"


def test_too_many_gates() -> None:
    node: object = Attr("a0")
    for i in range(1, 16):
        node = OR(node, AND(Attr(f"a{i}")))  # two gates per level
    with pytest.raises(MedshareError) as e:
        circuits.gates_from_policy(node)
    assert e.value.code in ("CIRCUIT_TOO_LARGE", "POLICY_TOO_DEEP")


def test_attribute_set_canonical() -> None:
    s = circuits.attribute_set([5, 3, 5])
    assert s[:2] == [3, 5] and s[2:] == [0] * 14
    assert circuits.attribute_commitment([5, 3], 7) == circuits.attribute_commitment([3, 5, 3], 7)
    with pytest.raises(MedshareError) as e:
        circuits.attribute_set(range(1, 18))
    assert e.value.code == "CIRCUIT_TOO_LARGE"


def test_constraint_counts() -> None:
    assert len(circuits.policy_circuit().constraints) == 7343
    assert len(circuits.data_circuit().constraints) == 1581


def test_policy_circuit_witness_matches_evaluation() -> None:
    g = circuits.gates_from_policy(POLICY)
    good = [A("role:doctor"), A("dept:neuro"), A("cert:a"), A("cert:c")]
    bad = [A("role:doctor"), A("dept:neuro"), A("cert:a")]
    circuits.policy_circuit(g, good, 42, 1, 2).witness()
    with pytest.raises(MedshareError) as e:
        circuits.policy_circuit(g, bad, 42, 1, 2).witness()
    assert e.value.code == "WITNESS_UNSATISFIED"


@pytest.fixture(scope="module")
def policy_keys() -> groth16.ProvingKey:
    return groth16.setup_for_tests(get_group("native"), circuits.policy_circuit().to_r1cs(), DeterministicRNG(b"policy"))


@pytest.fixture(scope="module")
def data_keys() -> groth16.ProvingKey:
    return groth16.setup_for_tests(get_group("native"), circuits.data_circuit().to_r1cs(), DeterministicRNG(b"data"))


def test_policy_proof_end_to_end(policy_keys: groth16.ProvingKey) -> None:
    group = get_group("native")
    g = circuits.gates_from_policy(POLICY)
    attrs_ = [A("role:doctor"), A("dept:cardio"), A("cert:b"), A("cert:c"), A("misc")]
    rid, nonce = circuits.binding_field(b"record-1"), circuits.binding_field(b"nonce-1")
    t = time.perf_counter()
    proof, public = circuits.prove_policy(group, policy_keys, g, attrs_, 1234, rid, nonce, DeterministicRNG(3))
    assert time.perf_counter() - t < 120
    comm = circuits.attribute_commitment(attrs_, 1234)
    assert public == [circuits.gate_hash(g), comm, rid, nonce]
    circuits.verify_policy(group, policy_keys.vk, circuits.gate_hash(g), comm, rid, nonce, proof)
    other = circuits.gate_hash(circuits.gates_from_policy(AND(Attr("role:doctor"), Attr("dept:cardio"))))
    for args in ((other, comm, rid, nonce), (public[0], comm + 1, rid, nonce), (public[0], comm, rid + 1, nonce),
                 (public[0], comm, rid, circuits.binding_field(b"nonce-2"))):
        with pytest.raises(MedshareError) as e:
            circuits.verify_policy(group, policy_keys.vk, *args, proof)
        assert e.value.code == "PROOF_INVALID"
    with pytest.raises(MedshareError) as e:
        circuits.prove_policy(group, policy_keys, g, attrs_[:2], 1234, rid, nonce, DeterministicRNG(3))
    assert e.value.code == "POLICY_UNSATISFIED"


def test_data_proof_end_to_end(data_keys: groth16.ProvingKey) -> None:
    group = get_group("native")
    fields = [120, 80, 37, 0, 2**64 - 1, 5, 6, 7]
    comm = circuits.data_commitment(fields, 99)
    for crit in (circuits.Criterion(0, 0, 100, 140), circuits.Criterion(1, 2, codes=(36, 37, 38)),
                 circuits.Criterion(0, 4, 2**64 - 1, 2**64 - 1)):
        proof, public = circuits.prove_data(group, data_keys, fields, 99, crit, DeterministicRNG(4))
        assert public[0] == comm
        circuits.verify_data(group, data_keys.vk, comm, crit, proof)
        with pytest.raises(MedshareError) as e:
            circuits.verify_data(group, data_keys.vk, comm, circuits.Criterion(0, 1, 0, 10), proof)
        assert e.value.code == "PROOF_INVALID"
    with pytest.raises(MedshareError) as e:
        circuits.prove_data(group, data_keys, fields, 99, circuits.Criterion(0, 0, 121, 140), DeterministicRNG(4))
    assert e.value.code == "CRITERION_UNSATISFIED"


@pytest.mark.parametrize("crit", [
    circuits.Criterion(2, 0), circuits.Criterion(0, 8), circuits.Criterion(0, 0, 5, 4),
    circuits.Criterion(0, 0, 0, 2**64), circuits.Criterion(1, 0), circuits.Criterion(1, 0, codes=tuple(range(9))),
    circuits.Criterion(1, 0, lo=1, codes=(1,)),
])
def test_malformed_criterion(crit: circuits.Criterion) -> None:
    with pytest.raises(MedshareError) as e:
        crit.public_inputs()
    assert e.value.code == "PUBLIC_INPUT_INVALID"


def test_data_circuit_rejects_unmet_criterion_in_circuit() -> None:
    fields = [1, 2, 3, 4, 5, 6, 7, 8]
    with pytest.raises(MedshareError) as e:
        circuits.data_circuit(fields, 9, circuits.Criterion(1, 0, codes=(2, 3))).witness()
    assert e.value.code == "WITNESS_UNSATISFIED"
    circuits.data_circuit(fields, 9, circuits.Criterion(1, 0, codes=(2, 1))).witness()
