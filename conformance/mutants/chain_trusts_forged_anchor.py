"""Mutant: SHC stores a relayed MDC header when its certificate names a quorum of signers, without checking
their signatures (a forged commit certificate is trusted)."""

from __future__ import annotations

from typing import Any

from ...spec.chain import auth
from ...spec.errors import fail
from ..ops.chain import OPS
from ._patch import patched


def _count_only(group: Any, authority_pk: bytes, validators: Any, signed: Any, quorum: int, **kw: Any) -> None:
    if len({i for i, _, _ in signed}) < quorum:
        fail("COMMIT_CERT_INVALID", "no quorum")


MUTANT = {
    "name": "chain_trusts_forged_anchor",
    "description": "the MDC commit certificate of a relayed header is counted but its signatures are not verified",
    "bugType": "ANCHOR_FORGERY",
    "overrides": {op: patched(OPS[op], auth, "verify_commit_certificate", _count_only)
                  for op in ("chain.shc.apply", "chain.anchor.relay")},
}
