"""Mutant: SHC stores a relayed MDC header when its certificate names a quorum of signers, without checking
their signatures (a forged commit certificate is trusted)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

from ..ops.chain import OPS


def _count_only(group: Any, authority_pk: bytes, validators: Any, signed: Any, quorum: int, **kw: Any) -> None:
    from ...spec.errors import fail
    if len({i for i, _, _ in signed}) < quorum:
        fail("COMMIT_CERT_INVALID", "no quorum")


def _patched(op: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def handler(inp: dict[str, Any]) -> dict[str, Any]:
        with mock.patch("medshare.spec.chain.auth.verify_commit_certificate", _count_only):
            return OPS[op](inp)
    return handler


MUTANT = {
    "name": "chain_trusts_forged_anchor",
    "description": "the MDC commit certificate of a relayed header is counted but its signatures are not verified",
    "bugType": "ANCHOR_FORGERY",
    "overrides": {op: _patched(op) for op in ("chain.shc.apply", "chain.anchor.relay")},
}
