"""Z3 under-constraint checks for every gadget and both circuits (small instances, F_31 model).

For each system: Z3 finds no assignment that satisfies the constraints while violating the intended relation,
or no two satisfying assignments that agree on the inputs and differ on an output. A deliberately
under-constrained gadget is caught by the same check.

In the circuit checks each Poseidon hash is replaced by an unconstrained variable (an oracle output). That only
removes constraints, so the checked system admits a superset of the real one's assignments: "no violating
assignment" for the relaxed system implies it for the real one. The Poseidon gadget itself is checked
separately (its output is determined by its input, full 8 + 57 rounds).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import z3
from medshare.reference.zk_z3 import P_MODEL, Model, find
from medshare.spec.zk import circuits, gadgets
from medshare.spec.zk.r1cs import LC, Circuit

BITS = 3  # comparisons of n-bit values need 2^(n+1) < p = 31


@pytest.fixture
def hash_oracle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Poseidon hashes in the circuits become unconstrained variables (a relaxation, see the module doc)."""
    monkeypatch.setattr(gadgets, "poseidon_hash", lambda cs, inputs: cs.private())


def idx(x: LC) -> int:
    (i,) = x.terms
    return i


def violation(cs: Circuit, relation: Callable[[Model], z3.BoolRef]) -> z3.ModelRef | None:
    m = Model(cs.to_r1cs())
    return find(m.constraints() + [z3.Not(relation(m))])


def two_witnesses(cs: Circuit, inputs: list[LC], outputs: list[LC]) -> z3.ModelRef | None:
    r1cs = cs.to_r1cs()
    m1, m2 = Model(r1cs, "a"), Model(r1cs, "b")
    same = [m1.lc(x) == m2.lc(x) for x in inputs]
    differ = z3.Or(*[m1.lc(y) != m2.lc(y) for y in outputs])
    return find(m1.constraints() + m2.constraints() + same + [differ])


def test_boolean() -> None:
    cs = Circuit()
    x = cs.private()
    gadgets.assert_boolean(cs, x)
    assert violation(cs, lambda m: z3.ULE(m.var(idx(x)), 1)) is None


def test_bits_and_range() -> None:
    cs = Circuit()
    x = cs.private()
    bits = gadgets.to_bits(cs, x, BITS)

    def rel(m: Model) -> z3.BoolRef:
        xv = m.var(idx(x))
        return z3.And(z3.ULT(xv, 1 << BITS),
                      *[m.lc(b) == z3.LShR(xv, i) & 1 for i, b in enumerate(bits)])

    assert violation(cs, rel) is None


def test_less_than() -> None:
    cs = Circuit()
    a, b = cs.private(), cs.private()
    gadgets.range_check(cs, a, BITS)
    gadgets.range_check(cs, b, BITS)
    lt = gadgets.less_than(cs, a, b, BITS)
    rel = lambda m: m.lc(lt) == m.bit(z3.ULT(m.var(idx(a)), m.var(idx(b))))
    assert violation(cs, rel) is None


def test_is_zero_and_equal() -> None:
    cs = Circuit()
    x, a, b = cs.private(), cs.private(), cs.private()
    out = gadgets.is_zero(cs, x)
    eq = gadgets.is_equal(cs, a, b)

    def rel(m: Model) -> z3.BoolRef:
        return z3.And(m.lc(out) == m.bit(m.var(idx(x)) == 0),
                      m.lc(eq) == m.bit(m.var(idx(a)) == m.var(idx(b))))

    assert violation(cs, rel) is None


def test_select() -> None:
    cs = Circuit()
    c, a, b = cs.private(), cs.private(), cs.private()
    gadgets.assert_boolean(cs, c)
    out = gadgets.select(cs, c, a, b)
    rel = lambda m: m.lc(out) == z3.If(m.var(idx(c)) == 1, m.var(idx(a)), m.var(idx(b)))
    assert violation(cs, rel) is None


def test_poseidon_permutation_is_determined() -> None:
    cs = Circuit()
    ins = [cs.private() for _ in range(3)]
    outs = gadgets.poseidon_permute(cs, ins)
    assert two_witnesses(cs, ins, outs) is None


def _is_zero_without_product_check(cs: Circuit, x: LC) -> LC:
    """A deliberately under-constrained is-zero: it omits x * out = 0."""
    inv, out = cs.private(), cs.private()
    cs.constrain(x, inv, 1 - out)
    return out


def _bits_without_booleanity(cs: Circuit, x: LC, n: int) -> list[LC]:
    bits = [cs.private() for _ in range(n)]
    cs.assert_equal(sum((b * (1 << i) for i, b in enumerate(bits)), LC()), x)
    return bits


