"""Replay of Sharing.tla traces against the executable spec (spec/protocol, spec/chain) with real cryptography.

``initial`` builds a concrete world from the trace's constants: a deployment of both chains, one MI (``mi1``,
owner of every record), the trace's RIs and CPC nodes as registered identities with CBS keys, FAME attribute
keys (an RI that ``Sat`` accepts holds the policy's attributes, the others do not), Umbral keys, Groth16 keys
of the policy circuit and one published record per model record. ``step`` performs each model action as the
spec's phase functions and transactions (``apply`` on the chain states, blocks sealed by the spec's
``build_block``, MDC headers relayed with real commit certificates); a transaction the spec refuses raises its
``MedshareError`` and replay reports the step, the action and the code. ``project`` reads the model's variables
back from the concrete state (models/bridge.md, "Replay against the spec").

The spec has every guard of the correct model: the constants that switch guards off in buggy configurations
are ignored, so a counterexample replays until the step where the bug shows and stops there with the code the
spec refuses it with.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import attrs

from ..reference.testbed import Deployment, Ledger, Workload, certify, circuit_keys, disk_cached, get_group, make_deployment
from ..spec.chain import auth
from ..spec.chain.anchor import anchor_key, record_key
from ..spec.chain.block import CommitCertificate, Header
from ..spec.chain.codec import Reader, sha256
from ..spec.chain.entries import AttributeEntry, CertEntry, GrantEntry, RecordEntry, RequestEntry, k, nonce_key
from ..spec.chain.merkle import prove_state
from ..spec.chain.state import State, apply, apply_txs, build_block
from ..spec.chain.tx import MDC, SHC, Transaction
from ..spec.crypto import cbs, umbral
from ..spec.errors import MedshareError, fail
from ..spec.protocol import protocol
from ..spec.rng import DeterministicRNG
from .replay_base import Diverged
from .replay_mirror_sharing import SharingConstants, sharing_constants
from .tlavalues import Function, Record

POLICY = "cardiology@1 and researcher@1"
SATISFYING = ("cardiology@1", "researcher@1")
NOT_SATISFYING = ("dermatology@1",)
MI = "mi1"
SEED = "replay"


def record_id(rec: str) -> bytes:
    return sha256(b"record", rec.encode())


def nonce_bytes(n: str) -> bytes:
    return sha256(b"nonce", n.encode())


@attrs.frozen(eq=False)
class Fixture:
    """What a world of given constants starts from; made once per process and set of constants."""

    group: Any
    pk16: Any
    dep: Deployment
    keys: protocol.AuthorityKeys
    signers: dict[str, Any]
    nonces: dict[str, int]
    mdc: tuple[State, Header, tuple[Any, ...]]
    shc: tuple[State, Header, tuple[Any, ...]]
    attrs_of: dict[str, protocol.AttributeGrant]
    ri_keys: dict[str, umbral.SecretKey]
    cpc_keys: dict[str, umbral.SecretKey]
    owner: umbral.SecretKey
    signer: umbral.Signer
    pubs: dict[str, protocol.Published]


@functools.lru_cache(maxsize=8)
def fixture(ris: tuple[str, ...], sat: tuple[bool, ...], cpcs: tuple[str, ...], records: tuple[str, ...]) -> Fixture:
    """Deployment, registration (MDC: the MI; SHC: MI, RIs, CPC nodes, attribute commitments at epoch 1), keys
    and the records' publications (not yet posted)."""
    g = get_group("native")
    pk16 = circuit_keys(g, SEED)
    dep = make_deployment(g, SEED, cache={}, payload_rules=protocol.payload_rules(g, pk16.vk),
                          circuit_keys=protocol.circuit_keys(pk16.vk))
    rng = DeterministicRNG(SEED)
    keys = protocol.setup_authority(g, rng.fork("authority"), dep.authority_keys)
    wl = Workload(dep, SEED)
    mdc, shc = Ledger(dep.mdc.chain), Ledger(dep.shc.chain)
    mdc.seal(wl.register(MDC, MI, "MI"))
    shc_setup = wl.register(SHC, MI, "MI")
    for ri in ris:
        shc_setup += wl.register(SHC, ri, "RI")
    for c in cpcs:
        shc_setup += wl.register(SHC, c, "CPC")
    shc.seal(shc_setup)
    attrs_of = {ri: protocol.issue_attributes(g, keys, SATISFYING if ok else NOT_SATISFYING, rng.fork("attrs/" + ri))
                for ri, ok in zip(ris, sat)}
    shc.seal([wl.tx(SHC, "ATTRIBUTE_COMMIT", "authority", **protocol.attribute_commit_fields(ri, 1, a))
              for ri, a in attrs_of.items()])
    owner = umbral.SecretKey.random(rng.fork("owner"))
    signer = umbral.Signer(umbral.SecretKey.random(rng.fork("owner-sign")))
    pubs = {rec: protocol.publish(g, keys.fame_pk, owner.public_key(), POLICY, record_id(rec), list(range(1, 9)),
                           rng.fork("record/" + rec)) for rec in records}
    return Fixture(g, pk16, dep, keys, dict(wl.signers), dict(wl.nonces), (mdc.state, mdc.head, tuple(mdc.blocks)),
                   (shc.state, shc.head, tuple(shc.blocks)), attrs_of,
                   {ri: umbral.SecretKey.random(rng.fork("umbral/" + ri)) for ri in ris},
                   {c: umbral.SecretKey.random(rng.fork("umbral/" + c)) for c in cpcs}, owner, signer, pubs)


