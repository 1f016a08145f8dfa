"""The console script: subcommands listed, the JSON contract, honest refusal of what is not built."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from medshare.cli import app

runner = CliRunner()


def test_help_lists_design_subcommands() -> None:
    out = runner.invoke(app, ["--help"]).output
    for cmd in ("demo", "verify", "conform", "vectors", "check", "trace", "bench"):
        assert cmd in out


def test_verify_json_contract(tmp_path: Path) -> None:
    path = tmp_path / "v.json"
    result = runner.invoke(app, ["verify", "--stage", "group layer", "--json", str(path)])
    summary = json.loads(path.read_text())
    assert result.exit_code == 0 and summary["ok"] is True
    assert list(summary["stages"]) == ["group layer"]
    assert summary["stages"]["group layer"]["ok"] is True
    bad = runner.invoke(app, ["verify", "--stage", "nope"])
    assert bad.exit_code == 2


def test_bench_quick_group_json(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    result = runner.invoke(app, ["bench", "--quick", "--only", "group", "--json", str(path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(path.read_text())
    names = {r["name"] for r in summary["results"]}
    assert {"group.pairing", "group.g1_mul", "group.g2_mul", "group.gt_exp", "group.msm_g1_256"} <= names
    native = {r["name"]: r for r in summary["results"] if r["backend"] == "native"}
    assert native["group.pairing"]["ratios"]["reference_over_native"] > 1


def test_unknown_bench_group_is_a_typed_error(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    result = runner.invoke(app, ["bench", "--only", "nope", "--json", str(path)])
    assert result.exit_code == 2
    assert json.loads(path.read_text()) == {"ok": False, "command": "bench", "error": "INVALID_ARGUMENT",
                                            "message": json.loads(path.read_text())["message"]}
