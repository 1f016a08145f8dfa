"""The chain state machines: encodings, Merkle proofs, validity rules of both chains, anchoring."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from medshare.reference.testbed import Deployment, Ledger, Workload, certify, forge_certificate, get_group, make_deployment
from medshare.spec.chain.anchor import record_key
from medshare.spec.chain.block import Block, CommitCertificate, Header
from medshare.spec.chain.codec import sha256, text, u8, u64
from medshare.spec.chain.entries import (
    AnchorEntry,
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
    k,
    nonce_key,
    receipt_key,
    record_revoked_key,
    request_key,
    tx_key,
)
from medshare.spec.chain.merkle import EMPTY_ROOT, MerkleProof, merkle_root, prove, state_root, verify_inclusion
from medshare.spec.chain.state import RULES, apply, apply_block, apply_txs, genesis_header, genesis_state
from medshare.spec.chain.tx import MDC, SCHEMAS, SHC, Transaction
from medshare.spec.errors import MedshareError


@lru_cache(maxsize=1)
def deployment() -> Deployment:
    return make_deployment(get_group("native"), "chain-tests", cache={})


def _code(fn, *a, **kw) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(MedshareError) as e:
        fn(*a, **kw)
    return e.value.code


# -- encodings and Merkle trees --------------------------------------------------------------------------------

@given(st.lists(st.binary(max_size=40), min_size=1, max_size=40), st.data())
def test_merkle_inclusion_proofs(leaves: list[bytes], data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(leaves) - 1))
    root = merkle_root(leaves)
    proof = prove(leaves, i)
    verify_inclusion(root, leaves[i], MerkleProof.from_bytes(proof.to_bytes()))
    assert _code(verify_inclusion, root, leaves[i] + b"x", proof) == "MERKLE_PROOF_INVALID"
    if len(leaves) > 1:
        bad = attrs.evolve(proof, index=(i + 1) % len(leaves))
        if leaves[(i + 1) % len(leaves)] != leaves[i]:
            assert _code(verify_inclusion, root, leaves[i], bad) == "MERKLE_PROOF_INVALID"
        assert _code(verify_inclusion, root, leaves[i], attrs.evolve(proof, path=proof.path[:-1])) \
            == "MERKLE_PROOF_INVALID"


def test_merkle_iterative_root_is_rfc6962() -> None:
    from medshare.spec.chain.merkle import _root_of_hashes, _root_recursive, leaf_hash
    for n in range(1, 70):
        hashes = [leaf_hash(bytes([i])) for i in range(n)]
        assert _root_of_hashes(hashes) == _root_recursive(hashes)


def test_merkle_domain_separation() -> None:
    assert merkle_root([]) == EMPTY_ROOT
    a, b = b"a", b"b"
    # an inner node is not a leaf: the root of [a, b] differs from the leaf hash of its two children
    assert merkle_root([a, b]) != merkle_root([sha256(b"\x00", a) + sha256(b"\x00", b)])
    assert state_root({b"k": b"v"}) != state_root({b"k": b"w"}) != state_root({b"j": b"v"})


@given(st.lists(st.tuples(st.binary(min_size=1, max_size=8), st.binary(max_size=8)), max_size=30))
def test_memoised_state_roots_and_keys_agree_with_the_definitions(pairs: list[tuple[bytes, bytes]]) -> None:
    cache: dict[object, object] = {}
    state = dict(pairs)
    root = state_root(state)
    assert state_root(state, cache) == root and state_root(state, cache) == root  # computed, then memoised
    changed = {**state, b"k": b"changed"}
    assert state_root(changed, cache) == state_root(changed) != root
    parts = [key for key, _ in pairs[:3]]
    assert k("p", *parts) == b"p" + b"".join(b"/" + part for part in parts)


def test_transaction_id_is_the_hash_of_its_signing_bytes() -> None:
    tx = Transaction.make(MDC, "DEVICE_REGISTER", "mdc-v0", 7, device="d", ibe_identity="d@mdc-v0")
    signed = tx.with_signature(b"\x01" * 48)
    for t in (tx, signed, Transaction.from_bytes(signed.to_bytes()), Transaction.from_json(signed.to_json())):
        assert t.tx_hash() == sha256(t.signing_bytes()) == tx.tx_hash()
    other = Transaction.make(MDC, "DEVICE_REGISTER", "mdc-v0", 8, device="d", ibe_identity="d@mdc-v0")
    assert other.tx_hash() != tx.tx_hash() and tx.arg("ibe_identity") == "d@mdc-v0"


def test_transaction_encoding_roundtrip_and_strictness() -> None:
    dep, w = deployment(), Workload(deployment(), "enc")
    tx = w.publish("mdc-v0", "r1")
    assert Transaction.from_bytes(tx.to_bytes()) == tx
    assert Transaction.from_json(tx.to_json()) == tx
    raw = tx.to_bytes()
    assert _code(Transaction.from_bytes, raw + b"\x00") == "TX_MALFORMED"
    assert _code(Transaction.from_bytes, raw[:-1]) == "TX_MALFORMED"
    assert _code(Transaction.from_bytes, b"\x00" + raw[1:]) == "TX_MALFORMED"
    assert _code(Transaction.from_bytes, b"\x54" + b"\xff" * 70_000) == "MESSAGE_TOO_LARGE"
    j = tx.to_json()
    j["fields"]["record_id"] = j["fields"]["record_id"].upper().replace("0X", "0x")
    assert _code(Transaction.from_json, j) == "BAD_HEX"
    assert _code(Transaction.make, MDC, "RECORD_REVOKE", "x", 0, record_id=b"short") == "TX_MALFORMED"
    del dep


def test_block_encoding() -> None:
    dep = deployment()
    led = Ledger(dep.mdc.chain)
    w = Workload(dep, "blk")
    block, _ = led.seal([w.publish("mdc-v0", "b1")])
    assert Block.from_bytes(block.to_bytes()) == block
    assert Block.from_json(block.to_json()) == block
    assert Header.from_json(block.header.to_json()) == block.header
    assert _code(Block.from_bytes, block.to_bytes()[:-3]) == "BLOCK_MALFORMED"
    cert = certify(dep, dep.mdc.chain, block)
    assert CommitCertificate.from_bytes(cert.to_bytes()) == cert


# -- state entries and rules -------------------------------------------------------------------------------------

H1, H2 = b"\x01" * 32, b"\x02" * 32
ENTRIES = [EntityEntry("RI"), CertEntry(b"\x03" * 96, 1, 9, b"\x04" * 48, True), DeviceEntry("mi-1", "ecg@mi-1", True),
           RecordEntry("mi-1", "p", "cardiology", H1, b"capsule", H2, b"payload", False), AnchorEntry(H1, H2),
           AttributeEntry(3, H1, 2), RequestEntry("ri-1", "mi-1", H1, 3), GrantEntry("mi-1", H1, H2, True),
           TxIncluded(), NonceUsed(), RequestGranted(), Receipt(), RecordRevokedNotice()]

#: the entry type stored under each key prefix (``meta/height`` is the chain time, a u64)
ENTRY_OF_PREFIX: dict[bytes, Any] = {
    b"entity": EntityEntry, b"cert": CertEntry, b"device": DeviceEntry, b"record": RecordEntry, b"mdc": AnchorEntry,
    b"attr": AttributeEntry, b"request": RequestEntry, b"grant": GrantEntry, b"tx": TxIncluded, b"nonce": NonceUsed,
    b"granted": RequestGranted, b"receipt": Receipt, b"shc-revoked": RecordRevokedNotice}


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: type(e).__name__)
def test_entry_codecs_roundtrip_and_are_strict(entry: Any) -> None:
    raw = entry.to_bytes()
    assert type(entry).from_bytes(raw) == entry
    assert _code(type(entry).from_bytes, raw + b"\x00") == "MALFORMED_ENCODING"
    if raw:
        assert _code(type(entry).from_bytes, raw[:-1]) == "MALFORMED_ENCODING"
    if isinstance(entry, (CertEntry, DeviceEntry, RecordEntry, GrantEntry)):  # the revoked flag is 0 or 1
        assert _code(type(entry).from_bytes, raw[:-1] + b"\x02") == "MALFORMED_ENCODING"
    if isinstance(entry, EntityEntry):
        assert _code(EntityEntry.from_bytes, text("x")[:4] + b"\xff") == "MALFORMED_ENCODING"  # not UTF-8


def test_entry_layouts_and_keys() -> None:
    """The byte layouts and keys of chain.md's "State" table."""
    assert AttributeEntry(3, H1, 2).to_bytes() == u64(3) + H1 + u64(2)
    assert RequestEntry("ri", "mi", H1, 2).to_bytes() == text("ri") + text("mi") + H1 + u64(2)
    assert GrantEntry("mi", H1, H2, False).to_bytes() == text("mi") + H1 + H2 + u8(0)
    assert DeviceEntry("mi", "d@mi", False).to_bytes() == text("mi") + text("d@mi") + u8(0)
    assert EntityEntry("MI").to_bytes() == text("MI") and Receipt().to_bytes() == b""
    keys = {entity_key("a"): b"entity/a", cert_key("a"): b"cert/a", device_key("d"): b"device/d",
            attribute_key("a"): b"attr/a", request_key(H1): b"request/" + H1, nonce_key("ri", H1): b"nonce/ri/" + H1,
            granted_key(H1): b"granted/" + H1, grant_key(H1): b"grant/" + H1, tx_key(H1): b"tx/" + H1,
            receipt_key(H1, "cpc"): b"receipt/" + H1 + b"/cpc", record_revoked_key(H1): b"shc-revoked/" + H1,
            record_key(H1): b"record/" + H1}
    assert all(key == expected for key, expected in keys.items()), keys


