"""Mutant: k-of-n gates (1 < k < n) treated as 1-of-n in satisfaction, the LSSS, reconstruction and FAME
decryption."""

from __future__ import annotations

from typing import Any

from ...spec.policy import (
    Attr,
    Node,
    Threshold,
    canonical,
    parse,
    reconstruction_coefficients,
    satisfies,
    to_lsss,
)
from ..ops.policy import attribute_list, lsss_json, signed, text_of
from ._fame_common import combine, decode


def weaken(node: Node) -> Node:
    if isinstance(node, Attr):
        return node
    return Threshold(1 if node.k < len(node.children) else node.k, tuple(weaken(c) for c in node.children))


def op_satisfies(inp: dict[str, Any]) -> dict[str, Any]:
    return {"satisfied": satisfies(weaken(parse(text_of(inp))), attribute_list(inp))}


def op_lsss(inp: dict[str, Any]) -> dict[str, Any]:
    return lsss_json(to_lsss(weaken(canonical(parse(text_of(inp))))))


def op_reconstruct(inp: dict[str, Any]) -> dict[str, Any]:
    gamma = reconstruction_coefficients(to_lsss(weaken(canonical(parse(text_of(inp))))), attribute_list(inp))
    return {"coefficients": {str(i): signed(g) for i, g in sorted(gamma.items())}}


def op_decrypt(inp: dict[str, Any]) -> dict[str, Any]:
    G, sk, ct = decode(inp)
    lsss = to_lsss(weaken(ct.policy.tree))
    gamma = reconstruction_coefficients(lsss, sk.names())
    return {"kemKey": "0x" + combine(G, sk, ct, lsss, gamma).to_bytes().hex()}


MUTANT = {
    "name": "policy_threshold_as_or",
    "description": "a k-of-n gate is satisfied, shared and reconstructed as if it were 1-of-n",
    "bugType": "AUTH_BYPASS",
    "overrides": {"crypto.policy.satisfies": op_satisfies, "crypto.policy.lsss": op_lsss,
                  "crypto.policy.reconstruct": op_reconstruct, "crypto.fame.decrypt": op_decrypt},
}
