"""The operation contract: what every conformance op takes and returns (conformance/OPS.md, docs/design.md §6).

Each op has one file ``schemas/ops/<op>.json`` holding ``input`` and ``output`` (JSON Schemas, draft 2020-12)
and, for state-machine traces, ``step`` (the schema of one ``{action, args}`` step), with ``summary``,
``specRef``, ``kind`` (``vector`` or ``trace``) and ``errors`` (every code the op may answer). Shared types live in
``schemas/defs.schema.json``. Every property carries ``description`` (its meaning) and an ``encoding``, its own
or that of the type it refers to.

**The merge rule.** The request an adapter receives for a vector test is the test group's ``params`` with the
test's ``input`` laid over it (the test's keys win): ``{**params, **input}``. For a trace it is
``{"initial": …, **params, "steps": [{action, args}, …]}``. The ``input`` schemas describe that merged request.
Group parameters an op does not read are listed in its schema as informative.

Checks made here:

* :func:`vector_problems` — every test of a vector file against its op's contract, both ways: a test that expects
  ``BAD_JSON`` or ``BAD_HEX`` (the request is malformed JSON for the op) must *not* follow the input schema, every
  other request must; every expected output must follow the output schema. Traces: the request follows ``input``
  and each step follows ``step`` unless that step expects ``BAD_JSON`` or ``BAD_HEX``.
* :func:`reply_problem` — an adapter's reply to a request: ``output`` an object following the op's output
  schema, or ``error`` an error code.

``python -m medshare.conformance.contract`` writes ``OPS.md`` from the schemas and the committed vectors;
``--check`` only compares.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from .. import SPEC_VERSION
from ..spec.errors import CODES
from .vectorfile import SCHEMA_DIR, TRACES, iter_tests, op_name

OPS_DIR = SCHEMA_DIR / "ops"
DEFS_FILE = SCHEMA_DIR / "defs.schema.json"
OPS_MD = Path(__file__).parent / "OPS.md"
#: spec versions this runner can judge (an adapter's hello must name one of them)
KNOWN_SPEC_VERSIONS = (SPEC_VERSION,)
#: codes that mean "the request is not well-formed JSON for this op": the input schema rejects exactly these tests
WIRE_ERRORS = ("BAD_JSON", "BAD_HEX")
ERROR_CODE_MAX = 64
PARTS = ("input", "output", "step")


# Loading -----------------------------------------------------------------------------------------------------
@cache
def contracts() -> dict[str, dict[str, Any]]:
    """op name -> its contract document, for every file in ``schemas/ops``."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(OPS_DIR.glob("*.json")):
        doc = json.loads(path.read_text())
        out[doc["op"]] = doc
    return out


@cache
def defs() -> dict[str, Any]:
    return dict(json.loads(DEFS_FILE.read_text()))


@cache
def _registry() -> Registry:
    docs = [defs(), *contracts().values()]
    return Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in docs)


@cache
def validator(op: str, part: str) -> Draft202012Validator | None:
    """The validator of ``part`` (input, output or step) of ``op``'s contract; None if there is none."""
    doc = contracts().get(op)
    if doc is None or part not in doc:
        return None
    return Draft202012Validator({"$ref": f"{doc['$id']}#/{part}"}, registry=_registry())


def problems_of(op: str, part: str, instance: Any, limit: int = 3) -> list[str]:
    """Why ``instance`` does not follow ``part`` of ``op``'s contract (empty if it does or there is none)."""
    v = validator(op, part)
    if v is None:
        return []
    found = []
    for e in sorted(v.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path]):
        where = "/".join(str(p) for p in e.absolute_path) or "(top)"
        found.append(f"{where}: {_short(e.message)}")
        if len(found) >= limit:
            break
    return found


def _short(text: str, n: int = 160) -> str:
    return text if len(text) <= n else text[:n] + "…"


# The merge rule ----------------------------------------------------------------------------------------------
def vector_request(params: dict[str, Any], test: dict[str, Any]) -> dict[str, Any]:
    """The request for a vector test: the group's params with the test's input laid over them."""
    return {**params, **test["input"]}


def trace_request(params: dict[str, Any], test: dict[str, Any]) -> dict[str, Any]:
    """The request for a trace: its initial state, the group's params, and the steps without expectations."""
    return {"initial": test["initial"], **params,
            "steps": [{"action": s["action"], "args": s["args"]} for s in test["steps"]]}


