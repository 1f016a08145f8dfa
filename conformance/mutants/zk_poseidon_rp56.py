"""Mutant: Poseidon with R_P = 56 partial rounds (the t = 4 count, a common copy-paste slip)."""

from __future__ import annotations

from typing import Any

from medshare.conformance.ops.zk import hex32, scalars
from medshare.spec.errors import fail
from medshare.spec.params import R
from medshare.spec.zk import poseidon


def _permute(state: list[int]) -> list[int]:
    if len(state) != 3:
        fail("BAD_LENGTH")
    if any(v >= R for v in state):
        fail("SCALAR_OUT_OF_RANGE")
    constants, mds = poseidon.parameters()
    s = list(state)
    r_f, r_p = 8, 56
    for rnd in range(r_f + r_p):
        s = [(v + constants[rnd * 3 + i]) % R for i, v in enumerate(s)]
        if rnd < r_f // 2 or rnd >= r_f // 2 + r_p:
            s = [pow(v, 5, R) for v in s]
        else:
            s[0] = pow(s[0], 5, R)
        s = [sum(m * v for m, v in zip(row, s)) % R for row in mds]
    return s


def permute(inp: dict[str, Any]) -> dict[str, Any]:
    return {"state": [hex32(v) for v in _permute(scalars(inp.get("state")))]}


def hash_(inp: dict[str, Any]) -> dict[str, Any]:
    xs = scalars(inp.get("inputs"))
    if not xs:
        fail("BAD_LENGTH")
    if any(x >= R for x in xs):
        fail("SCALAR_OUT_OF_RANGE")
    state = [poseidon.capacity_iv(len(xs)), 0, 0]
    for i in range(0, len(xs), 2):
        block = (xs[i:i + 2] + [0])[:2]
        state = _permute([state[0], (state[1] + block[0]) % R, (state[2] + block[1]) % R])
    return {"digest": hex32(state[1])}


MUTANT = {"name": "zk_poseidon_rp56", "bugType": "FUNCTIONALITY",
          "description": "Poseidon over BLS12-381 with 56 instead of 57 partial rounds",
          "overrides": {"zk.poseidon.permute": permute, "zk.poseidon.hash": hash_}}
