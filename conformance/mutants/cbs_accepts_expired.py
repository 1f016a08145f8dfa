"""Mutant: the certificate period check compares only the start, so expired certificates are accepted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

from ...spec.crypto import cbs
from ...spec.errors import fail
from ..ops.cbs import OPS


def _check_start_only(self: cbs.Period, at: int) -> None:
    if at < self.start:
        fail("CERT_NOT_YET_VALID", "period has not started")


def _without_expiry(handler: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def run(inp: dict[str, Any]) -> dict[str, Any]:
        with mock.patch.object(cbs.Period, "check", _check_start_only):
            return handler(inp)
    return run


MUTANT = {
    "name": "cbs_accepts_expired",
    "description": "CBS verification checks start <= at but not at < end: expired certificates verify.",
    "bugType": "EXPIRED_CERTIFICATE",
    "overrides": {op: _without_expiry(OPS[op]) for op in
                  ("crypto.cbs.verify", "crypto.cbs.verify_certificate", "crypto.cbs.batch_verify")},
}
