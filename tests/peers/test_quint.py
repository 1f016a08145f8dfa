"""The Quint peer: the Quint versions of the two models (models/quint/) simulated by the real Quint
(`@informalsystems/quint` from npm, its TypeScript simulator, offline) with `quint run --out-itf`, and each trace
replayed against the executable spec. Quint writes no constants: they come from the manifest configuration the
Quint module instantiates (models/bridge.md, "The Quint peer")."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from medshare.models.replay import load_trace, replay_file

from medshare.cli import app

pytestmark = [pytest.mark.peers]

ROOT = Path(__file__).resolve().parents[2]
QUINT = ROOT / "node_modules" / ".bin" / "quint"
MODELS = ROOT / "models" / "quint"

if not (QUINT.exists() and shutil.which("node")):
    pytest.skip("quint not installed (./run setup)", allow_module_level=True)

#: module, the invariants Quint checks while it simulates, the configuration and constants replay uses
RUNS = {
    "pbft": (["agreement", "validity"], "MCPBFT_small", {}),
    "sharing": (["accessSoundness", "cpcBlindness", "noReplay", "auditTrail"], "MCSharing_small", {"MaxReq": 2}),
}


def quint_run(module: str, out: Path, traces: int, steps: int, seed: int) -> list[Path]:
    invariants, _, _ = RUNS[module]
    cmd = [str(QUINT), "run", str(MODELS / f"{module}.qnt"), "--main", module, "--backend", "typescript",
           "--seed", str(seed), "--max-samples", str(traces), "--n-traces", str(traces), "--max-steps", str(steps),
           "--invariants", *invariants, "--out-itf", str(out / f"{module}_{{seq}}.itf.json")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "[ok] No violation found" in proc.stdout, proc.stdout + proc.stderr
    return sorted(out.glob(f"{module}_*.itf.json"))


@pytest.fixture(scope="module")
def quint_traces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    out = tmp_path_factory.mktemp("quint")
    return {module: quint_run(module, out, traces=6, steps=30, seed=17) for module in RUNS}


@pytest.mark.parametrize("module", sorted(RUNS))
def test_quint_traces_replay_against_the_spec(module: str, quint_traces: dict[str, list[Path]]) -> None:
    files = quint_traces[module]
    assert len(files) == 6
    _, config, constants = RUNS[module]
    for path in files:
        trace = load_trace(path)
        assert "model" not in trace["#meta"] and "tag" in trace["states"][1]["act"]  # as Quint writes it
        report = replay_file(path, model=config, constants=constants)
        assert report.ok, (path.name, report.summary())
        assert report.steps == len(trace["states"]) - 1 >= 10


def test_quint_trace_through_the_command_line(quint_traces: dict[str, list[Path]], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    path = quint_traces["sharing"][0]
    out = tmp_path / "r.json"
    res = CliRunner().invoke(app, ["trace", "replay", str(path), "--model", "MCSharing_small", "--const", "MaxReq=2",
                                   "--json", str(out)])
    assert res.exit_code == 0, res.output
    summary = json.loads(out.read_text())
    assert summary["model"] == "Sharing" and summary["steps"] == 30
    res = CliRunner().invoke(app, ["trace", "replay", str(path), "--json", str(out)])
    assert res.exit_code == 2 and json.loads(out.read_text())["error"] == "TRACE_MALFORMED"
