"""The protocol's validity predicates, each refusal with its code (spec/protocol/protocol.md, SHC predicates).

One module-scoped world on the spec ledgers (no network): two MIs, two RIs, a CPC node, a record and one valid
request (one Groth16 proof); each test mutates one transaction and asserts the chain refuses it with its code.
"""

from __future__ import annotations

import hashlib
from typing import Any

import attrs
import pytest
from medshare.reference.testbed import Ledger, Workload, certify, circuit_keys, get_group, make_deployment
from medshare.spec.chain.entries import RecordEntry
from medshare.spec.chain.state import apply, circuit_key
from medshare.spec.chain.tx import MDC, SHC, Transaction
from medshare.spec.crypto import umbral
from medshare.spec.errors import MedshareError
from medshare.spec.params import R
from medshare.spec.protocol import protocol
from medshare.spec.rng import DeterministicRNG, SystemRNG
from medshare.spec.zk import ceremony, formats, groth16

POLICY = "cardiology@1 and researcher@1"


@attrs.define
class W:
    g: Any
    wl: Workload
    mdc: Ledger
    shc: Ledger
    pk16: Any
    rid: bytes
    req: Transaction
    ri2_grant: Any
    ri1_umbral: umbral.SecretKey
    grants: dict[str, Any]


@pytest.fixture(scope="module")
def w() -> W:
    g = get_group("native")
    pk16 = circuit_keys(g, "tests")
    dep = make_deployment(g, "proto-unit", cache={}, payload_rules=protocol.payload_rules(g, pk16.vk),
                          circuit_keys=protocol.circuit_keys(pk16.vk))
    rng = DeterministicRNG("proto-unit")
    keys = protocol.setup_authority(g, rng, dep.authority_keys)
    wl = Workload(dep, "proto-unit")
    mdc, shc = Ledger(dep.mdc.chain), Ledger(dep.shc.chain)
    mdc.seal(wl.register(MDC, "mi1", "MI"))
    shc.seal(wl.register(SHC, "mi1", "MI") + wl.register(SHC, "mi2", "MI") + wl.register(SHC, "ri1", "RI")
             + wl.register(SHC, "ri2", "RI") + wl.register(SHC, "cpc1", "CPC"))
    grants = {ri: protocol.issue_attributes(g, keys, names, rng.fork(ri))
              for ri, names in (("ri1", ["cardiology@1", "researcher@1"]), ("ri2", ["dermatology@1"]))}
    shc.seal([wl.tx(SHC, "ATTRIBUTE_COMMIT", "authority", **protocol.attribute_commit_fields(ri, 1, gr))
              for ri, gr in grants.items()])
    owner = umbral.SecretKey.random(rng.fork("owner"))
    signer = umbral.Signer(umbral.SecretKey.random(rng.fork("sign")))
    rid = hashlib.sha256(b"r1").digest()
    pub = protocol.publish(g, keys.fame_pk, owner.public_key(), POLICY, rid, [1, 2, 3, 4, 5, 6, 7, 8], rng)
    block, _ = mdc.seal([wl.tx(MDC, "RECORD_PUBLISH", "mi1", **pub.publish_fields("p", owner.public_key(),
                                                                                   signer.verifying_key()))])
    shc.seal([wl.tx(SHC, "MDC_HEADER_RELAY", "mi1", header=block.header.to_bytes(),
                    certificate=certify(dep, dep.mdc.chain, block).to_bytes())])
    nonce = b"\x01" * 32
    ri1 = umbral.SecretKey.random(rng.fork("ri1u"))
    proof = protocol.prove_access(g, pk16, pub.policy, grants["ri1"], rid, nonce, "ri1", rng)
    req = wl.tx(SHC, "ACCESS_REQUEST", "ri1", **protocol.request_fields(mdc.state, block.height, rid, nonce, proof,
                                                                         ri1.public_key(), requester="ri1"))
    return W(g, wl, mdc, shc, pk16, rid, req, grants["ri2"], ri1, grants)


def refuse(cfg: Any, state: Any, tx: Transaction) -> str:
    with pytest.raises(MedshareError) as e:
        apply(cfg, state, tx)
    return e.value.code


