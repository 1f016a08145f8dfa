"""Transactions of the two chains: kinds, fields, canonical bytes and JSON (spec/chain/chain.md, "Transactions").

A transaction names its chain, its kind, its sender (a registered identity), a sender-chosen nonce and the
fields of its kind in the order of :data:`SCHEMAS`, and carries the sender's CBS signature over its signing
bytes. Field types: ``text`` (UTF-8, at most 256 bytes), ``h32`` (32 bytes), ``g2`` (96 bytes, a compressed G2
public key), ``sig`` (48 bytes), ``u64``, ``bytes`` (opaque, length-prefixed).
"""

from __future__ import annotations

from typing import Any

import attrs

from ..errors import fail
from .codec import MAX_FIELD, Reader, blob, from_hex, sha256, text, to_hex, u8, u64

TX_TAG = 0x54  # "T"
TX_SIGN_DST = b"MEDSHARE-V1-CHAIN-TX"
SIGNATURE_BYTES = 48
MAX_TEXT = 256
MAX_TX_BYTES = 64 * 1024

MDC = "MDC"
SHC = "SHC"

#: kind -> (one-byte code, chains it is accepted on, ordered (field, type) pairs)
SCHEMAS: dict[str, tuple[int, frozenset[str], tuple[tuple[str, str], ...]]] = {
    "ENTITY_REGISTER": (0x01, frozenset({MDC, SHC}), (("identity", "text"), ("role", "text"))),
    "CERT_ISSUE": (0x02, frozenset({MDC, SHC}), (("identity", "text"), ("public_key", "g2"),
                                                 ("period_start", "u64"), ("period_end", "u64"),
                                                 ("sigma", "sig"))),
    "CERT_REVOKE": (0x03, frozenset({MDC, SHC}), (("identity", "text"),)),
    "DEVICE_REGISTER": (0x04, frozenset({MDC}), (("device", "text"), ("ibe_identity", "text"))),
    "RECORD_PUBLISH": (0x05, frozenset({MDC}), (("record_id", "h32"), ("patient", "text"), ("policy", "text"),
                                                ("blob_hash", "h32"), ("capsule", "bytes"),
                                                ("data_commitment", "h32"), ("payload", "bytes"))),
    "RECORD_REVOKE": (0x06, frozenset({MDC}), (("record_id", "h32"),)),
    "ATTRIBUTE_COMMIT": (0x07, frozenset({SHC}), (("identity", "text"), ("epoch", "u64"),
                                                  ("commitment", "h32"), ("payload", "bytes"))),
    "ATTRIBUTE_EPOCH_REVOKE": (0x08, frozenset({SHC}), (("identity", "text"), ("epoch", "u64"))),
    "MDC_HEADER_RELAY": (0x09, frozenset({SHC}), (("header", "bytes"), ("certificate", "bytes"))),
    "ACCESS_REQUEST": (0x0A, frozenset({SHC}), (("request_id", "h32"), ("mdc_height", "u64"),
                                                ("record_id", "h32"), ("record_entry", "bytes"),
                                                ("proof", "bytes"), ("nonce", "h32"), ("payload", "bytes"))),
    "GRANT": (0x0B, frozenset({SHC}), (("grant_id", "h32"), ("request_id", "h32"), ("payload", "bytes"))),
    "REENCRYPTION_RECEIPT": (0x0C, frozenset({SHC}), (("grant_id", "h32"), ("payload", "bytes"))),
    "GRANT_REVOKE": (0x0D, frozenset({SHC}), (("grant_id", "h32"),)),
    "RECORD_REVOKE_NOTICE": (0x0E, frozenset({SHC}), (("mdc_height", "u64"), ("record_id", "h32"),
                                                      ("record_entry", "bytes"), ("proof", "bytes"))),
    "DEVICE_REVOKE": (0x0F, frozenset({MDC}), (("device", "text"),)),
}
KIND_OF_CODE = {code: kind for kind, (code, _, _) in SCHEMAS.items()}
#: kind -> field name -> position in ``args``
FIELD_INDEX = {kind: {name: i for i, (name, _) in enumerate(fields)} for kind, (_, _, fields) in SCHEMAS.items()}


def _check_field(kind: str, name: str, ftype: str, value: Any) -> None:
    ok: bool
    if ftype == "text":
        ok = isinstance(value, str) and len(value.encode()) <= MAX_TEXT
    elif ftype == "u64":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << 64
    elif ftype in ("h32", "g2", "sig"):
        ok = isinstance(value, bytes) and len(value) == {"h32": 32, "g2": 96, "sig": 48}[ftype]
    else:
        ok = isinstance(value, bytes) and len(value) <= MAX_FIELD
    if not ok:
        fail("TX_MALFORMED", f"{kind}.{name} is not a valid {ftype}")


def _enc_field(ftype: str, value: Any) -> bytes:
    if ftype == "text":
        return text(value)
    if ftype == "u64":
        return u64(value)
    if ftype == "bytes":
        return blob(value)
    return bytes(value)


def _dec_field(r: Reader, ftype: str) -> Any:
    if ftype == "text":
        return r.text()
    if ftype == "u64":
        return r.u64()
    if ftype == "bytes":
        return r.blob()
    return r.fixed({"h32": 32, "g2": 96, "sig": 48}[ftype])


