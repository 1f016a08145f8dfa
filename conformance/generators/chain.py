"""Trace vectors for the two chains and vectors for anchoring (spec/chain/chain.md). Deterministic: the
deployment's keys come from a seeded RNG and CBS signatures are deterministic. Hand-written scenarios; every
invalid step names its error code and a flag explained in ``notes``."""

from __future__ import annotations

from typing import Any

import attrs

from ...reference.testbed import Deployment, Ledger, Workload, certify, forge_certificate, get_group, make_deployment
from ...spec.chain.block import Block, CommitCertificate, tx_root
from ...spec.chain.codec import to_hex
from ...spec.chain.merkle import MerkleProof, prove_state
from ...spec.chain.state import ChainConfig, State, apply, genesis_state
from ...spec.chain.tx import MDC, SCHEMAS, SHC, Transaction
from ..builder import Step, VectorFileBuilder, note
from ..ops.chain import anchor_relay, anchors_to_json, config_to_json, state_to_json

SPEC = "spec/chain/chain.md"

NOTES: dict[str, dict[str, str]] = {
    "Valid": note("FUNCTIONALITY", "A valid step that must be accepted, with this state root.", f"{SPEC}#rules"),
    "DuplicateTx": note("REPLAY", "A transaction already included must be refused (TX_DUPLICATE), even when its "
                        "rule alone would accept it again.", f"{SPEC}#rules"),
    "ForgedSignature": note("AUTH_BYPASS", "A transaction whose CBS signature is another transaction's, or by an "
                            "unknown sender.", f"{SPEC}#signatures"),
    "CertificateState": note("AUTH_BYPASS", "The sender's certificate is revoked, expired, not yet valid, or not "
                             "the authority's.", f"{SPEC}#signatures"),
    "NotAuthorised": note("AUTH_BYPASS", "The sender's role does not allow this transaction (authority-only kinds, "
                          "owner-only revocations, RI requests, CPC receipts).", f"{SPEC}#rules"),
    "WrongChain": note("MISSING_CHECK", "A transaction kind of the other chain.", f"{SPEC}#transactions"),
    "Uniqueness": note("MISSING_CHECK", "An entity, device, record, grant or receipt that already exists.",
                       f"{SPEC}#rules"),
    "UnknownReference": note("MISSING_CHECK", "A reference to a record, request or grant that does not exist.",
                             f"{SPEC}#rules"),
    "Revocation": note("REVOCATION_IGNORED", "A revoked record, grant, certificate or attribute epoch must stop "
                       "later transactions.", f"{SPEC}#rules"),
    "ReplayedNonce": note("REPLAY", "A request nonce is accepted once.", f"{SPEC}#rules"),
    "ForgedAnchor": note("ANCHOR_FORGERY", "An MDC header relayed with a certificate for another block, a bad "
                         "signature, or in conflict with relayed headers.", f"{SPEC}#anchoring"),
    "UncommittedAnchor": note("ANCHOR_FORGERY", "An MDC header without a quorum of commit signatures.",
                              f"{SPEC}#anchoring"),
    "UnknownAnchor": note("ANCHOR_FORGERY", "A record reference to an MDC height SHC has not stored.",
                          f"{SPEC}#anchoring"),
    "MerkleProof": note("ANCHOR_FORGERY", "A record entry or inclusion proof that does not lead to the relayed "
                        "state root.", f"{SPEC}#merkle-trees"),
    "BlockValidity": note("MISSING_CHECK", "A block whose height, parent, transaction root, proposer or state root "
                          "is wrong.", f"{SPEC}#blocks"),
    "Malformed": note("EDGE_CASE", "Malformed JSON or encodings.", f"{SPEC}#encoding"),
}


def _fields(tx: Transaction) -> dict[str, Any]:
    return {n: tx.arg(n) for n, _ in SCHEMAS[tx.kind][2]}