def _decodes_as_entries(state: Mapping[bytes, bytes]) -> None:
    """Every value of a reached state is the canonical encoding of the entry its key's prefix names."""
    for key, value in state.items():
        prefix = key.split(b"/", 1)[0]
        if prefix == b"meta":
            assert len(value) == 8
            continue
        assert ENTRY_OF_PREFIX[prefix].from_bytes(value).to_bytes() == value, key


def test_one_named_rule_per_kind() -> None:
    assert list(RULES) == list(SCHEMAS)
    for kind, rule in RULES.items():
        assert rule.__name__ == "apply_" + kind.lower()
        lines, _ = inspect.getsourcelines(rule)
        assert len(lines) <= 30, f"{rule.__name__} has {len(lines)} lines"


# -- MDC rules ---------------------------------------------------------------------------------------------------

def test_mdc_lifecycle_and_rejections() -> None:
    dep = deployment()
    cfg = dep.mdc.chain
    w = Workload(dep, "mdc")
    s0 = genesis_state(cfg)
    s = apply_txs(cfg, s0, 1, tuple(w.register(MDC, "mi-a", "MI")))
    pub = w.publish("mi-a", "rec-1")
    s1 = apply(cfg, s, pub)
    assert record_key(pub.arg("record_id")) in s1 and record_key(pub.arg("record_id")) not in s
    # each rejection names its code and leaves the state untouched
    snapshot = dict(s1)
    assert _code(apply, cfg, s1, pub) == "TX_DUPLICATE"
    assert _code(apply, cfg, s1, w.publish("mi-a", "rec-1")) == "RECORD_EXISTS"
    forged = pub.with_signature(w.publish("mi-a", "other").signature)
    assert _code(apply, cfg, s, forged) == "TX_SIGNATURE_INVALID"
    assert _code(apply, cfg, s1, w.tx(MDC, "RECORD_REVOKE", "mdc-v1", record_id=pub.arg("record_id"))) \
        == "NOT_AUTHORISED"
    assert _code(apply, cfg, s1, w.tx(MDC, "ENTITY_REGISTER", "mi-a", identity="x", role="MI")) == "NOT_AUTHORISED"
    assert _code(apply, cfg, s1, w.tx(MDC, "RECORD_REVOKE", "mi-a", record_id=b"\x01" * 32)) == "RECORD_UNKNOWN"
    assert _code(apply, cfg, s1, w.tx(SHC, "GRANT_REVOKE", "mi-a", grant_id=b"\x01" * 32)) == "TX_TYPE_NOT_ALLOWED"
    stranger = Transaction.make(MDC, "RECORD_REVOKE", "nobody", 0, record_id=b"\x01" * 32)
    assert _code(apply, cfg, s1, stranger) == "TX_SENDER_UNKNOWN"
    assert _code(apply, cfg, s1, w.register(MDC, "mi-a", "MI")[0]) == "ENTITY_EXISTS"
    assert s1 == snapshot
    # revocation of the record, then of the owner's certificate
    s2 = apply(cfg, s1, w.tx(MDC, "RECORD_REVOKE", "mi-a", record_id=pub.arg("record_id")))
    assert _code(apply, cfg, s2, w.tx(MDC, "RECORD_REVOKE", "mi-a", record_id=pub.arg("record_id"))) \
        == "RECORD_REVOKED"
    s3 = apply(cfg, s2, w.tx(MDC, "CERT_REVOKE", "authority", identity="mi-a"))
    assert _code(apply, cfg, s3, w.publish("mi-a", "rec-2")) == "CERT_REVOKED"
    s4 = apply(cfg, s3, w.tx(MDC, "DEVICE_REGISTER", "mdc-v0", device="ecg-1", ibe_identity="ecg-1@mdc-v0"))
    assert _code(apply, cfg, s4, w.tx(MDC, "DEVICE_REGISTER", "mdc-v1", device="ecg-1", ibe_identity="z")) \
        == "ENTITY_EXISTS"
    _decodes_as_entries(s4)