@functools.lru_cache(maxsize=64)
def access_proof(fx: Fixture, rec: str, n: str, ri: str) -> bytes:
    """ri's Groth16 proof for (rec, n); an RI whose attributes do not satisfy the policy has none and sends 192
    zero bytes (SHC refuses them with PROOF_INVALID)."""
    grant = fx.attrs_of[ri]
    key = b"|".join([fx.pk16.vk.to_bytes(), POLICY.encode(), grant.commitment().to_bytes(32, "big"),
                     record_id(rec), nonce_bytes(n), ri.encode()])
    try:
        return disk_cached("access-proof", key, lambda: protocol.prove_access(
            fx.group, fx.pk16, fx.pubs[rec].policy, grant, record_id(rec), nonce_bytes(n), ri,
            DeterministicRNG(f"proof/{rec}/{n}/{ri}")))
    except MedshareError as e:
        if e.code != "POLICY_UNSATISFIED":
            raise
        return bytes(protocol.PROOF_BYTES)


@functools.lru_cache(maxsize=64)
def publish_fields(fx: Fixture, rec: str) -> dict[str, Any]:
    """The MI's RECORD_PUBLISH fields for rec (its data commitment is a Poseidon hash: made once)."""
    return fx.pubs[rec].publish_fields("patient", fx.owner.public_key(), fx.signer.verifying_key())


def _ledger(snapshot: tuple[State, Header, tuple[Any, ...]], cfg: Any) -> Ledger:
    led = Ledger(cfg)
    led.state, led.head, led.blocks = snapshot[0], snapshot[1], list(snapshot[2])
    return led


#: (request tx hash, SHC head) -> (proof, auth): the head commits to SHC's whole state, so a verdict holds in
#: every replay that reaches the same chain (random traces share their first steps)
_CHECKED: dict[tuple[bytes, bytes], tuple[bool, bool]] = {}


@attrs.define
class CfragMade:
    g: int
    c: str
    cfrag: umbral.CapsuleFrag
    valid: bool


