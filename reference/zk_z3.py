"""Z3 models of R1CS constraint systems, for the under-constraint checks (spec/zk/zk.md, "Z3 checks").

Z3 has no finite-field theory, so a system over F_r is checked in a small prime field F_p, the Mersenne prime
p = 2^5 - 1 = 31 (bit-blasted multipliers stay small): each coefficient c is lifted to the signed integer in
(-r/2, r/2] and reduced mod p, so the small constants the gadgets use (±1, ±2^i) keep their meaning.
Variables are 5-bit bit-vectors < p; reduction mod p folds the high bits onto the low ones (2^5 = 1 mod p).
Every constraint is (<A,z> mod p)(<B,z> mod p) mod p = <C,z> mod p. The gadgets' arguments hold in any prime
field larger than their bit ranges (a comparison of n-bit values needs 2^(n+1) < p), so an under-constrained
gadget shows up in the model too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import z3

from ..spec.params import R
from ..spec.zk.r1cs import LC, R1CS

K = 5
P_MODEL = (1 << K) - 1


def lift(c: int, p: int = P_MODEL) -> int:
    """c mod r as a signed integer, then mod p."""
    c %= R
    return (c if c <= R // 2 else c - R) % p


def _reduce(x: z3.BitVecRef) -> z3.BitVecRef:
    """x mod p as a K-bit vector: fold the high bits onto the low ones (2^7 = 1 mod p) until x < 2^(K+1),
    then subtract p at most twice."""
    width = x.size()
    mask = z3.BitVecVal(P_MODEL, width)
    bound = (1 << width) - 1
    while bound >= 2 * P_MODEL:
        x = (x & mask) + z3.LShR(x, K)
        bound = P_MODEL + (bound >> K)
    for _ in range(2):
        x = z3.If(z3.UGE(x, mask), x - mask, x)
    return z3.Extract(K - 1, 0, x)


class Model:
    """One copy of an R1CS's variables and constraints in Z3 (variables named ``<prefix><i>``)."""

    def __init__(self, r1cs: R1CS, prefix: str = "z") -> None:
        self.r1cs = r1cs
        self.z: list[z3.BitVecRef] = [z3.BitVecVal(1, K)]
        self.z += [z3.BitVec(f"{prefix}{i}", K) for i in range(1, r1cs.n_vars)]

    def lc(self, terms: Mapping[int, int] | LC) -> z3.BitVecRef:
        """<terms, z> mod p, a K-bit vector."""
        items = [(i, lift(c)) for i, c in (terms.terms if isinstance(terms, LC) else terms).items()]
        items = [(i, k) for i, k in items if k]
        if not items:
            return z3.BitVecVal(0, K)
        width = 2 * K + len(items).bit_length()
        total = z3.BitVecVal(0, width)
        for i, k in items:
            total = total + z3.BitVecVal(k, width) * z3.ZeroExt(width - K, self.z[i])
        return _reduce(total)

    def var(self, i: int) -> z3.BitVecRef:
        return self.z[i]

    @staticmethod
    def const(v: int) -> z3.BitVecRef:
        return z3.BitVecVal(v, K)

    @staticmethod
    def bit(cond: z3.BoolRef) -> z3.BitVecRef:
        """1 if cond else 0, as a K-bit vector."""
        return z3.If(cond, z3.BitVecVal(1, K), z3.BitVecVal(0, K))

    def constraints(self) -> list[z3.BoolRef]:
        """Every variable < p, and every constraint."""
        out = [z3.ULT(v, P_MODEL) for v in self.z[1:]]
        for con in self.r1cs.constraints:
            prod = z3.ZeroExt(K, self.lc(con.a)) * z3.ZeroExt(K, self.lc(con.b))
            out.append(_reduce(prod) == self.lc(con.c))
        return out


def find(conditions: Sequence[z3.BoolRef], timeout_ms: int = 120_000) -> z3.ModelRef | None:
    """A model of the conditions, None if Z3 proves there is none; raises if Z3 gives up."""
    s = z3.SolverFor("QF_BV")
    s.set("timeout", timeout_ms)
    s.add(*conditions)
    res = s.check()
    if res == z3.sat:
        return s.model()
    if res == z3.unsat:
        return None
    raise RuntimeError(f"z3 returned {res}")
