"""Mutant: transactions are checked for a registered, unrevoked sender but their CBS signature is never
verified (anyone can act in a registered entity's name)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

from ..ops.chain import OPS


def _no_signature_check(group: Any, authority_pk: bytes, sender: Any, tx: Any, *, at: int, revoked: bool = False,
                        cache: Any = None) -> None:
    from ...spec.errors import fail
    if revoked:
        fail("CERT_REVOKED", "revoked")


def _patched(op: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def handler(inp: dict[str, Any]) -> dict[str, Any]:
        with mock.patch("medshare.spec.chain.auth.verify_tx", _no_signature_check):
            return OPS[op](inp)
    return handler


MUTANT = {
    "name": "chain_skips_tx_signature",
    "description": "apply does not verify the sender's certificate-based signature on a transaction",
    "bugType": "AUTH_BYPASS",
    "overrides": {op: _patched(op) for op in ("chain.mdc.apply", "chain.shc.apply")},
}