@attrs.define
class SpecWorld:
    """The concrete state of one replay: both chains, pending transactions, what CPC nodes and RIs hold."""

    k: SharingConstants
    fx: Fixture
    wl: Workload
    mdc: Ledger
    shc: Ledger
    mdc_states: dict[int, State] = attrs.field(factory=dict)  # MDC state after each block
    mdc_certs: dict[int, CommitCertificate] = attrs.field(factory=dict)
    pending_records: dict[str, Transaction] = attrs.field(factory=dict)
    record_height: dict[str, int] = attrs.field(factory=dict)  # the MDC block that committed the record
    pending_grants: dict[int, Transaction] = attrs.field(factory=dict)
    kfrags: dict[str, dict[int, umbral.KeyFrag]] = attrs.field(factory=dict)  # CPC node -> grant -> kfrag
    cfrags: list[CfragMade] = attrs.field(factory=list)
    refused: dict[tuple[int, str], str] = attrs.field(factory=dict)  # (grant, node) -> the spec's code
    derived: dict[str, dict[str, bytes]] = attrs.field(factory=dict)  # RI -> record -> content key it derived
    learned: dict[str, set[bytes]] = attrs.field(factory=dict)  # CPC node -> key material it opened
    checked: dict[bytes, tuple[bool, bool]] = attrs.field(factory=dict)  # request tx hash -> (proof, auth)
    verdicts: dict[tuple[str, int, bytes], str] = attrs.field(factory=dict)  # (node, grant, SHC head) -> verdict
    verified: dict[tuple[str, str, str], Transaction] = attrs.field(factory=dict)  # requests verified early

    # ---- chain helpers ----
    def commit_mdc(self, txs: list[Transaction]) -> int:
        for tx in txs:
            apply(self.mdc.cfg, self.mdc.state, tx)  # the spec's verdict; raises its code
        block, _ = self.mdc.seal(txs)
        self.mdc_states[block.height] = self.mdc.state
        self.mdc_certs[block.height] = certify(self.fx.dep, self.mdc.cfg, block)
        return block.height

    def commit_shc(self, *txs: Transaction) -> None:
        """Seal ``txs`` in the next SHC block; the spec's verdict at that block's height raises its code."""
        apply_txs(self.shc.cfg, self.shc.state, self.shc.head.height + 1, txs)
        self.shc.seal(list(txs))

    def cert_of(self, ri: str) -> CertEntry:
        return CertEntry.from_bytes(self.shc.state[k("cert", ri.encode())])

    def attribute_epoch(self, ri: str) -> int:
        return AttributeEntry.from_bytes(self.shc.state[k("attr", ri.encode())]).epoch

    def relay(self, height: int) -> None:
        block = next(b for b in self.mdc.blocks if b.height == height)
        self.commit_shc(self.wl.relay(MI, block, self.mdc_certs[height]))

    def shc_txs(self) -> list[Transaction]:
        return [tx for b in self.shc.blocks for tx in b.txs]

    def proof_and_auth(self, tx: Transaction) -> tuple[bool, bool]:
        """Whether an included request's Groth16 proof verifies (the protocol's payload rule on the current SHC
        state: the record's policy hash, the sender's commitment) and whether its CBS signature verifies under
        the sender's certificate at its block's height, unrevoked then (SHC included it)."""
        h = tx.tx_hash()
        if h not in self.checked and (h, self.shc.head.block_hash()) in _CHECKED:
            self.checked[h] = _CHECKED[(h, self.shc.head.block_hash())]
        if h not in self.checked:
            g, cfg = self.fx.group, self.shc.cfg
            try:
                cfg.payload_rules["ACCESS_REQUEST"](self.shc.state, tx)
                proof = True
            except MedshareError:
                proof = False
            height = next(b.height for b in self.shc.blocks if tx in b.txs)
            cert = CertEntry.from_bytes(self.shc.state[k("cert", tx.sender.encode())])
            try:
                auth.verify_tx(g, cfg.authority_pk, auth.Identity(tx.sender, cert.public_key, cert.period_start,
                                                                  cert.period_end), tx, at=height)
                signed = True
            except MedshareError:
                signed = False
            self.checked[h] = (proof, signed)
            if len(_CHECKED) > 100_000:
                _CHECKED.clear()
            _CHECKED[(h, self.shc.head.block_hash())] = self.checked[h]
        return self.checked[h]

    def requests(self) -> list[Transaction]:
        """The accepted access requests, in SHC order (request i of the model is element i - 1)."""
        return [tx for tx in self.shc_txs() if tx.kind == "ACCESS_REQUEST"]

    def request(self, i: int) -> Transaction:
        reqs = self.requests()
        if not 1 <= i <= len(reqs):
            raise Diverged(f"there is no request {i} on SHC")
        return reqs[i - 1]

    def grant_id(self, i: int) -> bytes:
        return sha256(b"grant", self.request(i).arg("request_id"))

    def rec_name(self, rid: bytes) -> str:
        return next(r for r in self.k.records if record_id(r) == rid)

    def nonce_name(self, nb: bytes) -> str:
        return next(n for n in self.k.nonces if nonce_bytes(n) == nb)

    def receipt_tx(self, c: str, g: int, cfrag: umbral.CapsuleFrag) -> Transaction:
        return self.wl.tx(SHC, "REENCRYPTION_RECEIPT", c, **protocol.receipt_fields(self.grant_id(g), cfrag))

    def receipt_verdict(self, c: str, g: int, cfrag: umbral.CapsuleFrag) -> str:
        """What SHC says now of node c's receipt for grant g ("ok" or the code), without posting it; the same
        until SHC's next block."""
        key = (c, g, self.shc.head.block_hash())
        if key not in self.verdicts:
            try:
                apply(self.shc.cfg, self.shc.state, self.receipt_tx(c, g, cfrag))
                self.verdicts[key] = "ok"
            except MedshareError as e:
                self.verdicts[key] = e.code
        return self.verdicts[key]

    def make_cfrag(self, g: int, c: str) -> umbral.CapsuleFrag:
        if g not in self.kfrags.get(c, {}):
            raise Diverged(f"{c} holds no kfrag for grant {g}")
        req = self.request(g)
        entry = RecordEntry.from_bytes(req.arg("record_entry"))
        payload = protocol.RecordPayload.of(entry)
        receiving = protocol.RequestPayload.of(req).receiving_pk
        return protocol.reencrypt(self.kfrags[c][g], umbral.Capsule.from_bytes(entry.capsule), payload.verifying_pk,
                           payload.delegating_pk, receiving,
                           DeterministicRNG(f"cfrag/{g}/{c}/{len(self.cfrags)}")).cfrag


