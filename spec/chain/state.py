"""Chain state and the transition function ``apply`` of both chains (spec/chain/chain.md, "State", "Rules").

State is a mapping from byte keys to byte values; its root is the Merkle root over the sorted (key, value)
leaves. ``apply(config, state, tx)`` is pure and total: it returns the next state, or raises a typed error and
the caller's state is untouched (no argument is ever mutated).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import attrs

from ..errors import MedshareError, fail
from ..group import PairingGroup
from . import anchor, auth
from .block import MAX_BLOCK_TXS, ZERO_HASH, Block, Header, tx_root
from .codec import Reader, sha256, text, u64
from .entries import AnchorEntry, CertEntry, RecordEntry, k
from .merkle import state_root
from .tx import MAX_TX_BYTES, MDC, SCHEMAS, SHC, Transaction

State = Mapping[bytes, bytes]
#: a payload predicate: (state, tx) -> None, raising a MedshareError to reject the transaction
PayloadRule = Callable[[State, Transaction], None]

ROLES = ("AUTHORITY", "MI", "RI", "CPC")
HEIGHT_KEY = b"meta/height"
ZERO_SIG = b"\x00" * 48


@attrs.frozen
class GenesisEntity:
    """An identity registered with a certificate at genesis (the authority and the validators)."""

    identity: str
    role: str
    public_key: bytes
    period_start: int
    period_end: int


@attrs.frozen
class ChainConfig:
    """What every node of one chain agrees on before genesis."""

    chain_id: str
    chain: str  # MDC or SHC
    group: PairingGroup = attrs.field(eq=False, repr=False)
    authority: str
    authority_pk: bytes
    genesis: tuple[GenesisEntity, ...]
    validators: tuple[auth.Identity, ...]
    mdc_chain_id: str = ""
    mdc_validators: tuple[auth.Identity, ...] = ()
    payload_rules: Mapping[str, PayloadRule] = attrs.field(factory=dict, eq=False, repr=False)
    max_block_txs: int = MAX_BLOCK_TXS
    cache: auth.VerifyCache | None = attrs.field(default=None, eq=False, repr=False)

    def with_cache(self, cache: auth.VerifyCache | None) -> ChainConfig:
        return attrs.evolve(self, cache=cache)


class _Overlay:
    """Reads through pending writes to a base state (a state or another overlay)."""

    def __init__(self, base: State) -> None:
        self.base = base
        self.writes: dict[bytes, bytes] = {}

    def get(self, key: bytes) -> bytes | None:
        return self.writes[key] if key in self.writes else self.base.get(key)

    def __getitem__(self, key: bytes) -> bytes:
        v = self.get(key)
        if v is None:
            raise KeyError(key)
        return v

    def __contains__(self, key: object) -> bool:
        return isinstance(key, bytes) and self.get(key) is not None

    def merged(self) -> dict[bytes, bytes]:
        out = dict(self.base)
        out.update(self.writes)
        return out


def genesis_state(config: ChainConfig) -> dict[bytes, bytes]:
    """The state at height 0: every genesis entity with its certificate."""
    s: dict[bytes, bytes] = {HEIGHT_KEY: u64(0)}
    for e in config.genesis:
        s[k("entity", e.identity.encode())] = text(e.role)
        s[k("cert", e.identity.encode())] = CertEntry(e.public_key, e.period_start, e.period_end, ZERO_SIG,
                                                      False).to_bytes()
    return s


def genesis_header(config: ChainConfig) -> Header:
    st = genesis_state(config)
    return Header(config.chain_id, 0, ZERO_HASH, state_root(st), tx_root(()), 0, 0)


def height_of(state: State) -> int:
    return int.from_bytes(state[HEIGHT_KEY], "big")


# ---- rules ---------------------------------------------------------------------------------------------------

# Decoding a state value is a pure function of its bytes, and a block reads its senders' entries once per
# transaction: the decoded values are memoised (a cost optimisation only).
@lru_cache(maxsize=4096)
def _decode_role(raw: bytes) -> str:
    return Reader(raw).text()


@lru_cache(maxsize=4096)
def _decode_cert(raw: bytes) -> CertEntry:
    return CertEntry.from_bytes(raw)


def _role(s: _Overlay, identity: str) -> str | None:
    raw = s.get(k("entity", identity.encode()))
    return _decode_role(raw) if raw is not None else None


def _require_role(s: _Overlay, identity: str, role: str) -> None:
    if _role(s, identity) != role:
        fail("NOT_AUTHORISED", f"{identity!r} is not a registered {role}")


def _cert(s: _Overlay, identity: str) -> CertEntry | None:
    raw = s.get(k("cert", identity.encode()))
    return _decode_cert(raw) if raw is not None else None


def _payload(config: ChainConfig, s: _Overlay, tx: Transaction) -> None:
    rule = config.payload_rules.get(tx.kind)
    if rule is not None:
        rule(s, tx)  # type: ignore[arg-type]


def _record_revoked_on_shc(s: _Overlay, record_id: bytes) -> bool:
    return k("shc-revoked", record_id) in s


def _attr_epoch_ok(s: _Overlay, identity: str) -> None:
    raw = s.get(k("attr", identity.encode()))
    if raw is None:
        fail("ENTITY_UNKNOWN", f"{identity!r} has no attribute commitment")
    r = Reader(raw)
    epoch, _, revoked_below = r.u64(), r.fixed(32), r.u64()
    if epoch < revoked_below:
        fail("ATTRIBUTE_REVOKED", f"attribute epoch {epoch} of {identity!r} is revoked")


def _requester_ok(s: _Overlay, requester: str) -> None:
    """The requester's certificate (CERT_REVOKED) and attribute epoch (ATTRIBUTE_REVOKED) are unrevoked."""
    rc = _cert(s, requester)
    if rc is None or rc.revoked:
        fail("CERT_REVOKED", "the requester's certificate is revoked")
    _attr_epoch_ok(s, requester)


