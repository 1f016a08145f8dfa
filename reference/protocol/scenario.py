"""The sharing protocol run end to end by agents over the reference chain nodes (spec/protocol/protocol.md).

Agents: the authority, medical institutions (with their devices), research institutions and CPC nodes. Each
chain is four SQLite validator nodes under the in-process network simulator. A transaction is first checked by
the spec's transition function against the committed state (which is how a refusal's code is learned), then
submitted to the validators, which run the same rules; a valid transaction is awaited until committed.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from ...spec.chain import auth
from ...spec.chain.block import Block, CommitCertificate
from ...spec.chain.entries import CertEntry, RecordEntry
from ...spec.chain.pbft import PbftConfig
from ...spec.chain.state import apply
from ...spec.chain.tx import MDC, SHC, Transaction
from ...spec.crypto import ibe, umbral
from ...spec.crypto.secp256k1 import Point
from ...spec.errors import MedshareError
from ...spec.group import PairingGroup
from ...spec.protocol import properties as props
from ...spec.protocol import protocol
from ...spec.rng import DeterministicRNG
from ...spec.zk import circuits, groth16
from ..chain.deploy import Deployment, make_deployment
from ..chain.sim import Simulation
from ..chain.workload import Workload
from . import keycache

_CIRCUIT_KEYS: dict[str, groth16.ProvingKey] = {}


def circuit_keys(group: PairingGroup, seed: str) -> groth16.ProvingKey:
    """The policy circuit's Groth16 keys for a deployment seed, for tests, vectors and the demo only (whoever knows
    the seed forges proofs): made once, kept on disk keyed by the circuit's hash (reference/protocol/keycache.py)
    and in memory for the process."""
    if seed not in _CIRCUIT_KEYS:
        r1cs = circuits.policy_circuit().to_r1cs()
        _CIRCUIT_KEYS[seed] = keycache.cached_keys(
            group, r1cs, seed, lambda: protocol.policy_keys_for_tests(group, DeterministicRNG(f"groth16/{seed}")))
    return _CIRCUIT_KEYS[seed]


# ---- CPC ------------------------------------------------------------------------------------------------------
class BlobStore:
    """A CPC node's blob store: files named by the SHA-256 of their content."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes) -> bytes:
        h = hashlib.sha256(data).digest()
        (self.root / h.hex()).write_bytes(data)
        return h

    def get(self, h: bytes) -> bytes:
        data = (self.root / h.hex()).read_bytes()
        if hashlib.sha256(data).digest() != h:
            raise MedshareError("BLOB_HASH_MISMATCH", "stored blob does not match its name")
        return data


class CPCNode:
    """Holds blobs, kfrags (one per grant) and produces cfrags; an honest node only for a live grant, a Byzantine
    node for any grant it holds a kfrag of, and corrupted."""

    def __init__(self, identity: str, index: int, root: Path, byzantine: bool = False) -> None:
        self.identity, self.index, self.byzantine = identity, index, byzantine
        self.store = BlobStore(root)
        self.kfrags: dict[bytes, umbral.KeyFrag] = {}
        self.seen: list[bytes] = []  # every byte string the node received or produced

    def receive_kfrag(self, grant_id: bytes, kfrag: umbral.KeyFrag) -> None:
        self.kfrags[grant_id] = kfrag
        self.seen.append(kfrag.to_bytes())

    def cfrag(self, grant_id: bytes, entry: RecordEntry, receiving_pk: umbral.PublicKey, rng: DeterministicRNG,
              shc_state: Mapping[bytes, bytes]) -> umbral.CapsuleFrag:
        """Re-encrypt for a grant. An honest node first checks on SHC's committed state that the grant is live
        (``protocol.check_reencryption``: committed, and neither it, its record nor its requester revoked) and refuses
        with that code otherwise; a Byzantine node re-encrypts whenever it holds the kfrag."""
        if not self.byzantine:
            protocol.check_reencryption(shc_state, grant_id)
        payload = protocol.RecordPayload.of(entry)
        capsule = umbral.Capsule.from_bytes(entry.capsule)
        self.seen.append(entry.capsule)
        c = protocol.reencrypt(self.kfrags[grant_id], capsule, payload.verifying_pk, payload.delegating_pk, receiving_pk,
                        rng).cfrag
        if self.byzantine:  # re-encrypt with a wrong share: E1 off by one generator step
            c = attrs.evolve(c, point_e1=c.point_e1 + Point.generator())
        self.seen.append(c.to_bytes())
        return c

    def holdings(self) -> tuple[bytes, ...]:
        return tuple(p.read_bytes() for p in sorted(self.store.root.iterdir())) + tuple(self.seen)