def fields_of(tx: Transaction) -> dict[str, Any]:
    return tx.fields()


def test_valid_request_accepted_then_replay_refused(w: W) -> None:
    after = apply(w.shc.cfg, w.shc.state, w.req)
    replay = w.wl.tx(SHC, "ACCESS_REQUEST", "ri1", **fields_of(w.req))
    assert refuse(w.shc.cfg, after, replay) == "REPLAYED_NONCE"


def test_proof_bound_to_requester(w: W) -> None:
    f = fields_of(w.req)
    f["request_id"] = protocol.request_id(w.rid, f["nonce"], "ri2")
    assert refuse(w.shc.cfg, w.shc.state, w.wl.tx(SHC, "ACCESS_REQUEST", "ri2", **f)) == "PROOF_INVALID"


def test_proof_bound_to_nonce(w: W) -> None:
    f = fields_of(w.req)
    nonce = b"\x02" * 32
    f.update(nonce=nonce, request_id=protocol.request_id(w.rid, nonce, "ri1"))
    assert refuse(w.shc.cfg, w.shc.state, w.wl.tx(SHC, "ACCESS_REQUEST", "ri1", **f)) == "PROOF_INVALID"


def test_forged_proof_bytes(w: W) -> None:
    f = fields_of(w.req)
    f["payload"] = protocol.RequestPayload(b"\x00" * 192, protocol.RequestPayload.of(w.req).receiving_pk).to_bytes()
    assert refuse(w.shc.cfg, w.shc.state, w.wl.tx(SHC, "ACCESS_REQUEST", "ri1", **f)) == "PROOF_INVALID"


def test_request_id_must_bind_nonce(w: W) -> None:
    f = fields_of(w.req)
    f["request_id"] = b"\x07" * 32
    assert refuse(w.shc.cfg, w.shc.state, w.wl.tx(SHC, "ACCESS_REQUEST", "ri1", **f)) == "TX_MALFORMED"


def test_unsatisfied_policy_has_no_proof(w: W) -> None:
    with pytest.raises(MedshareError) as e:
        protocol.prove_access(w.g, w.pk16, protocol.RecordPolicy.of(POLICY), w.ri2_grant, w.rid, b"\x03" * 32, "ri2",
                       DeterministicRNG("x"))
    assert e.value.code == "POLICY_UNSATISFIED"


def test_anchor_codes(w: W) -> None:
    f = fields_of(w.req)
    f["mdc_height"] = 99
    assert refuse(w.shc.cfg, w.shc.state, w.wl.tx(SHC, "ACCESS_REQUEST", "ri1", **f)) == "ANCHOR_UNKNOWN_BLOCK"
    f = fields_of(w.req)
    f["record_entry"] = f["record_entry"][:-1] + b"\x01"  # claims "revoked": not the committed leaf
    assert refuse(w.shc.cfg, w.shc.state, w.wl.tx(SHC, "ACCESS_REQUEST", "ri1", **f)) == "MERKLE_PROOF_INVALID"