def _grant_live(s: _Overlay, request_id: bytes, record_id: bytes) -> None:
    """A committed, unrevoked grant may still be used: its record (RECORD_REVOKED) and its requester are
    unrevoked."""
    if _record_revoked_on_shc(s, record_id):
        fail("RECORD_REVOKED", "the record is revoked")
    raw = s.get(k("request", request_id))
    if raw is None:  # a grant is only made for a stored request
        fail("REQUEST_UNKNOWN", "the grant's request is not stored")
    _requester_ok(s, Reader(raw).text())


def _unrevoked_grant(s: _Overlay, grant_id: bytes) -> tuple[str, bytes, bytes, bytes]:
    """The committed, unrevoked grant ``grant_id``: grantor, request id, record id and its raw entry
    (GRANT_UNKNOWN, GRANT_REVOKED)."""
    raw = s.get(k("grant", grant_id))
    if raw is None:
        fail("GRANT_UNKNOWN", "no such grant")
    r = Reader(raw)
    grantor, request_id, record_id, revoked = r.text(), r.fixed(32), r.fixed(32), r.u8()
    if revoked:
        fail("GRANT_REVOKED", "the grant is revoked")
    return grantor, request_id, record_id, raw


def check_grant_live(state: State, grant_id: bytes) -> None:
    """What an honest CPC node checks before re-encrypting for ``grant_id`` (phase 6): the grant is committed
    (GRANT_UNKNOWN) and unrevoked (GRANT_REVOKED), and neither its record nor its requester's certificate or
    attribute epoch is revoked: the checks SHC's REENCRYPTION_RECEIPT rule makes of the grant."""
    s = _Overlay(state)
    _grantor, request_id, record_id, _raw = _unrevoked_grant(s, grant_id)
    _grant_live(s, request_id, record_id)


