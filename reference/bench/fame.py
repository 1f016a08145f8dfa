"""FAME benchmarks: keygen, encrypt and decrypt against the number of attributes (policy: an and of n
attributes, key: the same n attributes). Each native time is compared with the group operations the call
performs: :class:`CountingGroup` counts and records them, and the recorded operations are replayed, alternating
with the call, in the same run (``measured_over_group_ops``); the sum of counts times each kind's isolated time is
reported too (``measured_over_isolated_primitives``). The reference backend runs the smallest sizes.

Times are CPU time of this process (``time.process_time``), medians of repeated runs: on shared cores wall time
mostly measures the other processes."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...spec.crypto import fame
from ...spec.group import PairingGroup, Zr
from ...spec.policy import Policy
from ...spec.rng import DeterministicRNG
from ..backends import get_group
from .counting import CountingGroup
from .timing import median_time, result

SIZES_QUICK = (1, 5, 10)
SIZES_FULL = (1, 2, 5, 10, 20, 30, 40, 50)
OPS = ("keygen", "encrypt", "decrypt")
CLOCK = time.process_time


def _names(n: int) -> list[str]:
    return [f"att{i:02d}" for i in range(n)]


def _calls(G: PairingGroup, n: int, seed: bytes) -> dict[str, Callable[[], Any]]:
    """The three operations at size n, on group G, with their inputs prepared."""
    rng = DeterministicRNG(seed)
    pk, msk = fame.setup(G, rng)
    names = _names(n)
    policy = Policy.of(" and ".join(names))
    sk = fame.keygen(G, msk, names, rng)
    key, ct = fame.encrypt(G, pk, policy, rng)
    assert fame.decrypt(G, sk, ct) == key
    return {"keygen": lambda: fame.keygen(G, msk, names, rng),
            "encrypt": lambda: fame.encrypt(G, pk, policy, rng),
            "decrypt": lambda: fame.decrypt(G, sk, ct)}


def count_ops(n: int) -> dict[str, Counter[str]]:
    """The group operations each of keygen, encrypt, decrypt performs at size n."""
    return {op: counts for op, (counts, _) in record_ops(n).items()}


def record_ops(n: int) -> dict[str, tuple[Counter[str], list[Callable[[], Any]]]]:
    """Per operation at size n: the counts of its group operations, and the operations themselves (thunks on the
    native group's values) for replay."""
    C = CountingGroup(get_group("native"))
    calls = _calls(C, n, b"bench/fame/count")
    out = {}
    for op in OPS:
        C.tally.clear()
        calls[op]()
        out[op] = (Counter(C.tally.counts), list(C.tally.trace))
    return out


def _replay(trace: list[Callable[[], Any]]) -> Callable[[], None]:
    def run() -> None:
        for thunk in trace:
            thunk()

    return run


def _primitive(G: PairingGroup, kind: str, rng: DeterministicRNG) -> Callable[[], Any]:
    a = G.random_zr(rng)
    p, q = G.g1() * a, G.g2() * a
    t = G.pair(p, q)
    if kind.startswith("msm_g1_") or kind.startswith("multi_pairing_"):
        m = int(kind.removesuffix("_ones").rsplit("_", 1)[1])
        points = [G.g1() * G.random_zr(rng) for _ in range(m)]
        scalars = [Zr(1) if kind.endswith("_ones") else G.random_zr(rng) for _ in range(m)]
        if kind.startswith("msm"):
            return lambda: G.msm_g1(points, scalars)
        pairs = [(pt, G.g2() * s) for pt, s in zip(points, scalars, strict=True)]
        return lambda: G.multi_pairing(pairs)
    counter = iter(range(1 << 30))
    table: dict[str, Callable[[], Any]] = {
        "g1_mul": lambda: p * a, "g2_mul": lambda: q * a, "g1_add": lambda: p + p, "g2_add": lambda: q + q,
        "g1_neg": lambda: -p, "g2_neg": lambda: -q, "gt_exp": lambda: t ** a, "gt_mul": lambda: t * t,
        "pairing": lambda: G.pair(p, q),
        "hash_to_g1": lambda: G.hash_to_g1(next(counter).to_bytes(8, "big"), b"MEDSHARE-V1-BENCH"),
    }
    return table[kind]


def paired_medians(fn: Callable[[], Any], ref: Callable[[], Any], reps: int) -> tuple[float, float]:
    """Median CPU times of ``fn`` and ``ref``, run alternately so both see the same conditions."""
    fn(), ref()
    a, b = [], []
    for _ in range(reps):
        for f, samples in ((fn, a), (ref, b)):
            t0 = CLOCK()
            f()
            samples.append(CLOCK() - t0)
    return statistics.median(a), statistics.median(b)


def run(quick: bool) -> list[dict[str, Any]]:
    native = get_group("native")
    sizes = SIZES_QUICK if quick else SIZES_FULL
    reps = 3 if quick else 5
    rng = DeterministicRNG(b"bench/fame/primitives")
    recorded = {n: record_ops(n) for n in sizes}
    kinds = sorted({k for per_op in recorded.values() for c, _ in per_op.values() for k in c})
    unit = {k: median_time(_primitive(native, k, rng), reps=reps * 3, warmup=1, clock=CLOCK) for k in kinds}

    out: list[dict[str, Any]] = []
    native_s: dict[tuple[str, int], float] = {}
    for n in sizes:
        calls = _calls(native, n, b"bench/fame/time")
        for op in OPS:
            counts, trace = recorded[n][op]
            s, replay_s = paired_medians(calls[op], _replay(trace), reps)
            native_s[op, n] = s
            isolated = sum(c * unit[k] for k, c in counts.items())
            r = result(f"fame.{op}.n{n}", "native", s, measured_over_group_ops=s / replay_s,
                       measured_over_isolated_primitives=s / isolated)
            r.update(attributes=n, group_ops=dict(sorted(counts.items())), group_ops_s=replay_s,
                     isolated_primitives_s=isolated)
            out.append(r)

    pure = get_group("pure")
    for n in (1,) if quick else (1, 2):
        calls = _calls(pure, n, b"bench/fame/time")
        for op in OPS:
            s = median_time(calls[op], reps=1, warmup=0, clock=CLOCK)
            r = result(f"fame.{op}.n{n}", "pure", s,
                       **({"reference_over_native": s / native_s[op, n]} if (op, n) in native_s else {}))
            r.update(attributes=n)
            out.append(r)
    return out


def plot(results: list[dict[str, Any]], outdir: Path) -> list[str]:
    """fame.png: time against attributes per operation (native measured, native group-operation cost, pure)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for op, colour in zip(OPS, ("tab:blue", "tab:orange", "tab:green"), strict=True):
        mine = [r for r in results if r["name"].startswith(f"fame.{op}.") and r["backend"] == "native"]
        mine.sort(key=lambda r: r["attributes"])
        if not mine:
            continue
        xs = [r["attributes"] for r in mine]
        ax.plot(xs, [r["median_s"] for r in mine], "o-", color=colour, label=f"{op} (native)")
        ax.plot(xs, [r["group_ops_s"] for r in mine], "--", color=colour, alpha=0.6, label=f"{op} group ops")
        ref = [r for r in results if r["name"].startswith(f"fame.{op}.") and r["backend"] == "pure"]
        if ref:
            ax.plot([r["attributes"] for r in ref], [r["median_s"] for r in ref], "x", color=colour, markersize=9,
                    label=f"{op} (pure)")
    ax.set_yscale("log")
    ax.set_xlabel("attributes (policy: and of n; key: n attributes)")
    ax.set_ylabel("seconds")
    ax.set_title("FAME CP-ABE on BLS12-381")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    path = outdir / "fame.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return [str(path)]
