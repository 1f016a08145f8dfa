"""Values stored in chain state under their keys (spec/chain/chain.md, "State")."""

from __future__ import annotations

import attrs

from ..errors import fail
from .codec import Reader, blob, text, u8, u64


def k(prefix: str, *parts: bytes) -> bytes:
    """A state key: ASCII prefix, then '/'-joined parts (fixed-size or length-prefixed by the caller)."""
    return b"/".join((prefix.encode(), *parts))


@attrs.frozen
class CertEntry:
    """The current certificate of an identity."""

    public_key: bytes
    period_start: int
    period_end: int
    sigma: bytes
    revoked: bool

    def to_bytes(self) -> bytes:
        return self.public_key + u64(self.period_start) + u64(self.period_end) + self.sigma + u8(self.revoked)

    @staticmethod
    def from_bytes(data: bytes) -> CertEntry:
        r = Reader(data)
        e = CertEntry(r.fixed(96), r.u64(), r.u64(), r.fixed(48), r.u8() == 1)
        r.end()
        return e


@attrs.frozen
class RecordEntry:
    """A published record on MDC, as SHC sees it through an anchored inclusion proof."""

    owner: str
    patient: str
    policy: str
    blob_hash: bytes
    capsule: bytes
    data_commitment: bytes
    payload: bytes
    revoked: bool

    def to_bytes(self) -> bytes:
        return (text(self.owner) + text(self.patient) + text(self.policy) + self.blob_hash + blob(self.capsule)
                + self.data_commitment + blob(self.payload) + u8(self.revoked))

    @staticmethod
    def from_bytes(data: bytes) -> RecordEntry:
        r = Reader(data)
        e = RecordEntry(r.text(), r.text(), r.text(), r.fixed(32), r.blob(), r.fixed(32), r.blob(), False)
        flag = r.u8()
        r.end()
        if flag > 1:
            fail("MALFORMED_ENCODING", "revoked flag must be 0 or 1")
        return attrs.evolve(e, revoked=flag == 1)


@attrs.frozen
class AnchorEntry:
    """An MDC header relayed to SHC: its hash and state root."""

    block_hash: bytes
    state_root: bytes

    def to_bytes(self) -> bytes:
        return self.block_hash + self.state_root

    @staticmethod
    def from_bytes(data: bytes) -> AnchorEntry:
        r = Reader(data)
        e = AnchorEntry(r.fixed(32), r.fixed(32))
        r.end()
        return e
