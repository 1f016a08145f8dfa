"""zk benchmarks: Groth16 prove and verify against snarkjs on the same circuit, key and witness in the same run,
verification against three native pairings, the two circuits' constraint counts, peak memory (docs/design.md §9).

The benchmark circuit is a multiplication chain with one public input, sized so its QAP fills a domain of 2^k
exactly. For each size medshare sets up from a seeded rng (``groth16.setup_for_tests``: a benchmark's key) and
exports the same key as a snarkjs ``.zkey`` (``formats.zkey_to_snarkjs``, timed as ``export_s``);
the witness goes out as ``.wtns``. No ceremony runs: snarkjs proves with medshare's key, and its proof is checked
by medshare's verifier under medshare's verification key (and by ``snarkjs groth16 verify``).

What is timed:

* medshare prove and verify: medians of in-process calls (wall, and CPU time of this process); verification is
  compared with three separate native pairings (``over_three_pairings``, and ``_cpu`` on CPU time);
* snarkjs prove: the best of repeated ``snarkjs groth16 prove`` processes (wall, node start-up included, and the
  children's user + system CPU time, all of snarkjs's worker threads counted);
* ``snarkjs_startup_s``: the wall time of ``snarkjs --version`` (node start-up and loading the snarkjs CLI, which
  exits at once); ``snarkjs_prove_minus_startup_s`` subtracts it. snarkjs's prove also builds its wasm curve,
  which this does not remove.

``medshare_over_snarkjs`` is the wall ratio, ``medshare_over_snarkjs_cpu`` the CPU-time ratio (robust when other
processes share the cores; snarkjs uses both cores, medshare's arkworks MSMs may too). Peak RSS is this
process's maximum after the largest size (snarkjs runs in child processes: ``snarkjs_peak_rss_mib``).
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from ...spec import jsonio
from ...spec.rng import DeterministicRNG
from ...spec.zk import circuits, formats, groth16
from ...spec.zk.r1cs import Circuit
from ..backends import get_group
from .timing import median_time, result

ROOT = Path(__file__).resolve().parents[2]
SNARKJS = ROOT / "node_modules" / ".bin" / "snarkjs"


def chain_circuit(log_n: int, x: int | None = 3) -> Circuit:
    """2^k - 2 constraints x_{i+1} = x_i (x_i + i), one public input: the QAP has exactly 2^k rows."""
    cs = Circuit()
    pub = cs.public(x)
    cur = pub
    for i in range(2 ** log_n - 2):
        cur = cs.mul(cur, cur + (i + 1))
    return cs


def _snarkjs(*args: str, cwd: Path, ok_codes: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """(wall seconds, children's CPU seconds) of one snarkjs process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([str(SNARKJS), *args], cwd=cwd, capture_output=True, text=True, timeout=1800,
                         check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode not in ok_codes:
        raise RuntimeError(f"snarkjs {' '.join(args)}: {out.stdout[-400:]} {out.stderr[-400:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def run(quick: bool) -> list[dict[str, Any]]:
    group = get_group("native")
    out: list[dict[str, Any]] = []
    sizes = [10, 12] if quick else [10, 11, 12, 13, 14]
    have_snarkjs = SNARKJS.exists() and shutil.which("node") is not None
    rng = DeterministicRNG(b"bench/zk")
    pair_args = [(group.g1() * group.random_zr(rng), group.g2() * group.random_zr(rng)) for _ in range(3)]
    three_pairings = median_time(lambda: [group.pair(p, q) for p, q in pair_args], reps=10, warmup=1)
    three_pairings_cpu = median_time(lambda: [group.pair(p, q) for p, q in pair_args], reps=10, warmup=1,
                                     clock=time.process_time)
    out.append(result("zk.three_pairings", "native", three_pairings, cpu_s=three_pairings_cpu))
    with tempfile.TemporaryDirectory(prefix="medshare-bench-zk-") as tmp:
        d = Path(tmp)
        startup = 0.0
        if have_snarkjs:  # `snarkjs --version` prints its banner and exits with 99
            startup = statistics.median(_snarkjs("--version", cwd=d, ok_codes=(99,))[0] for _ in range(5))
            out.append(result("zk.snarkjs_startup", "node", startup))
        for k in sizes:
            cs = chain_circuit(k)
            r1cs = cs.to_r1cs()
            z = cs.witness()
            public = r1cs.public_inputs(z)
            t0 = time.perf_counter()
            pk = groth16.setup_for_tests(group, r1cs, DeterministicRNG(b"bench/zk/setup"))
            setup_s = time.perf_counter() - t0
            reps = 3 if k <= 12 else 2
            prove_s = median_time(lambda pk=pk, z=z: groth16.prove(group, pk, z, DeterministicRNG(b"p")), reps=reps,
                                  warmup=0)
            prove_cpu = median_time(lambda pk=pk, z=z: groth16.prove(group, pk, z, DeterministicRNG(b"p")),
                                    reps=reps, warmup=0, clock=time.process_time)
            proof = groth16.prove(group, pk, z, DeterministicRNG(b"p"))
            verify_s = median_time(lambda vk=pk.vk, x=public, pr=proof: groth16.verify(group, vk, x, pr), reps=10,
                                   warmup=1)
            ratios: dict[str, float] = {"constraints": len(r1cs.constraints), "setup_s": setup_s,
                                        "prove_cpu_s": prove_cpu}
            verify_cpu = median_time(lambda vk=pk.vk, x=public, pr=proof: groth16.verify(group, vk, x, pr), reps=10,
                                     warmup=1, clock=time.process_time)
            vratios: dict[str, float] = {"over_three_pairings": verify_s / three_pairings,
                                         "over_three_pairings_cpu": verify_cpu / three_pairings_cpu}
            if have_snarkjs:
                t0 = time.perf_counter()
                zkey = formats.zkey_to_snarkjs(group, pk)
                ratios["export_s"] = time.perf_counter() - t0
                (d / f"c{k}.zkey").write_bytes(zkey)
                (d / f"c{k}.wtns").write_bytes(formats.wtns_to_snarkjs(z))
                runs = [_snarkjs("groth16", "prove", f"c{k}.zkey", f"c{k}.wtns", f"p{k}.json", f"pub{k}.json", cwd=d)
                        for _ in range(reps)]
                snark_prove, snark_cpu = min(w for w, _ in runs), min(c for _, c in runs)
                (d / f"vk{k}.json").write_text(json.dumps(formats.vk_to_snarkjs(pk.vk)))
                snark_verify, _ = _snarkjs("groth16", "verify", f"vk{k}.json", f"pub{k}.json", f"p{k}.json", cwd=d)
                # snarkjs's proof, made with the exported key, verifies under medshare's verification key
                snark_proof = formats.proof_from_snarkjs(group, jsonio.loads((d / f"p{k}.json").read_bytes()))
                if formats.public_from_snarkjs(jsonio.loads((d / f"pub{k}.json").read_bytes())) != public:
                    raise RuntimeError("snarkjs public signals differ from medshare's")
                groth16.verify(group, pk.vk, public, snark_proof)
                ratios["medshare_over_snarkjs"] = prove_s / snark_prove
                ratios["medshare_over_snarkjs_cpu"] = prove_cpu / snark_cpu
                ratios["snarkjs_prove_s"] = snark_prove
                ratios["snarkjs_prove_cpu_s"] = snark_cpu
                ratios["snarkjs_prove_minus_startup_s"] = snark_prove - startup
                ratios["medshare_over_snarkjs_minus_startup"] = prove_s / (snark_prove - startup)
                vratios["snarkjs_verify_process_s"] = snark_verify
                (d / f"c{k}.zkey").unlink()
            out.append(result(f"zk.groth16.prove.2^{k}", "native", prove_s, **ratios))
            out.append(result(f"zk.groth16.verify.2^{k}", "native", verify_s, **vratios))
            if k == max(sizes):
                extra = {"snarkjs_peak_rss_mib": _peak_rss_mib(resource.RUSAGE_CHILDREN)} if have_snarkjs else {}
                out.append(result(f"zk.peak_rss_mib.2^{k}", "native", 0.0, peak_rss_mib=_peak_rss_mib(), **extra))
    for name, make in (("policy", circuits.policy_circuit), ("data_requirement", circuits.data_circuit)):
        cs = make()
        n = len(cs.constraints)
        out.append(result(f"zk.circuit.{name}", "native", 0.0, constraints=n, public_inputs=cs.n_public,
                          domain_log2=(n + cs.n_public).bit_length()))
    return out