class Trace:
    """One hand-written trace: its steps, each with the outcome it is written for; the builder runs them."""

    def __init__(self, state: State, comment: str) -> None:
        self.initial, self.comment = dict(state), comment
        self.steps: list[Step] = []

    def _step(self, action: str, args: dict[str, Any], error: str | None, flag: str) -> None:
        self.steps.append((action, args, error, flag))

    def ok(self, tx: Transaction) -> None:
        self._step("apply", {"tx": tx.to_json()}, None, "Valid")

    def bad(self, tx: Transaction | dict[str, Any], error: str, flag: str) -> None:
        self._step("apply", {"tx": tx.to_json() if isinstance(tx, Transaction) else tx}, error, flag)

    def advance(self, k: int = 1) -> None:
        for _ in range(k):
            self._step("advance", {}, None, "Valid")

    def block(self, parent: Any, block: Block, error: str | None = None, flag: str = "Valid") -> None:
        self._step("applyBlock", {"parent": parent.to_json(), "block": block.to_json()}, error, flag)

    def add_to(self, b: VectorFileBuilder) -> None:
        b.trace(self.comment, {"state": state_to_json(self.initial)}, self.steps)


def _deployment() -> Deployment:
    return make_deployment(get_group("native"), "medshare-chain-vectors", cache={})