def _apply_kind(config: ChainConfig, s: _Overlay, tx: Transaction, at: int) -> None:
    kind, a, sender = tx.kind, tx.arg, tx.sender
    w = s.writes
    if kind in ("ENTITY_REGISTER", "CERT_ISSUE", "CERT_REVOKE", "ATTRIBUTE_COMMIT", "ATTRIBUTE_EPOCH_REVOKE"):
        if sender != config.authority:
            fail("NOT_AUTHORISED", f"only the authority may send {kind}")
    if kind == "ENTITY_REGISTER":
        if a("role") not in ROLES:
            fail("TX_MALFORMED", f"unknown role {a('role')!r}")
        if _role(s, a("identity")) is not None:
            fail("ENTITY_EXISTS", f"{a('identity')!r} is registered")
        w[k("entity", a("identity").encode())] = text(a("role"))
    elif kind == "CERT_ISSUE":
        if _role(s, a("identity")) is None:
            fail("ENTITY_UNKNOWN", f"no entity {a('identity')!r}")
        if not a("period_start") < a("period_end"):
            fail("TX_MALFORMED", "empty validity period")
        if at < a("period_end"):
            auth.verify_certificate(config.group, config.authority_pk,
                                    auth.Identity(a("identity"), a("public_key"), a("period_start"),
                                                  a("period_end")), a("sigma"), at=max(at, a("period_start")))
        else:
            fail("CERT_EXPIRED", "the certificate's period has ended")
        w[k("cert", a("identity").encode())] = CertEntry(a("public_key"), a("period_start"), a("period_end"),
                                                         a("sigma"), False).to_bytes()
    elif kind == "CERT_REVOKE":
        c = _cert(s, a("identity"))
        if c is None:
            fail("ENTITY_UNKNOWN", f"no certificate for {a('identity')!r}")
        if c.revoked:
            fail("CERT_REVOKED", "already revoked")
        w[k("cert", a("identity").encode())] = attrs.evolve(c, revoked=True).to_bytes()
    elif kind == "DEVICE_REGISTER":
        _require_role(s, sender, "MI")
        if k("device", a("device").encode()) in s:
            fail("ENTITY_EXISTS", f"device {a('device')!r} is registered")
        w[k("device", a("device").encode())] = text(sender) + text(a("ibe_identity"))
    elif kind == "RECORD_PUBLISH":
        _require_role(s, sender, "MI")
        if anchor.record_key(a("record_id")) in s:
            fail("RECORD_EXISTS", "record id in use")
        _payload(config, s, tx)
        w[anchor.record_key(a("record_id"))] = RecordEntry(
            sender, a("patient"), a("policy"), a("blob_hash"), a("capsule"), a("data_commitment"), a("payload"),
            False).to_bytes()
    elif kind == "RECORD_REVOKE":
        raw = s.get(anchor.record_key(a("record_id")))
        if raw is None:
            fail("RECORD_UNKNOWN", "no such record")
        rec = RecordEntry.from_bytes(raw)
        if rec.owner != sender:
            fail("NOT_AUTHORISED", "only the owner revokes a record")
        if rec.revoked:
            fail("RECORD_REVOKED", "already revoked")
        w[anchor.record_key(a("record_id"))] = attrs.evolve(rec, revoked=True).to_bytes()
    elif kind == "ATTRIBUTE_COMMIT":
        if _role(s, a("identity")) != "RI":
            fail("ENTITY_UNKNOWN", f"{a('identity')!r} is not a registered RI")
        raw = s.get(k("attr", a("identity").encode()))
        revoked_below = 0
        if raw is not None:
            r = Reader(raw)
            epoch, _, revoked_below = r.u64(), r.fixed(32), r.u64()
            if a("epoch") <= epoch:
                fail("ATTRIBUTE_INVALID", f"epoch {a('epoch')} is not after {epoch}")
        if a("epoch") < revoked_below:
            fail("ATTRIBUTE_REVOKED", f"epoch {a('epoch')} is revoked")
        _payload(config, s, tx)
        w[k("attr", a("identity").encode())] = u64(a("epoch")) + a("commitment") + u64(revoked_below)
    elif kind == "ATTRIBUTE_EPOCH_REVOKE":
        raw = s.get(k("attr", a("identity").encode()))
        if raw is None:
            fail("ENTITY_UNKNOWN", f"{a('identity')!r} has no attribute commitment")
        r = Reader(raw)
        epoch, commitment, revoked_below = r.u64(), r.fixed(32), r.u64()
        if a("epoch") < revoked_below:
            fail("ATTRIBUTE_REVOKED", f"epoch {a('epoch')} is already revoked")
        w[k("attr", a("identity").encode())] = u64(epoch) + commitment + u64(a("epoch") + 1)
    elif kind == "MDC_HEADER_RELAY":
        height, entry = anchor.verify_relay(config.group, config.authority_pk, config.mdc_chain_id,
                                            config.mdc_validators, s, a("header"), a("certificate"),  # type: ignore[arg-type]
                                            config.cache)
        w[anchor.anchor_key(height)] = entry.to_bytes()
    elif kind in ("ACCESS_REQUEST", "RECORD_REVOKE_NOTICE"):
        if kind == "ACCESS_REQUEST":
            _require_role(s, sender, "RI")
        rec = anchor.verify_record_ref(s, a("mdc_height"), a("record_id"), a("record_entry"), a("proof"))  # type: ignore[arg-type]
        if kind == "RECORD_REVOKE_NOTICE":
            if not rec.revoked:
                fail("TX_MALFORMED", "the anchored record entry is not revoked")
            if _record_revoked_on_shc(s, a("record_id")):
                fail("RECORD_REVOKED", "the revocation is already known")
            w[k("shc-revoked", a("record_id"))] = b""
            return
        if rec.revoked or _record_revoked_on_shc(s, a("record_id")):
            fail("RECORD_REVOKED", "the record is revoked")
        _attr_epoch_ok(s, sender)
        if k("nonce", a("nonce")) in s:
            fail("REPLAYED_NONCE", "request nonce already used")
        if k("request", a("request_id")) in s:
            fail("TX_DUPLICATE", "request id in use")
        _payload(config, s, tx)
        w[k("nonce", a("nonce"))] = b""
        w[k("request", a("request_id"))] = text(sender) + text(rec.owner) + a("record_id")
    elif kind == "GRANT":
        raw = s.get(k("request", a("request_id")))
        if raw is None:
            fail("REQUEST_UNKNOWN", "no such request")
        r = Reader(raw)
        requester, owner, record_id = r.text(), r.text(), r.fixed(32)
        if sender != owner:
            fail("NOT_AUTHORISED", "only the record owner grants")
        if k("granted", a("request_id")) in s or k("grant", a("grant_id")) in s:
            fail("GRANT_EXISTS", "the request is already granted or the grant id is in use")
        if _record_revoked_on_shc(s, record_id):
            fail("RECORD_REVOKED", "the record is revoked")
        _requester_ok(s, requester)
        _payload(config, s, tx)
        w[k("granted", a("request_id"))] = b""
        w[k("grant", a("grant_id"))] = text(sender) + a("request_id") + record_id + b"\x00"
    elif kind in ("REENCRYPTION_RECEIPT", "GRANT_REVOKE"):
        grantor, request_id, record_id, raw = _unrevoked_grant(s, a("grant_id"))
        if kind == "GRANT_REVOKE":
            if sender != grantor:
                fail("NOT_AUTHORISED", "only the grantor revokes a grant")
            w[k("grant", a("grant_id"))] = raw[:-1] + b"\x01"
            return
        _require_role(s, sender, "CPC")
        _grant_live(s, request_id, record_id)
        rkey = k("receipt", a("grant_id"), sender.encode())
        if rkey in s:
            fail("RECEIPT_DUPLICATE", "a receipt from this CPC node exists")
        _payload(config, s, tx)
        w[rkey] = b""
    else:  # pragma: no cover - SCHEMAS and this dispatch list the same kinds
        fail("TX_MALFORMED", f"no rule for {kind}")