# Vector files against the contract -----------------------------------------------------------------------------
def vector_problems(doc: dict[str, Any], where: str = "") -> list[str]:
    """Every way the tests of a (schema-valid) vector or trace file break their op's contract."""
    op = op_name(doc)
    if op not in contracts():
        return []
    prefix = f"{where}: " if where else ""
    out: list[str] = []
    for params, test in iter_tests(doc):
        tc = f"{prefix}tcId {test['tcId']}"
        if doc["schema"] == TRACES:
            out += [f"{tc}: input {p}" for p in problems_of(op, "input", trace_request(params, test))]
            for i, s in enumerate(test["steps"]):
                step = {"action": s["action"], "args": s["args"]}
                out += _two_sided(op, "step", step, s["expect"].get("error"), f"{tc} step {i}")
            continue
        out += _two_sided(op, "input", vector_request(params, test), test.get("error"), tc)
        if "output" in test:
            out += [f"{tc}: output {p}" for p in problems_of(op, "output", test["output"])]
    return out


def _two_sided(op: str, part: str, instance: Any, error: str | None, tc: str) -> list[str]:
    found = problems_of(op, part, instance)
    if error in WIRE_ERRORS:
        return [] if found else [f"{tc}: expects {error} but its {part} follows the contract"]
    return [f"{tc}: {part} {p}" for p in found]


# Adapter replies -------------------------------------------------------------------------------------------------
def reply_problem(op: str, reply: dict[str, Any]) -> str | None:
    """Why a protocol reply (an object with a boolean ``ok``) to a request for ``op`` is malformed, or None."""
    if reply["ok"]:
        output = reply.get("output")
        if "output" not in reply:
            return "ok reply without an output"
        if not isinstance(output, dict):
            return f"output is {_json_type(output)}, not an object"
        found = problems_of(op, "output", output, limit=2)
        return f"output breaks the contract of {op}: " + "; ".join(found) if found else None
    error = reply.get("error")
    if not is_error_code(error):
        return f"error is not an error code: {_short(json.dumps(error), 60)}"
    if "message" in reply and not isinstance(reply["message"], str):
        return f"message is {_json_type(reply['message'])}, not a string"
    return None


def is_error_code(value: Any) -> bool:
    return (isinstance(value, str) and 0 < len(value) <= ERROR_CODE_MAX and value[0].isascii() and value[0].isupper()
            and all(c.isascii() and (c.isupper() or c.isdigit() or c == "_") for c in value))


def _json_type(value: Any) -> str:
    return {type(None): "null", bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "an object"}.get(type(value), type(value).__name__)


