"""The operation contract (conformance/schemas/ops/<op>.json): one per op, well-formed, documented, and every
committed vector follows it — both ways: a test expecting BAD_JSON or BAD_HEX is refused by the input schema, every
other test's request is accepted, every expected output is accepted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from medshare.conformance import contract, registry
from medshare.conformance.generate import DEFAULT_DIR
from medshare.conformance.vectorfile import TRACES, iter_tests, op_name
from medshare.spec.errors import CODES

COMMITTED = sorted(DEFAULT_DIR.glob("*/*.json"))
CONTRACTS = contract.contracts()


def test_every_op_has_a_contract_and_every_contract_an_op() -> None:
    ops = set(registry.load_ops())
    assert sorted(ops - set(CONTRACTS)) == [], "write conformance/schemas/ops/<op>.json for these ops"
    assert sorted(set(CONTRACTS) - ops) == [], "these contracts name no registered op"


def test_every_vector_file_has_a_contract() -> None:
    ops = {op_name(json.loads(p.read_text())) for p in COMMITTED}
    assert ops <= set(CONTRACTS)


@pytest.mark.parametrize("op", sorted(CONTRACTS))
def test_contract_file_is_well_formed(op: str) -> None:
    c = CONTRACTS[op]
    path = contract.OPS_DIR / f"{op}.json"
    assert c["$id"].endswith(f"/ops/{op}.json") and path.exists()
    assert {"input", "output", "errors", "summary", "specRef", "kind"} <= set(c)
    assert (c["kind"] == "trace") == ("step" in c)
    for part in contract.PARTS:
        if part in c:
            Draft202012Validator.check_schema(c[part])
            assert contract.validator(op, part) is not None
    assert c["errors"] == sorted(set(c["errors"])) and set(c["errors"]) <= set(CODES)
    assert (contract.SCHEMA_DIR.parent.parent / c["specRef"].split("#")[0]).exists(), c["specRef"]


@pytest.mark.parametrize("op", sorted(CONTRACTS))
def test_every_field_has_an_encoding_and_a_meaning(op: str) -> None:
    c = CONTRACTS[op]
    for part in ("input", "output"):
        props = c[part]["properties"]
        assert props, f"{op} {part} lists no field"
        assert set(c[part]["required"]) <= set(props)
        for name, schema in props.items():
            assert schema.get("description"), f"{op} {part}.{name} has no meaning"
            assert contract.encoding_of(schema), f"{op} {part}.{name} has no encoding"
        assert c["output"].get("additionalProperties") is False, "an output has exactly its fields"


def test_shared_types_are_a_valid_schema_and_documented() -> None:
    defs = contract.defs()
    Draft202012Validator.check_schema(defs)
    for name, schema in defs["$defs"].items():
        assert schema.get("encoding") and schema.get("title"), name


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.relative_to(DEFAULT_DIR).as_posix())
def test_committed_vectors_follow_the_contract(path: Path) -> None:
    doc = json.loads(path.read_text())
    assert contract.vector_problems(doc) == []
    codes = set()
    for _, test in iter_tests(doc):
        codes |= {test["error"]} if "error" in test else set()
        codes |= {s["expect"]["error"] for s in test.get("steps", []) if "error" in s["expect"]}
    assert codes <= set(CONTRACTS[op_name(doc)]["errors"]), "the contract lists every code the vectors expect"


def test_the_wire_error_tests_are_refused_by_the_schemas() -> None:
    """The two-sided check has teeth: the suite has such tests, and each is refused by its op's input schema."""
    refused = 0
    for path in COMMITTED:
        doc = json.loads(path.read_text())
        if doc["schema"] == TRACES:
            continue
        for params, test in iter_tests(doc):
            if test.get("error") in contract.WIRE_ERRORS:
                assert contract.problems_of(op_name(doc), "input", contract.vector_request(params, test))
                refused += 1
    assert refused >= 30


def _group_decode_doc() -> dict[str, Any]:
    return json.loads((DEFAULT_DIR / "group.g1" / "decode.json").read_text())


def test_a_contract_breach_in_a_vector_is_reported() -> None:
    doc = _group_decode_doc()
    valid = next(t for _, t in iter_tests(doc) if t["result"] == "valid")
    valid["input"]["bytes"] = 12
    valid["output"]["identity"] = "no"
    found = contract.vector_problems(doc, "g1/decode.json")
    assert any(f"tcId {valid['tcId']}: input bytes" in p for p in found)
    assert any(f"tcId {valid['tcId']}: output identity" in p for p in found)
    doc = _group_decode_doc()
    wire = next(t for _, t in iter_tests(doc) if t.get("error") == "BAD_HEX")
    wire["input"]["bytes"] = "0x00"  # well-formed hex: the BAD_HEX test no longer tests what it says
    assert any("expects BAD_HEX but its input follows the contract" in p
               for p in contract.vector_problems(doc))


