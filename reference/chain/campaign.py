"""The seeded PBFT fault campaign: many tiny schedules (n = 4, a few blocks) under random network faults,
crash-restarts and Byzantine validators, each checked for safety (no two honest validators commit different
blocks at one height) and durability (no committed block or transaction lost across crashes)."""

from __future__ import annotations

import random
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...spec.chain.tx import MDC, Transaction
from .deploy import Deployment, make_deployment
from .sim import Faults, RunResult, Simulation

#: verification and signing outcomes shared by the campaign's nodes (keyed by key, message and signature)
CACHE: dict[bytes, Any] = {}


@lru_cache(maxsize=2)
def deployment(n: int = 4) -> Deployment:
    from ..backends import get_group
    return make_deployment(get_group("native"), f"campaign-{n}", n_mdc=n, n_shc=n, cache=CACHE)


@lru_cache(maxsize=8)
def workload(n: int, count: int) -> tuple[Transaction, ...]:
    dep = deployment(n)
    return tuple(dep.sign(Transaction.make(MDC, "DEVICE_REGISTER", f"mdc-v{i % n}", i, device=f"dev-{i}",
                                           ibe_identity=f"dev-{i}@mdc-v{i % n}")) for i in range(count))


def run_schedule(seed: int, *, n: int = 4, byzantine: int | None = None, workdir: Path | None = None,
                 max_ticks: int = 600) -> RunResult:
    """One schedule, entirely determined by ``seed``: faults, Byzantine members and behaviour, workload."""
    rng = random.Random(seed)
    f = (n - 1) // 3
    nbyz = rng.randrange(f + 1) if byzantine is None else byzantine
    members = rng.sample(range(n), nbyz)
    behaviour = rng.choice(["equivocate", "equivocate", "silent", "badsig", "replay"]) if nbyz <= f \
        else "equivocate"
    faults = Faults.random(rng)
    # the same two batches in every schedule, so that fault-free stretches repeat (and hit the shared cache)
    txs = workload(n, 6)
    later = rng.choice([8, 16, 30])
    dep = deployment(n)
    if workdir is None and Path("/dev/shm").is_dir():
        workdir = Path("/dev/shm")  # the ledgers are real SQLite files; crashes are simulated in-process
    with tempfile.TemporaryDirectory(prefix="medshare-campaign-", dir=workdir) as tmp:
        sim = Simulation(dep, dep.mdc, seed, byzantine=members, behaviour=behaviour, faults=faults,
                         workdir=Path(tmp))
        try:
            sim.submit(txs[:3])
            sim.submit(txs[3:], at=later)
            return sim.run(max_ticks=max_ticks)
        finally:
            sim.close()


def campaign(seeds: Iterable[int], **kw: Any) -> list[RunResult]:
    return [run_schedule(s, **kw) for s in seeds]
