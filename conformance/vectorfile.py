"""Vector and trace files (docs/design.md §6): schema validation, the checks JSON Schema cannot make, canonical JSON.

A file is valid when it validates against ``schemas/vectors.schema.json`` (``"schema": "medshare/v1/vectors"``)
or ``schemas/trace.schema.json`` (``"medshare/v1/traces"``) and, beyond the schema: ``numberOfTests`` is the
number of tests, ``tcId`` values are unique in the file, every flag a test uses is defined in ``notes``, and
every error code is one of ``spec/errors.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from ..spec.errors import CODES, fail

SCHEMA_DIR = Path(__file__).parent / "schemas"
VECTORS = "medshare/v1/vectors"
TRACES = "medshare/v1/traces"
SCHEMA_FILES = {VECTORS: "vectors.schema.json", TRACES: "trace.schema.json"}


@cache
def _validators() -> dict[str, Draft202012Validator]:
    schemas = {name: json.loads((SCHEMA_DIR / f).read_text()) for name, f in SCHEMA_FILES.items()}
    registry: Registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values())
    out = {}
    for name, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
        out[name] = Draft202012Validator(schema, registry=registry)
    return out


def iter_tests(doc: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(group params, test) for every test of a vector or trace file, in file order."""
    for group in doc.get("testGroups", []):
        for test in group.get("tests", []):
            yield group.get("params", {}), test


def problems(doc: Any) -> list[str]:
    """Every reason ``doc`` is not a valid vector or trace file (empty if it is valid)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("schema"), str) or doc["schema"] not in SCHEMA_FILES:
        return [f"'schema' must be one of {sorted(SCHEMA_FILES)}"]
    validator = _validators()[doc["schema"]]
    errors = [f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}"
              for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))]
    if errors:
        return errors[:20]
    out: list[str] = []
    tests = [t for _, t in iter_tests(doc)]
    if doc["numberOfTests"] != len(tests):
        out.append(f"numberOfTests is {doc['numberOfTests']} but the file has {len(tests)} tests")
    seen: set[int] = set()
    for t in tests:
        tc = t["tcId"]
        if tc in seen:
            out.append(f"tcId {tc} is not unique")
        seen.add(tc)
        for flag in t["flags"]:
            if flag not in doc["notes"]:
                out.append(f"tcId {tc}: flag {flag!r} is not defined in notes")
        codes = [t["error"]] if "error" in t else []
        codes += [s["expect"]["error"] for s in t.get("steps", []) if "error" in s["expect"]]
        for code in codes:
            if code not in CODES:
                out.append(f"tcId {tc}: error code {code!r} is not in spec/errors.py")
    return out


def validate(doc: Any, where: str = "vector file") -> None:
    """Raise ``VECTOR_SCHEMA_INVALID`` listing the problems of ``doc``, if any."""
    found = problems(doc)
    if found:
        fail("VECTOR_SCHEMA_INVALID", f"{where}: " + "; ".join(found[:10]))


def canonical_json(doc: Any) -> bytes:
    """The committed form: sorted keys, two-space indentation, UTF-8, one trailing newline."""
    return (json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode()


def is_invalid(test: dict[str, Any]) -> bool:
    """A vector test expecting an error, or a trace with at least one step expecting one."""
    if test.get("result") == "invalid":
        return True
    return any(s["expect"]["result"] == "invalid" for s in test.get("steps", []))


def op_name(doc: dict[str, Any]) -> str:
    """The adapter op of a file: ``<component>.<operation>``."""
    return f"{doc['component']}.{doc['operation']}"