def test_merge_rule() -> None:
    assert contract.vector_request({"a": 1, "b": 2}, {"input": {"b": 3}}) == {"a": 1, "b": 3}
    trace = {"initial": {"state": {}}, "steps": [{"action": "advance", "args": {}, "expect": {"result": "valid"}}]}
    assert contract.trace_request({"config": {}}, trace) == {"initial": {"state": {}}, "config": {},
                                                             "steps": [{"action": "advance", "args": {}}]}


@pytest.mark.parametrize("reply, needle", [
    ({"ok": True}, "without an output"),
    ({"ok": True, "output": "0x00"}, "output is a string, not an object"),
    ({"ok": True, "output": [1]}, "output is a list"),
    ({"ok": True, "output": {"point": "0x00", "identity": False}}, "breaks the contract of group.g1.decode: point"),
    ({"ok": True, "output": {"point": "0x" + "00" * 48}}, "identity"),
    ({"ok": False, "error": ["BAD_HEX"]}, "error is not an error code"),
    ({"ok": False, "error": "bad hex"}, "error is not an error code"),
    ({"ok": False, "error": "X" * 65}, "error is not an error code"),
    ({"ok": False}, "error is not an error code"),
    ({"ok": False, "error": "BAD_HEX", "message": {"x": 1}}, "message is an object"),
])
def test_malformed_replies_are_named(reply: dict[str, Any], needle: str) -> None:
    assert needle in (contract.reply_problem("group.g1.decode", reply) or "")


def test_well_formed_replies_pass() -> None:
    good = {"ok": True, "output": {"point": "0xc0" + "00" * 47, "identity": True}}
    assert contract.reply_problem("group.g1.decode", good) is None
    assert contract.reply_problem("group.g1.decode", {"ok": False, "error": "BAD_FLAGS", "message": "m"}) is None
    assert contract.reply_problem("no.such.op", {"ok": True, "output": {"anything": 1}}) is None


def test_ops_reference_page_is_up_to_date() -> None:
    assert contract.OPS_MD.read_text() == contract.render_ops_md(), \
        "run `python -m medshare.conformance.contract` to regenerate conformance/OPS.md"
    text = contract.OPS_MD.read_text()
    for op in CONTRACTS:
        assert f"### {op}\n" in text
    assert "**The merge rule.**" in text


def _is_hex(schema: dict[str, Any]) -> bool:
    resolved = contract._resolve(schema) if "$ref" in schema else schema
    return str(resolved.get("pattern", "")).startswith("^0x")


def _non_string_probes(props: dict[str, Any], request: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """(field path, the request with that byte-string field replaced by a number, the code the contract names)."""
    probes = []
    for name, schema in props.items():
        value = request.get(name)
        if value is None:
            continue
        if _is_hex(schema):
            probes.append((name, {**request, name: 5}, schema.get("nonString", "BAD_HEX")))
        items = schema.get("items") if schema.get("type") == "array" else None
        if not isinstance(value, list) or not value or not isinstance(items, dict):
            continue
        if _is_hex(items):
            probes.append((f"{name}[0]", {**request, name: [5, *value[1:]]}, items.get("nonString", "BAD_HEX")))
        for key, sub in items.get("properties", {}).items():
            if _is_hex(sub) and isinstance(value[0], dict) and key in value[0]:
                first = {**value[0], key: 5}
                probes.append((f"{name}[0].{key}", {**request, name: [first, *value[1:]]},
                               sub.get("nonString", "BAD_HEX")))
    return probes


def test_the_code_for_a_non_string_byte_field_is_the_contracts() -> None:
    """A byte-string field holding a number is answered with the code the contract names (BAD_HEX by default,
    BAD_JSON where a field says so), checked against the reference handlers."""
    from medshare.spec.errors import MedshareError

    handlers = registry.load_ops()
    probed = 0
    for path in COMMITTED:
        doc = json.loads(path.read_text())
        if doc["schema"] == TRACES:
            continue
        op = op_name(doc)
        valid = [(p, t) for p, t in iter_tests(doc) if t["result"] == "valid"]
        params, test = next(((p, t) for p, t in valid if all(v for v in t["input"].values() if isinstance(v, list))),
                            valid[0])
        for where, request, code in _non_string_probes(CONTRACTS[op]["input"]["properties"],
                                                       contract.vector_request(params, test)):
            with pytest.raises(MedshareError) as err:
                handlers[op](request)
            assert err.value.code == code, f"{op} {where}: the reference answers {err.value.code}"
            probed += 1
    assert probed >= 80