def test_under_constrained_gadgets_are_caught() -> None:
    cs = Circuit()
    x = cs.private()
    out = _is_zero_without_product_check(cs, x)
    bad = violation(cs, lambda m: m.lc(out) == m.bit(m.var(idx(x)) == 0))
    assert bad is not None  # e.g. x != 0 with out = 1, inv = 0
    assert bad.eval(Model(cs.to_r1cs()).var(idx(x))).as_long() != 0

    cs = Circuit()
    x = cs.private()
    bits = _bits_without_booleanity(cs, x, BITS)
    assert two_witnesses(cs, [x], bits) is not None


# circuits ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [
    circuits.PolicyShape(n_leaves=2, n_gates=1, n_attributes=2, k_bits=2),
    circuits.PolicyShape(n_leaves=1, n_gates=2, n_attributes=2, k_bits=2),
    circuits.PolicyShape(n_leaves=2, n_gates=1, n_attributes=3, k_bits=2),
], ids=["2leaves-1gate-2attrs", "1leaf-2gates-2attrs", "2leaves-1gate-3attrs"])
def test_policy_circuit_small_instance(hash_oracle: None, shape: circuits.PolicyShape) -> None:
    """Accepted => the gate words are well formed and the encoded policy holds for the attribute set."""
    cs = circuits.policy_circuit(shape=shape)
    leaves, gwords, attrs = cs.labels["leaves"], cs.labels["gate_words"], cs.labels["attributes"]

    def rel(m: Model) -> z3.BoolRef:
        zero, one = m.const(0), m.const(1)
        wires = [z3.If(z3.Or(*[m.var(leaf) == m.var(a) for a in attrs]), one, zero) for leaf in leaves]
        well_formed = []
        for j, g in enumerate(gwords):
            word = m.var(g)
            width = shape.k_bits + shape.n_leaves + j
            well_formed.append(z3.ULT(word, 1 << width))
            k = word & ((1 << shape.k_bits) - 1)
            count = sum((z3.LShR(word, shape.k_bits + w) & 1) * wires[w] for w in range(len(wires)))
            wires.append(z3.If(z3.UGE(count, k), one, zero))
        return z3.And(*well_formed, wires[-1] == 1)

    assert violation(cs, rel) is None


def test_policy_circuit_check_catches_a_missing_constraint(hash_oracle: None) -> None:
    """The same check fails if the root constraint is dropped."""
    shape = circuits.PolicyShape(n_leaves=2, n_gates=1, n_attributes=2, k_bits=2)
    cs = circuits.policy_circuit(shape=shape)
    cs.constraints.pop()  # the root = 1 constraint
    leaves, gwords, attrs = cs.labels["leaves"], cs.labels["gate_words"], cs.labels["attributes"]

    def rel(m: Model) -> z3.BoolRef:
        wires = [m.bit(z3.Or(*[m.var(leaf) == m.var(a) for a in attrs]))
                 for leaf in leaves]
        word = m.var(gwords[0])
        count = sum((z3.LShR(word, 2 + w) & 1) * wires[w] for w in range(2))
        return z3.UGE(count, word & 3)

    assert violation(cs, rel) is not None


def test_data_circuit_small_instance(hash_oracle: None) -> None:
    """2 fields, 2 codes, 3-bit values: accepted => the criterion is well formed and the field meets it."""
    shape = circuits.DataShape(n_fields=2, n_codes=2, value_bits=BITS)
    cs = circuits.data_circuit(shape=shape)
    fields = cs.labels["fields"]
    kind, index, lo, hi, c0, c1 = range(2, 8)

    def rel(m: Model) -> z3.BoolRef:
        v = m.var
        value = z3.If(v(index) == 0, v(fields[0]), v(fields[1]))
        in_range = z3.And(z3.ULE(v(lo), value), z3.ULE(value, v(hi)))
        in_set = z3.Or(value == v(c0), value == v(c1))
        return z3.And(z3.ULT(v(index), 2), z3.ULT(v(lo), 1 << BITS), z3.ULT(v(hi), 1 << BITS),
                      z3.ULT(value, 1 << BITS),
                      z3.Or(z3.And(v(kind) == 0, in_range), z3.And(v(kind) == 1, in_set)))

    assert violation(cs, rel) is None


@pytest.mark.parametrize("p", [P_MODEL])
def test_model_prime(p: int) -> None:
    assert all(p % d for d in range(2, int(p ** 0.5) + 1)) and (1 << (BITS + 1)) < p