def _apply_into(config: ChainConfig, s: _Overlay, tx: Transaction) -> None:
    """Check ``tx`` against the overlay and record its writes there; on error nothing is written."""
    if not isinstance(tx, Transaction):
        fail("TX_MALFORMED", "not a transaction")
    if tx.chain != config.chain or config.chain not in SCHEMAS[tx.kind][1]:
        fail("TX_TYPE_NOT_ALLOWED", f"{tx.kind} for {tx.chain} is not accepted on {config.chain}")
    if len(tx.to_bytes()) > MAX_TX_BYTES:
        fail("MESSAGE_TOO_LARGE", "transaction too large")
    txkey = k("tx", tx.tx_hash())
    if txkey in s:
        fail("TX_DUPLICATE", "transaction already included")
    at = int.from_bytes(s[HEIGHT_KEY], "big")
    cert = _cert(s, tx.sender)
    if cert is None or _role(s, tx.sender) is None:
        fail("TX_SENDER_UNKNOWN", f"{tx.sender!r} has no certificate")
    auth.verify_tx(config.group, config.authority_pk,
                   auth.Identity(tx.sender, cert.public_key, cert.period_start, cert.period_end), tx, at=at,
                   revoked=cert.revoked, cache=config.cache)
    own = _Overlay(s)  # type: ignore[arg-type]  # this transaction's writes, folded into s if every rule passes
    try:
        _apply_kind(config, own, tx, at)
    except MedshareError:
        raise
    except (ValueError, KeyError, TypeError) as e:  # defensive: a rule met data it cannot read
        fail("TX_MALFORMED", f"{tx.kind}: {e}")
    s.writes.update(own.writes)
    s.writes[txkey] = b""


def apply(config: ChainConfig, state: State, tx: Transaction) -> dict[bytes, bytes]:
    """The state after ``tx`` (at the chain time stored in ``state``), or a typed error."""
    s = _Overlay(state)
    _apply_into(config, s, tx)
    return s.merged()


