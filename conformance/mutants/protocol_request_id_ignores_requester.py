"""Mutant: the request id binds the record and the nonce but not the requester, so another RI can take a pending
request's id first."""

from __future__ import annotations

from ...spec.chain.codec import sha256
from ...spec.protocol import protocol
from ..ops.protocol import OPS
from ._patch import patched


def _unbound_request_id(record_id: bytes, nonce: bytes, requester: str) -> bytes:
    return sha256(b"request", record_id, nonce)


MUTANT = {
    "name": "protocol_request_id_ignores_requester",
    "description": "the access request id is SHA-256(request || record id || nonce), without the requester",
    "bugType": "REPLAY",
    "overrides": {"protocol.shc.apply": patched(OPS["protocol.shc.apply"], protocol, "request_id", _unbound_request_id)},
}