def mdc_traces(dep: Deployment) -> dict[str, Any]:
    cfg = dep.mdc.chain
    w = Workload(dep, "vectors-mdc")
    g = genesis_state(cfg)
    t1 = Trace(g, "registration, publication, devices and revocations with rejected steps")
    reg = w.register(MDC, "mi-1", "MI")
    t1.ok(reg[0])
    t1.ok(reg[1])
    t1.bad(reg[1], "TX_DUPLICATE", "DuplicateTx")
    t1.bad(w.register(MDC, "mi-1", "MI")[0], "ENTITY_EXISTS", "Uniqueness")
    pub = w.publish("mi-1", "r1")
    t1.ok(pub)
    t1.bad(pub, "TX_DUPLICATE", "DuplicateTx")
    t1.bad(w.publish("mi-1", "r1"), "RECORD_EXISTS", "Uniqueness")
    t1.bad(w.publish("mi-1", "r2").with_signature(w.publish("mi-1", "r3").signature), "TX_SIGNATURE_INVALID",
           "ForgedSignature")
    t1.bad(Transaction.make(MDC, "RECORD_REVOKE", "mallory", 0, record_id=pub.arg("record_id")),
           "TX_SENDER_UNKNOWN", "ForgedSignature")
    t1.bad(w.tx(MDC, "ENTITY_REGISTER", "mi-1", identity="mi-9", role="MI"), "NOT_AUTHORISED", "NotAuthorised")
    t1.bad(w.tx(MDC, "RECORD_REVOKE", "mdc-v1", record_id=pub.arg("record_id")), "NOT_AUTHORISED",
           "NotAuthorised")
    t1.bad(w.tx(SHC, "GRANT_REVOKE", "mi-1", grant_id=b"\x01" * 32), "TX_TYPE_NOT_ALLOWED", "WrongChain")
    t1.bad(w.tx(MDC, "RECORD_REVOKE", "mi-1", record_id=b"\x02" * 32), "RECORD_UNKNOWN", "UnknownReference")
    t1.ok(w.tx(MDC, "RECORD_REVOKE", "mi-1", record_id=pub.arg("record_id")))
    t1.bad(w.tx(MDC, "RECORD_REVOKE", "mi-1", record_id=pub.arg("record_id")), "RECORD_REVOKED", "Revocation")
    t1.ok(w.tx(MDC, "DEVICE_REGISTER", "mi-1", device="ecg-7", ibe_identity="ecg-7@mi-1"))
    t1.bad(w.tx(MDC, "DEVICE_REGISTER", "mdc-v0", device="ecg-7", ibe_identity="x"), "ENTITY_EXISTS",
           "Uniqueness")
    t1.bad(w.tx(MDC, "DEVICE_REGISTER", "authority", device="ecg-8", ibe_identity="x"), "NOT_AUTHORISED",
           "NotAuthorised")
    t1.ok(w.tx(MDC, "CERT_REVOKE", "authority", identity="mi-1"))
    t1.bad(w.publish("mi-1", "r4"), "CERT_REVOKED", "CertificateState")
    j = w.publish("mdc-v0", "r5").to_json()
    t1.bad({**j, "signature": j["signature"].upper().replace("0X", "0x")}, "BAD_HEX", "Malformed")
    t1.bad({k: v for k, v in j.items() if k != "nonce"}, "BAD_JSON", "Malformed")

    t2 = Trace(g, "certificate validity periods and certificates not made by the authority")
    late = w.register(MDC, "mi-late", "MI", period=(3, 6))
    t2.ok(late[0])
    t2.ok(late[1])
    t2.bad(w.publish("mi-late", "early"), "CERT_NOT_YET_VALID", "CertificateState")
    t2.advance(3)
    t2.ok(w.publish("mi-late", "in-time"))
    t2.advance(3)
    t2.bad(w.publish("mi-late", "late"), "CERT_EXPIRED", "CertificateState")
    other = w.register(MDC, "mi-x", "MI")
    t2.ok(other[0])
    forged = w.tx(MDC, "CERT_ISSUE", "authority", **{**_fields(other[1]), "sigma": late[1].arg("sigma")})
    t2.bad(forged, "CERT_INVALID", "CertificateState")
    # re-issuing the same certificate is valid; the same transaction twice is not
    reissue = w.tx(MDC, "CERT_ISSUE", "authority", **_fields(other[1]))
    t2.ok(reissue)
    t2.bad(reissue, "TX_DUPLICATE", "DuplicateTx")

    t3 = Trace(g, "block application: a valid block and blocks with a wrong field")
    led = Ledger(cfg)
    parent = led.head
    b1, _ = led.seal([w.publish("mdc-v0", "blk-1"), w.tx(MDC, "DEVICE_REGISTER", "mdc-v1", device="d1",
                                                       ibe_identity="d1@mdc-v1")])
    h = b1.header
    t3.block(parent, Block(attrs.evolve(h, state_root=b"\x00" * 32), b1.txs), "STATE_ROOT_MISMATCH",
             "BlockValidity")
    t3.block(parent, Block(attrs.evolve(h, parent=b"\x11" * 32), b1.txs), "BLOCK_PARENT_MISMATCH",
             "BlockValidity")
    t3.block(parent, Block(attrs.evolve(h, height=2), b1.txs), "BLOCK_HEIGHT_INVALID", "BlockValidity")
    t3.block(parent, Block(h, b1.txs[:1]), "BLOCK_MALFORMED", "BlockValidity")
    t3.block(parent, Block(attrs.evolve(h, proposer=2), b1.txs), "BLOCK_MALFORMED", "BlockValidity")
    dup = (b1.txs[0], b1.txs[0])
    t3.block(parent, Block(attrs.evolve(h, tx_root=tx_root(dup)), dup), "TX_DUPLICATE", "DuplicateTx")
    t3.block(parent, b1)
    b2, _ = led.seal([w.publish("mdc-v2", "blk-2")])
    t3.block(b1.header, b2)
    t3.block(b2.header, b2, "BLOCK_HEIGHT_INVALID", "BlockValidity")
    b = VectorFileBuilder("chain.mdc.apply", NOTES).group({"config": config_to_json(cfg)})
    for t in (t1, t2, t3):
        t.add_to(b)
    return b.build()


class ShcWorld:
    def __init__(self, dep: Deployment) -> None:
        self.dep = dep
        self.w = Workload(dep, "vectors-shc")
        w = self.w
        self.mdc = Ledger(dep.mdc.chain)
        self.shc = Ledger(dep.shc.chain)
        self.mdc.seal(w.register(MDC, "mi-1", "MI"))
        self.pub = w.publish("mi-1", "shared")
        self.b2, _ = self.mdc.seal([self.pub, w.publish("mi-1", "other")])
        self.mdc_state_2 = dict(self.mdc.state)
        self.b3, _ = self.mdc.seal([w.tx(MDC, "RECORD_REVOKE", "mi-1", record_id=self.pub.arg("record_id"))])
        self.cert2 = certify(dep, dep.mdc.chain, self.b2)
        self.cert3 = certify(dep, dep.mdc.chain, self.b3, view=1, signers=4)
        self.shc.seal(w.register(SHC, "mi-1", "MI") + w.register(SHC, "ri-1", "RI") + w.register(SHC, "cpc-1", "CPC")
                      + w.register(SHC, "cpc-2", "CPC") + [w.attribute_commit("ri-1", 1)])


