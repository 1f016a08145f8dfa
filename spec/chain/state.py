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
from .codec import sha256, u64
from .entries import (
    AttributeEntry,
    CertEntry,
    DeviceEntry,
    EntityEntry,
    GrantEntry,
    NonceUsed,
    Receipt,
    RecordEntry,
    RecordRevokedNotice,
    RequestEntry,
    RequestGranted,
    TxIncluded,
    attribute_key,
    cert_key,
    device_key,
    entity_key,
    grant_key,
    granted_key,
    nonce_key,
    receipt_key,
    record_revoked_key,
    request_key,
    tx_key,
)
from .merkle import state_root
from .tx import MAX_TX_BYTES, SCHEMAS, Transaction

State = Mapping[bytes, bytes]
#: a payload predicate: (state, tx) -> None, raising a MedshareError to reject the transaction
PayloadRule = Callable[[State, Transaction], None]

ROLES = ("AUTHORITY", "MI", "RI", "CPC")
HEIGHT_KEY = b"meta/height"
#: the genesis state's commitment to a circuit's Groth16 verifying key: meta/vk/<circuit> -> SHA-256 of the key
CIRCUIT_KEY_PREFIX = b"meta/vk/"


def circuit_key(circuit: str) -> bytes:
    """The state key under which the genesis commits to ``circuit``'s verifying-key hash."""
    return CIRCUIT_KEY_PREFIX + circuit.encode("ascii")
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
    #: (circuit name, SHA-256 of its verifying key), sorted by name: the keys the genesis commits to
    circuit_keys: tuple[tuple[str, bytes], ...] = ()

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
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, bytes) and self.get(key) is not None

    def put(self, key: bytes, value: bytes) -> None:
        self.writes[key] = value

    def merged(self) -> dict[bytes, bytes]:
        out = dict(self.base)
        out.update(self.writes)
        return out


def genesis_state(config: ChainConfig) -> dict[bytes, bytes]:
    """The state at height 0: every genesis entity with its certificate, and each committed circuit's
    verifying-key hash under ``meta/vk/<circuit>``."""
    state: dict[bytes, bytes] = {HEIGHT_KEY: u64(0)}
    for circuit, digest in config.circuit_keys:
        state[circuit_key(circuit)] = digest
    for entity in config.genesis:
        state[entity_key(entity.identity)] = EntityEntry(entity.role).to_bytes()
        state[cert_key(entity.identity)] = CertEntry(entity.public_key, entity.period_start, entity.period_end,
                                                     ZERO_SIG, False).to_bytes()
    return state


def genesis_header(config: ChainConfig) -> Header:
    return Header(config.chain_id, 0, ZERO_HASH, state_root(genesis_state(config)), tx_root(()), 0, 0)


def height_of(state: State | _Overlay) -> int:
    return int.from_bytes(state[HEIGHT_KEY], "big")


# ---- reading state -------------------------------------------------------------------------------------------

# Decoding a state value is a pure function of its bytes, and a block reads its senders' entries once per
# transaction: the decoded values are memoised (a cost optimisation only).
_decode_entity = lru_cache(maxsize=4096)(EntityEntry.from_bytes)
_decode_cert = lru_cache(maxsize=4096)(CertEntry.from_bytes)


def _role(state: _Overlay, identity: str) -> str | None:
    raw = state.get(entity_key(identity))
    return _decode_entity(raw).role if raw is not None else None


def _cert(state: _Overlay, identity: str) -> CertEntry | None:
    raw = state.get(cert_key(identity))
    return _decode_cert(raw) if raw is not None else None


def _attribute(state: _Overlay, identity: str) -> AttributeEntry | None:
    raw = state.get(attribute_key(identity))
    return AttributeEntry.from_bytes(raw) if raw is not None else None


def _record_revoked_on_shc(state: _Overlay, record_id: bytes) -> bool:
    return record_revoked_key(record_id) in state


# ---- guards shared by several rules ----------------------------------------------------------------------------

