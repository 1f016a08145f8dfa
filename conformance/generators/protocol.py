"""Trace vectors of the sharing protocol (spec/protocol/protocol.md): MDC publication and SHC request, grant,
receipt and revocation steps with the protocol's predicates (real Groth16 policy proofs, payload encodings).
Deterministic: keys from seeded RNGs (the Groth16 keys too: ``protocol.policy_keys_for_tests``, for tests and
vectors only), deterministic CBS signatures, seeded proofs. SHC's genesis commits to the policy key's hash."""

from __future__ import annotations

import hashlib
from typing import Any

from ...reference.testbed import Ledger, Workload, certify, circuit_keys, get_group, make_deployment
from ...spec.chain.merkle import prove_state
from ...spec.chain.tx import MDC, SHC
from ...spec.crypto import umbral
from ...spec.protocol import protocol
from ...spec.rng import DeterministicRNG
from ...spec.zk import ceremony, formats
from ..builder import VectorFileBuilder, note
from ..ops.chain import config_to_json
from .chain import NOTES as CHAIN_NOTES
from .chain import Trace

SPEC = "spec/protocol/protocol.md"
POLICY = "cardiology@1 and researcher@1"

NOTES: dict[str, dict[str, str]] = {
    **CHAIN_NOTES,
    "ForgedProof": note("AUTH_BYPASS", "An access request whose Groth16 policy proof does not verify for (record "
                        "policy hash, sender's commitment, record, nonce and sender): another RI's proof, a proof "
                        "for another nonce or another commitment, or junk.",
                        f"{SPEC}#shc-validity-predicates-for-protocol-transactions"),
    "UncommittedKey": note("AUTH_BYPASS", "A policy proof that verifies, but under a verification key whose hash "
                           "the genesis does not commit to (meta/vk/policy): a validator configured with such a key "
                           "refuses every request, VK_MISMATCH.",
                           f"{SPEC}#shc-validity-predicates-for-protocol-transactions"),
    "PayloadEncoding": note("EDGE_CASE", "A protocol payload that does not follow its encoding: ids that do not "
                            "bind their request (record, nonce and requester), a bad (t, n), a receipt that is not "
                            "a hash, a policy hash that is not the policy's gate hash, a non-canonical policy.",
                            f"{SPEC}#phases"),
}