def _prime(config: ChainConfig, state: State, height: int, txs: tuple[Transaction, ...]) -> None:
    """With a verification cache, batch-verify the block's signatures under the senders' current certificates
    first (a cost optimisation; the per-transaction checks decide)."""
    if config.cache is None or len(txs) < 2:
        return
    items = []
    for tx in txs:
        raw = state.get(k("cert", tx.sender.encode()))
        if raw is not None:
            c = _decode_cert(raw)
            items.append((auth.Identity(tx.sender, c.public_key, c.period_start, c.period_end), tx))
    auth.prime_tx_cache(config.group, config.authority_pk, items, at=height, cache=config.cache)


def apply_txs(config: ChainConfig, state: State, height: int, txs: tuple[Transaction, ...]
              ) -> dict[bytes, bytes]:
    """Apply a block's transactions at ``height``; the first invalid one rejects the whole list."""
    _prime(config, state, height, txs)
    s = _Overlay(state)
    s.writes[HEIGHT_KEY] = u64(height)
    for tx in txs:
        _apply_into(config, s, tx)
    return s.merged()


def primary_of(config: ChainConfig, view: int) -> int:
    return view % len(config.validators)


def check_header(config: ChainConfig, head: Header, header: Header) -> None:
    """Header checks against the committed head: chain, height, parent, proposer."""
    if header.chain_id != config.chain_id:
        fail("BLOCK_MALFORMED", f"block of chain {header.chain_id!r}")
    if header.height != head.height + 1:
        fail("BLOCK_HEIGHT_INVALID", f"height {header.height}, expected {head.height + 1}")
    if header.parent != head.block_hash():
        fail("BLOCK_PARENT_MISMATCH", "the block does not extend the head")
    if header.proposer != primary_of(config, header.view):
        fail("BLOCK_MALFORMED", "the proposer is not the primary of the block's view")


def apply_block(config: ChainConfig, state: State, head: Header, block: Block) -> dict[bytes, bytes]:
    """The state after a block that extends ``head``, or a typed error (the block is invalid)."""
    check_header(config, head, block.header)
    if not 0 < len(block.txs) <= config.max_block_txs:
        fail("BLOCK_MALFORMED", f"{len(block.txs)} transactions (1..{config.max_block_txs})")
    if tx_root(block.txs) != block.header.tx_root:
        fail("BLOCK_MALFORMED", "the transaction root does not match")
    after = apply_txs(config, state, block.height, block.txs)
    if state_root(after, config.cache) != block.header.state_root:
        fail("STATE_ROOT_MISMATCH", "the state root differs from the state after the block")
    return after


def build_block(config: ChainConfig, state: State, head: Header, candidates: tuple[Transaction, ...],
                view: int) -> tuple[Block | None, dict[bytes, bytes], tuple[Transaction, ...]]:
    """A proposer's block: the valid candidates in order (up to the limit), the state after it, and the
    candidates rejected as invalid. ``None`` when no candidate is valid."""
    height = head.height + 1
    _prime(config, state, height, candidates[: config.max_block_txs])
    s = _Overlay(state)
    s.writes[HEIGHT_KEY] = u64(height)
    taken: list[Transaction] = []
    rejected: list[Transaction] = []
    for tx in candidates:
        if len(taken) >= config.max_block_txs:
            break
        try:
            _apply_into(config, s, tx)
            taken.append(tx)
        except MedshareError:
            rejected.append(tx)
    if not taken:
        return None, dict(state), tuple(rejected)
    after = s.merged()
    header = Header(config.chain_id, height, head.block_hash(), state_root(after, config.cache),
                    tx_root(tuple(taken)),
                    primary_of(config, view), view)
    return Block(header, tuple(taken)), after, tuple(rejected)


def state_digest(state: State) -> bytes:
    """A short fingerprint of a whole state (for logs): SHA-256 of its root."""
    return sha256(state_root(state))


def describe(state: State) -> dict[str, Any]:
    return {"height": height_of(state), "keys": len(state), "stateRoot": "0x" + state_root(state).hex()}


__all__ = ["ChainConfig", "GenesisEntity", "State", "apply", "apply_block", "apply_txs", "build_block",
           "check_grant_live", "check_header", "genesis_header", "genesis_state", "height_of", "primary_of",
           "AnchorEntry", "MDC", "SHC"]