def _require_authority(config: ChainConfig, tx: Transaction) -> None:
    """The authority-only kinds (entities, certificates, attributes): the sender is the authority."""
    if tx.sender != config.authority:
        fail("NOT_AUTHORISED", f"only the authority may send {tx.kind}")


def _require_role(state: _Overlay, identity: str, role: str) -> None:
    if _role(state, identity) != role:
        fail("NOT_AUTHORISED", f"{identity!r} is not a registered {role}")


def _payload(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """The kind's payload rule, if the configuration has one (the sharing protocol's checks)."""
    rule = config.payload_rules.get(tx.kind)
    if rule is not None:
        rule(state, tx)  # type: ignore[arg-type]


def _attr_epoch_ok(state: _Overlay, identity: str) -> AttributeEntry:
    """``identity`` has an attribute commitment (ENTITY_UNKNOWN) whose epoch is unrevoked (ATTRIBUTE_REVOKED);
    returns it."""
    attribute = _attribute(state, identity)
    if attribute is None:
        fail("ENTITY_UNKNOWN", f"{identity!r} has no attribute commitment")
    if attribute.epoch < attribute.revoked_below:
        fail("ATTRIBUTE_REVOKED", f"attribute epoch {attribute.epoch} of {identity!r} is revoked")
    return attribute


def _request_epoch_ok(state: _Overlay, request: RequestEntry) -> None:
    """The attribute epoch the request's proof was made under is unrevoked and is still the requester's current
    one (ATTRIBUTE_REVOKED): a new commitment does not revive a request proven under an older epoch."""
    attribute = _attribute(state, request.requester)
    if attribute is None:  # a request is only stored while its requester has a commitment
        fail("ENTITY_UNKNOWN", f"{request.requester!r} has no attribute commitment")
    if request.epoch < attribute.revoked_below:
        fail("ATTRIBUTE_REVOKED", f"attribute epoch {request.epoch} of the request is revoked")
    if request.epoch != attribute.epoch:
        fail("ATTRIBUTE_REVOKED", f"attribute epoch {request.epoch} of the request is superseded by epoch "
                                  f"{attribute.epoch}: a fresh proof is needed")


def _requester_ok(state: _Overlay, request: RequestEntry) -> None:
    """The requester's certificate (CERT_REVOKED) and the attribute epoch of the request (ATTRIBUTE_REVOKED) are
    unrevoked."""
    cert = _cert(state, request.requester)
    if cert is None or cert.revoked:
        fail("CERT_REVOKED", "the requester's certificate is revoked")
    _request_epoch_ok(state, request)


def _grant_live(state: _Overlay, request_id: bytes, record_id: bytes) -> None:
    """A committed, unrevoked grant may still be used: its record (RECORD_REVOKED) and its requester are
    unrevoked."""
    if _record_revoked_on_shc(state, record_id):
        fail("RECORD_REVOKED", "the record is revoked")
    raw = state.get(request_key(request_id))
    if raw is None:  # a grant is only made for a stored request
        fail("REQUEST_UNKNOWN", "the grant's request is not stored")
    _requester_ok(state, RequestEntry.from_bytes(raw))


def _unrevoked_grant(state: _Overlay, grant_id: bytes) -> GrantEntry:
    """The committed, unrevoked grant ``grant_id`` (GRANT_UNKNOWN, GRANT_REVOKED)."""
    raw = state.get(grant_key(grant_id))
    if raw is None:
        fail("GRANT_UNKNOWN", "no such grant")
    grant = GrantEntry.from_bytes(raw)
    if grant.revoked:
        fail("GRANT_REVOKED", "the grant is revoked")
    return grant


def check_grant_live(state: State, grant_id: bytes) -> None:
    """What an honest CPC node checks before re-encrypting for ``grant_id`` (phase 6): the grant is committed
    (GRANT_UNKNOWN) and unrevoked (GRANT_REVOKED), neither its record nor its requester's certificate is revoked,
    and the attribute epoch its request was proven under is unrevoked and current: the checks SHC's
    REENCRYPTION_RECEIPT rule makes of the grant."""
    overlay = _Overlay(state)
    grant = _unrevoked_grant(overlay, grant_id)
    _grant_live(overlay, grant.request_id, grant.record_id)


# ---- one rule per transaction kind ------------------------------------------------------------------------------
# A rule checks its guards in order (the first failing one gives the error code) and records its writes in
# the transaction's overlay; the table in chain.md ("Rules") lists them.

def apply_entity_register(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """ENTITY_REGISTER: the authority registers a new identity with a known role."""
    _require_authority(config, tx)
    identity, role = tx.arg("identity"), tx.arg("role")
    if role not in ROLES:
        fail("TX_MALFORMED", f"unknown role {role!r}")
    if _role(state, identity) is not None:
        fail("ENTITY_EXISTS", f"{identity!r} is registered")
    state.put(entity_key(identity), EntityEntry(role).to_bytes())


def apply_cert_issue(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """CERT_ISSUE: the authority's certificate on (identity, key, period) replaces the current one."""
    _require_authority(config, tx)
    identity, public_key, sigma = tx.arg("identity"), tx.arg("public_key"), tx.arg("sigma")
    period_start, period_end = tx.arg("period_start"), tx.arg("period_end")
    at = height_of(state)
    if _role(state, identity) is None:
        fail("ENTITY_UNKNOWN", f"no entity {identity!r}")
    if not period_start < period_end:
        fail("TX_MALFORMED", "empty validity period")
    if at >= period_end:
        fail("CERT_EXPIRED", "the certificate's period has ended")
    auth.verify_certificate(config.group, config.authority_pk,
                            auth.Identity(identity, public_key, period_start, period_end), sigma,
                            at=max(at, period_start))
    state.put(cert_key(identity), CertEntry(public_key, period_start, period_end, sigma, False).to_bytes())


def apply_cert_revoke(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """CERT_REVOKE: the authority revokes an identity's current certificate."""
    _require_authority(config, tx)
    identity = tx.arg("identity")
    cert = _cert(state, identity)
    if cert is None:
        fail("ENTITY_UNKNOWN", f"no certificate for {identity!r}")
    if cert.revoked:
        fail("CERT_REVOKED", "already revoked")
    state.put(cert_key(identity), attrs.evolve(cert, revoked=True).to_bytes())


def apply_device_register(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """DEVICE_REGISTER: an MI registers a new device under its IBE identity."""
    _require_role(state, tx.sender, "MI")
    device = tx.arg("device")
    if device_key(device) in state:
        fail("ENTITY_EXISTS", f"device {device!r} is registered")
    state.put(device_key(device), DeviceEntry(tx.sender, tx.arg("ibe_identity"), False).to_bytes())


def apply_device_revoke(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """DEVICE_REVOKE: the MI that registered a device revokes it, for good."""
    _require_role(state, tx.sender, "MI")
    key = device_key(tx.arg("device"))
    raw = state.get(key)
    if raw is None:
        fail("DEVICE_UNKNOWN", f"no device {tx.arg('device')!r}")
    device = DeviceEntry.from_bytes(raw)
    if device.institution != tx.sender:
        fail("NOT_AUTHORISED", "only the device's institution revokes it")
    if device.revoked:
        fail("DEVICE_REVOKED", "already revoked")
    state.put(key, attrs.evolve(device, revoked=True).to_bytes())


def apply_record_publish(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """RECORD_PUBLISH: an MI publishes a record under a new id; it owns the record."""
    _require_role(state, tx.sender, "MI")
    key = anchor.record_key(tx.arg("record_id"))
    if key in state:
        fail("RECORD_EXISTS", "record id in use")
    _payload(config, state, tx)
    record = RecordEntry(tx.sender, tx.arg("patient"), tx.arg("policy"), tx.arg("blob_hash"), tx.arg("capsule"),
                         tx.arg("data_commitment"), tx.arg("payload"), False)
    state.put(key, record.to_bytes())


def apply_record_revoke(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """RECORD_REVOKE: the owner revokes a published record."""
    key = anchor.record_key(tx.arg("record_id"))
    raw = state.get(key)
    if raw is None:
        fail("RECORD_UNKNOWN", "no such record")
    record = RecordEntry.from_bytes(raw)
    if record.owner != tx.sender:
        fail("NOT_AUTHORISED", "only the owner revokes a record")
    if record.revoked:
        fail("RECORD_REVOKED", "already revoked")
    state.put(key, attrs.evolve(record, revoked=True).to_bytes())


def apply_attribute_commit(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """ATTRIBUTE_COMMIT: the authority commits an RI's attributes at a new, unrevoked epoch."""
    _require_authority(config, tx)
    identity, epoch = tx.arg("identity"), tx.arg("epoch")
    if _role(state, identity) != "RI":
        fail("ENTITY_UNKNOWN", f"{identity!r} is not a registered RI")
    current = _attribute(state, identity)
    revoked_below = 0
    if current is not None:
        revoked_below = current.revoked_below
        if epoch <= current.epoch:
            fail("ATTRIBUTE_INVALID", f"epoch {epoch} is not after {current.epoch}")
    if epoch < revoked_below:
        fail("ATTRIBUTE_REVOKED", f"epoch {epoch} is revoked")
    _payload(config, state, tx)
    state.put(attribute_key(identity), AttributeEntry(epoch, tx.arg("commitment"), revoked_below).to_bytes())


def apply_attribute_epoch_revoke(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """ATTRIBUTE_EPOCH_REVOKE: the authority revokes every attribute epoch of an identity up to ``epoch``."""
    _require_authority(config, tx)
    identity, epoch = tx.arg("identity"), tx.arg("epoch")
    current = _attribute(state, identity)
    if current is None:
        fail("ENTITY_UNKNOWN", f"{identity!r} has no attribute commitment")
    if epoch < current.revoked_below:
        fail("ATTRIBUTE_REVOKED", f"epoch {epoch} is already revoked")
    state.put(attribute_key(identity), attrs.evolve(current, revoked_below=epoch + 1).to_bytes())


def apply_mdc_header_relay(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """MDC_HEADER_RELAY: any registered entity relays a committed MDC header (the checks of
    ``anchor.verify_relay``); SHC stores its hash and state root at its height."""
    height, entry = anchor.verify_relay(config.group, config.authority_pk, config.mdc_chain_id,
                                        config.mdc_validators, state,  # type: ignore[arg-type]
                                        tx.arg("header"), tx.arg("certificate"), config.cache)
    state.put(anchor.anchor_key(height), entry.to_bytes())


def _record_reference(state: _Overlay, tx: Transaction) -> RecordEntry:
    """The record entry the transaction proves under a relayed MDC header (``anchor.verify_record_ref``)."""
    return anchor.verify_record_ref(state, tx.arg("mdc_height"), tx.arg("record_id"),  # type: ignore[arg-type]
                                    tx.arg("record_entry"), tx.arg("proof"))


def apply_access_request(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """ACCESS_REQUEST: an RI with an unrevoked attribute epoch requests an unrevoked record, under a nonce it has
    not used and a new request id; the record's owner is read from MDC, and the request records the epoch its
    proof was made under."""
    _require_role(state, tx.sender, "RI")
    record_id, nonce, request_id = tx.arg("record_id"), tx.arg("nonce"), tx.arg("request_id")
    record = _record_reference(state, tx)
    if record.revoked or _record_revoked_on_shc(state, record_id):
        fail("RECORD_REVOKED", "the record is revoked")
    attribute = _attr_epoch_ok(state, tx.sender)
    if nonce_key(tx.sender, nonce) in state:
        fail("REPLAYED_NONCE", "the requester already used this nonce")
    if request_key(request_id) in state:
        fail("TX_DUPLICATE", "request id in use")
    _payload(config, state, tx)
    state.put(nonce_key(tx.sender, nonce), NonceUsed().to_bytes())
    state.put(request_key(request_id), RequestEntry(tx.sender, record.owner, record_id, attribute.epoch).to_bytes())


def apply_grant(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """GRANT: the record's owner grants a stored request, once, while the record, the requester's certificate and
    the attribute epoch of the request are unrevoked (and that epoch is still the requester's current one)."""
    grant_id, request_id = tx.arg("grant_id"), tx.arg("request_id")
    raw = state.get(request_key(request_id))
    if raw is None:
        fail("REQUEST_UNKNOWN", "no such request")
    request = RequestEntry.from_bytes(raw)
    if tx.sender != request.owner:
        fail("NOT_AUTHORISED", "only the record owner grants")
    if granted_key(request_id) in state or grant_key(grant_id) in state:
        fail("GRANT_EXISTS", "the request is already granted or the grant id is in use")
    if _record_revoked_on_shc(state, request.record_id):
        fail("RECORD_REVOKED", "the record is revoked")
    _requester_ok(state, request)
    _payload(config, state, tx)
    state.put(granted_key(request_id), RequestGranted().to_bytes())
    state.put(grant_key(grant_id), GrantEntry(tx.sender, request_id, request.record_id, False).to_bytes())


def apply_reencryption_receipt(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """REENCRYPTION_RECEIPT: a CPC node reports its re-encryption for a live grant, once per grant."""
    grant_id = tx.arg("grant_id")
    grant = _unrevoked_grant(state, grant_id)
    _require_role(state, tx.sender, "CPC")
    _grant_live(state, grant.request_id, grant.record_id)
    key = receipt_key(grant_id, tx.sender)
    if key in state:
        fail("RECEIPT_DUPLICATE", "a receipt from this CPC node exists")
    _payload(config, state, tx)
    state.put(key, Receipt().to_bytes())


def apply_grant_revoke(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """GRANT_REVOKE: the grantor revokes an unrevoked grant."""
    grant_id = tx.arg("grant_id")
    grant = _unrevoked_grant(state, grant_id)
    if tx.sender != grant.grantor:
        fail("NOT_AUTHORISED", "only the grantor revokes a grant")
    state.put(grant_key(grant_id), attrs.evolve(grant, revoked=True).to_bytes())


def apply_record_revoke_notice(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """RECORD_REVOKE_NOTICE: any registered entity shows SHC, through an anchored MDC entry, that a record is
    revoked; SHC notes it once."""
    record_id = tx.arg("record_id")
    record = _record_reference(state, tx)
    if not record.revoked:
        fail("TX_MALFORMED", "the anchored record entry is not revoked")
    if _record_revoked_on_shc(state, record_id):
        fail("RECORD_REVOKED", "the revocation is already known")
    state.put(record_revoked_key(record_id), RecordRevokedNotice().to_bytes())


#: a kind's rule: checks its guards against the transaction's overlay and records its writes there
Rule = Callable[[ChainConfig, _Overlay, Transaction], None]

RULES: dict[str, Rule] = {
    "ENTITY_REGISTER": apply_entity_register,
    "CERT_ISSUE": apply_cert_issue,
    "CERT_REVOKE": apply_cert_revoke,
    "DEVICE_REGISTER": apply_device_register,
    "RECORD_PUBLISH": apply_record_publish,
    "RECORD_REVOKE": apply_record_revoke,
    "ATTRIBUTE_COMMIT": apply_attribute_commit,
    "ATTRIBUTE_EPOCH_REVOKE": apply_attribute_epoch_revoke,
    "MDC_HEADER_RELAY": apply_mdc_header_relay,
    "ACCESS_REQUEST": apply_access_request,
    "GRANT": apply_grant,
    "REENCRYPTION_RECEIPT": apply_reencryption_receipt,
    "GRANT_REVOKE": apply_grant_revoke,
    "RECORD_REVOKE_NOTICE": apply_record_revoke_notice,
    "DEVICE_REVOKE": apply_device_revoke,
}


# ---- applying transactions and blocks ---------------------------------------------------------------------------

def _apply_into(config: ChainConfig, state: _Overlay, tx: Transaction) -> None:
    """Check ``tx`` against the overlay and record its writes there; on error nothing is written."""
    if not isinstance(tx, Transaction):
        fail("TX_MALFORMED", "not a transaction")
    if tx.chain != config.chain or config.chain not in SCHEMAS[tx.kind][1]:
        fail("TX_TYPE_NOT_ALLOWED", f"{tx.kind} for {tx.chain} is not accepted on {config.chain}")
    if len(tx.to_bytes()) > MAX_TX_BYTES:
        fail("MESSAGE_TOO_LARGE", "transaction too large")
    included = tx_key(tx.tx_hash())
    if included in state:
        fail("TX_DUPLICATE", "transaction already included")
    at = height_of(state)
    cert = _cert(state, tx.sender)
    if cert is None or _role(state, tx.sender) is None:
        fail("TX_SENDER_UNKNOWN", f"{tx.sender!r} has no certificate")
    auth.verify_tx(config.group, config.authority_pk,
                   auth.Identity(tx.sender, cert.public_key, cert.period_start, cert.period_end), tx,
                   at=at, revoked=cert.revoked, cache=config.cache)
    own = _Overlay(state)  # type: ignore[arg-type]  # this transaction's writes, folded in if its rule passes
    try:
        RULES[tx.kind](config, own, tx)
    except MedshareError:
        raise
    except (ValueError, KeyError, TypeError) as e:  # defensive: a rule met data it cannot read
        fail("TX_MALFORMED", f"{tx.kind}: {e}")
    state.writes.update(own.writes)
    state.put(included, TxIncluded().to_bytes())


def apply(config: ChainConfig, state: State, tx: Transaction) -> dict[bytes, bytes]:
    """The state after ``tx`` (at the chain time stored in ``state``), or a typed error."""
    overlay = _Overlay(state)
    _apply_into(config, overlay, tx)
    return overlay.merged()


def _prime(config: ChainConfig, state: State, height: int, txs: tuple[Transaction, ...]) -> None:
    """With a verification cache, batch-verify the block's signatures under the senders' current certificates
    first (a cost optimisation; the per-transaction checks decide)."""
    if config.cache is None or len(txs) < 2:
        return
    items = []
    for tx in txs:
        raw = state.get(cert_key(tx.sender))
        if raw is not None:
            cert = _decode_cert(raw)
            items.append((auth.Identity(tx.sender, cert.public_key, cert.period_start, cert.period_end), tx))
    auth.prime_tx_cache(config.group, config.authority_pk, items, at=height, cache=config.cache)


def apply_txs(config: ChainConfig, state: State, height: int, txs: tuple[Transaction, ...]
              ) -> dict[bytes, bytes]:
    """Apply a block's transactions at ``height``; the first invalid one rejects the whole list."""
    _prime(config, state, height, txs)
    overlay = _Overlay(state)
    overlay.put(HEIGHT_KEY, u64(height))
    for tx in txs:
        _apply_into(config, overlay, tx)
    return overlay.merged()


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
    overlay = _Overlay(state)
    overlay.put(HEIGHT_KEY, u64(height))
    taken: list[Transaction] = []
    rejected: list[Transaction] = []
    for tx in candidates:
        if len(taken) >= config.max_block_txs:
            break
        try:
            _apply_into(config, overlay, tx)
            taken.append(tx)
        except MedshareError:
            rejected.append(tx)
    if not taken:
        return None, dict(state), tuple(rejected)
    after = overlay.merged()
    header = Header(config.chain_id, height, head.block_hash(), state_root(after, config.cache),
                    tx_root(tuple(taken)),
                    primary_of(config, view), view)
    return Block(header, tuple(taken)), after, tuple(rejected)


def state_digest(state: State) -> bytes:
    """A short fingerprint of a whole state (for logs): SHA-256 of its root."""
    return sha256(state_root(state))


def describe(state: State) -> dict[str, Any]:
    return {"height": height_of(state), "keys": len(state), "stateRoot": "0x" + state_root(state).hex()}


__all__ = ["RULES", "ChainConfig", "GenesisEntity", "PayloadRule", "Rule", "State", "apply", "apply_block",
           "apply_txs", "build_block", "check_grant_live", "check_header", "circuit_key", "genesis_header",
           "genesis_state", "height_of", "primary_of"]
