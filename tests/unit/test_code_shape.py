"""The shape spec/README.md promises: scheme files are their algorithms, one byte reader, short functions.

The limits are the ones the prose states; a change that needs more room says so here and in spec/README.md.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SPEC = Path(__file__).resolve().parents[2] / "spec"
SCHEMES = ("fame", "cbs", "ibe", "umbral")
SCHEME_LINES = 250
#: the longest function anywhere in spec/ (lines from ``def`` to its last line)
FUNCTION_LINES = 60


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_scheme_file_is_its_algorithms(scheme: str) -> None:
    algorithms = SPEC / "crypto" / f"{scheme}.py"
    wire = SPEC / "crypto" / f"{scheme}_wire.py"
    assert wire.is_file(), f"{scheme}'s wire formats belong in {wire.name}"
    lines = len(algorithms.read_text().splitlines())
    assert lines <= SCHEME_LINES, f"{algorithms.name} has {lines} lines (at most {SCHEME_LINES})"


def test_one_byte_reader_in_spec() -> None:
    readers = sorted(f"{p.relative_to(SPEC)}:{node.name}" for p in SPEC.rglob("*.py")
                     for node in ast.walk(_tree(p)) if isinstance(node, ast.ClassDef) and "Reader" in node.name)
    assert readers == ["codec.py:Reader"]


def test_no_long_functions_in_spec() -> None:
    long = sorted((node.end_lineno - node.lineno + 1, f"{p.relative_to(SPEC)}:{node.name}")
                  for p in SPEC.rglob("*.py") for node in ast.walk(_tree(p))
                  if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.end_lineno is not None and node.end_lineno - node.lineno + 1 > FUNCTION_LINES)
    assert not long, f"functions over {FUNCTION_LINES} lines: {long}"


def test_no_module_alias_P_for_a_module() -> None:
    """``P`` is the field prime (spec/params.py); no module is imported under that name anywhere."""
    root = SPEC.parent
    offenders = [f"{p.relative_to(root)}:{node.lineno}"
                 for folder in ("spec", "reference", "conformance", "models", "medshare", "tests")
                 for p in (root / folder).rglob("*.py") for node in ast.walk(_tree(p))
                 if isinstance(node, ast.Import | ast.ImportFrom) and any(a.asname == "P" for a in node.names)]
    assert not offenders, offenders
