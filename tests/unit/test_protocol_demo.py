"""``medshare demo``: the narrated scenario exits 0, every property holds, and the adversarial steps are refused
with their codes (docs/design.md §5 JSON contract)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from medshare.cli import app


def test_demo_json(tmp_path: Path) -> None:
    path = tmp_path / "demo.json"
    keep = tmp_path / "kept"
    result = CliRunner().invoke(app, ["demo", "--seed", "5", "--keep", str(keep), "--json", str(path)])
    summary = json.loads(path.read_text())
    assert result.exit_code == 0, result.output[-2000:]
    assert summary["ok"] is True
    assert summary["keys"] == "deterministic seed 5 (not for production)"
    assert "keys: deterministic seed 5 (not for production)" in result.output
    assert summary["properties"] == {n: True for n in ("access_soundness", "cpc_blindness", "anchor_consistency",
                                                         "authenticity", "no_replay", "attribute_privacy")}
    refused = {s["outcome"] for s in summary["steps"] if s["outcome"] != "ok"}
    assert {"POLICY_UNSATISFIED", "PROOF_INVALID", "REPLAYED_NONCE", "CFRAG_INVALID", "RECORD_REVOKED",
            "CERT_REVOKED", "RECEIPT_DUPLICATE", "DEVICE_UNKNOWN", "DEVICE_REVOKED"} <= refused
    assert all(s["ok"] for s in summary["steps"])
    phases = {s["phase"].split()[0] for s in summary["steps"]}
    assert phases == {str(i) for i in range(10)}

    _check_kept_ledgers(keep, summary)


def _check_kept_ledgers(keep: Path, summary: dict) -> None:  # type: ignore[type-arg]
    """``medshare node check`` on the demo's kept ledgers: every validator's ledger verifies against its chain's
    configuration; a deleted middle block is LEDGER_CORRUPT at that height (exit 1); the wrong chain is refused."""
    import sqlite3

    runner = CliRunner()
    for chain in ("mdc", "shc"):
        out = keep / f"{chain}.json"
        for i in range(4):
            result = runner.invoke(app, ["node", "check", str(keep / chain / f"node{i}.sqlite"), "--chain", chain,
                                         "--seed", "5", "--index", str(i), "--json", str(out)])
            report = json.loads(out.read_text())
            assert result.exit_code == 0, result.output[-2000:]
            assert report["ok"] is True and report["goodHeight"] == report["heights"] >= 2
    ledger = keep / "mdc" / "node1.sqlite"
    wrong = runner.invoke(app, ["node", "check", str(ledger), "--chain", "shc", "--seed", "5", "--json", "-"])
    assert wrong.exit_code == 1 and json.loads(wrong.stdout)["error"] == "LEDGER_CORRUPT"
    db = sqlite3.connect(ledger)
    db.execute("DELETE FROM blocks WHERE height = 2")
    db.commit()
    db.close()
    broken = runner.invoke(app, ["node", "check", str(ledger), "--chain", "mdc", "--seed", "5", "--json", "-"])
    report = json.loads(broken.stdout)
    assert broken.exit_code == 1 and report["error"] == "LEDGER_CORRUPT" and report["firstBadHeight"] == 2
    missing = runner.invoke(app, ["node", "check", str(keep / "absent.sqlite"), "--json", "-"])
    assert missing.exit_code == 2 and json.loads(missing.stdout)["error"] == "INVALID_ARGUMENT"