# ---- chains -----------------------------------------------------------------------------------------------------
class ChainDriver:
    """One chain: four reference validator nodes under the simulator."""

    def __init__(self, dep: Deployment, cfg: PbftConfig, seed: int, workdir: Path) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.cfg = cfg
        self.sim = Simulation(dep, cfg, seed, workdir=workdir)
        self.workdir = workdir

    def state(self) -> dict[bytes, bytes]:
        return dict(self.sim.nodes[0].db_state())

    def height(self) -> int:
        return int(self.sim.nodes[0].height())

    def check(self, tx: Transaction, state: dict[bytes, bytes] | None = None) -> tuple[str | None, dict[bytes, bytes]]:
        """The spec's verdict on ``tx`` against ``state`` (default: the committed state)."""
        s = self.state() if state is None else state
        try:
            return None, apply(self.cfg.chain, s, tx)
        except MedshareError as e:
            return e.code, s

    def submit(self, txs: Sequence[Transaction]) -> list[str | None]:
        """Check each transaction in order; submit the valid ones and run consensus until they commit."""
        codes: list[str | None] = []
        s = self.state()
        ok: list[Transaction] = []
        for tx in txs:
            code, s = self.check(tx, s)
            codes.append(code)
            if code is None:
                ok.append(tx)
        if ok:
            self.sim.submit(ok, at=self.sim.now)
            self.sim.run(max_ticks=self.sim.now + 400)
            have = {t.tx_hash() for _, t in self.committed()}
            missing = [t.kind for t in ok if t.tx_hash() not in have]
            if missing or self.sim.violations:
                raise MedshareError("STATE_ROOT_MISMATCH", f"not committed: {missing} {self.sim.violations}")
        return codes

    def blocks(self) -> list[tuple[Block, CommitCertificate]]:
        db = sqlite3.connect(self.workdir / "node0.sqlite")
        try:
            rows = db.execute("SELECT block, cert FROM blocks ORDER BY height").fetchall()
        finally:
            db.close()
        return [(Block.from_bytes(bytes(b)), CommitCertificate.from_bytes(bytes(c))) for b, c in rows]

    def committed(self) -> list[tuple[int, Transaction]]:
        return [(b.height, tx) for b, _ in self.blocks() for tx in b.txs]

    def close(self) -> None:
        self.sim.close()


# ---- agents -----------------------------------------------------------------------------------------------------
@attrs.define
class Device:
    identity: str
    signer: auth.Signer
    sequence: int = 0


@attrs.define
class Institution:
    identity: str
    umbral_sk: umbral.SecretKey
    umbral_signer: umbral.Signer
    ibe_key: ibe.IdentityKey
    devices: list[Device]
    last_seq: dict[str, int] = attrs.field(factory=dict)
    readings: list[int] = attrs.field(factory=list)
    records: dict[bytes, protocol.Published] = attrs.field(factory=dict)


@attrs.define
class Researcher:
    identity: str
    umbral_sk: umbral.SecretKey
    grant: protocol.AttributeGrant
    plaintexts: dict[bytes, tuple[int, ...]] = attrs.field(factory=dict)


@attrs.define
class Step:
    phase: str
    actor: str
    action: str
    outcome: str  # "ok" or an error code
    expected: str
    seconds: float
    holds: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == self.expected

    def to_json(self) -> dict[str, Any]:
        return {"phase": self.phase, "actor": self.actor, "action": self.action, "outcome": self.outcome,
                "expected": self.expected, "ok": self.ok, "seconds": round(self.seconds, 3), "holds": self.holds}