def generate() -> list[dict[str, Any]]:
    g = get_group("native")
    pk16 = circuit_keys(g, "conformance-vectors")
    dep = make_deployment(g, "medshare-protocol-vectors", cache={}, payload_rules=protocol.payload_rules(g, pk16.vk),
                          circuit_keys=protocol.circuit_keys(pk16.vk))
    rng = DeterministicRNG("medshare-protocol-vectors")
    keys = protocol.setup_authority(g, rng.fork("authority"), dep.authority_keys)
    w = Workload(dep, "protocol-vectors")
    mdc, shc = Ledger(dep.mdc.chain), Ledger(dep.shc.chain)
    mdc.seal(w.register(MDC, "mi-1", "MI"))
    shc.seal(w.register(SHC, "mi-1", "MI") + w.register(SHC, "ri-1", "RI") + w.register(SHC, "ri-2", "RI")
             + w.register(SHC, "cpc-1", "CPC") + w.register(SHC, "cpc-2", "CPC"))
    grants = {ri: protocol.issue_attributes(g, keys, names, rng.fork(ri))
              for ri, names in (("ri-1", ["cardiology@1", "researcher@1"]), ("ri-2", ["dermatology@1"]))}
    shc.seal([w.tx(SHC, "ATTRIBUTE_COMMIT", "authority", **protocol.attribute_commit_fields(ri, 1, gr))
              for ri, gr in grants.items()])
    owner = umbral.SecretKey.random(rng.fork("owner"))
    signer = umbral.Signer(umbral.SecretKey.random(rng.fork("signer")))
    rid = hashlib.sha256(b"protocol-vectors/r1").digest()
    pub = protocol.publish(g, keys.fame_pk, owner.public_key(), POLICY, rid, list(range(1, 9)), rng.fork("publish"))
    publish = w.tx(MDC, "RECORD_PUBLISH", "mi-1", **pub.publish_fields("cohort", owner.public_key(),
                                                                       signer.verifying_key()))

    # MDC: publication predicates
    m = Trace(mdc.state, "publication: policy hash, canonical policy, capsule")
    f = publish.fields()
    m.bad(w.tx(MDC, "RECORD_PUBLISH", "mi-1", **{**f, "payload": b"\x00" * 32 + f["payload"][32:]}), "TX_MALFORMED",
          "PayloadEncoding")
    m.bad(w.tx(MDC, "RECORD_PUBLISH", "mi-1", **{**f, "policy": "researcher@1 and cardiology@1"}), "POLICY_SYNTAX",
          "PayloadEncoding")
    m.bad(w.tx(MDC, "RECORD_PUBLISH", "mi-1", **{**f, "payload": f["payload"][:-1]}), "TX_MALFORMED",
          "PayloadEncoding")
    m.bad(w.tx(MDC, "RECORD_PUBLISH", "mi-1", **{**f, "data_commitment": b"\xff" * 32}), "PUBLIC_INPUT_INVALID",
          "PayloadEncoding")
    m.ok(publish)
    m.bad(w.tx(MDC, "RECORD_PUBLISH", "mi-1", **f), "RECORD_EXISTS", "Uniqueness")
    mdc_file = VectorFileBuilder("protocol.mdc.apply", NOTES).group({"config": config_to_json(mdc.cfg),
                                                                      "vk": pk16.vk.to_json()})
    m.add_to(mdc_file)

    b2, _ = mdc.seal([publish])
    state2 = dict(mdc.state)
    b3, _ = mdc.seal([w.tx(MDC, "RECORD_REVOKE", "mi-1", record_id=rid)])
    relay2 = w.tx(SHC, "MDC_HEADER_RELAY", "mi-1", header=b2.header.to_bytes(),
                  certificate=certify(dep, dep.mdc.chain, b2).to_bytes())
    relay3 = w.tx(SHC, "MDC_HEADER_RELAY", "mi-1", header=b3.header.to_bytes(),
                  certificate=certify(dep, dep.mdc.chain, b3).to_bytes())
    shc.seal([relay2])
    nonces = [hashlib.sha256(f"protocol-vectors/nonce/{i}".encode()).digest() for i in range(2)]
    ri_pk = umbral.SecretKey.random(rng.fork("ri-1/umbral")).public_key()
    proofs = [protocol.prove_access(g, pk16, pub.policy, grants["ri-1"], rid, n, "ri-1", rng.fork(f"proof/{i}"))
              for i, n in enumerate(nonces)]
    req = [protocol.request_fields(state2, 2, rid, n, p, ri_pk, requester="ri-1") for n, p in zip(nonces, proofs)]
    cfg = shc.cfg

    t1 = Trace(shc.state, "request with a policy proof, replay, grant and receipts")
    t1.bad(w.tx(SHC, "ACCESS_REQUEST", "ri-2", **{**req[0], "request_id": protocol.request_id(rid, nonces[0], "ri-2")}),
           "PROOF_INVALID", "ForgedProof")
    t1.bad(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **{**req[0], "nonce": nonces[1],
                                                  "request_id": req[1]["request_id"]}), "PROOF_INVALID", "ForgedProof")
    junk = protocol.RequestPayload(DeterministicRNG("junk").read(192), ri_pk).to_bytes()
    t1.bad(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **{**req[0], "payload": junk}), "PROOF_INVALID", "ForgedProof")
    t1.bad(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **{**req[0], "request_id": b"\x01" * 32}), "TX_MALFORMED",
           "PayloadEncoding")
    unbound = hashlib.sha256(b"request" + rid + nonces[0]).digest()  # does not name the requester
    t1.bad(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **{**req[0], "request_id": unbound}), "TX_MALFORMED", "PayloadEncoding")
    t1.bad(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **{**req[0], "payload": req[0]["payload"][:-1]}), "TX_MALFORMED",
           "PayloadEncoding")
    t1.ok(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **req[0]))
    t1.bad(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **req[0]), "REPLAYED_NONCE", "ReplayedNonce")
    gf = protocol.grant_fields(req[0]["request_id"], 2, 2)
    t1.bad(w.tx(SHC, "GRANT", "mi-1", **{**gf, "payload": b"\x03\x02"}), "TX_MALFORMED", "PayloadEncoding")
    t1.bad(w.tx(SHC, "GRANT", "mi-1", **{**gf, "grant_id": b"\x02" * 32}), "TX_MALFORMED", "PayloadEncoding")
    t1.ok(w.tx(SHC, "GRANT", "mi-1", **gf))
    t1.bad(w.tx(SHC, "REENCRYPTION_RECEIPT", "cpc-1", grant_id=gf["grant_id"], payload=b"short"), "TX_MALFORMED",
           "PayloadEncoding")
    t1.ok(w.tx(SHC, "REENCRYPTION_RECEIPT", "cpc-1", grant_id=gf["grant_id"], payload=b"\x11" * 32))
    t1.bad(w.tx(SHC, "REENCRYPTION_RECEIPT", "cpc-1", grant_id=gf["grant_id"], payload=b"\x12" * 32),
           "RECEIPT_DUPLICATE", "Uniqueness")
    t1.ok(w.tx(SHC, "REENCRYPTION_RECEIPT", "cpc-2", grant_id=gf["grant_id"], payload=b"\x13" * 32))

    t2 = Trace(shc.state, "a record revoked between request and grant: the grant is refused")
    t2.ok(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **req[1]))
    t2.ok(relay3)
    entry = mdc.state[b"record/" + rid]
    t2.ok(w.tx(SHC, "RECORD_REVOKE_NOTICE", "mi-1", mdc_height=3, record_id=rid, record_entry=entry,
               proof=prove_state(mdc.state, b"record/" + rid).to_bytes()))
    t2.bad(w.tx(SHC, "GRANT", "mi-1", **protocol.grant_fields(req[1]["request_id"], 2, 2)), "RECORD_REVOKED", "Revocation")
    t2.bad(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **req[0]), "RECORD_REVOKED", "Revocation")

    t3 = Trace(shc.state, "the requester's certificate revoked before the grant")
    t3.ok(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **req[0]))
    t3.ok(w.tx(SHC, "CERT_REVOKE", "authority", identity="ri-1"))
    t3.bad(w.tx(SHC, "GRANT", "mi-1", **protocol.grant_fields(req[0]["request_id"], 2, 2)), "CERT_REVOKED", "Revocation")

    t4 = Trace(shc.state, "the requester's attribute epoch revoked before the grant")
    t4.ok(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **req[1]))
    t4.ok(w.tx(SHC, "ATTRIBUTE_EPOCH_REVOKE", "authority", identity="ri-1", epoch=1))
    t4.bad(w.tx(SHC, "GRANT", "mi-1", **protocol.grant_fields(req[1]["request_id"], 2, 2)), "ATTRIBUTE_REVOKED",
           "Revocation")
    t4.bad(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **req[0]), "ATTRIBUTE_REVOKED", "Revocation")
    # the authority commits ri-1's new attributes, which do not satisfy the policy: the old request stays refused
    # and its proof does not verify against the new commitment
    demoted = protocol.issue_attributes(g, keys, ["dermatology@2", "researcher@2"], rng.fork("ri-1/epoch-2"))
    t4.ok(w.tx(SHC, "ATTRIBUTE_COMMIT", "authority", **protocol.attribute_commit_fields("ri-1", 2, demoted)))
    t4.bad(w.tx(SHC, "GRANT", "mi-1", **protocol.grant_fields(req[1]["request_id"], 2, 2)), "ATTRIBUTE_REVOKED",
           "Revocation")
    t4.bad(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **req[0]), "PROOF_INVALID", "ForgedProof")
    shc_file = VectorFileBuilder("protocol.shc.apply", NOTES).group({"config": config_to_json(cfg),
                                                                      "vk": pk16.vk.to_json()})
    for t in (t1, t2, t3, t4):
        t.add_to(shc_file)

    # a validator configured with a key the genesis does not commit to (here pk16 re-randomised by a contribution)
    other, _ = ceremony.contribute(g, formats.as_zkey(g, pk16), DeterministicRNG("protocol-vectors/other-key"))
    proof = protocol.prove_access(g, other.pk, pub.policy, grants["ri-1"], rid, nonces[0], "ri-1", rng.fork("other"))
    t5 = Trace(shc.state, "a valid proof under a verification key the genesis does not commit to")
    t5.bad(w.tx(SHC, "ACCESS_REQUEST", "ri-1", **protocol.request_fields(state2, 2, rid, nonces[0], proof, ri_pk,
                                                                         requester="ri-1")),
           "VK_MISMATCH", "UncommittedKey")
    t5.add_to(shc_file.group({"config": config_to_json(cfg), "vk": other.pk.vk.to_json()}))
    return [mdc_file.build(), shc_file.build()]