def shc_traces(world: ShcWorld) -> dict[str, Any]:
    dep, w = world.dep, world.w
    cfg = dep.shc.chain
    rid = world.pub.arg("record_id")
    t1 = Trace(world.shc.state, "anchoring, request, grant, receipt and grant revocation")
    req = w.request("ri-1", world.mdc_state_2, 2, rid, "q1")
    t1.bad(req, "ANCHOR_UNKNOWN_BLOCK", "UnknownAnchor")
    t1.bad(w.relay("mi-1", world.b2, forge_certificate(world.cert2, digest=world.b3.block_hash())), "ANCHOR_FORGED",
           "ForgedAnchor")
    t1.bad(w.relay("mi-1", world.b2, forge_certificate(world.cert2, corrupt=True)), "ANCHOR_FORGED", "ForgedAnchor")
    t1.bad(w.relay("mi-1", world.b2, forge_certificate(world.cert2, drop=1)), "ANCHOR_UNCOMMITTED",
           "UncommittedAnchor")
    t1.bad(w.tx(SHC, "MDC_HEADER_RELAY", "mi-1", header=world.b2.header.to_bytes(), certificate=b""),
           "ANCHOR_UNCOMMITTED", "UncommittedAnchor")
    relay = w.relay("mi-1", world.b2, world.cert2)
    t1.ok(relay)
    t1.bad(w.relay("cpc-1", world.b2, world.cert2), "TX_DUPLICATE", "DuplicateTx")
    t1.bad(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **{**_fields(req), "record_entry": req.arg("record_entry") + b"\x00"}),
           "MERKLE_PROOF_INVALID", "MerkleProof")
    p = MerkleProof.from_bytes(req.arg("proof"))
    bad_proof = attrs.evolve(p, index=p.index ^ 1).to_bytes()
    t1.bad(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **{**_fields(req), "proof": bad_proof}), "MERKLE_PROOF_INVALID",
           "MerkleProof")
    t1.bad(w.tx(SHC, "ACCESS_REQUEST", "cpc-1", **_fields(req)), "NOT_AUTHORISED", "NotAuthorised")
    req = w.request("ri-1", world.mdc_state_2, 2, rid, "q1")
    t1.ok(req)
    t1.bad(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **{**_fields(req), "request_id": b"\x0a" * 32}), "REPLAYED_NONCE",
           "ReplayedNonce")
    rq = req.arg("request_id")
    t1.bad(w.grant("cpc-1", rq, "g1"), "NOT_AUTHORISED", "NotAuthorised")
    t1.bad(w.grant("mi-1", b"\x0b" * 32, "g1"), "REQUEST_UNKNOWN", "UnknownReference")
    g = w.grant("mi-1", rq, "g1")
    t1.ok(g)
    t1.bad(w.grant("mi-1", rq, "g2"), "GRANT_EXISTS", "Uniqueness")
    gid = g.arg("grant_id")
    t1.bad(w.receipt("ri-1", gid), "NOT_AUTHORISED", "NotAuthorised")
    t1.bad(w.receipt("cpc-1", b"\x0c" * 32), "GRANT_UNKNOWN", "UnknownReference")
    t1.ok(w.receipt("cpc-1", gid))
    t1.bad(w.receipt("cpc-1", gid), "RECEIPT_DUPLICATE", "Uniqueness")
    t1.bad(w.tx(SHC, "GRANT_REVOKE", "ri-1", grant_id=gid), "NOT_AUTHORISED", "NotAuthorised")
    t1.ok(w.tx(SHC, "GRANT_REVOKE", "mi-1", grant_id=gid))
    t1.bad(w.receipt("cpc-2", gid), "GRANT_REVOKED", "Revocation")
    t1.bad(w.tx(MDC, "RECORD_PUBLISH", "mi-1", **_fields(world.pub)), "TX_TYPE_NOT_ALLOWED", "WrongChain")

    t2 = Trace(world.shc.state, "revocations of attribute epochs, certificates and records reach SHC")
    t2.ok(relay)
    req2 = w.request("ri-1", world.mdc_state_2, 2, rid, "q2")
    t2.ok(req2)
    # a grant committed before the requester's revocations: no receipt for it is accepted after them
    live = w.request("ri-1", world.mdc_state_2, 2, rid, "q5")
    t2.ok(live)
    live_grant = w.grant("mi-1", live.arg("request_id"), "g5")
    t2.ok(live_grant)
    t2.ok(w.tx(SHC, "ATTRIBUTE_EPOCH_REVOKE", "authority", identity="ri-1", epoch=1))
    t2.bad(w.receipt("cpc-1", live_grant.arg("grant_id")), "ATTRIBUTE_REVOKED", "Revocation")
    t2.bad(w.grant("mi-1", req2.arg("request_id"), "g3"), "ATTRIBUTE_REVOKED", "Revocation")
    t2.bad(w.request("ri-1", world.mdc_state_2, 2, rid, "q3"), "ATTRIBUTE_REVOKED", "Revocation")
    t2.bad(w.attribute_commit("ri-1", 1), "ATTRIBUTE_INVALID", "Revocation")
    t2.ok(w.attribute_commit("ri-1", 2))
    t2.ok(w.tx(SHC, "CERT_REVOKE", "authority", identity="ri-1"))
    t2.bad(w.grant("mi-1", req2.arg("request_id"), "g4"), "CERT_REVOKED", "Revocation")
    t2.bad(w.receipt("cpc-2", live_grant.arg("grant_id")), "CERT_REVOKED", "Revocation")
    t2.bad(w.request("ri-1", world.mdc_state_2, 2, rid, "q4"), "CERT_REVOKED", "CertificateState")
    # a re-issued certificate, with the new attribute epoch committed above, reinstates the requester (chain.md):
    # its grant committed before the revocations is usable again
    t2.ok(w.register(SHC, "ri-1", "RI")[1])
    t2.ok(w.receipt("cpc-2", live_grant.arg("grant_id")))
    t2.ok(w.relay("cpc-1", world.b3, world.cert3))
    entry = world.mdc.state[b"record/" + rid]
    notice = w.tx(SHC, "RECORD_REVOKE_NOTICE", "cpc-2", mdc_height=3, record_id=rid, record_entry=entry,
                  proof=prove_state(world.mdc.state, b"record/" + rid).to_bytes())
    t2.ok(notice)
    t2.bad(w.tx(SHC, "RECORD_REVOKE_NOTICE", "cpc-2", **_fields(notice)), "RECORD_REVOKED", "Revocation")
    t2.bad(w.receipt("cpc-1", live_grant.arg("grant_id")), "RECORD_REVOKED", "Revocation")
    b = VectorFileBuilder("chain.shc.apply", NOTES).group({"config": config_to_json(cfg)})
    for t in (t1, t2):
        t.add_to(b)
    return b.build()


