"""Rank-1 constraint systems and a small circuit builder (spec/zk/zk.md, "R1CS").

An R1CS over F_r has variables z_0 .. z_{m-1} with z_0 = 1, then the public inputs z_1 .. z_l, then the private
variables; a constraint is a triple of linear combinations with <A, z> * <B, z> = <C, z>. This is the circom and
snarkjs layout (wire 0 is the constant one, public signals follow), so a medshare circuit and an imported circom
circuit are the same kind of object.

:class:`Circuit` builds one: ``public``/``private`` allocate variables with an optional assigned value, gadgets
(spec/zk/gadgets.py) add constraints and compute the values of the variables they introduce, and
``to_r1cs``/``witness`` give the system and the full assignment. Built without values (all ``None``), the same
code yields the constraint system alone, for the setup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from ..errors import fail
from ..params import R

Terms = Mapping[int, int]

#: the largest system medshare supports (``CIRCUIT_TOO_LARGE`` beyond): 2^18 wires and 2^18 constraints, 16
#: times the largest benchmarked circuit; a file claiming more is refused before anything is allocated
MAX_WIRES = 1 << 18
MAX_CONSTRAINTS = 1 << 18


class LC:
    """A linear combination sum_i c_i z_i over F_r (variable index -> coefficient, zero terms dropped)."""

    __slots__ = ("terms",)

    def __init__(self, terms: Mapping[int, int] | None = None) -> None:
        self.terms: dict[int, int] = {}
        for i, c in (terms or {}).items():
            c %= R
            if c:
                self.terms[i] = c

    @staticmethod
    def const(c: int) -> LC:
        return LC({0: c})

    @staticmethod
    def of(x: LC | int) -> LC:
        return x if isinstance(x, LC) else LC.const(x)

    def __add__(self, other: LC | int) -> LC:
        out = dict(self.terms)
        for i, c in LC.of(other).terms.items():
            out[i] = (out.get(i, 0) + c) % R
        return LC(out)

    __radd__ = __add__

    def __neg__(self) -> LC:
        return LC({i: -c for i, c in self.terms.items()})

    def __sub__(self, other: LC | int) -> LC:
        return self + (-LC.of(other))

    def __rsub__(self, other: LC | int) -> LC:
        return LC.of(other) - self

    def __mul__(self, k: int) -> LC:
        if not isinstance(k, int):
            raise TypeError("an LC is multiplied by a constant only; use a gadget for products")
        return LC({i: c * k for i, c in self.terms.items()})

    __rmul__ = __mul__

    def constant_value(self) -> int | None:
        """The value if the LC is a constant, else None."""
        if set(self.terms) - {0}:
            return None
        return self.terms.get(0, 0)

    def __repr__(self) -> str:
        return "LC(" + " + ".join(f"{c}*z{i}" for i, c in sorted(self.terms.items())) + ")"


def evaluate(terms: Terms, z: Sequence[int]) -> int:
    """<terms, z> mod r."""
    return sum(c * z[i] for i, c in terms.items()) % R


@attrs.frozen
class Constraint:
    """<a, z> * <b, z> = <c, z>."""

    a: dict[int, int]
    b: dict[int, int]
    c: dict[int, int]


@attrs.frozen
class R1CS:
    """A constraint system: ``n_vars`` variables (z_0 = 1), ``n_public`` public inputs z_1 .. z_l."""

    n_vars: int
    n_public: int
    constraints: tuple[Constraint, ...]

    def __attrs_post_init__(self) -> None:
        check_size(self.n_vars, len(self.constraints))
        if not 0 <= self.n_public < self.n_vars:
            fail("CIRCUIT_FORMAT", "a system has z_0 and its public inputs among its variables")

    def check_witness(self, z: Sequence[int]) -> None:
        """Fail ``WITNESS_UNSATISFIED`` unless z is a full assignment (z_0 = 1, values < r) satisfying every
        constraint."""
        if len(z) != self.n_vars:
            fail("WITNESS_UNSATISFIED", f"witness has {len(z)} values, the system {self.n_vars} variables")
        if z[0] != 1:
            fail("WITNESS_UNSATISFIED", "z_0 must be 1")
        if any(not 0 <= v < R for v in z):
            fail("WITNESS_UNSATISFIED", "witness value is not a field element")
        for k, con in enumerate(self.constraints):
            if evaluate(con.a, z) * evaluate(con.b, z) % R != evaluate(con.c, z):
                fail("WITNESS_UNSATISFIED", f"constraint {k} is not satisfied")

    def is_satisfied(self, z: Sequence[int]) -> bool:
        try:
            self.check_witness(z)
        except Exception:  # noqa: BLE001 - a predicate
            return False
        return True

    def public_inputs(self, z: Sequence[int]) -> list[int]:
        return list(z[1:1 + self.n_public])


def check_size(n_wires: int, n_constraints: int) -> None:
    """``CIRCUIT_TOO_LARGE`` unless 1 <= wires <= :data:`MAX_WIRES` and constraints <= :data:`MAX_CONSTRAINTS`."""
    if n_wires > MAX_WIRES or n_constraints > MAX_CONSTRAINTS:
        fail("CIRCUIT_TOO_LARGE", f"a system of at most {MAX_WIRES} wires and {MAX_CONSTRAINTS} constraints is "
                                  "supported")
    if n_wires < 1:
        fail("CIRCUIT_FORMAT", "a system has at least the wire z_0 = 1")


class Circuit:
    """A circuit under construction: variables with optional values, and constraints."""

    def __init__(self) -> None:
        self.values: list[int | None] = [1]
        self.n_public = 0
        self.constraints: list[Constraint] = []
        self.public_names: list[str] = []
        self.labels: dict[str, list[int]] = {}

    # variables -------------------------------------------------------------------------------------------
    def public(self, value: int | None = None, name: str = "") -> LC:
        """A new public input; all public inputs are allocated before any private variable."""
        if len(self.values) != 1 + self.n_public:
            fail("CIRCUIT_FORMAT", "public inputs must be allocated before private variables")
        self.n_public += 1
        self.public_names.append(name)
        return self._alloc(value)

    def private(self, value: int | None = None) -> LC:
        """A new private variable (witness)."""
        return self._alloc(value)

    def _alloc(self, value: int | None) -> LC:
        if value is not None:
            if not isinstance(value, int):
                fail("WITNESS_UNSATISFIED", "a variable's value must be an integer")
            value %= R
        self.values.append(value)
        return LC({len(self.values) - 1: 1})

    def label(self, name: str, lcs: Sequence[LC]) -> None:
        """Record the variable indices of single-variable LCs under a name (for analysis, e.g. the Z3 checks)."""
        self.labels[name] = [next(iter(x.terms)) for x in lcs]

    def value(self, lc: LC | int) -> int | None:
        """The value of ``lc`` under the assignment, or None if a variable in it has no value."""
        total = 0
        for i, c in LC.of(lc).terms.items():
            v = self.values[i]
            if v is None:
                return None
            total += c * v
        return total % R

    @property
    def has_values(self) -> bool:
        return all(v is not None for v in self.values)

    # constraints -----------------------------------------------------------------------------------------
    def constrain(self, a: LC | int, b: LC | int, c: LC | int) -> None:
        """Add the constraint a * b = c."""
        self.constraints.append(Constraint(dict(LC.of(a).terms), dict(LC.of(b).terms), dict(LC.of(c).terms)))

    def assert_equal(self, a: LC | int, b: LC | int) -> None:
        """a = b, as (a - b) * 1 = 0."""
        self.constrain(LC.of(a) - LC.of(b), 1, 0)

    def mul(self, a: LC | int, b: LC | int) -> LC:
        """A new variable constrained to a * b."""
        va, vb = self.value(a), self.value(b)
        out = self.private(None if va is None or vb is None else va * vb)
        self.constrain(a, b, out)
        return out

    # results ---------------------------------------------------------------------------------------------
    def to_r1cs(self) -> R1CS:
        return R1CS(len(self.values), self.n_public, tuple(self.constraints))

    def witness(self) -> list[int]:
        """The full assignment; fails ``WITNESS_UNSATISFIED`` if a value is missing or a constraint fails."""
        if not self.has_values:
            fail("WITNESS_UNSATISFIED", "some variables have no value")
        z = [v for v in self.values if v is not None]
        self.to_r1cs().check_witness(z)
        return z

    def public_values(self) -> list[int]:
        return [v if v is not None else 0 for v in self.values[1:1 + self.n_public]]


def lc_sum(items: Iterable[LC | int]) -> LC:
    """The sum of linear combinations."""
    total = LC()
    for x in items:
        total = total + x
    return total
