"""Vectors for ``crypto.policy`` (spec/policy.md): each expected result is computed by the reference op and
checked against the outcome the case was written for."""

from __future__ import annotations

from functools import cache
from typing import Any

from ... import SPEC_VERSION
from ...spec.errors import MedshareError
from ...spec.policy import parse, satisfies
from ..registry import load_ops

EXAMPLE = "(cardiology and researcher) or 2 of (ethics_approved, irb, dpo)"

NOTES: dict[str, dict[str, str]] = {
    "Valid": {"bugType": "FUNCTIONALITY", "description": "a well-formed policy and its expected result",
              "specRef": "spec/policy.md#grammar"},
    "Canonical": {"bugType": "FUNCTIONALITY", "description": "flattening, 1-child gates and child order must "
                  "follow the canonical form, or hashes stored on chain differ",
                  "specRef": "spec/policy.md#canonical-form-and-hash"},
    "Duplicates": {"bugType": "EDGE_CASE", "description": "an attribute used more than once: kept in the canonical "
                   "form, distinct LSSS rows with occurrence indices", "specRef": "spec/policy.md#lsss-to_lsss"},
    "Threshold": {"bugType": "AUTH_BYPASS", "description": "k-of-n semantics: k-1 attributes must not satisfy",
                  "specRef": "spec/policy.md#satisfaction"},
    "Epoch": {"bugType": "REVOCATION_BYPASS", "description": "irb@1 is not irb@2: epochs are part of the name",
              "specRef": "spec/policy.md#attributes-and-key-epochs"},
    "Syntax": {"bugType": "MALFORMED_INPUT", "description": "text that does not parse must fail POLICY_SYNTAX",
               "specRef": "spec/policy.md#errors-and-limits"},
    "BadThreshold": {"bugType": "MALFORMED_INPUT", "description": "k < 1 or k > n",
                     "specRef": "spec/policy.md#errors-and-limits"},
    "LeafLimit": {"bugType": "RESOURCE_EXHAUSTION", "description": "more than 64 leaves",
                  "specRef": "spec/policy.md#errors-and-limits"},
    "DepthLimit": {"bugType": "RESOURCE_EXHAUSTION", "description": "more than 16 nested parentheses or gates",
                   "specRef": "spec/policy.md#errors-and-limits"},
    "AttributeInvalid": {"bugType": "MALFORMED_INPUT", "description": "an attribute outside the grammar",
                         "specRef": "spec/policy.md#attributes-and-key-epochs"},
    "Unsatisfied": {"bugType": "AUTH_BYPASS", "description": "no reconstruction for a set that fails the policy",
                    "specRef": "spec/policy.md#lsss-to_lsss"},
}

VALID_POLICIES: list[tuple[str, str, list[str]]] = [
    (EXAMPLE, "the example policy", ["Valid"]),
    ("a", "a single attribute", ["Valid"]),
    ("a or b and c", "and binds tighter than or", ["Valid"]),
    ("b and (c and a)", "nested and is flattened", ["Canonical"]),
    ("(b or (c or a)) and d", "nested or is flattened", ["Canonical"]),
    ("1 of (2 of (x, y))", "1-child gate is removed, 2-of-2 is and", ["Canonical"]),
    ("2 of (c, a, a)", "duplicate attribute in a threshold", ["Duplicates"]),
    ("a or a", "duplicate attribute in an or", ["Duplicates"]),
    ("a and (b or a) and 2 of (c, d, a)", "three occurrences of one attribute", ["Duplicates"]),
    ("3 of (a, b, c, d and e)", "threshold with a nested gate", ["Valid"]),
    ("irb@2 and (dpo or irb@12)", "epochs", ["Epoch"]),
    ("\tcardiology\nand\r\n researcher ", "whitespace variants", ["Valid"]),
    (" or ".join(f"a{i}" for i in range(64)), "exactly 64 leaves", ["LeafLimit"]),
    ("(" * 16 + "a" + ")" * 16, "exactly 16 nested parentheses", ["DepthLimit"]),
    ("x" * 64, "an attribute of 64 characters", ["Valid"]),
    ("2 of (b and c, a or d, e)", "threshold over gates", ["Valid"]),
]

