"""Mutant: transactions are checked for a registered, unrevoked sender but their CBS signature is never
verified (anyone can act in a registered entity's name)."""

from __future__ import annotations

from typing import Any

from ...spec.chain import auth
from ...spec.errors import fail
from ..ops.chain import OPS
from ._patch import patched


def _no_signature_check(group: Any, authority_pk: bytes, sender: Any, tx: Any, *, at: int, revoked: bool = False,
                        cache: Any = None) -> None:
    if revoked:
        fail("CERT_REVOKED", "revoked")


MUTANT = {
    "name": "chain_skips_tx_signature",
    "description": "apply does not verify the sender's certificate-based signature on a transaction",
    "bugType": "AUTH_BYPASS",
    "overrides": {op: patched(OPS[op], auth, "verify_tx", _no_signature_check)
                  for op in ("chain.mdc.apply", "chain.shc.apply")},
}
