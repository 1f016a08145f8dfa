"""The Node.js adapter over @noble/curves (conformance/examples/node-noble) through ``medshare conform``: it
answers and passes every group.* test, and the verdict on the whole suite is honest about the rest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from medshare.cli import app

pytestmark = pytest.mark.peers

ROOT = Path(__file__).resolve().parents[2]
ADAPTER = ROOT / "conformance" / "examples" / "node-noble" / "adapter.mjs"
NODE = shutil.which("node")

if not (NODE and (ROOT / "node_modules" / "@noble" / "curves").is_dir()):
    pytest.skip("node or @noble/curves not installed (./run setup)", allow_module_level=True)

IMPL = f"{NODE} {ADAPTER}"


def conform(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    out = tmp_path / "summary.json"
    result = CliRunner().invoke(app, ["conform", "--impl", IMPL, *args, "--json", str(out)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(out.read_text()), result.output


def test_the_node_adapter_passes_every_group_test(tmp_path: Path) -> None:
    code, data, _ = conform(tmp_path, "--only", "group.")
    assert data["failures"] == [] and code == 0
    assert data["verdict"] == "pass" and data["passed"] == data["total"] >= 500
    assert data["coverage"]["complete"] == ["group.g1", "group.g2", "group.gt", "group.hash", "group.pairing",
                                            "group.zr"]
    assert data["specVersion"] == "medshare-spec-0.1" and "noble" in data["implementation"]


def test_on_the_whole_suite_the_verdict_is_incomplete_or_partial(tmp_path: Path) -> None:
    code, data, output = conform(tmp_path)
    assert code == 1 and data["verdict"] == "incomplete" and not data["ok"]
    assert data["failed"] == 0 and 0 < data["coverage"]["ratio"] < 1
    assert "crypto.fame" in data["coverage"]["missing"] and not data["coverage"]["partial"]
    assert "--allow-partial" in output
    code, data, _ = conform(tmp_path, "--allow-partial")
    assert code == 0 and data["verdict"] == "partial" and data["ok"]
    assert data["coverage"]["answered"] == data["passed"] == sum(
        v["total"] for k, v in data["components"].items() if k.startswith("group."))
