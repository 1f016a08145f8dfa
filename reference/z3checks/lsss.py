"""Z3: the LSSS of a policy reconstructs the secret for a set S exactly when S satisfies the policy.

For every canonical policy with at most ``max_leaves`` leaves over ``names`` (every gate shape: and, or, k-of-n,
nested, with repeated attributes) and every S ⊆ names, Z3 decides whether some γ over the rationals has
Σ_{i: label_i ∈ S} γ_i M_i = (1, 0, …, 0), and the answer must equal ``satisfies(policy, S)``. The matrices
of these small policies have integer entries of absolute value ≤ 4³ (entries are read mod r as signed
integers), so linear dependence over Q and over F_r agree. A deliberately wrong conversion is caught by the
same check (:data:`WRONG_CONVERSIONS`).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator

import attrs
import z3

from ...spec.params import R
from ...spec.policy import LSSS, Attr, Node, Threshold, canonical, canonical_text, satisfies, to_lsss

Conversion = Callable[[Node], LSSS]


@attrs.frozen
class LsssReport:
    policies: int
    queries: int
    mismatches: tuple[tuple[str, tuple[str, ...], bool, bool], ...]  # (policy, S, satisfies, reconstructs)
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _compositions(m: int) -> Iterator[tuple[int, ...]]:
    """Ordered ways to write m as a sum of >= 2 positive parts."""
    for cuts in range(1, m):
        for positions in itertools.combinations(range(1, m), cuts):
            bounds = (0, *positions, m)
            yield tuple(b - a for a, b in itertools.pairwise(bounds))


def _trees(m: int, names: tuple[str, ...], memo: dict[int, list[Node]]) -> list[Node]:
    if m not in memo:
        out: list[Node] = [Attr(x) for x in names] if m == 1 else []
        if m > 1:
            for parts in _compositions(m):
                for children in itertools.product(*(_trees(p, names, memo) for p in parts)):
                    out.extend(Threshold(k, children) for k in range(1, len(parts) + 1))
        memo[m] = out
    return memo[m]


def enumerate_policies(max_leaves: int = 4, names: tuple[str, ...] = ("a", "b", "c")) -> list[Node]:
    """Every canonical policy with 1..max_leaves leaves over ``names``, each once."""
    memo: dict[int, list[Node]] = {}
    seen: dict[str, Node] = {}
    for m in range(1, max_leaves + 1):
        for tree in _trees(m, names, memo):
            c = canonical(tree)
            seen.setdefault(canonical_text(c), c)
    return [seen[k] for k in sorted(seen)]


def _signed(x: int) -> int:
    return x - R if x > R // 2 else x


def check_lsss(max_leaves: int = 4, names: tuple[str, ...] = ("a", "b", "c"), convert: Conversion = to_lsss,
               stop_after: int | None = None) -> LsssReport:
    """Run the check for every policy and every subset; ``stop_after`` mismatches ends it early."""
    t0 = time.perf_counter()
    policies = enumerate_policies(max_leaves, names)
    subsets = [s for n in range(len(names) + 1) for s in itertools.combinations(names, n)]
    mismatches = []
    queries = 0
    for policy in policies:
        lsss = convert(policy)
        rows = [[_signed(x) for x in row] for row in lsss.rows]
        # sum_i gamma_i M_i = (1, 0, ..., 0); "absent_x" forces gamma_i = 0 on the rows labelled x
        gamma = [z3.Real(f"g{i}") for i in range(len(rows))]
        absent = {x: z3.Bool(f"absent_{x}") for x in names}
        solver = z3.SolverFor("QF_LRA")
        for j in range(lsss.width):
            terms = [gamma[i] * rows[i][j] for i in range(len(rows)) if rows[i][j]]
            solver.add(z3.Sum(terms) == (1 if j == 0 else 0) if terms else z3.BoolVal(j != 0))
        for i, label in enumerate(lsss.labels):
            solver.add(z3.Implies(absent[label], gamma[i] == 0))
        for s in subsets:
            reconstructs = solver.check(*[absent[x] for x in names if x not in s]) == z3.sat
            queries += 1
            expected = satisfies(policy, s)
            if reconstructs != expected:
                mismatches.append((canonical_text(policy), s, expected, reconstructs))
                if stop_after is not None and len(mismatches) >= stop_after:
                    return LsssReport(len(policies), queries, tuple(mismatches), time.perf_counter() - t0)
    return LsssReport(len(policies), queries, tuple(mismatches), time.perf_counter() - t0)


# Deliberately wrong conversions (each must be caught) ---------------------------------------------------------
def _rewrite(node: Node, gate: Callable[[int, int], int]) -> Node:
    if isinstance(node, Attr):
        return node
    children = tuple(_rewrite(c, gate) for c in node.children)
    return Threshold(gate(node.k, len(children)), children)


def lsss_or_as_and(policy: Node) -> LSSS:
    """Wrong: an or gate gets and rows."""
    return to_lsss(_rewrite(policy, lambda k, n: n if k == 1 else k))


def lsss_threshold_k_minus_1(policy: Node) -> LSSS:
    """Wrong: a k-of-n gate (1 < k < n) gets Vandermonde rows of degree k-2 (it shares as (k-1)-of-n)."""
    return to_lsss(_rewrite(policy, lambda k, n: k - 1 if 1 < k < n else k))


def lsss_and_drops_last_cancel(policy: Node) -> LSSS:
    """Wrong: the last child of an and gate shares a zero row (its -1 is lost), so it is never needed."""
    good = to_lsss(policy)
    rows = [list(r) for r in good.rows]
    # find and gates' last children: rows that contain R-1 and no +1 in a column introduced after column 1
    for r in rows:
        if R - 1 in r and r.count(1) == 0 and r[0] == 0:
            r[r.index(R - 1)] = 0
    return attrs.evolve(good, rows=tuple(tuple(r) for r in rows))


WRONG_CONVERSIONS: dict[str, Conversion] = {
    "or_as_and": lsss_or_as_and,
    "threshold_k_minus_1": lsss_threshold_k_minus_1,
    "and_drops_last_cancel": lsss_and_drops_last_cancel,
}


def stage() -> str:
    """The ``medshare verify`` stage: the exhaustive check passes and every wrong conversion is caught."""
    report = check_lsss()
    assert report.ok, f"LSSS mismatch: {report.mismatches[:3]}"
    caught = []
    for name, convert in WRONG_CONVERSIONS.items():
        wrong = check_lsss(convert=convert, stop_after=1)
        assert not wrong.ok, f"wrong conversion {name} not caught"
        caught.append(name)
    return (f"LSSS ⇔ satisfaction: {report.policies} policies (≤ 4 leaves over 3 attributes) × 8 sets, "
            f"{report.queries} Z3 queries in {report.seconds:.1f} s; wrong conversions caught "
            f"{len(caught)}/{len(WRONG_CONVERSIONS)}")
