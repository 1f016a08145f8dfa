"""Protocol benchmark: a full request-to-decryption round trip (proof, ACCESS_REQUEST applied by SHC's rules,
GRANT, kfrags, two re-encryptions with receipts, cfrag checks and decryption) against the sum of the
cryptographic operations it performs, each timed alone in the same run (target: ratio <= 2). The chain is the
spec's transition function (one validator's work per transaction; consensus is benchmarked by the pbft group).
Also the time of each phase of the round trip. CPU time of this process (robust to other load on the cores)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from ...spec.chain import auth
from ...spec.chain.entries import RecordEntry
from ...spec.chain.state import apply
from ...spec.chain.tx import MDC, SHC
from ...spec.crypto import fame, record, umbral
from ...spec.protocol import protocol
from ...spec.rng import DeterministicRNG
from ...spec.zk import circuits, groth16
from ..backends import get_group
from ..chain.deploy import make_deployment
from ..chain.workload import Ledger, Workload, certify
from ..protocol.scenario import circuit_keys
from .timing import median_time, result

T, N = 2, 2
POLICY = "(cardiology@1 and researcher@1) or auditor@1"
TARGET = 2.0


class _World:
    def __init__(self) -> None:
        g = self.g = get_group("native")
        self.pk16 = circuit_keys(g, "bench")
        dep = make_deployment(g, "bench-protocol", cache=None, payload_rules=protocol.payload_rules(g, self.pk16.vk),
                              circuit_keys=protocol.circuit_keys(self.pk16.vk))
        rng = self.rng = DeterministicRNG("bench-protocol")
        keys = protocol.setup_authority(g, rng, dep.authority_keys)
        self.wl = wl = Workload(dep, "bench-protocol")
        self.mdc, self.shc = Ledger(dep.mdc.chain), Ledger(dep.shc.chain)
        self.mdc.seal(wl.register(MDC, "mi1", "MI"))
        self.shc.seal(wl.register(SHC, "mi1", "MI") + wl.register(SHC, "ri1", "RI") + wl.register(SHC, "cpc1", "CPC")
                      + wl.register(SHC, "cpc2", "CPC"))
        self.grant = protocol.issue_attributes(g, keys, ["cardiology@1", "researcher@1"], rng)
        self.shc.seal([wl.tx(SHC, "ATTRIBUTE_COMMIT", "authority",
                             **protocol.attribute_commit_fields("ri1", 1, self.grant))])
        self.owner = umbral.SecretKey.random(rng)
        self.signer = umbral.Signer(umbral.SecretKey.random(rng))
        self.ri = umbral.SecretKey.random(rng)
        self.rid = hashlib.sha256(b"bench-record").digest()
        self.pub = protocol.publish(g, keys.fame_pk, self.owner.public_key(), POLICY, self.rid, list(range(8)), rng)
        block, _ = self.mdc.seal([wl.tx(MDC, "RECORD_PUBLISH", "mi1", **self.pub.publish_fields(
            "p", self.owner.public_key(), self.signer.verifying_key()))])
        self.shc.seal([wl.tx(SHC, "MDC_HEADER_RELAY", "mi1", header=block.header.to_bytes(),
                             certificate=certify(dep, dep.mdc.chain, block).to_bytes())])
        self.entry = RecordEntry.from_bytes(self.mdc.state[protocol.record_key(self.rid)])
        self.blob = self.pub.blob.to_bytes()
        self.cfg = self.shc.cfg
        self.counter = 0

    def nonce(self) -> bytes:
        self.counter += 1
        return hashlib.sha256(b"bench-nonce" + self.counter.to_bytes(8, "big")).digest()

    def round_trip(self, phases: dict[str, list[float]]) -> None:
        g, wl = self.g, self.wl
        t0 = time.process_time()
        nonce = self.nonce()
        proof = protocol.prove_access(g, self.pk16, self.pub.policy, self.grant, self.rid, nonce, "ri1", self.rng)
        fields = protocol.request_fields(self.mdc.state, self.mdc.head.height, self.rid, nonce, proof,
                                         self.ri.public_key(), requester="ri1")
        s = apply(self.cfg, self.shc.state, wl.tx(SHC, "ACCESS_REQUEST", "ri1", **fields))
        t1 = time.process_time()
        gf = protocol.grant_fields(fields["request_id"], T, N)
        s = apply(self.cfg, s, wl.tx(SHC, "GRANT", "mi1", **gf))
        kfrags = protocol.make_kfrags(self.owner, self.signer, self.ri.public_key(), T, N, self.rng)
        t2 = time.process_time()
        payload = protocol.RecordPayload.of(self.entry)
        capsule = umbral.Capsule.from_bytes(self.entry.capsule)
        cfrags = []
        for i, kf in enumerate(kfrags):
            c = protocol.reencrypt(kf.kfrag, capsule, payload.verifying_pk, payload.delegating_pk, self.ri.public_key(),
                            self.rng).cfrag
            receipt = protocol.receipt_fields(gf["grant_id"], c)
            s = apply(self.cfg, s, wl.tx(SHC, "REENCRYPTION_RECEIPT", f"cpc{i + 1}", **receipt))
            cfrags.append(c)
        t3 = time.process_time()
        opened = protocol.decrypt(g, self.entry, self.rid, self.blob, cfrags, self.ri, self.grant.key, T)
        assert not opened.rejected and opened.fields == tuple(range(8))
        t4 = time.process_time()
        for name, dt in (("request", t1 - t0), ("grant", t2 - t1), ("reencryption", t3 - t2), ("decryption", t4 - t3)):
            phases.setdefault(name, []).append(dt)

    def operations(self) -> dict[str, tuple[int, Callable[[], Any]]]:
        """name -> (times the round trip performs it, the operation alone)."""
        g, rng = self.g, self.rng
        nonce = self.nonce()
        proof = protocol.prove_access(g, self.pk16, self.pub.policy, self.grant, self.rid, nonce, "ri1", rng)
        pr = groth16.Proof.from_bytes(g, proof)
        p_hash = protocol.bytes_field(self.pub.policy.hash)
        signer = self.wl.signers["ri1"]
        tx = self.wl.tx(SHC, "GRANT", "ri1", **protocol.grant_fields(b"\x00" * 32, T, N))
        signed_tx = auth.sign_tx(g, signer, tx)
        ident = auth.Identity("ri1", signer.public_key(), signer.certificate.period.start, signer.certificate.period.end)
        capsule = self.pub.capsule
        kfrags = protocol.make_kfrags(self.owner, self.signer, self.ri.public_key(), T, N, rng)
        V, A, B = self.signer.verifying_key(), self.owner.public_key(), self.ri.public_key()
        vk = [umbral.verify_kfrag(k.kfrag, V, A, B) for k in kfrags]
        cfrags = [umbral.reencrypt(capsule, k, rng) for k in vk]
        b = protocol.Blob.from_bytes(self.blob)
        fct = fame.Ciphertext.from_bytes(g, b.fame_ct)
        key = self.pub.content_key
        sealed = record.SealedRecord.from_bytes(b.sealed)
        return {
            "groth16_prove_policy": (1, lambda: protocol.prove_access(g, self.pk16, self.pub.policy, self.grant, self.rid,
                                                               nonce, "ri1", rng)),
            "groth16_verify": (1, lambda: circuits.verify_policy(g, self.pk16.vk, p_hash, self.grant.commitment(),
                                                                 protocol.record_binding(self.rid),
                                                                 protocol.request_binding(nonce, "ri1"), pr)),
            "cbs_sign_tx": (2 + N, lambda: auth.sign_tx(g, signer, tx)),
            "cbs_verify_tx": (2 + N, lambda: auth.verify_tx(g, self.wl.dep.authority_keys.pk.to_bytes(), ident, signed_tx,
                                                            at=1)),
            "umbral_generate_kfrags": (1, lambda: protocol.make_kfrags(self.owner, self.signer, B, T, N, rng)),
            "umbral_verify_kfrag": (N, lambda: umbral.verify_kfrag(kfrags[0].kfrag, V, A, B)),
            "umbral_reencrypt": (N, lambda: umbral.reencrypt(capsule, vk[0], rng)),
            "umbral_verify_cfrag": (N, lambda: umbral.verify_cfrag(cfrags[0].cfrag, capsule, V, A, B)),
            "umbral_decrypt_reencrypted": (1, lambda: umbral.decrypt_reencrypted(self.ri, A, capsule, cfrags, b.pre_ct)),
            "fame_decapsulate": (1, lambda: record.decapsulate(g, self.grant.key, fct)),
            "aead_open": (1, lambda: record.open_sealed(key, self.rid, self.pub.policy.hash, sealed)),
        }


def run(quick: bool) -> list[dict[str, Any]]:
    w = _World()
    reps = 1 if quick else 3
    phases: dict[str, list[float]] = {}
    rt = median_time(lambda: w.round_trip(phases), reps=reps, warmup=0 if quick else 1, clock=time.process_time)
    ops = w.operations()
    total = 0.0
    out: list[dict[str, Any]] = []
    for name, (count, fn) in ops.items():
        slow = name.startswith("groth16_prove")
        t = median_time(fn, reps=reps if slow else (5 if quick else 30), warmup=0 if slow and quick else 1,
                        clock=time.process_time)
        total += count * t
        out.append(result(f"protocol.op.{name}", "native", t, count=count))
    ratio = rt / total
    out.insert(0, result("protocol.round_trip", "native", rt, over_crypto_sum=ratio, within_target=float(ratio <= TARGET)))
    out.insert(1, result("protocol.crypto_sum", "native", total))
    for name, samples in phases.items():
        out.append(result(f"protocol.phase.{name}", "native", sorted(samples)[len(samples) // 2]))
    return out
