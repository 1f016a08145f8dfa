"""Values stored in chain state under their keys (spec/chain/chain.md, "State").

One frozen type per kind of value the rules of ``state.py`` write, each with its canonical bytes (``to_bytes``)
and a strict decoder (``from_bytes``): a truncated value, invalid UTF-8, a flag other than 0 or 1, or trailing
bytes fail with ``MALFORMED_ENCODING``. Beside each type, the function that gives its key. Records and relayed
MDC headers are keyed by ``anchor.record_key`` and ``anchor.anchor_key``.

Marker entries (included transactions, used nonces, granted requests, receipts, revocation notices) record a
fact by their presence: their value is empty.
"""

from __future__ import annotations

from typing import TypeVar

import attrs

from ..errors import fail
from .codec import Reader, blob, text, u8, u64

MarkerT = TypeVar("MarkerT", bound="Marker")


def k(prefix: str, *parts: bytes) -> bytes:
    """A state key: ASCII prefix, then '/'-joined parts (fixed-size or length-prefixed by the caller)."""
    return b"/".join((prefix.encode(), *parts))


def _flag(value: int, what: str) -> bool:
    if value > 1:
        fail("MALFORMED_ENCODING", f"{what} flag must be 0 or 1")
    return value == 1


# ---- identities --------------------------------------------------------------------------------------------

def entity_key(identity: str) -> bytes:
    return k("entity", identity.encode())


@attrs.frozen
class EntityEntry:
    """A registered identity: its role (AUTHORITY, MI, RI or CPC)."""

    role: str

    def to_bytes(self) -> bytes:
        return text(self.role)

    @staticmethod
    def from_bytes(data: bytes) -> EntityEntry:
        r = Reader(data)
        e = EntityEntry(r.text())
        r.end()
        return e


def cert_key(identity: str) -> bytes:
    return k("cert", identity.encode())


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
        public_key, period_start, period_end, sigma, flag = r.fixed(96), r.u64(), r.u64(), r.fixed(48), r.u8()
        r.end()
        return CertEntry(public_key, period_start, period_end, sigma, _flag(flag, "revoked"))


# ---- MDC ---------------------------------------------------------------------------------------------------

def device_key(device: str) -> bytes:
    return k("device", device.encode())


@attrs.frozen
class DeviceEntry:
    """A registered device: the MI that registered it, the device's IBE identity, and whether the MI revoked it."""

    institution: str
    ibe_identity: str
    revoked: bool

    def to_bytes(self) -> bytes:
        return text(self.institution) + text(self.ibe_identity) + u8(self.revoked)

    @staticmethod
    def from_bytes(data: bytes) -> DeviceEntry:
        r = Reader(data)
        institution, ibe_identity, flag = r.text(), r.text(), r.u8()
        r.end()
        return DeviceEntry(institution, ibe_identity, _flag(flag, "revoked"))


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
        return attrs.evolve(e, revoked=_flag(flag, "revoked"))


# ---- SHC ---------------------------------------------------------------------------------------------------

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


def attribute_key(identity: str) -> bytes:
    return k("attr", identity.encode())


@attrs.frozen
class AttributeEntry:
    """An RI's attribute commitment at ``epoch``; every epoch below ``revoked_below`` is revoked."""

    epoch: int
    commitment: bytes
    revoked_below: int

    def to_bytes(self) -> bytes:
        return u64(self.epoch) + self.commitment + u64(self.revoked_below)

    @staticmethod
    def from_bytes(data: bytes) -> AttributeEntry:
        r = Reader(data)
        e = AttributeEntry(r.u64(), r.fixed(32), r.u64())
        r.end()
        return e


def request_key(request_id: bytes) -> bytes:
    return k("request", request_id)


@attrs.frozen
class RequestEntry:
    """An access request: the requesting RI, the record's owner (read from MDC), the record id, and the epoch of
    the requester's attribute commitment its proof was made under."""

    requester: str
    owner: str
    record_id: bytes
    epoch: int

    def to_bytes(self) -> bytes:
        return text(self.requester) + text(self.owner) + self.record_id + u64(self.epoch)

    @staticmethod
    def from_bytes(data: bytes) -> RequestEntry:
        r = Reader(data)
        e = RequestEntry(r.text(), r.text(), r.fixed(32), r.u64())
        r.end()
        return e


def grant_key(grant_id: bytes) -> bytes:
    return k("grant", grant_id)


@attrs.frozen
class GrantEntry:
    """A grant of a request by the record's owner (the grantor), and whether the grantor revoked it."""

    grantor: str
    request_id: bytes
    record_id: bytes
    revoked: bool

    def to_bytes(self) -> bytes:
        return text(self.grantor) + self.request_id + self.record_id + u8(self.revoked)

    @staticmethod
    def from_bytes(data: bytes) -> GrantEntry:
        r = Reader(data)
        grantor, request_id, record_id, flag = r.text(), r.fixed(32), r.fixed(32), r.u8()
        r.end()
        return GrantEntry(grantor, request_id, record_id, _flag(flag, "revoked"))


# ---- markers -----------------------------------------------------------------------------------------------

@attrs.frozen
class Marker:
    """An entry whose presence is the fact it records: its value is empty."""

    def to_bytes(self) -> bytes:
        return b""

    @classmethod
    def from_bytes(cls: type[MarkerT], data: bytes) -> MarkerT:
        Reader(data).end()
        return cls()


def tx_key(tx_id: bytes) -> bytes:
    return k("tx", tx_id)


@attrs.frozen
class TxIncluded(Marker):
    """The transaction with this id is included (both chains)."""


def nonce_key(requester: str, nonce: bytes) -> bytes:
    """Nonces are scoped per requester: the key names the requester, then the 32-byte nonce (the last part, so
    the key is unambiguous)."""
    return k("nonce", requester.encode(), nonce)


@attrs.frozen
class NonceUsed(Marker):
    """An access request of the requester used this nonce."""


def granted_key(request_id: bytes) -> bytes:
    return k("granted", request_id)


@attrs.frozen
class RequestGranted(Marker):
    """The request has its grant."""


def receipt_key(grant_id: bytes, cpc: str) -> bytes:
    return k("receipt", grant_id, cpc.encode())


@attrs.frozen
class Receipt(Marker):
    """The CPC node re-encrypted for the grant."""


def record_revoked_key(record_id: bytes) -> bytes:
    return k("shc-revoked", record_id)


@attrs.frozen
class RecordRevokedNotice(Marker):
    """SHC knows, from an anchored MDC entry, that the record is revoked."""
