"""Mutant: the revocation list is never consulted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..ops.cbs import OPS


def _drop_revocations(handler: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[dict[str, Any]],
                                                                                        dict[str, Any]]:
    def run(inp: dict[str, Any]) -> dict[str, Any]:
        return handler({k: v for k, v in inp.items() if k != "revoked"})
    return run


MUTANT = {
    "name": "cbs_ignores_revocation",
    "description": "CBS verification ignores the revocation list: revoked certificates still verify.",
    "bugType": "REVOCATION_IGNORED",
    "overrides": {op: _drop_revocations(OPS[op]) for op in
                  ("crypto.cbs.verify", "crypto.cbs.verify_certificate", "crypto.cbs.batch_verify")},
}