class SpecSharingAdapter:
    """Sharing.tla's actions performed by the executable spec; the projection reads the model's variables."""

    def initial(self, constants: dict[str, Any], substitutions: dict[str, str]) -> SpecWorld:
        kc = sharing_constants(constants, substitutions)
        ris = tuple(sorted(kc.ri))
        fx = fixture(ris, tuple(kc.sat[r] for r in ris), tuple(sorted(kc.cpc)), tuple(sorted(kc.records)))
        wl = Workload(fx.dep, SEED + "/run")
        wl.signers, wl.nonces = dict(fx.signers), dict(fx.nonces)
        w = SpecWorld(kc, fx, wl, _ledger(fx.mdc, fx.dep.mdc.chain), _ledger(fx.shc, fx.dep.shc.chain))
        w.kfrags = {node: {} for node in kc.cpc}
        return w

    # ---- projection ----
    def project(self, w: SpecWorld) -> dict[str, Any]:
        mdc, shc = w.mdc.state, w.shc.state
        recs = sorted(w.k.records)

        def mdc_status(r: str) -> str:
            if record_key(record_id(r)) in mdc:
                return "committed"
            return "pending" if r in w.pending_records else "absent"

        def cert_revoked(ri: str) -> bool:
            raw = shc.get(k("cert", ri.encode()))
            return raw is not None and CertEntry.from_bytes(raw).revoked

        def attr_revoked(ri: str) -> bool:
            raw = shc.get(k("attr", ri.encode()))
            if raw is None:
                return False
            r = Reader(raw)
            epoch, _, below = r.u64(), r.fixed(32), r.u64()
            return epoch < below

        def cert_expired(ri: str) -> bool:  # a transaction of ri in the next block is past its period
            raw = shc.get(k("cert", ri.encode()))
            return raw is not None and CertEntry.from_bytes(raw).period_end <= w.shc.head.height + 1

        reqs = w.requests()
        grant_ids = [sha256(b"grant", tx.arg("request_id")) for tx in reqs]

        def grant_entry(i: int) -> bytes | None:
            return shc.get(k("grant", grant_ids[i - 1])) if i <= len(reqs) else None

        def req_record(tx: Transaction) -> Record:
            proof, signed = w.proof_and_auth(tx)
            stored = shc.get(k("request", tx.arg("request_id")), b"")
            fields: dict[str, Any] = {"ri": tx.sender, "rec": w.rec_name(tx.arg("record_id")),
                                      "nonce": w.nonce_name(tx.arg("nonce")), "proof": proof, "auth": signed,
                                      "epoch": RequestEntry.from_bytes(stored).epoch}
            if _leaks_attributes(w, tx.sender, stored):
                fields["attrs"] = w.k.sat[tx.sender]
            return Record(fields)

        ids = range(1, w.k.max_req + 1)
        return {
            "mdc": Function({r: mdc_status(r) for r in recs}),
            "recRevoked": frozenset(r for r in recs if (raw := mdc.get(record_key(record_id(r)))) is not None
                                    and RecordEntry.from_bytes(raw).revoked),
            "anchored": frozenset(r for r, h in w.record_height.items() if anchor_key(h) in shc),
            "certRevoked": frozenset(ri for ri in w.k.ri if cert_revoked(ri)),
            "attrRevoked": frozenset(ri for ri in w.k.ri if attr_revoked(ri)),
            "attrEpoch": Function({ri: w.attribute_epoch(ri) for ri in w.k.ri}),
            "certExpired": frozenset(ri for ri in w.k.ri if cert_expired(ri)),
            "sigCache": frozenset(w.verified),
            "reqs": tuple(req_record(tx) for tx in reqs),
            "usedNonces": frozenset((ri, n) for ri in w.k.ri for n in w.k.nonces
                                    if nonce_key(ri, nonce_bytes(n)) in shc),
            "pending": frozenset(w.pending_grants),
            "grants": frozenset(i for i in ids if grant_entry(i) is not None),
            "grantRevoked": frozenset(i for i in ids
                                      if (e := grant_entry(i)) is not None and GrantEntry.from_bytes(e).revoked),
            "kfrags": frozenset((g, c) for c, by in w.kfrags.items() for g in by),
            "cfrags": frozenset(Record({"g": m.g, "c": m.c, "valid": m.valid}) for m in w.cfrags),
            "receipts": tuple(Function({c: int(i <= len(reqs) and k("receipt", grant_ids[i - 1], c.encode()) in shc)
                                        for c in w.k.cpc}) for i in ids),
            "refused": frozenset(w.refused),
            "knows": frozenset((ri, rec) for ri, by in w.derived.items() for rec, key in by.items()
                               if key == w.fx.pubs[rec].content_key),
            "cpcLearned": frozenset((c, "k_pre") for c, got in w.learned.items()
                                    if any(_k_pre(w, rec) in got for rec in recs)),
        }

    # ---- actions ----
    def step(self, w: SpecWorld, act: Record) -> SpecWorld:
        handler: Callable[[SpecWorld, Record], None] | None = getattr(self, f"do_{act['name']}", None)
        if handler is None:
            raise Diverged(f"the spec adapter has no action {act['name']}")
        handler(w, act)
        return w

    # MDC
    def do_Publish(self, w: SpecWorld, a: Record) -> None:
        rec = a["rec"]
        if rec in w.pending_records:
            raise Diverged(f"{rec} is already pending on MDC")
        tx = w.wl.tx(MDC, "RECORD_PUBLISH", MI, **publish_fields(w.fx, rec))
        apply(w.mdc.cfg, w.mdc.state, tx)  # the proposer's check (RECORD_EXISTS once committed)
        w.pending_records[rec] = tx

    def do_CommitRecord(self, w: SpecWorld, a: Record) -> None:
        rec = a["rec"]
        if rec not in w.pending_records:
            raise Diverged(f"{rec} is not pending on MDC")
        w.record_height[rec] = w.commit_mdc([w.pending_records.pop(rec)])

    def do_DropRecord(self, w: SpecWorld, a: Record) -> None:
        if w.pending_records.pop(a["rec"], None) is None:
            raise Diverged(f"{a['rec']} is not pending on MDC")

    def do_Anchor(self, w: SpecWorld, a: Record) -> None:
        """A relayer posts the MDC header holding rec with its commit certificate. A pending record's block has
        none: the relayer posts the proposer's header with an empty certificate (ANCHOR_UNCOMMITTED)."""
        rec = a["rec"]
        if rec in w.record_height:
            w.relay(w.record_height[rec])
        elif rec in w.pending_records:
            block, _, _ = build_block(w.mdc.cfg, w.mdc.state, w.mdc.head, (w.pending_records[rec],), 0)
            assert block is not None
            empty = CommitCertificate(w.mdc.cfg.chain_id, 0, block.height, block.block_hash(), ())
            w.commit_shc(w.wl.relay(MI, block, empty))
        else:
            raise Diverged(f"{rec} is not on MDC")

    def do_RevokeRecord(self, w: SpecWorld, a: Record) -> None:
        """RECORD_REVOKE on MDC, its header relayed to SHC, and the RECORD_REVOKE_NOTICE on SHC."""
        rid = record_id(a["rec"])
        h = w.commit_mdc([w.wl.tx(MDC, "RECORD_REVOKE", MI, record_id=rid)])
        w.relay(h)
        st = w.mdc_states[h]
        w.commit_shc(w.wl.tx(SHC, "RECORD_REVOKE_NOTICE", MI, mdc_height=h, record_id=rid,
                             record_entry=st[record_key(rid)], proof=prove_state(st, record_key(rid)).to_bytes()))

    # SHC requests
    def _request_tx(self, w: SpecWorld, ri: str, rec: str, n: str, signer: str) -> Transaction:
        if rec not in w.record_height:
            raise Diverged(f"{rec} is not committed on MDC: no record reference exists")
        h = w.record_height[rec]
        f = protocol.request_fields(w.mdc_states[h], h, record_id(rec), nonce_bytes(n),
                                    access_proof(w.fx, rec, n, ri) if signer == ri else bytes(protocol.PROOF_BYTES),
                                    w.fx.ri_keys[ri].public_key(), requester=ri)
        if signer == ri:
            return w.wl.tx(SHC, "ACCESS_REQUEST", ri, **f)
        nonce = w.wl.nonces.get(ri, 0)
        return auth.sign_tx(w.fx.group, w.wl.signers[signer], Transaction.make(SHC, "ACCESS_REQUEST", ri, nonce, **f))

    def do_Request(self, w: SpecWorld, a: Record) -> None:
        """ri's request; the very transaction a validator verified early (``CacheVerdict``), if one did."""
        key = (a["ri"], a["rec"], a["nonce"])
        tx = w.verified[key] if key in w.verified else self._request_tx(w, *key, a["ri"])
        w.commit_shc(tx)

    def do_CacheVerdict(self, w: SpecWorld, a: Record) -> None:
        """A validator verifies ri's request (rec, n) before including it: ``auth.verify_tx`` at the next block's
        height with SHC's verification cache, which keeps the pairing verdict; the request is kept for
        ``Request``."""
        ri, rec, n = a["ri"], a["rec"], a["nonce"]
        if (ri, rec, n) in w.verified:
            raise Diverged(f"the request ({ri}, {rec}, {n}) was already verified")
        tx = self._request_tx(w, ri, rec, n, ri)
        cert, cfg = w.cert_of(ri), w.shc.cfg
        auth.verify_tx(w.fx.group, cfg.authority_pk, auth.Identity(ri, cert.public_key, cert.period_start,
                                                                   cert.period_end),
                       tx, at=w.shc.head.height + 1, revoked=cert.revoked, cache=cfg.cache)
        w.verified[(ri, rec, n)] = tx

    def do_Forge(self, w: SpecWorld, a: Record) -> None:
        """The adversary signs a request in another RI's name with its own key (it has no proof either)."""
        w.commit_shc(self._request_tx(w, a["ri"], a["rec"], a["nonce"], w.k.adversary))

    def do_Replay(self, w: SpecWorld, a: Record) -> None:
        """The adversary re-sends accepted request i verbatim."""
        w.commit_shc(w.request(a["i"]))

    # grants
    def do_Grant(self, w: SpecWorld, a: Record) -> None:
        """The MI posts GRANT (checked against SHC now, committed by CommitGrant) and hands kfrag j to CPC
        node j. A request's kfrags are split once: a grant dropped and posted again hands out the same ones (the
        model's kfrags do not tell the two apart, and cfrags of two splittings do not combine)."""
        i = a["i"]
        if i in w.pending_grants:
            raise Diverged(f"grant {i} is already pending")
        req = w.request(i)
        tx = w.wl.tx(SHC, "GRANT", MI, **protocol.grant_fields(req.arg("request_id"), w.k.t, len(w.k.cpc)))
        apply(w.shc.cfg, w.shc.state, tx)
        receiving = protocol.RequestPayload.of(req).receiving_pk
        kfrags = protocol.make_kfrags(w.fx.owner, w.fx.signer, receiving, w.k.t, len(w.k.cpc),
                               DeterministicRNG(f"kfrags/{i}"))
        for node, kf in zip(sorted(w.k.cpc), kfrags):
            w.kfrags[node][i] = kf.kfrag
        w.pending_grants[i] = tx

    def do_CommitGrant(self, w: SpecWorld, a: Record) -> None:
        if a["i"] not in w.pending_grants:
            raise Diverged(f"no pending grant {a['i']}")
        w.commit_shc(w.pending_grants[a["i"]])
        del w.pending_grants[a["i"]]

    def do_DropGrant(self, w: SpecWorld, a: Record) -> None:
        if w.pending_grants.pop(a["i"], None) is None:
            raise Diverged(f"no pending grant {a['i']}")

    def do_RevokeGrant(self, w: SpecWorld, a: Record) -> None:
        w.commit_shc(w.wl.tx(SHC, "GRANT_REVOKE", MI, grant_id=w.grant_id(a["i"])))

    def do_RevokeCert(self, w: SpecWorld, a: Record) -> None:
        w.commit_shc(w.wl.tx(SHC, "CERT_REVOKE", "authority", identity=a["ri"]))

    def do_ExpireCert(self, w: SpecWorld, a: Record) -> None:
        """Chain time passes the end of ri's certificate: the authority re-issues it (same key) for a period that
        ends with the block the re-issue goes in, so from the next block on chain time is past it (a revoked
        certificate is revoked again in that block)."""
        ri = a["ri"]
        old, cert = w.wl.signers[ri], w.cert_of(ri)
        height = w.shc.head.height + 1
        if cert.period_end <= height:
            raise Diverged(f"{ri}'s certificate period is already over")
        renewed = cbs.certify(w.fx.group, w.fx.dep.authority_keys, ri, old.keypair.pk, cbs.Period(0, height + 1))
        w.wl.signers[ri] = auth.Signer(ri, old.keypair, renewed)
        issue = w.wl.tx(SHC, "CERT_ISSUE", "authority", identity=ri, public_key=old.public_key(), period_start=0,
                        period_end=height + 1, sigma=renewed.sigma.to_bytes())
        revoke = [w.wl.tx(SHC, "CERT_REVOKE", "authority", identity=ri)] if cert.revoked else []
        w.commit_shc(issue, *revoke)

    def do_RevokeAttributes(self, w: SpecWorld, a: Record) -> None:
        """ATTRIBUTE_EPOCH_REVOKE of ri's current epoch."""
        ri = a["ri"]
        w.commit_shc(w.wl.tx(SHC, "ATTRIBUTE_EPOCH_REVOKE", "authority", identity=ri, epoch=w.attribute_epoch(ri)))

    def do_RecommitAttributes(self, w: SpecWorld, a: Record) -> None:
        """ATTRIBUTE_COMMIT of ri's attributes at the next epoch."""
        ri = a["ri"]
        w.commit_shc(w.wl.tx(SHC, "ATTRIBUTE_COMMIT", "authority",
                             **protocol.attribute_commit_fields(ri, w.attribute_epoch(ri) + 1, w.fx.attrs_of[ri])))

    # CPC
    def _honest(self, w: SpecWorld, c: str) -> None:
        if c not in w.k.honest_cpc:
            raise Diverged(f"{c} is not an honest CPC node")

    def do_Reencrypt(self, w: SpecWorld, a: Record) -> None:
        """An honest node checks that the grant is live (``protocol.check_reencryption``), re-encrypts and posts its
        receipt; the node's refusal or SHC's refusal of the receipt is the step's code."""
        g, c = a["g"], a["c"]
        self._honest(w, c)
        if g not in w.kfrags.get(c, {}):
            raise Diverged(f"{c} holds no kfrag for grant {g}")
        protocol.check_reencryption(w.shc.state, w.grant_id(g))
        cfrag = w.make_cfrag(g, c)
        w.commit_shc(w.receipt_tx(c, g, cfrag))
        w.cfrags.append(CfragMade(g, c, cfrag, True))

    def do_Refuse(self, w: SpecWorld, a: Record) -> None:
        """An honest node holding a kfrag for a committed grant checks it (``protocol.check_reencryption``) and refuses
        exactly when the check fails (and records the code); SHC would refuse its receipt with the same code."""
        g, c = a["g"], a["c"]
        self._honest(w, c)
        if k("grant", w.grant_id(g)) not in w.shc.state:
            raise Diverged(f"grant {g} is not committed")
        if g not in w.kfrags.get(c, {}):
            raise Diverged(f"{c} holds no kfrag for grant {g}")
        try:
            protocol.check_reencryption(w.shc.state, w.grant_id(g))
        except MedshareError as e:
            verdict = e.code
        else:
            raise Diverged(f"grant {g} is live: the honest node {c} re-encrypts, it does not refuse")
        if (g, c) in w.refused:
            raise Diverged(f"{c} already refused grant {g}")
        w.refused[(g, c)] = verdict

    def do_ByzReencrypt(self, w: SpecWorld, a: Record) -> None:
        """A Byzantine node re-encrypts whenever it holds a kfrag and posts no receipt; the cfrag is valid (in the
        model's sense) iff SHC would accept a receipt for it now."""
        g, c = a["g"], a["c"]
        if c not in w.k.byz_cpc:
            raise Diverged(f"{c} is not a Byzantine CPC node")
        cfrag = w.make_cfrag(g, c)
        w.cfrags.append(CfragMade(g, c, cfrag, w.receipt_verdict(c, g, cfrag) in ("ok", "RECEIPT_DUPLICATE")))

    def do_ByzOpen(self, w: SpecWorld, a: Record) -> None:
        """A Byzantine node combines the grant's cfrags with its own Umbral key: they re-encrypt to the
        requester's key, so the spec's decryption fails with its code."""
        g, c = a["g"], a["c"]
        if c not in w.k.byz_cpc:
            raise Diverged(f"{c} is not a Byzantine CPC node")
        rec = w.rec_name(w.request(g).arg("record_id"))
        entry = RecordEntry.from_bytes(w.request(g).arg("record_entry"))
        payload = protocol.RecordPayload.of(entry)
        capsule = umbral.Capsule.from_bytes(entry.capsule)
        mine = w.fx.cpc_keys[c]
        good = [umbral.verify_cfrag(m.cfrag, capsule, payload.verifying_pk, payload.delegating_pk, mine.public_key())
                for m in {m.c: m for m in w.cfrags if m.g == g}.values()]
        k_pre = umbral.decrypt_reencrypted(mine, payload.delegating_pk, capsule,
                                           good, protocol.Blob.from_bytes(w.fx.pubs[rec].blob.to_bytes()).pre_ct, w.k.t)
        w.learned.setdefault(c, set()).add(k_pre)

    # RI
    def do_Decrypt(self, w: SpecWorld, a: Record) -> None:
        """ri runs phase 7 with its own Umbral and FAME keys on the cfrags made for grant g, one per CPC node (the
        latest: the spec refuses repeated cfrags of one kfrag)."""
        ri, g = a["ri"], a["g"]
        req = w.request(g)
        rec = w.rec_name(req.arg("record_id"))
        if w.derived.get(ri, {}).get(rec) == w.fx.pubs[rec].content_key:
            raise Diverged(f"{ri} already knows the key of {rec}")
        entry = RecordEntry.from_bytes(w.mdc.state[record_key(record_id(rec))])
        blob = w.fx.pubs[rec].blob.to_bytes()
        latest = {m.c: m.cfrag for m in w.cfrags if m.g == g}  # one cfrag per node (repeats are refused)
        cfrags = [latest[c] for c in sorted(latest)]
        sk, fame_key = w.fx.ri_keys[ri], w.fx.attrs_of[ri].key
        opened = protocol.decrypt(w.fx.group, entry, record_id(rec), blob, cfrags, sk, fame_key, w.k.t)
        if opened.fields != w.fx.pubs[rec].fields:
            fail("DECRYPTION_FAILED", "decryption returned another record")
        w.derived.setdefault(ri, {})[rec] = opened.content_key


def _k_pre(w: SpecWorld, rec: str) -> bytes:
    """k_pre of ``rec`` as its owner drew it at publication (kept by the published record, not re-derived)."""
    return w.fx.pubs[rec].k_pre


def _leaks_attributes(w: SpecWorld, ri: str, stored: bytes) -> bool:
    """Whether what SHC stores for ri's request holds one of ri's attribute names (UTF-8) or field encodings
    (properties.attribute_privacy's test, on one state value)."""
    return _leaks(w.fx, ri, stored)


@functools.lru_cache(maxsize=4096)
def _leaks(fx: Fixture, ri: str, stored: bytes) -> bool:
    grant = fx.attrs_of.get(ri)
    if grant is None:
        return False
    return any(a.encode() in stored or protocol.field_bytes(f) in stored for a, f in zip(grant.attributes, grant.fields()))