# The reference page ------------------------------------------------------------------------------------------------
def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Follow ``$ref`` into the shared types (one level at a time) until a schema with a type or encoding."""
    seen = 0
    while "$ref" in schema and seen < 8:
        name = schema["$ref"].rsplit("/", 1)[-1]
        target = defs()["$defs"][name]
        merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        merged["_type"] = schema.get("_type", name)
        if "$ref" in target:
            merged["$ref"] = target["$ref"]
        else:
            merged.pop("$ref", None)
        schema = merged
        seen += 1
    return schema


def encoding_of(schema: dict[str, Any]) -> str:
    """The encoding of a property: its own ``encoding``, else its type's, else a description of its JSON type;
    with the code for a value that is not a string where the field says (``nonString``)."""
    text = _encoding(schema)
    if "nonString" in schema:
        text += f"; not a string: `{schema['nonString']}`"
    return text


def _encoding(schema: dict[str, Any]) -> str:
    if "encoding" in schema:
        return str(schema["encoding"])
    if "$ref" in schema:
        target = _resolve(schema)
        if "encoding" in target:
            t = target.get("_type")
            return f"{target['encoding']}" + (f" ([{t}](#type-{t.lower()}))" if t in _linked_types() else "")
        return encoding_of(target)
    if "anyOf" in schema:
        return " or ".join(encoding_of(s) for s in schema["anyOf"])
    if "const" in schema:
        return f"the constant {json.dumps(schema['const'])}"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{json.dumps(v)}`" for v in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items", {})
        return f"list of: {encoding_of(items)}"
    if kind == "object" and "additionalProperties" in schema and isinstance(schema["additionalProperties"], dict):
        return f"object: {encoding_of(schema['additionalProperties'])} values"
    if kind == "object" and any("nonString" in p for p in schema.get("properties", {}).values()):
        return "object {" + ", ".join(f"{k}: {encoding_of(p)}" for k, p in schema["properties"].items()) + "}"
    if kind == "object":
        return "object {" + ", ".join(schema.get("properties", {})) + "}"
    if kind == "integer":
        lo, hi = schema.get("minimum"), schema.get("maximum")
        return "JSON integer" + (f" >= {lo}" if lo is not None and hi is None else "") + (
            f" in [{lo}, {hi}]" if lo is not None and hi is not None else "")
    if kind in ("string", "boolean", "null"):
        return f"JSON {kind}"
    return "any JSON value"


@cache
def _linked_types() -> frozenset[str]:
    """Shared types with their own section in OPS.md (objects with fields)."""
    return frozenset(k for k, v in defs()["$defs"].items() if v.get("type") == "object" and "properties" in v
                     or "oneOf" in v)


def _fields_table(schema: dict[str, Any], part: str = "input") -> list[str]:
    props = schema.get("properties", {})
    required = set(schema.get("required", []))
    rows = ["| field | required | encoding | meaning |", "|---|---|---|---|"]
    informative = []
    for name, p in props.items():
        desc = str(p.get("description", ""))
        if desc.startswith("informative group parameter"):
            informative.append(f"`{name}`")
            continue
        rows.append(f"| `{name}` | {'yes' if name in required else 'no'} | {_cell(encoding_of(p))} | {_cell(desc)} |")
    if len(rows) == 2:
        rows = ["(no fields)"]
    if informative:
        rows += ["", f"Informative group parameters (sent, not read): {', '.join(informative)}."]
    if part == "output":
        rows += ["", "No other fields (the output is compared whole with the expected one)."]
    else:
        strict = schema.get("additionalProperties") is False
        rows += ["", "Other fields: " + ("refused with `BAD_JSON`." if strict else "ignored.")]
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _shorten(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 200:
        return f"{value[:66]}…({len(value) - 2} hex digits)" if value.startswith("0x") else value[:120] + "…"
    if isinstance(value, list):
        return [_shorten(v) for v in value[:3]] + ([f"… {len(value) - 3} more"] if len(value) > 3 else [])
    if isinstance(value, dict):
        return {k: _shorten(v) for k, v in value.items()}
    return value


def _dump(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _example(doc: dict[str, Any]) -> list[str]:
    for params, test in iter_tests(doc):
        if doc["schema"] == TRACES:
            req = trace_request(params, test)
            req["steps"] = req["steps"][:2]
            exp = {"steps": [s["expect"] for s in test["steps"][:2]]}
            return [f"Example (tcId {test['tcId']}, the first two steps; long values shortened):", "", "```json",
                    _dump({"op": op_name(doc), "input": _shorten(req)}), _dump({"ok": True, "output": _shorten(exp)}), "```"]
        if test["result"] == "valid":
            return [f"Example (tcId {test['tcId']}: {test['comment']}; long values shortened):", "", "```json",
                    _dump({"op": op_name(doc), "input": _shorten(vector_request(params, test))}),
                    _dump({"ok": True, "output": _shorten(test["output"])}), "```"]
    return []


def render_ops_md(vectors: Path | None = None) -> str:
    """The reference page: one section per component, one subsection per op, then the shared types."""
    from .generate import DEFAULT_DIR

    root = vectors or DEFAULT_DIR
    docs = {op_name(d): d for d in (json.loads(p.read_text()) for p in sorted(root.glob("*/*.json")))}
    lines = ["# medshare conformance operations", "",
             "Generated from `schemas/ops/*.json` and `schemas/defs.schema.json` by "
             "`python -m medshare.conformance.contract`; do not edit by hand.", "",
             "Every request is one JSON line `{\"id\", \"op\", \"input\"}`; every reply `{\"id\", \"ok\": true, "
             "\"output\"}` or `{\"id\", \"ok\": false, \"error\"}` (README.md, \"The adapter protocol\"). "
             "Byte strings are `0x` and lowercase hex, an even number of digits.", "",
             "**The merge rule.** A test group's `params` are merged into each of its tests' `input`, the test's keys "
             "winning: the adapter receives `{**params, **input}`. A trace is sent as `{\"initial\": …, **params, "
             "\"steps\": [{action, args}, …]}`. The fields below are those of the merged request; a group parameter "
             "the op does not read is listed as informative.", "",
             "**Errors.** A rejected request is answered with exactly one code; the codes each op may answer are "
             "listed with it, and their meaning is in `spec/errors.md`. `BAD_JSON` means missing, extra (where "
             "refused) or mistyped fields; `BAD_HEX` a byte string that is not `0x` lowercase hex. A byte-string "
             "field holding a JSON value that is not a string is `BAD_HEX`, except where its encoding says "
             "\"not a string: `BAD_JSON`\" (the group layer checks a field's JSON type before its hex).", ""]
    by_component: dict[str, list[str]] = {}
    for op in sorted(contracts()):
        by_component.setdefault(op.rsplit(".", 1)[0], []).append(op)
    lines += ["## Contents", ""] + [f"- `{c}`: " + ", ".join(f"[`{o.rsplit('.', 1)[1]}`](#{o.replace('.', '')})"
                                                            for o in ops) for c, ops in by_component.items()] + [""]
    for component, ops in by_component.items():
        lines += [f"## {component}", ""]
        for op in ops:
            c = contracts()[op]
            lines += [f"### {op}", "", f"{c['summary']} ({c['kind']}; `{c['specRef']}`).", ""]
            if "notes" in c:
                lines += [c["notes"], ""]
            lines += ["**Input**", ""] + _fields_table(c["input"]) + [""]
            if "step" in c:
                lines += ["**Steps** — each `{action, args}`: `apply` `{tx}` ([transaction](#type-transaction)), "
                          "`advance` `{}`, `applyBlock` `{parent, block}` ([header](#type-header), "
                          "[block](#type-block)). Every step is answered, in order; a refused step leaves the state "
                          "unchanged.", ""]
            lines += ["**Output**", ""] + _fields_table(c["output"], "output") + [""]
            lines += ["**Errors**: " + ", ".join(f"`{e}`" for e in c["errors"]) + ".", ""]
            if op in docs:
                lines += _example(docs[op]) + [""]
    lines += ["## Shared types", ""]
    for name in sorted(_linked_types()):
        t = defs()["$defs"][name]
        lines += [f"### Type: {name}", "", f"<a id=\"type-{name.lower()}\"></a>{t.get('title', name)}: "
                  f"{t.get('encoding', '')}.", ""]
        if "oneOf" in t:
            for i, alt in enumerate(t["oneOf"], 1):
                lines += [f"Form {i}:", ""] + _fields_table(alt) + [""]
        else:
            lines += _fields_table(t) + [""]
        if name == "transaction":
            from ..spec.chain.tx import SCHEMAS

            lines += ["Fields by kind (`text`: string of at most 256 UTF-8 bytes; `u64`: integer; `h32`: hex of 32 "
                      "bytes; `g2`: hex of 96 bytes; `sig`: hex of 48 bytes; `bytes`: hex):", "",
                      "| kind | chains | fields |", "|---|---|---|"]
            lines += [f"| `{k}` | {', '.join(sorted(chains))} | " + ", ".join(f"`{n}` {ft}" for n, ft in fields) + " |"
                      for k, (_, chains, fields) in SCHEMAS.items()]
            lines.append("")
    lines += ["## Error codes", "", "| code | meaning |", "|---|---|"]
    used = sorted({e for c in contracts().values() for e in c["errors"]})
    lines += [f"| `{code}` | {_cell(CODES[code][1]) if code in CODES else '(unregistered)'} |" for code in used]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m medshare.conformance.contract",
                                     description="write conformance/OPS.md from the operation schemas")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if OPS.md is stale")
    args = parser.parse_args(argv)
    text = render_ops_md()
    if args.check:
        stale = not OPS_MD.exists() or OPS_MD.read_text() != text
        print(f"{OPS_MD.name} is {'stale' if stale else 'up to date'}")
        return 1 if stale else 0
    OPS_MD.write_text(text)
    print(f"wrote {OPS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
