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


def _module(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts if parts[0] == "medshare" else ["medshare", *parts])


#: imports a module lists in ``__all__`` for readers that take them by name (``getattr``), not by import
READ_BY_NAME = {"spec/crypto/cbs.py": {"CERT_ID_TAG"}, "spec/crypto/ibe.py": {"READING_AD"}}  # test_identity_prose


def test_all_lists_no_import_kept_only_for_the_linter() -> None:
    """A name a module imports but does not use, listed in ``__all__``, is imported from it somewhere:
    ``__all__`` is what a module offers, not a place to keep an unused import alive."""
    root = SPEC.parent
    files = {_module(p, root): p for folder in ("spec", "reference", "conformance", "models", "medshare", "tests")
             for p in (root / folder).rglob("*.py")}
    taken: set[tuple[str, str]] = set()  # (module, name) imported from it, or read as an attribute of it
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        bound: dict[str, str] = {}
        tree = _tree(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
                source = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:
                    taken.add((source, alias.name))
                    bound[alias.asname or alias.name] = f"{source}.{alias.name}"
            elif isinstance(node, ast.Import):
                bound.update((a.asname, a.name) for a in node.names if a.asname)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound:
                taken.add((bound[node.value.id], node.attr))
    kept = []
    for module, path in sorted(files.items()):
        tree = _tree(path)
        imported = {a.asname or a.name for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)
                    for a in node.names}
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        where = str(path.relative_to(root))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
                names = [e.value for e in getattr(node.value, "elts", []) if isinstance(e, ast.Constant)]
                kept += [f"{where}: {n}" for n in names if n in imported and n not in used
                         and (module, n) not in taken and n not in READ_BY_NAME.get(where, ())]
    assert not kept, "imports listed in __all__ that no module takes from there:\n" + "\n".join(kept)
