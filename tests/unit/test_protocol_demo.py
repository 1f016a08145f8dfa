"""``medshare demo``: the narrated scenario exits 0, every property holds, and the adversarial steps are refused
with their codes (DESIGN §5 JSON contract)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from medshare.cli import app


def test_demo_json(tmp_path: Path) -> None:
    path = tmp_path / "demo.json"
    result = CliRunner().invoke(app, ["demo", "--seed", "5", "--json", str(path)])
    summary = json.loads(path.read_text())
    assert result.exit_code == 0, result.output[-2000:]
    assert summary["ok"] is True
    assert summary["keys"] == "deterministic seed 5 (not for production)"
    assert "keys: deterministic seed 5 (not for production)" in result.output
    assert summary["properties"] == {n: True for n in ("access_soundness", "cpc_blindness", "anchor_consistency",
                                                         "authenticity", "no_replay", "attribute_privacy")}
    refused = {s["outcome"] for s in summary["steps"] if s["outcome"] != "ok"}
    assert {"POLICY_UNSATISFIED", "PROOF_INVALID", "REPLAYED_NONCE", "CFRAG_INVALID", "RECORD_REVOKED",
            "CERT_REVOKED", "RECEIPT_DUPLICATE", "DEVICE_UNKNOWN"} <= refused
    assert all(s["ok"] for s in summary["steps"])
    phases = {s["phase"].split()[0] for s in summary["steps"]}
    assert phases == {str(i) for i in range(10)}
