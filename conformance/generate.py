"""``medshare vectors generate``: run every generator, validate, write canonical files and the index.

Output: ``<out>/<component>/<operation>.json`` (canonical JSON, vectorfile.canonical_json) and
``<out>/index.json`` listing every file with its SHA-256 and test counts. Generation is deterministic: a second
run writes the same bytes (CI regenerates into a temporary directory and compares with the committed files).
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from .. import SPEC_VERSION
from ..spec.errors import fail
from . import registry
from .vectorfile import canonical_json, is_invalid, iter_tests, validate

DEFAULT_DIR = Path(__file__).parent / "vectors"
INDEX = "index.json"


def build_all() -> tuple[dict[str, bytes], dict[str, Any]]:
    """Every generated file as {relative path: canonical bytes}, plus the index document."""
    files: dict[str, bytes] = {}
    entries = []
    for gen_name, generate in registry.load_generators().items():
        for doc in generate():
            rel = f"{doc.get('component')}/{doc.get('operation')}.json"
            validate(doc, f"{rel} (generator {gen_name})")
            if rel in files:
                fail("VECTOR_SCHEMA_INVALID", f"{rel} generated twice (generator {gen_name})")
            data = canonical_json(doc)
            files[rel] = data
            tests = [t for _, t in iter_tests(doc)]
            invalid = sum(is_invalid(t) for t in tests)
            entries.append({
                "path": rel,
                "schema": doc["schema"],
                "component": doc["component"],
                "operation": doc["operation"],
                "generator": gen_name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "numberOfTests": len(tests),
                "invalid": invalid,
            })
    entries.sort(key=lambda e: e["path"])
    total = sum(e["numberOfTests"] for e in entries)
    invalid = sum(e["invalid"] for e in entries)
    index = {
        "schema": "medshare/v1/index",
        "specVersion": SPEC_VERSION,
        "files": entries,
        "totals": {"files": len(entries), "tests": total, "invalid": invalid},
    }
    return files, index


def generate(out: Path | None = None) -> dict[str, Any]:
    """Write the suite into ``out`` (default: conformance/vectors); return a summary for the CLI."""
    out = Path(out) if out is not None else DEFAULT_DIR
    t0 = time.perf_counter()
    try:  # before the generators run: a directory that cannot be made is refused at once
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        fail("INVALID_ARGUMENT", f"cannot make the output directory {out}: {e.strerror}")
    files, index = build_all()
    written = changed = 0
    for rel, data in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            changed += 1
        path.write_bytes(data)
        written += 1
    removed = []
    if (out / INDEX).exists():  # a previous generation: remove files that no generator produces any more
        for path in sorted(out.glob("*/*.json")):
            rel = path.relative_to(out).as_posix()
            if rel not in files:
                path.unlink()
                removed.append(rel)
    (out / INDEX).write_bytes(canonical_json(index))
    totals = index["totals"]
    return {
        "ok": True,
        "out": str(out),
        "files": written,
        "changed": changed,
        "removed": removed,
        "tests": totals["tests"],
        "invalid": totals["invalid"],
        "invalidShare": round(totals["invalid"] / totals["tests"], 4) if totals["tests"] else 0.0,
        "seconds": round(time.perf_counter() - t0, 3),
    }
