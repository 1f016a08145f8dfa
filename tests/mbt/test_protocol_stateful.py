"""Stateful model-based test of the sharing protocol: reference validator nodes against the spec ledgers.

Actions: valid requests, unauthorised requests (another RI's proof), replays, forged proofs, grants, honest and
Byzantine re-encryption, decryption, and revocations (record, grant, certificate, attribute epoch) at random
points. After every step: the reference nodes and the spec agree on the verdict and the state root, and every
property of spec/protocol/properties.py holds. Proofs are made once per (record, nonce) and cached.
"""

from __future__ import annotations

import functools
import hashlib
import tempfile
from pathlib import Path
from typing import Any

import attrs
from hypothesis import event as hypothesis_event
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from medshare.reference.protocol.scenario import ChainDriver, CPCNode
from medshare.reference.testbed import Ledger, Workload, circuit_keys, get_group, make_deployment
from medshare.spec.chain.entries import CertEntry, RecordEntry
from medshare.spec.chain.merkle import state_root
from medshare.spec.chain.state import HEIGHT_KEY, apply
from medshare.spec.chain.tx import MDC, SHC, Transaction
from medshare.spec.crypto import umbral
from medshare.spec.errors import MedshareError
from medshare.spec.protocol import properties as props
from medshare.spec.protocol import protocol
from medshare.spec.rng import DeterministicRNG

RECORDS = {"r1": "cardiology@1 and researcher@1", "r2": "(cardiology@1 and researcher@1) or auditor@1"}
NONCES = 2
T, N = 2, 3


@functools.lru_cache(maxsize=1)
def fixture() -> dict[str, Any]:
    """Keys, agents and the signed set-up transactions, made once per process."""
    g = get_group("native")
    pk16 = circuit_keys(g, "tests")
    dep = make_deployment(g, "proto-mbt", cache={}, payload_rules=protocol.payload_rules(g, pk16.vk),
                          circuit_keys=protocol.circuit_keys(pk16.vk))
    rng = DeterministicRNG("proto-mbt")
    keys = protocol.setup_authority(g, rng, dep.authority_keys)
    wl = Workload(dep, "proto-mbt")
    mdc_setup = [wl.register(MDC, "mi1", "MI")]
    shc_setup = [wl.register(SHC, x, r) for x, r in (("mi1", "MI"), ("ri1", "RI"), ("ri2", "RI"), ("cpc1", "CPC"),
                                                       ("cpc2", "CPC"), ("cpc3", "CPC"))]
    grants = {ri: protocol.issue_attributes(g, keys, names, rng.fork(ri))
              for ri, names in (("ri1", ["cardiology@1", "researcher@1"]), ("ri2", ["dermatology@1"]))}
    shc_setup += [[wl.tx(SHC, "ATTRIBUTE_COMMIT", "authority", **protocol.attribute_commit_fields(ri, 1, gr))
                   for ri, gr in grants.items()]]
    owner = umbral.SecretKey.random(rng.fork("owner"))
    signer = umbral.Signer(umbral.SecretKey.random(rng.fork("sign")))
    pubs: dict[str, protocol.Published] = {}
    for label, policy in RECORDS.items():
        rid = hashlib.sha256(label.encode()).digest()
        pubs[label] = protocol.publish(g, keys.fame_pk, owner.public_key(), policy, rid, [ord(label[1])] * 8, rng)
        mdc_setup.append([wl.tx(MDC, "RECORD_PUBLISH", "mi1", **pubs[label].publish_fields(
            "p", owner.public_key(), signer.verifying_key()))])
    ri_keys = {ri: umbral.SecretKey.random(rng.fork(ri + "u")) for ri in grants}
    return dict(g=g, pk16=pk16, dep=dep, keys=keys, wl=wl, mdc_setup=mdc_setup, shc_setup=shc_setup,
                grants=grants, owner=owner, signer=signer, pubs=pubs, ri_keys=ri_keys, rng=rng, proofs={})


def proof_for(fx: dict[str, Any], label: str, i: int) -> bytes:
    key = (label, i)
    if key not in fx["proofs"]:
        pub = fx["pubs"][label]
        fx["proofs"][key] = protocol.prove_access(fx["g"], fx["pk16"], pub.policy, fx["grants"]["ri1"], pub.record_id,
                                           nonce_of(label, i), "ri1", fx["rng"].fork(f"{label}{i}"))
    return fx["proofs"][key]


def nonce_of(label: str, i: int) -> bytes:
    return hashlib.sha256(f"{label}/{i}".encode()).digest()


