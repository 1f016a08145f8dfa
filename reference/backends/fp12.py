"""Fp12 arithmetic on medshare's tower coefficients, through py_ecc's flat representation.

medshare encodes GT in the tower Fp12 = Fp6[w]/(w^2 - v), Fp6 = Fp2[v]/(v^3 - (u+1)), Fp2 = Fp[u]/(u^2 + 1);
py_ecc represents Fp12 as Fp[w]/(w^12 - 2w^6 + 2). With u = w^6 - 1 the two agree (u^2 = -1, v = w^2), so the
tower element sum_{j,i,k} c[j][i][k] u^k v^i w^j maps to the flat coefficients f[2i+j] += a - b, f[2i+j+6] += b
for c[j][i] = a + b u.
"""

from __future__ import annotations

from py_ecc.fields import optimized_bls12_381_FQ12 as FQ12  # the same class, without the pairing module's import cost

from ...spec.errors import fail
from ...spec.params import P, R

ONE = [1] + [0] * 11


def to_flat(c: list[int]) -> FQ12:
    f = [0] * 12
    for j in range(2):
        for i in range(3):
            a, b = c[j * 6 + i * 2], c[j * 6 + i * 2 + 1]
            n = 2 * i + j
            f[n] = (f[n] + a - b) % P
            f[n + 6] = (f[n + 6] + b) % P
    return FQ12(f)


def from_flat(x: FQ12) -> list[int]:
    f = [int(v) % P for v in x.coeffs]
    c = [0] * 12
    for j in range(2):
        for i in range(3):
            n = 2 * i + j
            b = f[n + 6]
            c[j * 6 + i * 2] = (f[n] + b) % P
            c[j * 6 + i * 2 + 1] = b
    return c


def mul(a: list[int], b: list[int]) -> list[int]:
    return from_flat(to_flat(a) * to_flat(b))


def pow_(a: list[int], e: int) -> list[int]:
    return from_flat(to_flat(a) ** (e % R))


def conjugate(a: list[int]) -> list[int]:
    """x -> x^(p^6): negates the w part; on GT (unitary elements) this is the inverse."""
    return a[:6] + [(-v) % P for v in a[6:]]


def check_in_gt(c: list[int]) -> None:
    """GT_NOT_IN_SUBGROUP unless c is a non-zero element with c^r = 1."""
    if not any(c) or to_flat(c) ** R != FQ12.one():
        fail("GT_NOT_IN_SUBGROUP", "Fp12 element is not in the order-r subgroup")