INVALID_POLICIES: list[tuple[str, str, str, list[str]]] = [
    ("a and", "POLICY_SYNTAX", "dangling and", ["Syntax"]),
    ("a & b", "POLICY_SYNTAX", "unknown character", ["Syntax"]),
    ("(a or b", "POLICY_SYNTAX", "missing )", ["Syntax"]),
    ("a or b)", "POLICY_SYNTAX", "extra )", ["Syntax"]),
    ("a b", "POLICY_SYNTAX", "two attributes without an operator", ["Syntax"]),
    ("2 of ()", "POLICY_SYNTAX", "empty threshold list", ["Syntax"]),
    ("2 of (a, b,)", "POLICY_SYNTAX", "trailing comma", ["Syntax"]),
    ("2 of a, b", "POLICY_SYNTAX", "threshold without parentheses", ["Syntax"]),
    ("", "POLICY_SYNTAX", "empty policy", ["Syntax"]),
    ("and", "POLICY_SYNTAX", "keyword alone", ["Syntax"]),
    ("Cardiology", "POLICY_SYNTAX", "upper case", ["AttributeInvalid"]),
    ("irb@0", "POLICY_SYNTAX", "epoch 0", ["Epoch", "AttributeInvalid"]),
    ("irb@01", "POLICY_SYNTAX", "epoch with a leading zero", ["Epoch", "AttributeInvalid"]),
    ("irb@", "POLICY_SYNTAX", "empty epoch", ["Epoch", "AttributeInvalid"]),
    ("x" * 65, "POLICY_SYNTAX", "attribute of 65 characters", ["AttributeInvalid"]),
    ("02 of (a, b)", "POLICY_SYNTAX", "threshold with a leading zero", ["Syntax"]),
    ("a and (or b)", "POLICY_SYNTAX", "operator without a left operand", ["Syntax"]),
    ("3 of (a, b)", "POLICY_BAD_THRESHOLD", "k > n", ["BadThreshold"]),
    ("0 of (a)", "POLICY_BAD_THRESHOLD", "k = 0", ["BadThreshold"]),
    ("99999999999999999999 of (a, b)", "POLICY_BAD_THRESHOLD", "huge k", ["BadThreshold"]),
    (" or ".join(f"a{i}" for i in range(65)), "POLICY_TOO_MANY_LEAVES", "65 leaves", ["LeafLimit"]),
    (" and ".join(["a"] * 1000), "POLICY_TOO_MANY_LEAVES", "1000 leaves", ["LeafLimit"]),
    ("(" * 17 + "a" + ")" * 17, "POLICY_TOO_DEEP", "17 nested parentheses", ["DepthLimit"]),
    ("1 of (" * 1000 + "a" + ")" * 1000, "POLICY_TOO_DEEP", "1000 nested thresholds", ["DepthLimit"]),
    ("".join(f"(x{i} or (y{i} and " for i in range(9)) + "z" + "))" * 9, "POLICY_TOO_DEEP",
     "18 nested gates within 18 parentheses", ["DepthLimit"]),
]

SATISFY_CASES: list[tuple[str, list[str], str, list[str]]] = [
    (EXAMPLE, ["cardiology", "researcher"], "and branch", ["Valid"]),
    (EXAMPLE, ["irb", "dpo"], "2 of 3 branch", ["Threshold"]),
    (EXAMPLE, ["irb"], "1 of a 2-of-3 gate", ["Threshold"]),
    (EXAMPLE, ["cardiology", "dpo"], "one from each branch", ["Threshold"]),
    (EXAMPLE, [], "empty set", ["Valid"]),
    ("2 of (a, a, b)", ["a"], "duplicate counts twice", ["Duplicates"]),
    ("2 of (a, a, b)", ["b"], "one of three leaves", ["Duplicates"]),
    ("irb@2 and dpo", ["irb@1", "dpo"], "stale epoch", ["Epoch"]),
    ("irb@2 and dpo", ["irb", "dpo"], "no epoch is not epoch 2", ["Epoch"]),
    ("irb@2 and dpo", ["irb@2", "dpo"], "current epoch", ["Epoch"]),
    ("3 of (a, b, c, d and e)", ["a", "b", "d"], "d alone does not satisfy d and e", ["Threshold"]),
    ("3 of (a, b, c, d and e)", ["a", "d", "e", "c"], "nested gate counts", ["Threshold"]),
]