def test_grant_and_receipt_codes(w: W) -> None:
    s = apply(w.shc.cfg, w.shc.state, w.req)
    rq = w.req.arg("request_id")
    gf = protocol.grant_fields(rq, 2, 3)
    assert refuse(w.shc.cfg, s, w.wl.tx(SHC, "GRANT", "mi2", **gf)) == "NOT_AUTHORISED"
    assert refuse(w.shc.cfg, s, w.wl.tx(SHC, "GRANT", "mi1", **protocol.grant_fields(b"\x09" * 32, 2, 3))
                  ) == "REQUEST_UNKNOWN"
    assert refuse(w.shc.cfg, s, w.wl.tx(SHC, "GRANT", "mi1", **dict(gf, payload=b"\x03\x02"))) == "TX_MALFORMED"
    assert refuse(w.shc.cfg, s, w.wl.tx(SHC, "GRANT", "mi1", **dict(gf, grant_id=b"\x00" * 32))) == "TX_MALFORMED"
    s2 = apply(w.shc.cfg, s, w.wl.tx(SHC, "GRANT", "mi1", **gf))
    assert refuse(w.shc.cfg, s2, w.wl.tx(SHC, "GRANT", "mi1", **gf)) == "GRANT_EXISTS"
    receipt = dict(grant_id=gf["grant_id"], payload=b"\x00" * 32)
    assert refuse(w.shc.cfg, s2, w.wl.tx(SHC, "REENCRYPTION_RECEIPT", "ri1", **receipt)) == "NOT_AUTHORISED"
    assert refuse(w.shc.cfg, s2, w.wl.tx(SHC, "REENCRYPTION_RECEIPT", "cpc1", **dict(receipt, payload=b"x"))
                  ) == "TX_MALFORMED"
    s3 = apply(w.shc.cfg, s2, w.wl.tx(SHC, "REENCRYPTION_RECEIPT", "cpc1", **receipt))
    assert refuse(w.shc.cfg, s3, w.wl.tx(SHC, "REENCRYPTION_RECEIPT", "cpc1", **receipt)) == "RECEIPT_DUPLICATE"
    s4 = apply(w.shc.cfg, s3, w.wl.tx(SHC, "GRANT_REVOKE", "mi1", grant_id=gf["grant_id"]))
    assert refuse(w.shc.cfg, s4, w.wl.tx(SHC, "REENCRYPTION_RECEIPT", "cpc1", **receipt)) == "GRANT_REVOKED"


def test_revocations_refuse_the_grant(w: W) -> None:
    s = apply(w.shc.cfg, w.shc.state, w.req)
    gf = protocol.grant_fields(w.req.arg("request_id"), 2, 3)
    s_cert = apply(w.shc.cfg, s, w.wl.tx(SHC, "CERT_REVOKE", "authority", identity="ri1"))
    assert refuse(w.shc.cfg, s_cert, w.wl.tx(SHC, "GRANT", "mi1", **gf)) == "CERT_REVOKED"
    s_attr = apply(w.shc.cfg, s, w.wl.tx(SHC, "ATTRIBUTE_EPOCH_REVOKE", "authority", identity="ri1", epoch=1))
    assert refuse(w.shc.cfg, s_attr, w.wl.tx(SHC, "GRANT", "mi1", **gf)) == "ATTRIBUTE_REVOKED"
    replay = w.wl.tx(SHC, "ACCESS_REQUEST", "ri1", **fields_of(w.req))
    assert refuse(w.shc.cfg, apply(w.shc.cfg, w.shc.state, w.wl.tx(
        SHC, "ATTRIBUTE_EPOCH_REVOKE", "authority", identity="ri1", epoch=1)), replay) == "ATTRIBUTE_REVOKED"


def test_record_publish_predicate(w: W) -> None:
    tx = next(t for b in w.mdc.blocks for t in b.txs if t.kind == "RECORD_PUBLISH")
    f = tx.fields()
    f["record_id"] = b"\x05" * 32
    bad_hash = dict(f, payload=b"\x00" * 32 + f["payload"][32:])
    assert refuse(w.mdc.cfg, w.mdc.state, w.wl.tx(MDC, "RECORD_PUBLISH", "mi1", **bad_hash)) == "TX_MALFORMED"
    noncanon = dict(f, policy="researcher@1 and cardiology@1")
    assert refuse(w.mdc.cfg, w.mdc.state, w.wl.tx(MDC, "RECORD_PUBLISH", "mi1", **noncanon)) == "POLICY_SYNTAX"
    assert refuse(w.mdc.cfg, w.mdc.state, w.wl.tx(MDC, "RECORD_PUBLISH", "mi1", **dict(f, capsule=b"\x02" * 98))
                  ) in ("CAPSULE_INVALID", "POINT_NOT_ON_CURVE", "MALFORMED_ENCODING")
    apply(w.mdc.cfg, w.mdc.state, w.wl.tx(MDC, "RECORD_PUBLISH", "mi1", **f))


def test_attribute_commitment_must_be_field_element(w: W) -> None:
    tx = w.wl.tx(SHC, "ATTRIBUTE_COMMIT", "authority", identity="ri1", epoch=5, commitment=b"\xff" * 32,
                 payload=b"")
    assert refuse(w.shc.cfg, w.shc.state, tx) == "PUBLIC_INPUT_INVALID"


