"""Certificate-based signature objects and their strict byte and JSON encodings (spec/crypto/cbs.md, "Encodings").

Public keys, signatures and certificate signatures are never the identity (``IDENTITY_NOT_ALLOWED``); a bad
identity, ``start >= end``, truncation or trailing bytes are ``MALFORMED_ENCODING``; JSON objects have exactly
their fields (``BAD_JSON``); a key pair whose pk is not sk·g2 is ``KEY_MISMATCH``.
"""

from __future__ import annotations

import hashlib
from typing import Any, TypeVar

from attrs import frozen

from ..codec import Reader, fingerprint, from_hex, json_int, json_object, json_str, to_hex, u64
from ..errors import fail
from ..group import G1Element, G2Element, PairingGroup, Zr
from ..hashing import dst_tag
from ._codec import check_u64, key_pair_from_bytes, lp_name, read_name

CERT_ID_TAG = dst_tag("CBS-CERT-ID")  # b"MEDSHARE-V1-CBS-CERT-ID": certificate ids, SHA-256 prefix
K = TypeVar("K", bound="_KeyPair")


@frozen
class Period:
    """A validity period of integer time units: valid for ``start <= at < end``; 0 <= start < end < 2^64."""

    start: int
    end: int

    def __attrs_post_init__(self) -> None:
        check_u64(self.start, "period start")
        check_u64(self.end, "period end")
        if self.start >= self.end:
            fail("MALFORMED_ENCODING", "period must have start < end")

    def check(self, at: int) -> None:
        """``CERT_NOT_YET_VALID`` if at < start, ``CERT_EXPIRED`` if at >= end."""
        if at < self.start:
            fail("CERT_NOT_YET_VALID", f"period starts at {self.start}, now {at}")
        if at >= self.end:
            fail("CERT_EXPIRED", f"period ended at {self.end}, now {at}")

    def to_bytes(self) -> bytes:
        return u64(self.start) + u64(self.end)

    @classmethod
    def from_bytes(cls, data: bytes) -> Period:
        r = Reader(data)
        start, end = r.u64(), r.u64()
        r.end()
        return cls(start, end)

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end}

    @classmethod
    def from_json(cls, obj: Any) -> Period:
        o = json_object(obj, ("start", "end"), what="period")
        return cls(json_int(o["start"], "period.start"), json_int(o["end"], "period.end"))


@frozen
class CertifiedKey:
    """What a verifier knows of a signer: identity, public key and period; the certificate itself stays hidden
    inside every signature. Encoding: u16 len || identity UTF-8 || upk (96) || u64 start || u64 end."""

    identity: str
    public_key: G2Element
    period: Period

    def to_bytes(self) -> bytes:
        return lp_name(self.identity) + self.public_key.to_bytes() + self.period.to_bytes()

    def cert_id(self) -> bytes:
        """SHA-256(CERT_ID_TAG || encoding): names the certificate (it is a function of this body under one
        authority, since BLS is deterministic)."""
        return hashlib.sha256(CERT_ID_TAG + self.to_bytes()).digest()

    def check_valid(self, at: int, revoked: frozenset[bytes]) -> None:
        """Usable at ``at``: a public key (``IDENTITY_NOT_ALLOWED``), within the period (``CERT_NOT_YET_VALID``,
        ``CERT_EXPIRED``) and not revoked (``CERT_REVOKED``)."""
        check_public_key(self.public_key)
        self.period.check(at)
        if revoked and self.cert_id() in revoked:
            fail("CERT_REVOKED", f"certificate {self.cert_id().hex()[:16]}… is revoked")

    @classmethod
    def from_bytes(cls, group: PairingGroup, data: bytes) -> CertifiedKey:
        r = Reader(data)
        out = cls._read(group, r)
        r.end()
        return out

    @classmethod
    def _read(cls, group: PairingGroup, r: Reader) -> CertifiedKey:
        identity, public_key = read_name(r), r.g2(group)
        start, end = r.u64(), r.u64()
        return cls(identity, public_key, Period(start, end))

    def to_json(self) -> dict[str, Any]:
        return {"identity": self.identity, "publicKey": to_hex(self.public_key.to_bytes()),
                "period": self.period.to_json()}

    @classmethod
    def from_json(cls, group: PairingGroup, obj: Any) -> CertifiedKey:
        o = json_object(obj, ("identity", "publicKey", "period"), what="certified key")
        identity = json_str(o["identity"], "identity")
        lp_name(identity)
        return cls(identity, decode_public_key(group, from_hex(o["publicKey"])), Period.from_json(o["period"]))