def _relay_input(cfg: ChainConfig, anchors: State, block: Block, cert: CommitCertificate | bytes,
                 header: bytes | None = None) -> dict[str, Any]:
    return {"config": config_to_json(cfg), "anchors": anchors_to_json(anchors),
            "header": to_hex(header if header is not None else block.header.to_bytes()),
            "certificate": to_hex(cert if isinstance(cert, bytes) else cert.to_bytes())}


def anchor_vectors(world: ShcWorld) -> list[dict[str, Any]]:
    dep = world.dep
    cfg = dep.shc.chain
    c = VectorFileBuilder("chain.anchor.relay", NOTES).group({})
    none: State = {}
    b1 = world.mdc.blocks[0]
    cert1 = certify(dep, dep.mdc.chain, b1, view=2, signers=3)
    c.valid("height 1, three of four validators in view 2", _relay_input(cfg, none, b1, cert1), flags=["Valid"])
    c.valid("height 2, three signers", _relay_input(cfg, none, world.b2, world.cert2), flags=["Valid"])
    c.valid("height 3, all four signers, view 1", _relay_input(cfg, none, world.b3, world.cert3), flags=["Valid"])
    stored = {b"mdc/" + (2).to_bytes(8, "big"): anchor_relay(_relay_input(cfg, none, world.b2, world.cert2)) and
              __import__("medshare.spec.chain.entries", fromlist=["AnchorEntry"]).AnchorEntry(
                  world.b2.block_hash(), world.b2.header.state_root).to_bytes()}
    c.valid("height 3 extends the stored height 2", _relay_input(cfg, stored, world.b3, world.cert3), flags=["Valid"])
    c.invalid("certificate for another block", _relay_input(cfg, none, world.b2, forge_certificate(
        world.cert2, digest=world.b3.block_hash())), "ANCHOR_FORGED", ["ForgedAnchor"])
    c.invalid("one signature corrupted", _relay_input(cfg, none, world.b2, forge_certificate(world.cert2, corrupt=True)),
              "ANCHOR_FORGED", ["ForgedAnchor"])
    swapped = attrs.evolve(world.cert2, signatures=((0, world.cert2.signatures[1][1]),) + world.cert2.signatures[1:])
    c.invalid("signature of validator 1 attributed to validator 0", _relay_input(cfg, none, world.b2, swapped),
              "ANCHOR_FORGED", ["ForgedAnchor"])
    view_lie = attrs.evolve(world.cert2, view=5)
    c.invalid("certificate claims another view than the votes", _relay_input(cfg, none, world.b2, view_lie),
              "ANCHOR_FORGED", ["ForgedAnchor"])
    c.invalid("two signatures: no quorum", _relay_input(cfg, none, world.b2, forge_certificate(world.cert2, drop=1)),
              "ANCHOR_UNCOMMITTED", ["UncommittedAnchor"])
    dup = attrs.evolve(world.cert2, signatures=(world.cert2.signatures[0],) * 3)
    c.invalid("one validator's signature three times", _relay_input(cfg, none, world.b2, dup), "ANCHOR_UNCOMMITTED",
              ["UncommittedAnchor"])
    c.invalid("no certificate", _relay_input(cfg, none, world.b2, b""), "ANCHOR_UNCOMMITTED", ["UncommittedAnchor"])
    c.invalid("certificate with trailing bytes", _relay_input(cfg, none, world.b2, world.cert2.to_bytes() + b"\x00"),
              "ANCHOR_UNCOMMITTED", ["UncommittedAnchor"])
    shc_cert = certify(dep, dep.shc.chain, world.shc.blocks[0])
    c.invalid("an SHC block relayed as an MDC header", _relay_input(cfg, none, world.shc.blocks[0], shc_cert),
              "ANCHOR_FORGED", ["ForgedAnchor"])
    tampered = attrs.evolve(world.b2.header, state_root=b"\x33" * 32)
    c.invalid("header state root changed after certification",
              _relay_input(cfg, none, world.b2, world.cert2, tampered.to_bytes()), "ANCHOR_FORGED", ["ForgedAnchor"])
    conflict = {b"mdc/" + (2).to_bytes(8, "big"): stored[b"mdc/" + (2).to_bytes(8, "big")][::-1]}
    c.invalid("a different header is stored at this height", _relay_input(cfg, conflict, world.b2, world.cert2),
              "ANCHOR_FORGED", ["ForgedAnchor"])
    c.invalid("the stored parent differs", _relay_input(cfg, conflict, world.b3, world.cert3), "ANCHOR_FORGED",
              ["ForgedAnchor"])
    c.invalid("already stored", _relay_input(cfg, stored, world.b2, world.cert2), "TX_DUPLICATE", ["DuplicateTx"])
    c.invalid("header truncated", _relay_input(cfg, none, world.b2, world.cert2, world.b2.header.to_bytes()[:-1]),
              "BLOCK_MALFORMED", ["Malformed"])
    relay_file = c.build()

    r = VectorFileBuilder("chain.anchor.reference", NOTES).group({})
    anchors = {"2": {"blockHash": to_hex(world.b2.block_hash()), "stateRoot": to_hex(world.b2.header.state_root)},
               "3": {"blockHash": to_hex(world.b3.block_hash()), "stateRoot": to_hex(world.b3.header.state_root)}}
    rid = world.pub.arg("record_id")
    key = b"record/" + rid

    def ref(h: int, state: State, entry: bytes | None = None, proof: bytes | None = None,
            record_id: bytes = rid) -> dict[str, Any]:
        return {"anchors": anchors, "mdcHeight": h, "recordId": to_hex(record_id),
                "recordEntry": to_hex(entry if entry is not None else state[key]),
                "proof": to_hex(proof if proof is not None else prove_state(state, key).to_bytes())}

    r.valid("record at height 2", ref(2, world.mdc_state_2), flags=["Valid"])
    r.valid("revoked record at height 3", ref(3, world.mdc.state), flags=["Valid"])
    other_key = next(k for k in sorted(world.mdc_state_2) if k.startswith(b"record/") and k != key)
    r.valid("the other record at height 2", {**ref(2, world.mdc_state_2), "recordId": to_hex(other_key[7:]),
                                             "recordEntry": to_hex(world.mdc_state_2[other_key]),
                                             "proof": to_hex(prove_state(world.mdc_state_2, other_key).to_bytes())},
            flags=["Valid"])
    r.invalid("unknown height", ref(4, world.mdc.state), "ANCHOR_UNKNOWN_BLOCK", ["UnknownAnchor"])
    r.invalid("height 1 was never relayed", ref(1, world.mdc_state_2), "ANCHOR_UNKNOWN_BLOCK", ["UnknownAnchor"])
    r.invalid("the height-3 entry against the height-2 root", ref(2, world.mdc.state), "MERKLE_PROOF_INVALID",
              ["MerkleProof"])
    r.invalid("entry claims not revoked at height 3",
              ref(3, world.mdc.state, entry=world.mdc_state_2[key]), "MERKLE_PROOF_INVALID", ["MerkleProof"])
    r.invalid("another record id with this entry", ref(2, world.mdc_state_2, record_id=other_key[7:]),
              "MERKLE_PROOF_INVALID", ["MerkleProof"])
    p = prove_state(world.mdc_state_2, key)
    for comment, bad in [("index off by one", attrs.evolve(p, index=p.index + 1)),
                         ("a path hash flipped", attrs.evolve(p, path=(bytes(32),) + p.path[1:])),
                         ("path one hash short", attrs.evolve(p, path=p.path[:-1])),
                         ("path one hash long", attrs.evolve(p, path=p.path + (bytes(32),))),
                         ("index beyond size", attrs.evolve(p, index=p.size))]:
        r.invalid(comment, ref(2, world.mdc_state_2, proof=bad.to_bytes()), "MERKLE_PROOF_INVALID", ["MerkleProof"])
    r.invalid("proof bytes truncated", ref(2, world.mdc_state_2, proof=p.to_bytes()[:-1]), "MERKLE_PROOF_INVALID",
              ["MerkleProof"])
    r.invalid("a non-record leaf proven", {**ref(2, world.mdc_state_2), "recordEntry": to_hex(b"")},
              "MERKLE_PROOF_INVALID", ["MerkleProof"])
    return [relay_file, r.build()]


def generate() -> list[dict[str, Any]]:
    dep = _deployment()
    world = ShcWorld(dep)
    return [mdc_traces(dep), shc_traces(world)] + anchor_vectors(world)


__all__ = ["generate", "apply"]