@cache
def _all_ops() -> dict[str, Any]:
    return load_ops()


def run_case(op: str, inp: dict[str, Any], comment: str, flags: list[str],
             error: str | None = None) -> dict[str, Any]:
    """Run the reference op; the outcome must be the intended one."""
    handler = _all_ops()[op]
    try:
        out = handler(inp)
    except MedshareError as e:
        assert error == e.code, f"{op} {comment}: expected {error}, got {e.code}"
        return {"comment": comment, "input": inp, "result": "invalid", "error": e.code, "flags": flags}
    assert error is None, f"{op} {comment}: expected {error}, got a result"
    return {"comment": comment, "input": inp, "result": "valid", "output": out, "flags": flags}


def vector_file(component: str, operation: str, tests: list[dict[str, Any]], params: dict[str, Any],
                notes: dict[str, dict[str, str]]) -> dict[str, Any]:
    for i, t in enumerate(tests, start=1):
        t["tcId"] = i
    used = sorted({f for t in tests for f in t["flags"]})
    return {"schema": "medshare/v1/vectors", "specVersion": SPEC_VERSION, "component": component,
            "operation": operation, "numberOfTests": len(tests), "notes": {f: notes[f] for f in used},
            "testGroups": [{"params": params, "tests": [{"tcId": t["tcId"], **{k: v for k, v in t.items()
                                                                             if k != "tcId"}} for t in tests]}]}


def _text_cases(op: str) -> list[dict[str, Any]]:
    tests = [run_case(op, {"policy": text}, comment, flags) for text, comment, flags in VALID_POLICIES]
    tests += [run_case(op, {"policy": text}, comment, flags, code) for text, code, comment, flags in INVALID_POLICIES]
    return tests


def generate() -> list[dict[str, Any]]:
    files = []
    params = {"maxLeaves": 64, "maxDepth": 16}
    for operation in ("parse", "canonical", "hash", "lsss"):
        files.append(vector_file("crypto.policy", operation, _text_cases(f"crypto.policy.{operation}"), params, NOTES))

    sat = [run_case("crypto.policy.satisfies", {"policy": p, "attributes": s}, c, f) for p, s, c, f in SATISFY_CASES]
    sat += [run_case("crypto.policy.satisfies", {"policy": t, "attributes": ["a"]}, c, f, code)
            for t, code, c, f in INVALID_POLICIES[:12]]
    sat += [run_case("crypto.policy.satisfies", {"policy": "a", "attributes": [a]}, f"attribute {a!r} in the set",
                     ["AttributeInvalid"], "ATTRIBUTE_INVALID") for a in ("A", "a b", "irb@0", "or", "")]
    files.append(vector_file("crypto.policy", "satisfies", sat, params, NOTES))

    rec = []
    for p, s, c, f in SATISFY_CASES:
        flags = f if satisfies(parse(p), s) else [*f, "Unsatisfied"]
        rec.append(run_case("crypto.policy.reconstruct", {"policy": p, "attributes": s}, c, flags,
                            None if satisfies(parse(p), s) else "POLICY_UNSATISFIED"))
    rec += [run_case("crypto.policy.reconstruct", {"policy": "2 of (a, b, c)", "attributes": [x]},
                     f"one attribute ({x}) of a 2-of-3 gate", ["Threshold", "Unsatisfied"], "POLICY_UNSATISFIED")
            for x in ("a", "b", "c")]
    rec += [run_case("crypto.policy.reconstruct", {"policy": "2 of (a, b, c)", "attributes": s},
                     f"{s} on a 2-of-3 gate", ["Threshold"])
            for s in (["a", "b"], ["a", "c"], ["b", "c"], ["a", "b", "c"])]
    files.append(vector_file("crypto.policy", "reconstruct", rec, params, NOTES))
    return files