@attrs.frozen
class Transaction:
    """One signed transaction; ``args`` holds the kind's fields in schema order."""

    chain: str
    kind: str
    sender: str
    nonce: int
    args: tuple[Any, ...]
    signature: bytes = b"\x00" * SIGNATURE_BYTES
    _body: bytes = attrs.field(init=False, eq=False, repr=False, default=b"")
    _hash: bytes = attrs.field(init=False, eq=False, repr=False, default=b"")

    def __attrs_post_init__(self) -> None:
        if self.kind not in SCHEMAS:
            fail("TX_MALFORMED", f"unknown transaction kind {self.kind!r}")
        if self.chain not in (MDC, SHC):
            fail("TX_MALFORMED", f"unknown chain {self.chain!r}")
        _check_field(self.kind, "sender", "text", self.sender)
        _check_field(self.kind, "nonce", "u64", self.nonce)
        _check_field(self.kind, "signature", "sig", self.signature)
        fields = SCHEMAS[self.kind][2]
        if not isinstance(self.args, tuple) or len(self.args) != len(fields):
            fail("TX_MALFORMED", f"{self.kind} takes {len(fields)} fields")
        for (name, ftype), value in zip(fields, self.args):
            _check_field(self.kind, name, ftype, value)
        object.__setattr__(self, "_body", self._encode_body())
        object.__setattr__(self, "_hash", sha256(self.signing_bytes()))

    @staticmethod
    def make(chain: str, kind: str, sender: str, nonce: int, /, **fields: Any) -> Transaction:
        """Build an unsigned transaction from named fields."""
        if kind not in SCHEMAS:
            fail("TX_MALFORMED", f"unknown transaction kind {kind!r}")
        names = [n for n, _ in SCHEMAS[kind][2]]
        if sorted(fields) != sorted(names):
            fail("TX_MALFORMED", f"{kind} needs fields {names}")
        return Transaction(chain, kind, sender, nonce, tuple(fields[n] for n in names))

    def arg(self, name: str) -> Any:
        return self.args[FIELD_INDEX[self.kind][name]]

    def fields(self) -> dict[str, Any]:
        """The named fields, in schema order: what :meth:`make` takes."""
        return {n: v for (n, _), v in zip(SCHEMAS[self.kind][2], self.args, strict=True)}

    def body_bytes(self) -> bytes:
        """The canonical bytes without the signature (computed once, at construction)."""
        return self._body

    def _encode_body(self) -> bytes:
        code, _, fields = SCHEMAS[self.kind]
        out = [u8(TX_TAG), text(self.chain), u8(code), text(self.sender), u64(self.nonce)]
        out += [_enc_field(ftype, v) for (_, ftype), v in zip(fields, self.args)]
        return b"".join(out)

    def signing_bytes(self) -> bytes:
        """What the sender signs: the domain tag, then the body."""
        return TX_SIGN_DST + self.body_bytes()

    def tx_hash(self) -> bytes:
        """The transaction id: SHA-256 of the signing bytes (independent of the signature bytes; computed once,
        at construction)."""
        return self._hash

    def with_signature(self, signature: bytes) -> Transaction:
        return attrs.evolve(self, signature=signature)

    def to_bytes(self) -> bytes:
        return self.body_bytes() + self.signature

    @staticmethod
    def from_bytes(data: bytes) -> Transaction:
        if len(data) > MAX_TX_BYTES:
            fail("MESSAGE_TOO_LARGE", f"transaction of {len(data)} bytes exceeds {MAX_TX_BYTES}")
        try:
            r = Reader(data)
            r.tag(TX_TAG)
            chain = r.text()
            code = r.u8()
            if code not in KIND_OF_CODE:
                fail("TX_MALFORMED", f"unknown kind code 0x{code:02x}")
            kind = KIND_OF_CODE[code]
            sender = r.text()
            nonce = r.u64()
            args = tuple(_dec_field(r, ftype) for _, ftype in SCHEMAS[kind][2])
            sig = r.fixed(SIGNATURE_BYTES)
            r.end()
        except Exception as e:
            if getattr(e, "code", None) == "MALFORMED_ENCODING":
                fail("TX_MALFORMED", str(e))
            raise
        return Transaction(chain, kind, sender, nonce, args, sig)

    def to_json(self) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for (name, ftype), v in zip(SCHEMAS[self.kind][2], self.args):
            fields[name] = v if ftype in ("text", "u64") else to_hex(v)
        return {"chain": self.chain, "kind": self.kind, "sender": self.sender, "nonce": self.nonce,
                "fields": fields, "signature": to_hex(self.signature)}

    @staticmethod
    def from_json(obj: Any) -> Transaction:
        if not isinstance(obj, dict) or set(obj) != {"chain", "kind", "sender", "nonce", "fields", "signature"}:
            fail("BAD_JSON", "a transaction has chain, kind, sender, nonce, fields, signature")
        kind = obj["kind"]
        if not isinstance(kind, str) or kind not in SCHEMAS or not isinstance(obj["fields"], dict):
            fail("TX_MALFORMED", f"unknown transaction kind {kind!r}")
        schema = SCHEMAS[kind][2]
        if set(obj["fields"]) != {n for n, _ in schema}:
            fail("BAD_JSON", f"{kind} needs fields {[n for n, _ in schema]}")
        args = []
        for name, ftype in schema:
            v = obj["fields"][name]
            args.append(v if ftype in ("text", "u64") else from_hex(v))
        return Transaction(obj["chain"], kind, obj["sender"], obj["nonce"], tuple(args),
                           from_hex(obj["signature"], SIGNATURE_BYTES))
