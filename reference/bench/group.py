"""Group-layer benchmarks: each operation on both backends, the native/reference ratio measured in one run."""

from __future__ import annotations

from typing import Any

from ...spec.rng import DeterministicRNG
from ..backends import get_group
from .timing import median_time, result

MSM_TERMS = 256


def run(quick: bool) -> list[dict[str, Any]]:
    rng = DeterministicRNG(b"bench/group")
    out: list[dict[str, Any]] = []
    timings: dict[tuple[str, str], float] = {}
    for backend in ("native", "pure"):
        G = get_group(backend)
        slow = backend == "pure"
        reps = 1 if (slow and quick) else (3 if slow else (20 if quick else 100))
        a, b = G.random_zr(rng), G.random_zr(rng)
        p, q = G.g1() * a, G.g2() * b
        t = G.pair(p, q)
        msm_terms = 32 if (slow and quick) else MSM_TERMS
        points = [G.g1() * G.random_zr(rng) for _ in range(msm_terms)]
        scalars = [G.random_zr(rng) for _ in range(msm_terms)]
        ops = {
            "pairing": lambda: G.pair(p, q),
            "g1_mul": lambda: p * a,
            "g2_mul": lambda: q * a,
            "gt_exp": lambda: t ** a,
            f"msm_g1_{MSM_TERMS}": lambda: G.msm_g1(points, scalars),
        }
        for name, fn in ops.items():
            s = median_time(fn, reps=reps, warmup=0 if slow else 2)
            if name.startswith("msm") and msm_terms != MSM_TERMS:
                s *= MSM_TERMS / msm_terms  # the reference MSM is a sum of multiplications: linear in terms
            timings[(name, backend)] = s
    for (name, backend), s in timings.items():
        ratios: dict[str, float] = {}
        if backend == "native":
            ratios["reference_over_native"] = timings[(name, "pure")] / s
            if name.startswith("msm"):
                ratios["msm_over_naive_muls"] = s / (MSM_TERMS * timings[("g1_mul", "native")])
            if name == "gt_exp":
                ratios["gt_exp_over_pairing"] = s / timings[("pairing", "native")]
        out.append(result(f"group.{name}", backend, s, **ratios))
    return out
