"""No medshare code turns stored or received bytes into code: no pickle, marshal, shelve (or their relatives),
no unsafe YAML loading, no eval or exec builtins, anywhere in the tree — the spec, the reference system, the
conformance suite, the models, the package shim and the tests themselves. The allow-list is empty."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache",
             ".hypothesis", "build", "dist"}
SUFFIXES = {".py", ".js", ".mjs", ".cjs", ".ts", ".sh"}
SCRIPTS = {"run"}
#: (relative path, pattern name) pairs allowed to match; none are needed
ALLOWED: set[tuple[str, str]] = set()

_MODULES = r"(?:pickle|cPickle|_pickle|cloudpickle|dill|jsonpickle|marshal|shelve|copyreg|joblib)"
PATTERNS = {
    "deserialising import": re.compile(rf"^\s*(?:import|from)\s+{_MODULES}\b", re.M),
    "deserialising module use": re.compile(rf"\b{_MODULES}\s*\.\s*\w+"),
    "unsafe yaml load": re.compile(r"\byaml\s*\.\s*(?:load|load_all|unsafe_load|unsafe_load_all|full_load|"
                                   r"full_load_all)\s*\("),
    "eval or exec builtin": re.compile(r"(?<![\w.])(?:eval|exec)\s*\("),
    "builtins lookup of eval or exec": re.compile(r"""builtins\b.{0,20}['"](?:eval|exec)['"]"""),
}


def _files() -> list[Path]:
    out = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if any(part in SKIP_DIRS or part.endswith(".egg-info") for part in rel.parts):
            continue
        if path.is_file() and (path.suffix in SUFFIXES or path.name in SCRIPTS):
            out.append(path)
    return out


def _hits(text: str) -> list[tuple[str, str]]:
    return [(name, m.group(0)) for name, rx in PATTERNS.items() for m in rx.finditer(text)]


def test_the_patterns_catch_what_they_should_and_not_prose() -> None:
    caught = ["import " + "pickle", "from " + "marshal import loads", "x = shel" + "ve.open(p)",
              "yaml" + ".load(s)", "e" + "val(s)", "  exe" + "c(code)", "getattr(builtins, 'ev" + "al')",
              "copy" + "reg.pickle(T, f)"]
    for line in caught:
        assert _hits(line), line
    innocent = ["the snapshot is not a pickle", "yaml" + ".safe_load(s)", "_poly_eval(c, x)", "node.exec_step()",
                "spec.evaluate(x)", "ast.literal_ev" + "al(s)"]
    for line in innocent:
        assert not _hits(line), line


def test_no_deserialisation_that_can_run_code_in_the_tree() -> None:
    files = _files()
    assert len(files) > 100 and any(f.name == "node.py" for f in files)
    found = []
    for path in files:
        rel = str(path.relative_to(ROOT))
        for name, text in _hits(path.read_text(errors="replace")):
            if (rel, name) not in ALLOWED:
                found.append(f"{rel}: {name}: {text!r}")
    assert not found, "\n".join(found)
