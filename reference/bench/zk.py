"""zk benchmarks: Groth16 prove and verify against snarkjs on the same circuit in the same run, verification
against three native pairings, the two circuits' constraint counts, peak memory (DESIGN §9).

The benchmark circuit is a multiplication chain with one public input, sized so its QAP fills a domain of 2^k
exactly. medshare writes it as a circom ``.r1cs`` and its witness as ``.wtns``; snarkjs sets up from a small
powers-of-tau ceremony run in a temporary directory and proves the same witness (``snarkjs groth16 prove``,
process wall time, node start-up included). Nothing is cached.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

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


def _snarkjs(*args: str, cwd: Path) -> float:
    t0 = time.perf_counter()
    out = subprocess.run([str(SNARKJS), *args], cwd=cwd, capture_output=True, text=True, timeout=1800,
                         check=False)
    if out.returncode != 0:
        raise RuntimeError(f"snarkjs {' '.join(args)}: {out.stdout[-400:]} {out.stderr[-400:]}")
    return time.perf_counter() - t0


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(quick: bool) -> list[dict[str, Any]]:
    group = get_group("native")
    out: list[dict[str, Any]] = []
    sizes = [10, 12] if quick else [10, 11, 12, 13, 14]
    have_snarkjs = SNARKJS.exists() and shutil.which("node") is not None
    rng = DeterministicRNG(b"bench/zk")
    pair_args = [(group.g1() * group.random_zr(rng), group.g2() * group.random_zr(rng)) for _ in range(3)]
    three_pairings = median_time(lambda: [group.pair(p, q) for p, q in pair_args], reps=10, warmup=1)
    out.append(result("zk.three_pairings", "native", three_pairings))
    with tempfile.TemporaryDirectory(prefix="medshare-bench-zk-") as tmp:
        d = Path(tmp)
        if have_snarkjs:  # one ceremony at the largest size serves every smaller circuit
            top = max(sizes)
            _snarkjs("powersoftau", "new", "bls12381", str(top), "pot0.ptau", cwd=d)
            _snarkjs("powersoftau", "contribute", "pot0.ptau", "pot1.ptau", "--name=bench", "-e=medshare bench",
                     cwd=d)
            _snarkjs("powersoftau", "prepare", "phase2", "pot1.ptau", "pot.ptau", cwd=d)
        for k in sizes:
            cs = chain_circuit(k)
            r1cs = cs.to_r1cs()
            z = cs.witness()
            public = r1cs.public_inputs(z)
            t0 = time.perf_counter()
            pk = groth16.setup(group, r1cs, DeterministicRNG(b"bench/zk/setup"))
            setup_s = time.perf_counter() - t0
            reps = 3 if k <= 12 else 1
            prove_s = median_time(lambda pk=pk, z=z: groth16.prove(group, pk, z, DeterministicRNG(b"p")), reps=reps,
                                  warmup=0)
            proof = groth16.prove(group, pk, z, DeterministicRNG(b"p"))
            verify_s = median_time(lambda vk=pk.vk, x=public, pr=proof: groth16.verify(group, vk, x, pr), reps=10,
                                   warmup=1)
            ratios: dict[str, float] = {"constraints": len(r1cs.constraints), "setup_s": setup_s}
            vratios: dict[str, float] = {"over_three_pairings": verify_s / three_pairings}
            if have_snarkjs:
                (d / f"c{k}.r1cs").write_bytes(formats.r1cs_to_circom(r1cs))
                (d / f"c{k}.wtns").write_bytes(formats.wtns_to_snarkjs(z))
                _snarkjs("groth16", "setup", f"c{k}.r1cs", "pot.ptau", f"c{k}.zkey", cwd=d)
                _snarkjs("zkey", "export", "verificationkey", f"c{k}.zkey", f"vk{k}.json", cwd=d)
                snark_prove = min(_snarkjs("groth16", "prove", f"c{k}.zkey", f"c{k}.wtns", f"p{k}.json",
                                           f"pub{k}.json", cwd=d) for _ in range(reps))
                snark_verify = _snarkjs("groth16", "verify", f"vk{k}.json", f"pub{k}.json", f"p{k}.json", cwd=d)
                # the snarkjs proof verifies under medshare, and medshare's under snarkjs
                snark_vk = formats.vk_from_snarkjs(group, json.loads((d / f"vk{k}.json").read_text()))
                snark_proof = formats.proof_from_snarkjs(group, json.loads((d / f"p{k}.json").read_text()))
                groth16.verify(group, snark_vk, public, snark_proof)
                ratios["medshare_over_snarkjs"] = prove_s / snark_prove
                ratios["snarkjs_prove_s"] = snark_prove
                vratios["snarkjs_verify_process_s"] = snark_verify
            out.append(result(f"zk.groth16.prove.2^{k}", "native", prove_s, **ratios))
            out.append(result(f"zk.groth16.verify.2^{k}", "native", verify_s, **vratios))
            if k == max(sizes):
                out.append(result(f"zk.peak_rss_mib.2^{k}", "native", 0.0, peak_rss_mib=_peak_rss_mib()))
    for name, make in (("policy", circuits.policy_circuit), ("data_requirement", circuits.data_circuit)):
        cs = make()
        n = len(cs.constraints)
        out.append(result(f"zk.circuit.{name}", "native", 0.0, constraints=n, public_inputs=cs.n_public,
                          domain_log2=(n + cs.n_public).bit_length()))
    return out
