"""Conformance ops for ``crypto.policy`` (spec/policy.md): parse, canonical, hash, satisfies, lsss, reconstruct."""

from __future__ import annotations

from typing import Any

from ...spec.errors import fail
from ...spec.params import R
from ...spec.policy import (
    LSSS,
    Attr,
    Node,
    canonical,
    canonical_text,
    check_attribute,
    parse,
    reconstruction_coefficients,
    satisfies,
    text_digest,
    to_lsss,
)


def tree_json(node: Node) -> dict[str, Any]:
    """{"attr": name} or {"k": k, "children": [...]} (depth is bounded by the policy limits)."""
    if isinstance(node, Attr):
        return {"attr": node.name}
    return {"k": node.k, "children": [tree_json(c) for c in node.children]}


def signed(x: int) -> str:
    """An entry mod r as a decimal string of its representative in (-r/2, r/2]."""
    return str(x - R if x > R // 2 else x)


def lsss_json(lsss: LSSS) -> dict[str, Any]:
    return {"rows": [[signed(x) for x in row] for row in lsss.rows], "labels": list(lsss.labels),
            "occurrences": list(lsss.occurrences)}


def text_of(inp: dict[str, Any]) -> str:
    if not isinstance(inp, dict) or not isinstance(inp.get("policy"), str):
        fail("BAD_JSON", "input needs a string field 'policy'")
    return str(inp["policy"])


def attribute_list(inp: dict[str, Any]) -> list[str]:
    attrs_in = inp.get("attributes")
    if not isinstance(attrs_in, list):
        fail("BAD_JSON", "input needs a list field 'attributes'")
    return [check_attribute(a) for a in attrs_in]


def op_parse(inp: dict[str, Any]) -> dict[str, Any]:
    return {"tree": tree_json(parse(text_of(inp)))}


def op_canonical(inp: dict[str, Any]) -> dict[str, Any]:
    return {"canonical": canonical_text(parse(text_of(inp)))}


def op_hash(inp: dict[str, Any]) -> dict[str, Any]:
    return {"hash": "0x" + text_digest(parse(text_of(inp))).hex()}


def op_satisfies(inp: dict[str, Any]) -> dict[str, Any]:
    tree = parse(text_of(inp))
    return {"satisfied": satisfies(tree, attribute_list(inp))}


def op_lsss(inp: dict[str, Any]) -> dict[str, Any]:
    return lsss_json(to_lsss(canonical(parse(text_of(inp)))))


def op_reconstruct(inp: dict[str, Any]) -> dict[str, Any]:
    lsss = to_lsss(canonical(parse(text_of(inp))))
    gamma = reconstruction_coefficients(lsss, attribute_list(inp))
    return {"coefficients": {str(i): signed(g) for i, g in sorted(gamma.items())}}


OPS = {
    "crypto.policy.parse": op_parse,
    "crypto.policy.canonical": op_canonical,
    "crypto.policy.hash": op_hash,
    "crypto.policy.satisfies": op_satisfies,
    "crypto.policy.lsss": op_lsss,
    "crypto.policy.reconstruct": op_reconstruct,
}