def test_certificate_periods_and_forged_certificates() -> None:
    dep = deployment()
    cfg = dep.mdc.chain
    w = Workload(dep, "periods")
    s = apply_txs(cfg, genesis_state(cfg), 1, tuple(w.register(MDC, "mi-late", "MI", period=(5, 10))))
    assert _code(apply, cfg, s, w.publish("mi-late", "early")) == "CERT_NOT_YET_VALID"
    s7 = apply_txs(cfg, s, 7, (w.publish("mi-late", "ok"),))
    assert _code(apply_txs, cfg, s7, 10, (w.publish("mi-late", "late"),)) == "CERT_EXPIRED"
    reg = w.register(MDC, "mi-forged", "MI")
    bad = w.tx(MDC, "CERT_ISSUE", "authority", **{**reg[1].to_json()["fields"], "public_key": reg[1].arg("public_key"),
                                                   "sigma": w.register(MDC, "mi-late", "MI")[1].arg("sigma")})
    s2 = apply(cfg, genesis_state(cfg), reg[0])
    assert _code(apply, cfg, s2, bad) == "CERT_INVALID"


def test_block_validity() -> None:
    dep = deployment()
    cfg = dep.mdc.chain
    led = Ledger(cfg)
    w = Workload(dep, "blocks")
    g_state, g_head = led.state, led.head
    block, rejected = led.seal([w.publish("mdc-v0", "x"), w.publish("mdc-v0", "x")])
    assert len(block.txs) == 1 and len(rejected) == 1
    assert apply_block(cfg, g_state, g_head, block) == led.state
    h = block.header
    cases = {
        "STATE_ROOT_MISMATCH": attrs.evolve(h, state_root=b"\x00" * 32),
        "BLOCK_HEIGHT_INVALID": attrs.evolve(h, height=2),
        "BLOCK_PARENT_MISMATCH": attrs.evolve(h, parent=b"\x01" * 32),
        "BLOCK_MALFORMED": attrs.evolve(h, tx_root=b"\x02" * 32),
    }
    for code, bad in cases.items():
        assert _code(apply_block, cfg, g_state, g_head, Block(bad, block.txs)) == code
    assert _code(apply_block, cfg, g_state, g_head, Block(attrs.evolve(h, proposer=1), block.txs)) \
        == "BLOCK_MALFORMED"
    assert genesis_header(cfg).height == 0


