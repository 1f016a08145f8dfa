"""Vectors for ``crypto.policy`` (spec/policy.md): each expected result is computed by the reference op and
checked against the outcome the case was written for."""

from __future__ import annotations

from typing import Any

from ...spec.policy import parse, satisfies
from ..builder import VectorFileBuilder, note

EXAMPLE = "(cardiology and researcher) or 2 of (ethics_approved, irb, dpo)"

NOTES: dict[str, dict[str, str]] = {
    "Valid": note("FUNCTIONALITY", "a well-formed policy and its expected result", "spec/policy.md#grammar"),
    "Canonical": note("FUNCTIONALITY", "flattening, 1-child gates and child order must follow the canonical form, "
                      "or hashes stored on chain differ", "spec/policy.md#canonical-form-and-hash"),
    "Duplicates": note("EDGE_CASE", "an attribute used more than once: kept in the canonical form, distinct LSSS "
                       "rows with occurrence indices", "spec/policy.md#lsss-to_lsss"),
    "Threshold": note("AUTH_BYPASS", "k-of-n semantics: k-1 attributes must not satisfy",
                      "spec/policy.md#satisfaction"),
    "Epoch": note("REVOCATION_BYPASS", "irb@1 is not irb@2: epochs are part of the name",
                  "spec/policy.md#attributes-and-key-epochs"),
    "Syntax": note("MALFORMED_INPUT", "text that does not parse must fail POLICY_SYNTAX",
                   "spec/policy.md#errors-and-limits"),
    "BadThreshold": note("MALFORMED_INPUT", "k < 1 or k > n", "spec/policy.md#errors-and-limits"),
    "LeafLimit": note("RESOURCE_EXHAUSTION", "more than 64 leaves", "spec/policy.md#errors-and-limits"),
    "DepthLimit": note("RESOURCE_EXHAUSTION", "more than 16 nested parentheses or gates",
                       "spec/policy.md#errors-and-limits"),
    "AttributeInvalid": note("MALFORMED_INPUT", "an attribute outside the grammar",
                             "spec/policy.md#attributes-and-key-epochs"),
    "Unsatisfied": note("AUTH_BYPASS", "no reconstruction for a set that fails the policy",
                        "spec/policy.md#lsss-to_lsss"),
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


def _text_file(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    b = VectorFileBuilder(f"crypto.policy.{operation}", NOTES).group(params)
    for text, comment, flags in VALID_POLICIES:
        b.valid(comment, {"policy": text}, flags=flags)
    for text, code, comment, flags in INVALID_POLICIES:
        b.invalid(comment, {"policy": text}, code, flags)
    return b.build()


def generate() -> list[dict[str, Any]]:
    params = {"maxLeaves": 64, "maxDepth": 16}
    files = [_text_file(operation, params) for operation in ("parse", "canonical", "hash", "lsss")]

    sat = VectorFileBuilder("crypto.policy.satisfies", NOTES).group(params)
    for p, s, c, f in SATISFY_CASES:
        sat.valid(c, {"policy": p, "attributes": s}, flags=f)
    for t, code, c, f in INVALID_POLICIES[:12]:
        sat.invalid(c, {"policy": t, "attributes": ["a"]}, code, f)
    for a in ("A", "a b", "irb@0", "or", ""):
        sat.invalid(f"attribute {a!r} in the set", {"policy": "a", "attributes": [a]}, "ATTRIBUTE_INVALID",
                    ["AttributeInvalid"])
    files.append(sat.build())

    rec = VectorFileBuilder("crypto.policy.reconstruct", NOTES).group(params)
    for p, s, c, f in SATISFY_CASES:
        if satisfies(parse(p), s):
            rec.valid(c, {"policy": p, "attributes": s}, flags=f)
        else:
            rec.invalid(c, {"policy": p, "attributes": s}, "POLICY_UNSATISFIED", [*f, "Unsatisfied"])
    for x in ("a", "b", "c"):
        rec.invalid(f"one attribute ({x}) of a 2-of-3 gate", {"policy": "2 of (a, b, c)", "attributes": [x]},
                    "POLICY_UNSATISFIED", ["Threshold", "Unsatisfied"])
    for s in (["a", "b"], ["a", "c"], ["b", "c"], ["a", "b", "c"]):
        rec.valid(f"{s} on a 2-of-3 gate", {"policy": "2 of (a, b, c)", "attributes": s}, flags=["Threshold"])
    files.append(rec.build())
    return files
