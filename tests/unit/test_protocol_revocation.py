"""Revocation and request scoping in the sharing protocol with real keys and proofs (spec/protocol/protocol.md,
phases 2, 4, 6 and 8): a re-commitment of a requester's attributes does not revive what it was granted under a
revoked epoch; an MI refuses readings of a device it revoked; a request's nonce and id belong to its requester."""

from __future__ import annotations

import hashlib
from typing import Any

import attrs
import pytest
from _chain_helpers import code_of, seal
from medshare.reference.testbed import Ledger, Workload, certify, circuit_keys, get_group, make_deployment
from medshare.spec.chain.codec import sha256
from medshare.spec.chain.state import apply
from medshare.spec.chain.tx import MDC, SHC, Transaction
from medshare.spec.crypto import ibe, umbral
from medshare.spec.errors import MedshareError
from medshare.spec.protocol import protocol
from medshare.spec.rng import DeterministicRNG

POLICY = "cardiology@1 and researcher@1"
NONCE = b"\x11" * 32


@attrs.define
class World:
    g: Any
    dep: Any
    keys: protocol.AuthorityKeys
    wl: Workload
    policy: protocol.RecordPolicy
    mdc: Ledger
    shc: Ledger
    pk16: Any
    rid: bytes
    height: int
    grants: dict[str, protocol.AttributeGrant]
    rng: DeterministicRNG

    def request(self, ri: str, nonce: bytes) -> Transaction:
        proof = protocol.prove_access(self.g, self.pk16, self.policy, self.grants[ri], self.rid, nonce, ri,
                                      self.rng.fork(ri))
        receiving = umbral.SecretKey.random(self.rng.fork(ri + "/umbral")).public_key()
        return self.wl.tx(SHC, "ACCESS_REQUEST", ri, **protocol.request_fields(self.mdc.state, self.height, self.rid, nonce,
                                                                         proof, receiving, requester=ri))


@pytest.fixture(scope="module")
def world() -> World:
    g = get_group("native")
    pk16 = circuit_keys(g, "tests")
    dep = make_deployment(g, "proto-revocation", cache={}, payload_rules=protocol.payload_rules(g, pk16.vk),
                          circuit_keys=protocol.circuit_keys(pk16.vk))
    rng = DeterministicRNG("proto-revocation")
    keys = protocol.setup_authority(g, rng.fork("authority"), dep.authority_keys)
    wl = Workload(dep, "proto-revocation")
    mdc, shc = Ledger(dep.mdc.chain), Ledger(dep.shc.chain)
    seal(mdc, wl.register(MDC, "mi1", "MI"))
    seal(shc, wl.register(SHC, "mi1", "MI") + wl.register(SHC, "ri1", "RI") + wl.register(SHC, "ri3", "RI")
             + wl.register(SHC, "cpc1", "CPC"))
    grants = {ri: protocol.issue_attributes(g, keys, ["cardiology@1", "researcher@1"], rng.fork(ri))
              for ri in ("ri1", "ri3")}
    seal(shc, [wl.tx(SHC, "ATTRIBUTE_COMMIT", "authority", **protocol.attribute_commit_fields(ri, 1, gr))
              for ri, gr in grants.items()])
    owner = umbral.SecretKey.random(rng.fork("owner"))
    signer = umbral.Signer(umbral.SecretKey.random(rng.fork("sign")))
    rid = hashlib.sha256(b"revocation/r1").digest()
    pub = protocol.publish(g, keys.fame_pk, owner.public_key(), POLICY, rid, list(range(1, 9)), rng.fork("publish"))
    block = seal(mdc, [wl.tx(MDC, "RECORD_PUBLISH", "mi1", **pub.publish_fields("p", owner.public_key(),
                                                                                   signer.verifying_key()))])
    seal(shc, [wl.tx(SHC, "MDC_HEADER_RELAY", "mi1", header=block.header.to_bytes(),
                    certificate=certify(dep, dep.mdc.chain, block).to_bytes())])
    return World(g, dep, keys, wl, pub.policy, mdc, shc, pk16, rid, block.height, grants, rng)