# -- SHC rules and anchoring ------------------------------------------------------------------------------------

def _shc_world():  # type: ignore[no-untyped-def]
    dep = deployment()
    w = Workload(dep, "shc")
    mdc = Ledger(dep.mdc.chain)
    shc = Ledger(dep.shc.chain)
    mdc.seal(w.register(MDC, "mi-1", "MI"))
    pub = w.publish("mi-1", "rec")
    b2, _ = mdc.seal([pub])
    shc.seal(w.register(SHC, "mi-1", "MI") + w.register(SHC, "ri-1", "RI") + w.register(SHC, "cpc-1", "CPC")
             + [w.attribute_commit("ri-1", 1)])
    return dep, w, mdc, shc, pub, b2


def test_shc_request_grant_receipt_and_anchor_errors() -> None:
    dep, w, mdc, shc, pub, b2 = _shc_world()
    cfg = shc.cfg
    rid = pub.arg("record_id")
    cert2 = certify(dep, dep.mdc.chain, b2)
    req = w.request("ri-1", mdc.state, 2, rid, "q1")
    assert _code(apply, cfg, shc.state, req) == "ANCHOR_UNKNOWN_BLOCK"
    # forged and uncommitted relays
    forged_hash = forge_certificate(cert2, digest=b"\x07" * 32)
    assert _code(apply, cfg, shc.state, w.relay("mi-1", b2, forged_hash)) == "ANCHOR_FORGED"
    assert _code(apply, cfg, shc.state, w.relay("mi-1", b2, forge_certificate(cert2, corrupt=True))) \
        == "ANCHOR_FORGED"
    assert _code(apply, cfg, shc.state, w.relay("mi-1", b2, forge_certificate(cert2, drop=1))) \
        == "ANCHOR_UNCOMMITTED"
    other = attrs.evolve(b2.header, state_root=b"\x09" * 32)
    assert _code(apply, cfg, shc.state, w.tx(SHC, "MDC_HEADER_RELAY", "mi-1", header=other.to_bytes(),
                                             certificate=cert2.to_bytes())) == "ANCHOR_FORGED"
    shc.seal([w.relay("mi-1", b2, cert2)])
    assert _code(apply, cfg, shc.state, w.relay("cpc-1", b2, cert2)) == "TX_DUPLICATE"
    # a record reference with a wrong entry or proof
    bad_entry = w.tx(SHC, "ACCESS_REQUEST", "ri-1", **{**req.fields(), "record_entry": req.arg("record_entry") + b"x"})
    assert _code(apply, cfg, shc.state, bad_entry) == "MERKLE_PROOF_INVALID"
    assert _code(apply, cfg, shc.state, w.tx(SHC, "ACCESS_REQUEST", "ri-1", **{**req.fields(), "proof": b"\x00"})) \
        == "MERKLE_PROOF_INVALID"
    assert _code(apply, cfg, shc.state, w.tx(SHC, "ACCESS_REQUEST", "cpc-1", **req.fields())) == "NOT_AUTHORISED"
    req = w.request("ri-1", mdc.state, 2, rid, "q1")
    shc.seal([req])
    replay = w.tx(SHC, "ACCESS_REQUEST", "ri-1", **{**req.fields(), "request_id": b"\x05" * 32})
    assert _code(apply, cfg, shc.state, replay) == "REPLAYED_NONCE"
    g = w.grant("mi-1", req.arg("request_id"), "g1")
    assert _code(apply, cfg, shc.state, w.grant("cpc-1", req.arg("request_id"), "g1")) == "NOT_AUTHORISED"
    assert _code(apply, cfg, shc.state, w.grant("mi-1", b"\x03" * 32, "g1")) == "REQUEST_UNKNOWN"
    shc.seal([g])
    assert _code(apply, cfg, shc.state, w.grant("mi-1", req.arg("request_id"), "g2")) == "GRANT_EXISTS"
    rc = w.receipt("cpc-1", g.arg("grant_id"))
    assert _code(apply, cfg, shc.state, w.receipt("ri-1", g.arg("grant_id"))) == "NOT_AUTHORISED"
    assert _code(apply, cfg, shc.state, w.receipt("cpc-1", b"\x04" * 32)) == "GRANT_UNKNOWN"
    shc.seal([rc])
    assert _code(apply, cfg, shc.state, w.receipt("cpc-1", g.arg("grant_id"))) == "RECEIPT_DUPLICATE"
    shc.seal([w.tx(SHC, "GRANT_REVOKE", "mi-1", grant_id=g.arg("grant_id"))])
    assert _code(apply, cfg, shc.state, w.tx(SHC, "GRANT_REVOKE", "mi-1", grant_id=g.arg("grant_id"))) \
        == "GRANT_REVOKED"
    _decodes_as_entries(shc.state)