@attrs.define
class Pair:
    """One chain as spec ledger and reference nodes, fed the same transactions."""

    spec: Ledger
    ref: ChainDriver
    txs: list[tuple[int, Transaction]] = attrs.field(factory=list)

    def submit(self, tx: Transaction) -> str:
        spec_code = _first_code(self.spec, tx)
        if spec_code == "ok":
            block, _ = self.spec.seal([tx])
        ref_code = self.ref.submit([tx])[0] or "ok"
        assert spec_code == ref_code, (tx.kind, spec_code, ref_code)
        event(f"{tx.kind}: {spec_code}")
        if spec_code == "ok":
            self.txs.append((block.height, tx))
        assert _app(self.spec.state) == _app(self.ref.state()), "spec and reference states differ"
        return spec_code


def event(text: str) -> None:
    """A Hypothesis event inside a test run; nothing in the scripted run."""
    try:
        hypothesis_event(text)
    except Exception:  # noqa: BLE001 - outside a Hypothesis test
        pass


def _app(state: Any) -> bytes:
    """The state root without the height (the reference may cut blocks differently)."""
    return state_root({k: v for k, v in state.items() if k != HEIGHT_KEY})


def _first_code(ledger: Ledger, tx: Transaction) -> str:
    try:
        apply(ledger.cfg, ledger.state, tx)
    except MedshareError as e:
        return e.code
    return "ok"