def test_recommitting_unsatisfying_attributes_does_not_revive_a_grant(world: World) -> None:
    """ri1 is granted under epoch 1; the authority revokes epoch 1 and commits ri1's new attributes, which no
    longer satisfy the policy. The old grant gets no more re-encryptions and ri1 can prove nothing new."""
    w, cfg = world, world.shc.cfg
    shc = Ledger(cfg)
    shc.state, shc.head = dict(w.shc.state), w.shc.head
    req = w.request("ri1", NONCE)
    grant = w.wl.tx(SHC, "GRANT", "mi1", **protocol.grant_fields(req.arg("request_id"), 1, 1))
    seal(shc, [req, grant])
    gid = grant.arg("grant_id")
    protocol.check_reencryption(shc.state, gid)
    demoted = protocol.issue_attributes(w.g, w.keys, ["dermatology@2", "researcher@2"], w.rng.fork("ri1/epoch2"))
    seal(shc, [w.wl.tx(SHC, "ATTRIBUTE_EPOCH_REVOKE", "authority", identity="ri1", epoch=1),
              w.wl.tx(SHC, "ATTRIBUTE_COMMIT", "authority", **protocol.attribute_commit_fields("ri1", 2, demoted))])
    assert code_of(protocol.check_reencryption, shc.state, gid) == "ATTRIBUTE_REVOKED"
    receipt = w.wl.tx(SHC, "REENCRYPTION_RECEIPT", "cpc1", grant_id=gid, payload=b"\x01" * 32)
    assert code_of(apply, cfg, shc.state, receipt) == "ATTRIBUTE_REVOKED"
    with pytest.raises(MedshareError) as e:
        protocol.prove_access(w.g, w.pk16, w.policy, demoted, w.rid, b"\x12" * 32, "ri1", w.rng.fork("again"))
    assert e.value.code == "POLICY_UNSATISFIED"


def test_a_revoked_device_is_refused_by_its_institution(world: World) -> None:
    w = world
    mdc = Ledger(w.dep.mdc.chain)
    mdc.state, mdc.head = dict(w.mdc.state), w.mdc.head
    device = w.dep.new_signer("ecg-1", w.rng.fork("ecg-1"))
    seal(mdc, [w.wl.tx(MDC, "DEVICE_REGISTER", "mi1", device="ecg-1", ibe_identity="mi1@1")])
    key = ibe.extract(w.g, w.keys.ibe, "mi1", 1)
    apk = w.keys.cbs.pk

    def receive(sequence: int) -> str:
        msg = protocol.device_send(w.g, w.keys.ibe.p_pub, "mi1", 1, device, sequence, b"\x00" * 8, w.rng.fork(str(sequence)))
        return code_of(protocol.mi_receive, w.g, apk, key, device.certificate, sequence - 1, msg, at=mdc.head.height,
                       device=protocol.device_entry(mdc.state, "ecg-1"))

    assert receive(1) == "ok"
    seal(mdc, [w.wl.tx(MDC, "DEVICE_REVOKE", "mi1", device="ecg-1")])
    assert receive(2) == "DEVICE_REVOKED"


def test_a_request_nonce_and_id_belong_to_the_requester(world: World) -> None:
    """ri3 sees ri1's pending request and posts its own request with the same nonce first: ri1's request is
    still accepted. A request id that does not name its requester is malformed."""
    w, cfg = world, world.shc.cfg
    pending = w.request("ri1", NONCE)
    front = w.request("ri3", NONCE)
    after = apply(cfg, w.shc.state, front)
    assert code_of(apply, cfg, after, pending) == "ok"
    unbound = {n: pending.arg(n) for n in ("mdc_height", "record_id", "record_entry", "proof", "nonce", "payload")}
    unbound["request_id"] = sha256(b"request", w.rid, NONCE)
    assert code_of(apply, cfg, w.shc.state, w.wl.tx(SHC, "ACCESS_REQUEST", "ri1", **unbound)) == "TX_MALFORMED"
