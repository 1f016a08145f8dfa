"""House style: ruff on the whole tree, mypy --strict on spec/ (STYLE.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_ruff_clean() -> None:
    out = subprocess.run([str(BIN / "ruff"), "check", "spec", "reference", "conformance", "models", "medshare", "tests"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:]


def test_mypy_strict_on_spec() -> None:
    out = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "spec"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:]
