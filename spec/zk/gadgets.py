"""R1CS gadgets: boolean, bits and ranges, comparison, is-zero and equality, selection, Poseidon
(spec/zk/zk.md, "Gadgets"). Each states its constraint count; values are computed when the inputs have them."""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import fail
from ..params import R
from . import poseidon
from .r1cs import LC, Circuit, lc_sum

#: the largest bit width for decompositions: 2^n must stay well below r so that sum b_i 2^i cannot wrap
MAX_BITS = 252


def assert_boolean(cs: Circuit, x: LC) -> None:
    """x in {0, 1}: x * (x - 1) = 0. 1 constraint."""
    cs.constrain(x, x - 1, 0)


def boolean(cs: Circuit, value: int | None) -> LC:
    """A new private boolean. 1 constraint."""
    b = cs.private(value)
    assert_boolean(cs, b)
    return b


def to_bits(cs: Circuit, x: LC | int, n: int) -> list[LC]:
    """Little-endian bits of x, which must be < 2^n: n booleans and sum b_i 2^i = x. n + 1 constraints."""
    if not 1 <= n <= MAX_BITS:
        fail("CIRCUIT_TOO_LARGE", f"bit decomposition of width {n}")
    v = cs.value(x)
    bits = [boolean(cs, None if v is None else (v >> i) & 1) for i in range(n)]
    cs.assert_equal(lc_sum(b * (1 << i) for i, b in enumerate(bits)), x)
    return bits


def range_check(cs: Circuit, x: LC | int, n: int) -> None:
    """0 <= x < 2^n. n + 1 constraints."""
    to_bits(cs, x, n)


def less_than(cs: Circuit, a: LC | int, b: LC | int, n: int) -> LC:
    """1 if a < b else 0, for a, b < 2^n (the caller range-checks them): the top bit of a - b + 2^n. n + 2
    constraints."""
    bits = to_bits(cs, LC.of(a) - LC.of(b) + (1 << n), n + 1)
    return 1 - bits[n]


def is_zero(cs: Circuit, x: LC | int) -> LC:
    """1 if x = 0 else 0: out = 1 - x * inv, and x * out = 0. 2 constraints."""
    v = cs.value(x)
    inv = cs.private(None if v is None else (pow(v, -1, R) if v else 0))
    out = cs.private(None if v is None else int(v == 0))
    cs.constrain(x, inv, 1 - out)
    cs.constrain(x, out, 0)
    return out


def is_equal(cs: Circuit, a: LC | int, b: LC | int) -> LC:
    """1 if a = b else 0. 2 constraints."""
    return is_zero(cs, LC.of(a) - LC.of(b))


def select(cs: Circuit, cond: LC, a: LC | int, b: LC | int) -> LC:
    """cond ? a : b for a boolean cond (the caller constrains it): out - b = cond * (a - b). 1 constraint."""
    vc, va, vb = cs.value(cond), cs.value(a), cs.value(b)
    out = cs.private(None if None in (vc, va, vb) else (va if vc else vb))
    cs.constrain(cond, LC.of(a) - LC.of(b), out - LC.of(b))
    return out


def pow5(cs: Circuit, x: LC) -> LC:
    """x^5. 3 constraints."""
    x2 = cs.mul(x, x)
    x4 = cs.mul(x2, x2)
    return cs.mul(x4, x)


def poseidon_permute(cs: Circuit, state: Sequence[LC | int]) -> list[LC]:
    """The Poseidon permutation in-circuit; round constants and MDS fold into linear combinations.
    3 (R_F t + R_P) = 243 constraints."""
    constants, mds = poseidon.parameters()
    t = poseidon.T
    r_f, r_p = poseidon.R_F, poseidon.R_P
    s = [LC.of(x) for x in state]
    for rnd in range(r_f + r_p):
        s = [v + constants[rnd * t + i] for i, v in enumerate(s)]
        if rnd < r_f // 2 or rnd >= r_f // 2 + r_p:
            s = [pow5(cs, v) for v in s]
        else:
            s[0] = pow5(cs, s[0])
        s = [lc_sum(v * m for m, v in zip(row, s)) for row in mds]
    return s


def poseidon_hash(cs: Circuit, inputs: Sequence[LC | int]) -> LC:
    """The sponge of :func:`medshare.spec.zk.poseidon.poseidon_hash` in-circuit. 243 * ceil(len / 2)
    constraints."""
    if not inputs:
        fail("BAD_LENGTH", "Poseidon hash of an empty sequence")
    state: list[LC] = [LC.const(poseidon.capacity_iv(len(inputs))), LC(), LC()]
    for i in range(0, len(inputs), poseidon.RATE):
        block = [LC.of(x) for x in inputs[i:i + poseidon.RATE]]
        block += [LC()] * (poseidon.RATE - len(block))
        state = poseidon_permute(cs, [state[0], state[1] + block[0], state[2] + block[1]])
    return state[1]