def test_audit_flags_orphan_grant(w: W) -> None:
    orphan = w.wl.tx(SHC, "GRANT", "mi1", **protocol.grant_fields(b"\x09" * 32, 2, 3))
    assert protocol.audit([orphan], w.mdc.state)
    assert protocol.audit([w.req], w.mdc.state) == []


def forge_policy_proof(g: Any, td: groth16.Trapdoor, public: list[int]) -> groth16.Proof:
    """With the trapdoor, a proof of any statement: A = [a]_1, B = [b]_2, C = [(a b - alpha beta - sum_i x_i k_i) /
    delta]_1 with k_i = (beta u_i + alpha v_i + w_i)(tau) for x_0 = 1 and the public inputs."""
    _, u, v, wv = groth16.qap_at(protocol.policy_r1cs(), td.tau)
    xs = [1, *public]
    k = sum(x * (td.beta * u[i] + td.alpha * v[i] + wv[i]) for i, x in enumerate(xs)) % R
    a, b = 0x1234567, 0x7654321
    c = (a * b - td.alpha * td.beta - k) * pow(td.delta, -1, R) % R
    return groth16.Proof(g.g1() * a, g.g2() * b, g.g1() * c)


def test_only_the_committed_key_checks_requests(w: W) -> None:
    """The test world's keys follow from the public seed "groth16/tests", so anyone recomputes the trapdoor and
    forges a request for ri2, whose attributes do not satisfy the policy: the test chain takes it. SHC's genesis
    commits to the policy key's hash (meta/vk/policy): under a key from a phase-2 contribution with the operating
    system's randomness, a validator still configured with the seeded key refuses every request with VK_MISMATCH,
    and one configured with the committed key refuses the forgery with PROOF_INVALID and takes honest requests."""
    g, r1cs = w.g, protocol.policy_r1cs()
    td = groth16.derive_trapdoor(g, r1cs, DeterministicRNG("groth16/tests"))
    entry = protocol.RecordPayload.of(RecordEntry.from_bytes(w.req.arg("record_entry")))
    nonce = b"\x09" * 32
    public = [protocol.bytes_field(entry.policy_hash), w.ri2_grant.commitment(), protocol.record_binding(w.rid),
              protocol.request_binding(nonce, "ri2")]
    forged = forge_policy_proof(g, td, public)
    groth16.verify(g, w.pk16.vk, public, forged)
    f = fields_of(w.req)
    f.update(nonce=nonce, request_id=protocol.request_id(w.rid, nonce, "ri2"),
             payload=protocol.RequestPayload(forged.to_bytes(), w.ri1_umbral.public_key()).to_bytes())
    forged_tx = w.wl.tx(SHC, "ACCESS_REQUEST", "ri2", **f)
    apply(w.shc.cfg, w.shc.state, forged_tx)  # seeded keys: for tests only

    ceremony_key, _ = ceremony.contribute(g, formats.as_zkey(g, w.pk16), SystemRNG(), name="deployment")
    committed_state = {**w.shc.state, circuit_key("policy"): groth16.vk_hash(ceremony_key.pk.vk)}
    assert refuse(w.shc.cfg, committed_state, forged_tx) == "VK_MISMATCH"
    assert refuse(w.shc.cfg, committed_state, w.req) == "VK_MISMATCH"
    right = attrs.evolve(w.shc.cfg, payload_rules=protocol.payload_rules(g, ceremony_key.pk.vk))
    assert refuse(right, committed_state, forged_tx) == "PROOF_INVALID"
    honest = protocol.prove_access(g, ceremony_key.pk, protocol.RecordPolicy.of(POLICY), w.grants["ri1"], w.rid,
                                   nonce, "ri1", DeterministicRNG("honest"))
    f.update(payload=protocol.RequestPayload(honest, w.ri1_umbral.public_key()).to_bytes(),
             request_id=protocol.request_id(w.rid, nonce, "ri1"))
    apply(right, committed_state, w.wl.tx(SHC, "ACCESS_REQUEST", "ri1", **f))
    no_commitment = {key: value for key, value in w.shc.state.items() if key != circuit_key("policy")}
    assert refuse(w.shc.cfg, no_commitment, w.req) == "VK_MISMATCH"
