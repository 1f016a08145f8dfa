"""Mutant: the signature verification cache keeps whole outcomes, the certificate period at the chain time of
the first check included, so a validator keeps accepting a transaction after its sender's certificate expired
(and keeps refusing one first seen before the period began)."""

from __future__ import annotations

from typing import Any

from ...spec.chain import auth
from ...spec.chain.codec import sha256
from ...spec.crypto import cbs
from ...spec.errors import MedshareError, fail
from ..ops.chain import OPS
from ._patch import patched


def _verify_caching_outcomes(group: Any, authority_pk: bytes, who: auth.Identity, message: bytes, signature: bytes,
                             at: int, bad_code: str, cache: Any, digest: bytes | None = None) -> None:
    key = ("outcome", *auth._key(who, digest or sha256(message), signature, authority_pk))
    outcome = cache.get(key) if cache is not None else None
    if outcome is None:
        outcome = "OK"
        try:
            signer = (who.identity, group.g2_from_bytes(who.public_key, allow_identity=False),
                      cbs.Period(who.period_start, who.period_end))
            cbs.verify(group, group.g2_from_bytes(authority_pk, allow_identity=False), signer, message,
                       cbs.Signature(group.g1_from_bytes(signature, allow_identity=False)), at=at)
        except MedshareError as e:
            outcome = e.code if e.code in ("CERT_EXPIRED", "CERT_NOT_YET_VALID") else bad_code
        if cache is not None:
            cache[key] = outcome
    if outcome != "OK":
        fail(outcome, f"signature by {who.identity!r} rejected")


MUTANT = {
    "name": "chain_caches_period_outcome",
    "description": "cached signature verdicts include the certificate period at the first check's chain time",
    "bugType": "EXPIRED_CERTIFICATE",
    "overrides": {op: patched(OPS[op], auth, "_verify", _verify_caching_outcomes)
                  for op in ("chain.mdc.apply", "chain.shc.apply")},
}