def key_source(seed: int) -> str:
    """What the scenario says of its keys: all of them, the Groth16 trapdoor included, follow from the seed."""
    return f"deterministic seed {seed} (not for production)"


EPOCH = 1
POLICY_1 = "(cardiology@1 and researcher@1) or auditor@1"
POLICY_2 = "cardiology@1 and researcher@1"
THRESHOLD, SHARES = 2, 3


def demo_deployment(group: PairingGroup, seed: int, vk: groth16.VerifyingKey) -> Deployment:
    """The demo's two chains for ``seed``: SHC's genesis commits to ``vk`` and its payload rules verify policy
    proofs under it."""
    return make_deployment(group, f"demo/{seed}", cache={}, payload_rules=protocol.payload_rules(group, vk),
                           circuit_keys=protocol.circuit_keys(vk))


def demo_chain_config(group: PairingGroup, seed: int, chain: str) -> PbftConfig:
    """The configuration of the demo's chain ``chain`` (MDC or SHC) for ``seed``, as its validators run it: what
    ``medshare node check`` verifies a kept ledger against."""
    dep = demo_deployment(group, seed, circuit_keys(group, f"demo/{seed}").vk)
    return dep.mdc if chain == MDC else dep.shc


class Scenario:
    """The demo's world: two MIs with three devices, two RIs (one authorised), three CPC nodes (t = 2, the third
    Byzantine), four validators per chain."""

    def __init__(self, group: PairingGroup, seed: int = 7, workdir: Path | None = None,
                 narrate: Callable[[Step], None] | None = None) -> None:
        self.group, self.seed = group, seed
        self._tmp = None if workdir is not None else tempfile.TemporaryDirectory(prefix="medshare-demo-")
        self.root = Path(workdir) if workdir is not None else Path(self._tmp.name)  # type: ignore[union-attr]
        self.narrate = narrate or (lambda step: None)
        self.rng = DeterministicRNG(f"scenario/{seed}")
        #: every key of the demo (chains, authority, parties, Groth16) follows from its seed
        self.key_source = key_source(seed)
        self.steps: list[Step] = []
        self.phase_times: dict[str, float] = {}
        self.knowledge: dict[str, set[tuple[str, bytes]]] = {}
        self.secrets: dict[bytes, props.RecordSecrets] = {}

    # -- bookkeeping -----------------------------------------------------------------------------------------------
    def step(self, phase: str, actor: str, action: str, fn: Callable[[], Any], expected: str = "ok",
             holds: str = "") -> Any:
        t0 = time.perf_counter()
        outcome, value = "ok", None
        try:
            value = fn()
            if isinstance(value, str) and value != "ok":
                outcome = value
        except MedshareError as e:
            outcome = e.code
        dt = time.perf_counter() - t0
        self.phase_times[phase] = self.phase_times.get(phase, 0.0) + dt
        s = Step(phase, actor, action, outcome, expected, dt, holds)
        self.steps.append(s)
        self.narrate(s)
        return value

    def tx(self, chain: str, kind: str, sender: str, **fields: Any) -> Transaction:
        return self.wl.tx(chain, kind, sender, **fields)

    def commit(self, chain: str, *txs: Transaction) -> str:
        """Submit to a chain; the first refusal's code, or "ok"."""
        codes = (self.mdc if chain == MDC else self.shc).submit(txs)
        return next((c for c in codes if c is not None), "ok")

    def learn(self, party: str, *symbols: tuple[str, bytes]) -> None:
        self.knowledge.setdefault(party, set()).update(symbols)

    # -- phases ------------------------------------------------------------------------------------------------------
    def setup(self) -> None:
        g = self.group
        self.pk16 = self.step("0 setup", "deployment", f"Groth16 keys of the policy circuit from {self.key_source}",
                              lambda: circuit_keys(g, f"demo/{self.seed}"))
        self.dep = demo_deployment(g, self.seed, self.pk16.vk)
        self.keys = self.step("0 setup", "authority", "CBS, IBE and FAME master keys",
                              lambda: protocol.setup_authority(g, self.rng.fork("authority"), self.dep.authority_keys),
                              holds="authority: CBS msk, IBE s, FAME msk")
        self.wl = Workload(self.dep, seed=f"demo/{self.seed}/keys")
        self.mdc = ChainDriver(self.dep, self.dep.mdc, self.seed, self.root / "mdc")
        self.shc = ChainDriver(self.dep, self.dep.shc, self.seed + 1, self.root / "shc")
        self.cpc = [CPCNode(f"cpc{i + 1}", i, self.root / f"cpc{i + 1}", byzantine=(i == 2)) for i in range(SHARES)]

    def registration(self) -> None:
        g, rng = self.group, self.rng.fork("registration")
        mdc_txs: list[Transaction] = []
        shc_txs: list[Transaction] = []
        for mi in ("mi1", "mi2"):
            mdc_txs += self.wl.register(MDC, mi, "MI")
            shc_txs += self.wl.register(SHC, mi, "MI")
        for ri in ("ri1", "ri2"):
            shc_txs += self.wl.register(SHC, ri, "RI")
        for node in self.cpc:
            shc_txs += self.wl.register(SHC, node.identity, "CPC")
        self.step("1 registration", "authority", "certify MIs on MDC (ENTITY_REGISTER, CERT_ISSUE)",
                  lambda: self.commit(MDC, *mdc_txs))
        self.step("1 registration", "authority", "certify MIs, RIs and CPC nodes on SHC",
                  lambda: self.commit(SHC, *shc_txs), holds="every party: CBS key + certificate")
        self.mis: dict[str, Institution] = {}
        for mi, devs in (("mi1", ["dev1", "dev2"]), ("mi2", ["dev3"])):
            usk = umbral.SecretKey.random(rng.fork(mi + "/umbral"))
            devices = [Device(d, self.dep.new_signer(d, rng)) for d in devs]
            self.mis[mi] = Institution(mi, usk, umbral.Signer(umbral.SecretKey.random(rng.fork(mi + "/sign"))),
                                       ibe.extract(g, self.keys.ibe, mi, EPOCH), devices)
            self.step("1 registration", mi, f"register devices {', '.join(devs)} (DEVICE_REGISTER)",
                      lambda mi=mi, devs=devs: self.commit(MDC, *[
                          self.tx(MDC, "DEVICE_REGISTER", mi, device=d, ibe_identity=f"{mi}@{EPOCH}") for d in devs]),
                      holds=f"{mi}: IBE key for {mi}@{EPOCH}, Umbral key pair")
        self.ris: dict[str, Researcher] = {}
        for ri, names in (("ri1", ["cardiology@1", "researcher@1"]), ("ri2", ["dermatology@1", "researcher@1"])):
            grant = protocol.issue_attributes(g, self.keys, names, rng.fork(ri))
            self.ris[ri] = Researcher(ri, umbral.SecretKey.random(rng.fork(ri + "/umbral")), grant)
            self.step("1 registration", "authority", f"FAME key for {ri}; post its Poseidon attribute commitment",
                      lambda ri=ri, grant=grant: self.commit(SHC, self.tx(
                          SHC, "ATTRIBUTE_COMMIT", "authority", **protocol.attribute_commit_fields(ri, EPOCH, grant))),
                      holds=f"{ri}: FAME key {{{', '.join(names)}}} and salt; SHC: commitment only")

    def collection(self) -> None:
        g, rng = self.group, self.rng.fork("collection")
        apk = self.keys.cbs.pk
        for mi in self.mis.values():
            for dev in mi.devices:
                for _ in range(2):
                    dev.sequence += 1
                    value = 60 + hashlib.sha256(f"{dev.identity}/{dev.sequence}/{self.seed}".encode()).digest()[0] % 40
                    msg = protocol.device_send(g, self.keys.ibe.p_pub, mi.identity, EPOCH, dev.signer, dev.sequence,
                                        value.to_bytes(8, "big"), rng)

                    def receive(mi: Institution = mi, dev: Device = dev, msg: protocol.SignedReading = msg) -> str:
                        plain = protocol.mi_receive(g, apk, mi.ibe_key, dev.signer.certificate,
                                             mi.last_seq.get(dev.identity, 0), msg, at=self.mdc.height(),
                                             device=protocol.device_entry(self.mdc.state(), dev.identity))
                        mi.last_seq[dev.identity] = msg.ct.sequence
                        mi.readings.append(int.from_bytes(plain, "big"))
                        return "ok"
                    self.step("2 collection", dev.identity, f"reading #{dev.sequence} IBE-sealed to {mi.identity}, "
                              "CBS-signed; MI verifies and decrypts", receive)
                last = msg
        mi1 = self.mis["mi1"]
        self.step("2 collection", "dev3", "replays its last reading to mi2", lambda: protocol.mi_receive(
            g, apk, self.mis["mi2"].ibe_key, self.mis["mi2"].devices[0].signer.certificate,
            self.mis["mi2"].last_seq["dev3"], last, at=self.mdc.height(),
            device=protocol.device_entry(self.mdc.state(), "dev3")), expected="REPLAYED_NONCE")
        mi2 = self.mis["mi2"]
        self.step("2 collection", "mi2", "deregisters dev3 (DEVICE_REVOKE)", lambda: self.commit(
            MDC, self.tx(MDC, "DEVICE_REVOKE", "mi2", device="dev3")))
        dev3 = mi2.devices[0]
        after = protocol.device_send(g, self.keys.ibe.p_pub, "mi2", EPOCH, dev3.signer, dev3.sequence + 1,
                                     b"\x00" * 8, rng)
        self.step("2 collection", "dev3", "sends mi2 a reading after its revocation", lambda: protocol.mi_receive(
            g, apk, mi2.ibe_key, dev3.signer.certificate, mi2.last_seq["dev3"], after, at=self.mdc.height(),
            device=protocol.device_entry(self.mdc.state(), "dev3")), expected="DEVICE_REVOKED")
        rogue = Device("dev9", self.dep.new_signer("dev9", rng))
        rogue_msg = protocol.device_send(g, self.keys.ibe.p_pub, "mi1", EPOCH, rogue.signer, 1, b"\x00" * 8, rng)
        self.step("2 collection", "dev9", "an unregistered device sends mi1 a reading", lambda: protocol.mi_receive(
            g, apk, mi1.ibe_key, rogue.signer.certificate, 0, rogue_msg, at=self.mdc.height(),
            device=protocol.device_entry(self.mdc.state(), "dev9")), expected="DEVICE_UNKNOWN")
        self.learn("mi1", *[("reading", bytes([i])) for i in range(len(mi1.readings))])

    def _relay_latest(self, sender: str) -> str:
        block, cert = self.mdc.blocks()[-1]
        return self.commit(SHC, self.tx(SHC, "MDC_HEADER_RELAY", sender, header=block.header.to_bytes(),
                                        certificate=cert.to_bytes()))

    def publication(self) -> None:
        g, rng = self.group, self.rng.fork("publication")
        self.rids: dict[str, bytes] = {}
        for mi, policy, label in (("mi1", POLICY_1, "r1"), ("mi2", POLICY_2, "r2")):
            inst = self.mis[mi]
            vals = inst.readings
            fields = [len(vals), min(vals), max(vals), sum(vals) // len(vals), sum(vals), EPOCH, 0, self.seed]
            rid = hashlib.sha256(f"{mi}/{label}/{self.seed}".encode()).digest()
            self.rids[label] = rid
            pub = protocol.publish(g, self.keys.fame_pk, inst.umbral_sk.public_key(), policy, rid, fields, rng.fork(label))
            inst.records[rid] = pub
            blob = pub.blob.to_bytes()
            for node in self.cpc:
                node.store.put(blob)
            fields_tx = pub.publish_fields(f"cohort-{label}", inst.umbral_sk.public_key(),
                                           inst.umbral_signer.verifying_key())
            self.step("3 publication", mi, f"record {label}: k = HKDF(k_abe || k_pre); blob to the CPC; "
                      f"RECORD_PUBLISH under '{pub.policy.text}'",
                      lambda mi=mi, f=fields_tx: self.commit(MDC, self.tx(MDC, "RECORD_PUBLISH", mi, **f)),
                      holds=f"{mi}: k, k_pre of {label}; CPC: blob {pub.blob.blob_hash().hex()[:12]}; "
                            "MDC: policy hash, capsule, data commitment")
            self.secrets[rid] = props.RecordSecrets(mi, pub.policy, pub.content_key, pub.k_pre,
                                                    protocol.encode_record(fields))
            self.learn(mi, ("k", rid), ("k_pre", rid), ("plaintext", rid))
        self.step("3 publication", "mi1", "relay the MDC header with its commit certificate to SHC",
                  lambda: self._relay_latest("mi1"))

    def _request(self, ri: str, label: str, nonce_label: str) -> tuple[Transaction | None, str]:
        r = self.ris[ri]
        rid = self.rids[label]
        nonce = hashlib.sha256(f"nonce/{ri}/{nonce_label}/{self.seed}".encode()).digest()
        policy = protocol.RecordPolicy.of(RecordEntry.from_bytes(self.mdc.state()[protocol.record_key(rid)]).policy)
        try:
            proof = protocol.prove_access(self.group, self.pk16, policy, r.grant, rid, nonce, ri, self.rng.fork(nonce_label))
        except MedshareError as e:
            return None, e.code
        fields = protocol.request_fields(self.mdc.state(), self.mdc.height(), rid, nonce, proof,
                                         r.umbral_sk.public_key(), requester=ri)
        return self.tx(SHC, "ACCESS_REQUEST", ri, **fields), "ok"

    def requests(self) -> None:
        holder: dict[str, Transaction] = {}

        def ri1() -> str:
            tx, code = self._request("ri1", "r1", "a")
            if tx is None:
                return code
            holder["req"] = tx
            return self.commit(SHC, tx)
        self.step("4 request", "ri1", "Groth16 proof that its committed attributes satisfy r1's policy, bound to "
                  "(r1, nonce, ri1); ACCESS_REQUEST with the anchored reference", ri1,
                  holds="SHC: proof, nonce, commitment reference; no attribute names")
        self.step("4 request", "ri2", "tries to prove r1's policy with {dermatology, researcher}",
                  lambda: self._request("ri2", "r1", "b")[1], expected="POLICY_UNSATISFIED")
        req = holder["req"]

        def forged() -> str:
            f = {n: req.arg(n) for n in ("mdc_height", "record_id", "record_entry", "proof")}
            nonce = hashlib.sha256(b"ri2-forged").digest()
            f.update(nonce=nonce, request_id=protocol.request_id(req.arg("record_id"), nonce, "ri2"),
                     payload=protocol.RequestPayload(protocol.RequestPayload.of(req).proof,
                                                     self.ris["ri2"].umbral_sk.public_key()).to_bytes())
            return self.commit(SHC, self.tx(SHC, "ACCESS_REQUEST", "ri2", **f))
        self.step("4 request", "ri2", "submits ri1's proof as its own (new nonce)", forged, expected="PROOF_INVALID")
        self.step("4 request", "ri1", "replays its request (same nonce, fresh transaction)",
                  lambda: self.commit(SHC, self.tx(SHC, "ACCESS_REQUEST", "ri1",
                                                   **{n: req.arg(n) for n, _ in _schema("ACCESS_REQUEST")})),
                  expected="REPLAYED_NONCE")
        self.req1 = req

    def grant_and_decrypt(self) -> None:
        rng = self.rng.fork("grant")
        req = self.req1
        mi = self.mis["mi1"]
        rid = req.arg("record_id")
        ri = self.ris["ri1"]
        gf = protocol.grant_fields(req.arg("request_id"), THRESHOLD, SHARES)
        self.grant1 = gf["grant_id"]
        self.step("5 grant", "mi1", "checks the request; GRANT; kfrags 2-of-3 to cpc1..cpc3",
                  lambda: self.commit(SHC, self.tx(SHC, "GRANT", "mi1", **gf)),
                  holds="each CPC node: one kfrag (never k)")
        kfrags = protocol.make_kfrags(mi.umbral_sk, mi.umbral_signer, ri.umbral_sk.public_key(), THRESHOLD, SHARES, rng)
        for node, kf in zip(self.cpc, kfrags):
            node.receive_kfrag(self.grant1, kf.kfrag)
        entry = RecordEntry.from_bytes(self.mdc.state()[protocol.record_key(rid)])
        cfrags: list[umbral.CapsuleFrag] = []
        for node in self.cpc:
            c = node.cfrag(self.grant1, entry, ri.umbral_sk.public_key(), rng.fork(node.identity), self.shc.state())
            cfrags.append(c)
            self.step("6 re-encryption", node.identity, "re-encrypts the capsule into a cfrag"
                      + (" (Byzantine: corrupted)" if node.byzantine else "") + "; posts its receipt",
                      lambda node=node, c=c: self.commit(SHC, self.tx(SHC, "REENCRYPTION_RECEIPT", node.identity,
                                                                      **protocol.receipt_fields(self.grant1, c))))
        self.step("6 re-encryption", "cpc1", "posts a second receipt for the same grant",
                  lambda: self.commit(SHC, self.tx(SHC, "REENCRYPTION_RECEIPT", "cpc1",
                                                   **protocol.receipt_fields(self.grant1, cfrags[0]))),
                  expected="RECEIPT_DUPLICATE")
        blob = self.cpc[0].store.get(entry.blob_hash)
        order = [cfrags[2], cfrags[0], cfrags[1]]  # the bad one first: it must be caught, not used

        def bad_cfrag() -> str:
            payload = protocol.RecordPayload.of(entry)
            umbral.verify_cfrag(cfrags[2], umbral.Capsule.from_bytes(entry.capsule), payload.verifying_pk,
                                payload.delegating_pk, ri.umbral_sk.public_key())
            return "ok"
        self.step("7 decryption", "ri1", "verifies cpc3's cfrag", bad_cfrag, expected="CFRAG_INVALID")

        def decrypt() -> str:
            opened = protocol.decrypt(self.group, entry, rid, blob, order, ri.umbral_sk, ri.grant.key, THRESHOLD)
            if opened.rejected != (0,) or protocol.encode_record(opened.fields) != self.secrets[rid].plaintext:
                return "DECRYPTION_FAILED"
            ri.plaintexts[rid] = opened.fields
            self.learn("ri1", ("k", rid), ("k_abe", rid), ("k_pre", rid), ("plaintext", rid))
            return "ok"
        self.step("7 decryption", "ri1", "checks the blob hash, drops the bad cfrag, opens k_pre from 2 cfrags and "
                  "k_abe with its FAME key, derives k, decrypts r1", decrypt, holds="ri1: k and plaintext of r1")

    def revocation(self) -> None:
        # ri1 asks for r2; mi2 revokes r2 before granting: the grant is refused
        holder: dict[str, Transaction] = {}

        def req2() -> str:
            tx, code = self._request("ri1", "r2", "c")
            if tx is None:
                return code
            holder["req"] = tx
            return self.commit(SHC, tx)
        self.step("4 request", "ri1", "requests r2 (mi2's record) with a fresh proof", req2)
        rid2 = self.rids["r2"]
        self.step("8 revocation", "mi2", "revokes r2 on MDC (RECORD_REVOKE)",
                  lambda: self.commit(MDC, self.tx(MDC, "RECORD_REVOKE", "mi2", record_id=rid2)))
        self.step("8 revocation", "mi2", "relays the MDC header", lambda: self._relay_latest("mi2"))

        def notice() -> str:
            st = self.mdc.state()
            key = protocol.record_key(rid2)
            return self.commit(SHC, self.tx(SHC, "RECORD_REVOKE_NOTICE", "mi2", mdc_height=self.mdc.height(),
                                            record_id=rid2, record_entry=st[key],
                                            proof=protocol.prove_state(st, key).to_bytes()))
        self.step("8 revocation", "mi2", "posts the anchored revocation on SHC (RECORD_REVOKE_NOTICE)", notice)
        gf = protocol.grant_fields(holder["req"].arg("request_id"), THRESHOLD, SHARES)
        self.step("5 grant", "mi2", "tries to grant ri1's request on the revoked r2",
                  lambda: self.commit(SHC, self.tx(SHC, "GRANT", "mi2", **gf)), expected="RECORD_REVOKED")
        self.step("8 revocation", "mi1", "revokes its grant on r1 (GRANT_REVOKE)",
                  lambda: self.commit(SHC, self.tx(SHC, "GRANT_REVOKE", "mi1", grant_id=self.grant1)))
        entry1 = RecordEntry.from_bytes(self.mdc.state()[protocol.record_key(self.rids["r1"])])
        self.step("6 re-encryption", "cpc1", "is asked to re-encrypt for the revoked grant: refuses",
                  lambda: self.cpc[0].cfrag(self.grant1, entry1, self.ris["ri1"].umbral_sk.public_key(),
                                            self.rng.fork("after-revoke"), self.shc.state()) and "ok",
                  expected="GRANT_REVOKED")
        self.step("8 revocation", "authority", "moves ri2's attributes to a new epoch (ATTRIBUTE_EPOCH_REVOKE)",
                  lambda: self.commit(SHC, self.tx(SHC, "ATTRIBUTE_EPOCH_REVOKE", "authority", identity="ri2",
                                                   epoch=EPOCH)))
        self.step("8 revocation", "authority", "revokes ri2's certificate (CERT_REVOKE)",
                  lambda: self.commit(SHC, self.tx(SHC, "CERT_REVOKE", "authority", identity="ri2")))
        self.step("8 revocation", "ri2", "sends a transaction after revocation",
                  lambda: self.commit(SHC, self.tx(SHC, "GRANT_REVOKE", "ri2", grant_id=self.grant1)),
                  expected="CERT_REVOKED")

    def world(self) -> props.World:
        genesis = {c: {e.identity: CertEntry(e.public_key, e.period_start, e.period_end, b"\x00" * 48, False)
                       for e in cfg.chain.genesis} for c, cfg in ((MDC, self.dep.mdc), (SHC, self.dep.shc))}
        return props.World(
            self.group, self.dep.authority_keys.pk.to_bytes(), tuple(self.mdc.committed()),
            tuple(self.shc.committed()), self.mdc.state(), self.shc.state(),
            {b.height: b.block_hash() for b, _ in self.mdc.blocks()}, dict(self.secrets),
            {p: frozenset(s) for p, s in self.knowledge.items()},
            {n.identity: n.holdings() for n in self.cpc},
            {ri: r.grant.attributes for ri, r in self.ris.items()}, tuple(n.identity for n in self.cpc),
            genesis, self.dep.mdc.chain.cache)

    def audit(self) -> dict[str, list[str]]:
        self.step("9 audit", "anyone", "receipts follow grants follow requests on committed records",
                  lambda: "audit-failed" if protocol.audit([t for _, t in self.shc.committed()], self.mdc.state()) else "ok")
        return self.step("9 audit", "model", "every property over both chains and every party's knowledge",
                         lambda: props.check_all(self.world()))

    def run(self) -> dict[str, list[str]]:
        self.setup()
        self.registration()
        self.collection()
        self.publication()
        self.requests()
        self.grant_and_decrypt()
        self.revocation()
        return self.audit()

    def close(self) -> None:
        for d in ("mdc", "shc"):
            if hasattr(self, d):
                getattr(self, d).close()
        if self._tmp is not None:
            self._tmp.cleanup()


def _schema(kind: str) -> tuple[tuple[str, str], ...]:
    from ...spec.chain.tx import SCHEMAS
    return SCHEMAS[kind][2]


def run_demo(group: PairingGroup, seed: int = 7, narrate: Callable[[Step], None] | None = None,
             workdir: Path | None = None) -> tuple[Scenario, dict[str, list[str]]]:
    """Run the scenario; (the scenario with its steps and phase times, property -> violations). With
    ``workdir`` the ledgers (``mdc/node<i>.sqlite``, ``shc/node<i>.sqlite``) and CPC stores are kept there."""
    sc = Scenario(group, seed, workdir=workdir, narrate=narrate)
    try:
        result = sc.run()
    finally:
        sc.close()
    return sc, result


__all__ = ["BlobStore", "CPCNode", "ChainDriver", "Scenario", "Step", "circuit_keys", "demo_chain_config",
           "demo_deployment", "key_source", "run_demo"]
