"""Mutant: the certificate period check compares only the start, so expired certificates are accepted."""

from __future__ import annotations

from ...spec.crypto import cbs
from ...spec.errors import fail
from ..ops.cbs import OPS
from ._patch import patched


def _check_start_only(self: cbs.Period, at: int) -> None:
    if at < self.start:
        fail("CERT_NOT_YET_VALID", "period has not started")


MUTANT = {
    "name": "cbs_accepts_expired",
    "description": "CBS verification checks start <= at but not at < end: expired certificates verify.",
    "bugType": "EXPIRED_CERTIFICATE",
    "overrides": {op: patched(OPS[op], cbs.Period, "check", _check_start_only) for op in
                  ("crypto.cbs.verify", "crypto.cbs.verify_certificate", "crypto.cbs.batch_verify")},
}
