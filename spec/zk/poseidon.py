"""Poseidon over BLS12-381 F_r (Grassi, Khovratovich, Rechberger, Roy, Schofnegger, USENIX Security 2021).

The instance is the reference implementation's ``poseidonperm_x5_255_3``: t = 3, alpha = 5, R_F = 8, R_P = 57.
Round constants and the MDS matrix are generated here by the reference Grain-LFSR procedure
(``generate_parameters_grain.sage``), not copied: the LFSR is seeded with the instance description, round
constants are drawn first (rejection-sampled below r), then the 2t Cauchy points of the MDS matrix from the same
stream. The permutation reproduces the published test vector perm([0, 1, 2]) (spec/zk/zk.md, "Poseidon").

``poseidon_hash`` is medshare's fixed-length sponge over the permutation (rate 2, capacity 1).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache

from ..errors import fail
from ..params import R

T = 3
ALPHA = 5
R_F = 8
R_P = 57
FIELD_BITS = 255
RATE = T - 1

#: the reference test vector for poseidonperm_x5_255_3
TEST_VECTOR_INPUT = (0, 1, 2)
TEST_VECTOR_OUTPUT = (
    0x28CE19420FC246A05553AD1E8C98F5C9D67166BE2C18E9E4CB4B4E317DD2A78A,
    0x51F3E312C95343A896CFD8945EA82BA956C1118CE9B9859B6EA56637B4B1DDC4,
    0x3B2B69139B235626A0BFB56C9527AE66A7BF486AD8C11C14D1DA0C69BBE0F79A,
)


def _grain_bits(field: int, sbox: int, n: int, t: int, r_f: int, r_p: int) -> Iterator[int]:
    """The Grain LFSR of the reference script: 80-bit state, 160 warm-up clocks, then self-shrinking output."""
    state: list[int] = []
    for value, width in ((field, 2), (sbox, 4), (n, 12), (t, 12), (r_f, 10), (r_p, 10)):
        state += [(value >> (width - 1 - i)) & 1 for i in range(width)]
    state += [1] * 30

    def clock() -> int:
        bit = state[62] ^ state[51] ^ state[38] ^ state[23] ^ state[13] ^ state[0]
        state.pop(0)
        state.append(bit)
        return bit

    for _ in range(160):
        clock()
    while True:
        bit = clock()
        while bit == 0:  # a 0 discards the next bit; take the pair after
            clock()
            bit = clock()
        yield clock()


def _field_element(bits: Iterator[int], n: int) -> int:
    value = 0
    for _ in range(n):
        value = (value << 1) | next(bits)
    return value


@cache
def parameters() -> tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]:
    """(round constants, MDS matrix) of the instance, from the Grain LFSR (field = 1: F_p; sbox = 0: x^alpha)."""
    bits = _grain_bits(1, 0, FIELD_BITS, T, R_F, R_P)
    constants = []
    for _ in range((R_F + R_P) * T):
        c = _field_element(bits, FIELD_BITS)
        while c >= R:
            c = _field_element(bits, FIELD_BITS)
        constants.append(c)
    while True:
        points = [_field_element(bits, FIELD_BITS) % R for _ in range(2 * T)]
        if len(set(points)) != 2 * T:
            continue
        xs, ys = points[:T], points[T:]
        if any((x + y) % R == 0 for x in xs for y in ys):
            continue
        mds = tuple(tuple(pow(x + y, -1, R) for y in ys) for x in xs)
        return tuple(constants), mds


def permute(state: Sequence[int]) -> list[int]:
    """The Poseidon permutation: R_F/2 full rounds, R_P partial rounds, R_F/2 full rounds (ARC, S-box, MDS)."""
    if len(state) != T:
        fail("BAD_LENGTH", f"Poseidon state has {T} elements")
    if any(not 0 <= v < R for v in state):
        fail("SCALAR_OUT_OF_RANGE", "Poseidon state element is not a field element")
    constants, mds = parameters()
    s = list(state)
    for rnd in range(R_F + R_P):
        s = [(v + constants[rnd * T + i]) % R for i, v in enumerate(s)]
        if rnd < R_F // 2 or rnd >= R_F // 2 + R_P:
            s = [pow(v, ALPHA, R) for v in s]
        else:
            s[0] = pow(s[0], ALPHA, R)
        s = [sum(m * v for m, v in zip(row, s)) % R for row in mds]
    return s


def capacity_iv(length: int) -> int:
    """The capacity's initial value for a fixed-length hash of ``length`` elements to one output: length * 2^64."""
    return (length << 64) % R


def poseidon_hash(inputs: Sequence[int]) -> int:
    """Sponge: state = [length*2^64, 0, 0]; absorb 2 elements at a time into lanes 1, 2 (zero-padded), permuting
    after each block; the digest is lane 1. Inputs must be field elements (< r)."""
    if not inputs:
        fail("BAD_LENGTH", "Poseidon hash of an empty sequence")
    for x in inputs:
        if not 0 <= x < R:
            fail("SCALAR_OUT_OF_RANGE", "Poseidon input is not a field element")
    state = [capacity_iv(len(inputs)), 0, 0]
    for i in range(0, len(inputs), RATE):
        block = list(inputs[i:i + RATE]) + [0] * (RATE - len(inputs[i:i + RATE]))
        state = permute([state[0], (state[1] + block[0]) % R, (state[2] + block[1]) % R])
    return state[1]