def test_shc_revocations_reach_requests_and_grants() -> None:
    dep, w, mdc, shc, pub, b2 = _shc_world()
    cfg = shc.cfg
    rid = pub.arg("record_id")
    shc.seal([w.relay("mi-1", b2, certify(dep, dep.mdc.chain, b2))])
    req = w.request("ri-1", mdc.state, 2, rid, "q")
    shc.seal([req])
    # attribute epoch revocation blocks grants and new requests
    s_rev = apply(cfg, shc.state, w.tx(SHC, "ATTRIBUTE_EPOCH_REVOKE", "authority", identity="ri-1", epoch=1))
    assert _code(apply, cfg, s_rev, w.grant("mi-1", req.arg("request_id"), "g")) == "ATTRIBUTE_REVOKED"
    # certificate revocation of the requester blocks grants
    s_cert = apply(cfg, shc.state, w.tx(SHC, "CERT_REVOKE", "authority", identity="ri-1"))
    assert _code(apply, cfg, s_cert, w.grant("mi-1", req.arg("request_id"), "g")) == "CERT_REVOKED"
    # record revocation on MDC, relayed with a notice, blocks grants
    b3, _ = mdc.seal([w.tx(MDC, "RECORD_REVOKE", "mi-1", record_id=rid)])
    shc.seal([w.relay("mi-1", b3, certify(dep, dep.mdc.chain, b3))])
    notice_args = w.request("ri-1", mdc.state, 3, rid, "n").fields()
    notice = w.tx(SHC, "RECORD_REVOKE_NOTICE", "cpc-1", mdc_height=3, record_id=rid,
                  record_entry=notice_args["record_entry"], proof=notice_args["proof"])
    shc.seal([notice])
    assert _code(apply, cfg, shc.state, w.grant("mi-1", req.arg("request_id"), "g")) == "RECORD_REVOKED"
    assert _code(apply, cfg, shc.state, w.request("ri-1", mdc.state, 3, rid, "late")) == "RECORD_REVOKED"
    _decodes_as_entries(shc.state)


def test_payload_rules_are_pluggable() -> None:
    dep = deployment()
    from medshare.spec.errors import fail

    def no_proof(state, tx):  # type: ignore[no-untyped-def]
        if tx.arg("payload") != b"valid-proof":
            fail("PROOF_INVALID", "zk proof rejected")

    cfg = attrs.evolve(dep.mdc.chain, payload_rules={"RECORD_PUBLISH": no_proof})
    w = Workload(dep, "rules")
    assert _code(apply, cfg, genesis_state(cfg), w.publish("mdc-v0", "p")) == "PROOF_INVALID"
    ok = w.tx(MDC, "RECORD_PUBLISH", "mdc-v0", **{**w.publish("mdc-v0", "p2").fields(), "payload": b"valid-proof"})
    apply(cfg, genesis_state(cfg), ok)