@frozen
class Certificate:
    """The authority's BLS signature ``sigma`` on (identity, public key, period). Encoding: the certified key's
    encoding || sigma (48)."""

    identity: str
    public_key: G2Element
    period: Period
    sigma: G1Element

    def certified_key(self) -> CertifiedKey:
        return CertifiedKey(self.identity, self.public_key, self.period)

    def cert_id(self) -> bytes:
        return self.certified_key().cert_id()

    def to_bytes(self) -> bytes:
        return self.certified_key().to_bytes() + self.sigma.to_bytes()

    @classmethod
    def from_bytes(cls, group: PairingGroup, data: bytes) -> Certificate:
        r = Reader(data)
        key = CertifiedKey._read(group, r)
        sigma = r.g1(group)
        r.end()
        return cls(key.identity, key.public_key, key.period, sigma)

    def to_json(self) -> dict[str, Any]:
        return {**self.certified_key().to_json(), "sigma": to_hex(self.sigma.to_bytes())}

    @classmethod
    def from_json(cls, group: PairingGroup, obj: Any) -> Certificate:
        o = json_object(obj, ("identity", "publicKey", "period", "sigma"), what="certificate")
        key = CertifiedKey.from_json(group, {k: o[k] for k in ("identity", "publicKey", "period")})
        sigma = group.g1_from_bytes(from_hex(o["sigma"]), allow_identity=False)
        return cls(key.identity, key.public_key, key.period, sigma)


@frozen
class Signature:
    """sigma in G1: 48 bytes compressed, never the identity."""

    sigma: G1Element

    def to_bytes(self) -> bytes:
        return self.sigma.to_bytes()

    @classmethod
    def from_bytes(cls, group: PairingGroup, data: bytes) -> Signature:
        return cls(group.g1_from_bytes(data, allow_identity=False))

    def to_json(self) -> str:
        return to_hex(self.to_bytes())

    @classmethod
    def from_json(cls, group: PairingGroup, value: Any) -> Signature:
        return cls.from_bytes(group, from_hex(value))


class _KeyPair:
    """A secret scalar and its public key pk = sk·g2. Encoding: sk (32) || pk (96); decoding checks the pair."""

    sk: Zr
    pk: G2Element

    def to_bytes(self) -> bytes:
        return self.sk.to_bytes() + self.pk.to_bytes()

    @classmethod
    def from_bytes(cls: type[K], group: PairingGroup, data: bytes) -> K:
        return cls(*key_pair_from_bytes(group, data))  # type: ignore[call-arg]  # attrs writes each subclass's __init__

    def to_json(self) -> dict[str, str]:
        return {"sk": to_hex(self.sk.to_bytes()), "pk": to_hex(self.pk.to_bytes())}

    @classmethod
    def from_json(cls: type[K], group: PairingGroup, obj: Any) -> K:
        o = json_object(obj, ("sk", "pk"), what="key pair")
        return cls.from_bytes(group, from_hex(o["sk"]) + from_hex(o["pk"]))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(pk={self.pk!r}, sk=<{fingerprint(self.sk.to_bytes())}>)"


@frozen(repr=False)
class AuthorityKeyPair(_KeyPair):
    """msk and mpk = msk·g2."""

    sk: Zr
    pk: G2Element


@frozen(repr=False)
class UserKeyPair(_KeyPair):
    """usk and upk = usk·g2."""

    sk: Zr
    pk: G2Element


def decode_public_key(group: PairingGroup, data: bytes) -> G2Element:
    """A G2 public key (mpk or upk): strict, identity rejected (``IDENTITY_NOT_ALLOWED``)."""
    return group.g2_from_bytes(data, allow_identity=False)


def check_public_key(pk: G2Element) -> None:
    """``IDENTITY_NOT_ALLOWED`` for the identity: it is no one's key."""
    if pk.is_identity():
        fail("IDENTITY_NOT_ALLOWED", "public key is the identity")


# The forms a caller may name a signer or a batch item in -------------------------------------------------------
Signer = CertifiedKey | tuple[str, G2Element, Period]
BatchItem = tuple[str, G2Element, Period, bytes, Signature] | tuple[CertifiedKey, bytes, Signature]


def certified_key(signer: Signer) -> CertifiedKey:
    if isinstance(signer, CertifiedKey):
        return signer
    identity, public_key, period = signer
    return CertifiedKey(identity, public_key, period)


def batch_entry(item: BatchItem) -> tuple[CertifiedKey, bytes, Signature]:
    if len(item) == 3:
        key, message, signature = item
        return certified_key(key), message, signature
    identity, public_key, period, message, signature = item
    return CertifiedKey(identity, public_key, period), message, signature