class ProtocolMachine(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.fx = fx = fixture()
        self.wl = Workload(fx["dep"], "proto-mbt-run")
        self.wl.signers = fx["wl"].signers
        self.tmp = tempfile.TemporaryDirectory(prefix="medshare-mbt-")
        root = Path(self.tmp.name)
        dep = fx["dep"]
        self.mdc = Pair(Ledger(dep.mdc.chain), ChainDriver(dep, dep.mdc, 1, root / "mdc"))
        self.shc = Pair(Ledger(dep.shc.chain), ChainDriver(dep, dep.shc, 2, root / "shc"))
        for batch in fx["mdc_setup"]:
            self._both(self.mdc, batch)
        for batch in fx["shc_setup"]:
            self._both(self.shc, batch)
        self.relay()
        self.cpc = [CPCNode(f"cpc{i + 1}", i, root / f"cpc{i + 1}", byzantine=(i == 2)) for i in range(N)]
        for node in self.cpc:
            for pub in fx["pubs"].values():
                node.store.put(pub.blob.to_bytes())
        self.requests: dict[bytes, tuple[str, str]] = {}  # request id -> (requester, record label)
        self.grants: dict[bytes, str] = {}  # grant id -> label
        self.cfrags: dict[bytes, list[umbral.CapsuleFrag]] = {}
        self.knowledge: dict[str, set[tuple[str, bytes]]] = {"mi1": set()}
        for pub in fx["pubs"].values():
            self.knowledge["mi1"] |= {("k", pub.record_id), ("k_pre", pub.record_id), ("plaintext", pub.record_id)}
        self.outcomes: list[str] = []
        self.refusals: list[str] = []  # honest CPC nodes' refusals to re-encrypt

    def _both(self, pair: Pair, batch: list[Transaction]) -> None:
        block, rejected = pair.spec.seal(batch)
        assert not rejected
        pair.txs += [(block.height, t) for t in batch]
        assert pair.ref.submit(batch) == [None] * len(batch)

    def teardown(self) -> None:
        if hasattr(self, "mdc"):
            self.mdc.ref.close()
            self.shc.ref.close()
            self.tmp.cleanup()

    def relay(self) -> None:
        block, cert = self.mdc.ref.blocks()[-1]
        self._both(self.shc, [self.wl.tx(SHC, "MDC_HEADER_RELAY", "mi1", header=block.header.to_bytes(),
                                         certificate=cert.to_bytes())])

    def _request_fields(self, label: str, i: int, proof: bytes, ri: str) -> dict[str, Any]:
        pub = self.fx["pubs"][label]
        return protocol.request_fields(self.mdc.ref.state(), self.mdc.ref.height(), pub.record_id, nonce_of(label, i),
                                       proof, self.fx["ri_keys"][ri].public_key(), requester=ri)

    # -- actions -----------------------------------------------------------------------------------------------
    @rule(label=st.sampled_from(sorted(RECORDS)), i=st.integers(0, NONCES - 1))
    def request(self, label: str, i: int) -> None:
        """ri1's request (valid the first time; a replay afterwards)."""
        f = self._request_fields(label, i, proof_for(self.fx, label, i), "ri1")
        code = self.shc.submit(self.wl.tx(SHC, "ACCESS_REQUEST", "ri1", **f))
        if code == "ok":
            self.requests[f["request_id"]] = ("ri1", label)
        self.outcomes.append(code)

    @rule(label=st.sampled_from(sorted(RECORDS)), forged=st.booleans())
    def unauthorised_request(self, label: str, forged: bool) -> None:
        """ri2 with ri1's proof, or anyone with random proof bytes: never accepted."""
        proof = DeterministicRNG(label).read(192) if forged else proof_for(self.fx, label, 0)
        f = self._request_fields(label, NONCES + int(forged), proof, "ri2" if not forged else "ri1")
        code = self.shc.submit(self.wl.tx(SHC, "ACCESS_REQUEST", "ri2" if not forged else "ri1", **f))
        assert code != "ok"

    @rule(which=st.integers(0, 7))
    def grant(self, which: int) -> None:
        if not self.requests:
            return
        rq = sorted(self.requests)[which % len(self.requests)]
        code = self.shc.submit(self.wl.tx(SHC, "GRANT", "mi1", **protocol.grant_fields(rq, T, N)))
        if code == "ok":
            gid = protocol.grant_fields(rq, T, N)["grant_id"]
            self.grants[gid] = self.requests[rq][1]
            kfrags = protocol.make_kfrags(self.fx["owner"], self.fx["signer"], self.fx["ri_keys"]["ri1"].public_key(), T,
                                   N, DeterministicRNG(gid))
            for node, kf in zip(self.cpc, kfrags):
                node.receive_kfrag(gid, kf.kfrag)

    @rule(which=st.integers(0, 7), node=st.integers(0, N - 1))
    def reencrypt(self, which: int, node: int) -> None:
        if not self.grants:
            return
        gid = sorted(self.grants)[which % len(self.grants)]
        pub = self.fx["pubs"][self.grants[gid]]
        entry = RecordEntry.from_bytes(self.mdc.spec.state[protocol.record_key(pub.record_id)])
        try:
            c = self.cpc[node].cfrag(gid, entry, self.fx["ri_keys"]["ri1"].public_key(),
                                     DeterministicRNG(gid + bytes([node])), self.shc.spec.state)
        except MedshareError as e:  # an honest node refuses exactly what SHC would refuse its receipt with
            receipt = self.wl.tx(SHC, "REENCRYPTION_RECEIPT", self.cpc[node].identity, grant_id=gid,
                                 payload=b"\x00" * 32)
            assert _first_code(self.shc.spec, receipt) == e.code
            self.refusals.append(e.code)
            return
        if self.shc.submit(self.wl.tx(SHC, "REENCRYPTION_RECEIPT", self.cpc[node].identity,
                                      **protocol.receipt_fields(gid, c))) == "ok":
            self.cfrags.setdefault(gid, []).append(c)

    @rule(which=st.integers(0, 7))
    def grant_and_serve(self, which: int) -> None:
        """The honest flow in one step: grant a request, then every CPC node re-encrypts for every grant (so that
        short random runs reach decryption, and revocations met on the way are refused)."""
        self.grant(which)
        for gid in range(len(self.grants)):
            for node in range(N):
                self.reencrypt(gid, node)

    @rule(which=st.integers(0, 7))
    def decrypt(self, which: int) -> None:
        if not self.grants:
            return
        gid = sorted(self.grants)[which % len(self.grants)]
        pub = self.fx["pubs"][self.grants[gid]]
        entry = RecordEntry.from_bytes(self.mdc.spec.state[protocol.record_key(pub.record_id)])
        cf = self.cfrags.get(gid, [])
        try:
            opened = protocol.decrypt(self.fx["g"], entry, pub.record_id, self.cpc[0].store.get(entry.blob_hash), cf,
                               self.fx["ri_keys"]["ri1"], self.fx["grants"]["ri1"].key, T)
        except MedshareError as e:
            assert e.code == "NOT_ENOUGH_CFRAGS"
            return
        assert opened.fields == pub.fields and opened.content_key == pub.content_key and opened.k_pre == pub.k_pre
        event(f"decrypted ({len(opened.rejected)} bad cfrags dropped)")
        assert all(self.cpc[2].identity == f"cpc{3}" for _ in opened.rejected)
        self.knowledge.setdefault("ri1", set()).update({("k", pub.record_id), ("plaintext", pub.record_id)})

    @rule(kind=st.sampled_from(["record", "grant", "cert", "epoch"]), which=st.integers(0, 7))
    def revoke(self, kind: str, which: int) -> None:
        if kind == "record":
            label = sorted(RECORDS)[which % 2]
            rid = self.fx["pubs"][label].record_id
            if self.mdc.submit(self.wl.tx(MDC, "RECORD_REVOKE", "mi1", record_id=rid)) != "ok":
                return
            self.relay()
            st_ = self.mdc.ref.state()
            key = protocol.record_key(rid)
            self.shc.submit(self.wl.tx(SHC, "RECORD_REVOKE_NOTICE", "mi1", mdc_height=self.mdc.ref.height(),
                                       record_id=rid, record_entry=st_[key],
                                       proof=protocol.prove_state(st_, key).to_bytes()))
        elif kind == "grant" and self.grants:
            gid = sorted(self.grants)[which % len(self.grants)]
            self.shc.submit(self.wl.tx(SHC, "GRANT_REVOKE", "mi1", grant_id=gid))
        elif kind == "cert":
            self.shc.submit(self.wl.tx(SHC, "CERT_REVOKE", "authority", identity="ri1"))
        elif kind == "epoch":
            self.shc.submit(self.wl.tx(SHC, "ATTRIBUTE_EPOCH_REVOKE", "authority", identity="ri1", epoch=1))

    # -- properties --------------------------------------------------------------------------------------------
    @invariant()
    def properties_hold(self) -> None:
        if not hasattr(self, "mdc"):
            return
        fx = self.fx
        secrets = {p.record_id: props.RecordSecrets("mi1", p.policy, p.content_key, p.k_pre,
                                                    protocol.encode_record(p.fields)) for p in fx["pubs"].values()}
        dep = fx["dep"]
        genesis = {c: {e.identity: CertEntry(e.public_key, e.period_start, e.period_end, b"\x00" * 48, False)
                       for e in cfg.chain.genesis} for c, cfg in ((MDC, dep.mdc), (SHC, dep.shc))}
        w = props.World(fx["g"], dep.authority_keys.pk.to_bytes(), tuple(self.mdc.txs), tuple(self.shc.txs),
                        self.mdc.spec.state, self.shc.spec.state,
                        {b.height: b.block_hash() for b, _ in self.mdc.ref.blocks()}, secrets,
                        {p: frozenset(s) for p, s in self.knowledge.items()},
                        {n.identity: n.holdings() for n in self.cpc},
                        {ri: g.attributes for ri, g in fx["grants"].items()}, tuple(n.identity for n in self.cpc),
                        genesis, dep.mdc.chain.cache)
        bad = {n: v for n, v in props.check_all(w).items() if v}
        assert not bad, bad


ProtocolMachine.TestCase.settings = settings(max_examples=6, stateful_step_count=15, deadline=None,
                                             derandomize=True)
TestProtocol = ProtocolMachine.TestCase


def test_scripted_run() -> None:
    """A fixed run through every action (the random runs may stop early): request, replay, forgeries, grant,
    honest and Byzantine re-encryption, decryption with the bad cfrag dropped, then each revocation (after which
    the honest CPC node refuses to re-encrypt)."""
    m = ProtocolMachine()
    script: list[tuple[str, dict[str, Any]]] = [
        ("request", dict(label="r1", i=0)), ("request", dict(label="r1", i=0)),
        ("unauthorised_request", dict(label="r1", forged=False)), ("unauthorised_request", dict(label="r2", forged=True)),
        ("grant", dict(which=0)), ("grant", dict(which=0)), ("decrypt", dict(which=0)),
        ("reencrypt", dict(which=0, node=2)), ("reencrypt", dict(which=0, node=0)), ("decrypt", dict(which=0)),
        ("reencrypt", dict(which=0, node=1)), ("decrypt", dict(which=0)),
        ("request", dict(label="r2", i=0)), ("revoke", dict(kind="record", which=1)), ("grant", dict(which=1)),
        ("revoke", dict(kind="epoch", which=0)), ("reencrypt", dict(which=0, node=1)),
        ("revoke", dict(kind="grant", which=0)), ("reencrypt", dict(which=0, node=1)),
        ("request", dict(label="r1", i=1)),
        ("revoke", dict(kind="cert", which=0)), ("grant", dict(which=0)),
    ]
    try:
        m.start()
        m.properties_hold()
        for name, kwargs in script:
            getattr(m, name)(**kwargs)
            m.properties_hold()
        assert "ri1" in m.knowledge and any(w == "k" for w, _ in m.knowledge["ri1"])
        assert m.outcomes == ["ok", "REPLAYED_NONCE", "ok", "ATTRIBUTE_REVOKED"]
        # the honest node refuses once ri1's attribute epoch is revoked, then because the grant is
        assert m.refusals == ["ATTRIBUTE_REVOKED", "GRANT_REVOKED"]
    finally:
        m.teardown()
