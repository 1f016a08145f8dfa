"""Z3: each chain transaction kind keeps the chain invariants, weakened guards are refuted, and the symbolic
model agrees with the executable spec (reference/z3checks/chain_guards.py, spec/chain/chain.md).

The conformance tests draw action sequences over a small world (the authority, three entities, two devices,
three records, three request / grant / nonce ids, an MDC ledger of three committed blocks), build real signed
transactions, run ``spec.chain.state.apply_txs`` and compare with the Z3 encoding evaluated on the same
concrete values: the same verdict and error code, and the same projected state after the transaction.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from medshare.reference.chain.deploy import FOREVER
from medshare.reference.testbed import Deployment, Ledger, Workload, certify, forge_certificate, get_group, make_deployment
from medshare.reference.z3checks import chain_guards as cg
from medshare.spec.chain import auth
from medshare.spec.chain.anchor import anchor_key, record_key
from medshare.spec.chain.block import Block, CommitCertificate
from medshare.spec.chain.codec import sha256, u64
from medshare.spec.chain.entries import (
    AnchorEntry,
    AttributeEntry,
    CertEntry,
    DeviceEntry,
    EntityEntry,
    GrantEntry,
    RecordEntry,
    RequestEntry,
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
from medshare.spec.chain.merkle import prove_state
from medshare.spec.chain.state import HEIGHT_KEY, RULES, ChainConfig, State, apply_txs, genesis_state
from medshare.spec.chain.tx import MDC, SCHEMAS, SHC, Transaction
from medshare.spec.errors import MedshareError

# ---- the proofs and the weakened guards -------------------------------------------------------------------


@lru_cache(maxsize=1)
def report() -> cg.GuardReport:
    return cg.check_guards()


def test_every_kind_keeps_every_invariant() -> None:
    r = report()
    assert {o.kind for o in r.obligations} == set(cg.KINDS) and len(cg.KINDS) == 15
    failed = [(o.kind, o.prop, o.result) for o in r.obligations if o.result != "proved"]
    assert not failed
    # every property is claimed for at least one kind, every kind for its chain's properties
    assert {o.prop for o in r.obligations} == {p.name for p in cg.PROPERTIES}
    assert len(r.obligations) == sum(len(cg.properties_for(kind)) for kind in cg.KINDS)


@pytest.mark.parametrize("weakening", cg.WEAKENINGS, ids=lambda w: f"{w[0]}-{w[1]}")
def test_weakened_guard_is_refuted(weakening: tuple[str, Any, str]) -> None:
    kind, dropped, prop = weakening
    ref = next(x for x in report().refutations if (x.kind, x.prop) == (kind, prop)
               and x.dropped == ((dropped,) if isinstance(dropped, str) else dropped))
    assert ref.caught
    # the counterexample passes every other check; the full guard rejects it with a dropped check's code
    s, t = cg.concrete_state(ref.counterexample["state"]), cg.concrete_tx(ref.counterexample["tx"])
    codes = {code for name, code, _ in cg.guard(kind, s, t) if name in ref.dropped}
    verdict, _ = cg.evaluate(kind, s, t)
    assert verdict in codes


@pytest.mark.parametrize("lax", cg.LAX_GUARDS, ids=lambda g: f"{g[0]}-{g[1]}")
def test_lax_guard_is_refuted(lax: tuple[str, str, Any, str]) -> None:
    """A requester's current attribute epoch in place of its request's, or a cached outcome in place of the
    certificate period at chain time: Z3 finds a transaction the lax guard accepts that breaks the property, and
    the chain's guard refuses it (the request's epoch is stale or revoked; the period is over or not begun)."""
    kind, name, _, prop = lax
    ref = next(x for x in report().lax if (x.kind, x.dropped, x.prop) == (kind, (name,), prop))
    assert ref.caught
    s, t = cg.concrete_state(ref.counterexample["state"]), cg.concrete_tx(ref.counterexample["tx"])
    verdict, _ = cg.evaluate(kind, s, t)
    expected = {"ATTRIBUTE_REVOKED"} if name == "requester-current-epoch-only" else {"CERT_EXPIRED",
                                                                                     "CERT_NOT_YET_VALID"}
    assert verdict in expected


#: guard checks no property needs: re-revoking is idempotent (the check only names the error); an attribute epoch
#: below the revocation bound is refused later, at request and grant; the stored-height and parent checks of a
#: relay follow from the commit certificate under MDC's PBFT safety; a request's RI test follows from the
#: attribute check (attribute commitments exist only for RIs); a grant's request exists (grant-has-request); a
#: device's institution is an MI (device-owner-is-MI), and revoking a device again is idempotent
UNNEEDED = {("CERT_REVOKE", "cert-unrevoked"), ("RECORD_REVOKE", "record-unrevoked"),
            ("DEVICE_REVOKE", "sender-is-MI"), ("DEVICE_REVOKE", "device-unrevoked"),
            ("ATTRIBUTE_COMMIT", "epoch-unrevoked"), ("ATTRIBUTE_EPOCH_REVOKE", "attr-exists"),
            ("MDC_HEADER_RELAY", "not-relayed"), ("MDC_HEADER_RELAY", "height-free"),
            ("MDC_HEADER_RELAY", "extends-parent"), ("ACCESS_REQUEST", "sender-is-RI"),
            ("GRANT_REVOKE", "grant-unrevoked"), ("REENCRYPTION_RECEIPT", "grant-request-exists")}


@pytest.mark.slow
def test_every_other_guard_check_is_needed() -> None:
    assert {(kind, name) for kind, name, _ in cg.unneeded_checks()} == UNNEEDED


def test_every_rule_has_its_mirror() -> None:
    """One mirror per kind of the spec, named after the rule it mirrors; nothing else."""
    cg.check_mirrors()
    assert {kind: f.__name__ for kind, f in cg.MIRRORS.items()} == {kind: f.__name__ for kind, f in RULES.items()}
    assert set(cg.KINDS) == set(RULES) == set(SCHEMAS)


def test_a_rule_without_its_mirror_is_refused() -> None:
    def apply_new_kind(config: Any, state: Any, tx: Any) -> None:
        """A rule the encoding does not mirror."""

    with pytest.raises(ValueError, match="NEW_KIND: no mirror of apply_new_kind"):
        cg.check_mirrors({**RULES, "NEW_KIND": apply_new_kind})
    with pytest.raises(ValueError, match="GRANT: apply_grant mirrors apply_new_kind"):
        cg.check_mirrors({**RULES, "GRANT": apply_new_kind})
    without_grant = {kind: rule for kind, rule in RULES.items() if kind != "GRANT"}
    with pytest.raises(ValueError, match="GRANT: mirror of a rule the spec does not have"):
        cg.check_mirrors(without_grant)


def test_a_missing_check_name_is_an_error() -> None:
    with pytest.raises(ValueError):
        cg.refute("GRANT", "no-such-check", "grant-has-request")


# ---- the concrete world ---------------------------------------------------------------------------------------

IDS = ("authority", "e1", "e2", "e3")
DEVS = ("d0", "d1")
RECS = tuple(sha256(b"record", f"r{j}".encode()) for j in range(cg.N_REC))
REQS = tuple(sha256(b"request", bytes([j])) for j in range(cg.N_REQ))
GRANTS = tuple(sha256(b"grant", bytes([j])) for j in range(cg.N_GRANT))
NONCES = tuple(sha256(b"nonce", bytes([j])) for j in range(cg.N_NONCE))
ROLE_CHOICES = (*cg.ROLES, "NURSE")
SHORT = (2, 6)


@attrs.frozen
class World:
    dep: Deployment
    mdc: ChainConfig  # genesis: the authority only
    shc: ChainConfig
    long: dict[str, auth.Signer]  # certificate period [0, FOREVER)
    short: dict[str, auth.Signer]  # certificate period [2, 6)
    mdc_states: tuple[State, ...]  # the reference MDC ledger's state after each height
    blocks: tuple[Block, ...]  # its blocks at heights 1..3
    certs: tuple[CommitCertificate, ...]
    hash_id: dict[bytes, int]


@lru_cache(maxsize=1)
def world() -> World:
    dep = make_deployment(get_group("native"), "guard-z3", cache={})
    w = Workload(dep, "guard-z3")
    long = {"authority": dep.signers["authority"]}
    short = {}
    for e in IDS[1:]:
        long[e] = dep.new_signer(e, w.rng.fork("long"), (0, FOREVER))
        short[e] = dep.new_signer(e, w.rng.fork("short"), SHORT)
    w.signers.update(long)
    led = Ledger(dep.mdc.chain)
    states = [led.state]
    led.seal(w.register(MDC, "e1", "MI") + w.register(MDC, "e2", "MI"))
    states.append(led.state)
    led.seal([w.publish("e1", "r0"), w.publish("e2", "r1")])
    states.append(led.state)
    led.seal([w.tx(MDC, "RECORD_REVOKE", "e1", record_id=RECS[0])])
    states.append(led.state)
    certs = tuple(certify(dep, dep.mdc.chain, b) for b in led.blocks)
    hash_id = {b.block_hash(): b.height for b in led.blocks}

    def alone(cfg: ChainConfig) -> ChainConfig:
        return attrs.evolve(cfg, genesis=tuple(g for g in cfg.genesis if g.identity == "authority"))

    return World(dep, alone(dep.mdc.chain), alone(dep.shc.chain), long, short, tuple(states), tuple(led.blocks),
                 certs, hash_id)


def _idx(names: tuple[Any, ...], value: Any, default: int = 99) -> int:
    return names.index(value) if value in names else default


def project(s: State) -> tuple[dict[str, list[Any]], set[bytes]]:
    """The chain state as values of the model's (non-ghost) fields, and the keys it read."""
    read: set[bytes] = {HEIGHT_KEY}
    v: dict[str, list[Any]] = {f: [0 if sort == "int" else False] * n for f, (sort, n, _) in cg.FIELDS.items()}

    def get(key: bytes) -> bytes | None:
        read.add(key)
        return s.get(key)

    v["height"] = [int.from_bytes(s[HEIGHT_KEY], "big")]
    for i, name in enumerate(IDS):
        if (raw := get(entity_key(name))) is not None:
            v["ent"][i], v["role"][i] = True, cg.ROLES.index(EntityEntry.from_bytes(raw).role)
        if (raw := get(cert_key(name))) is not None:
            c = CertEntry.from_bytes(raw)
            v["cert"][i], v["cstart"][i], v["cend"][i], v["crev"][i] = True, c.period_start, c.period_end, c.revoked
        if (raw := get(attribute_key(name))) is not None:
            a = AttributeEntry.from_bytes(raw)
            v["attr"][i], v["attr_epoch"][i], v["attr_below"][i] = True, a.epoch, a.revoked_below
        for g in range(cg.N_GRANT):
            v["receipt"][g * cg.N_ID + i] = get(receipt_key(GRANTS[g], name)) is not None
    for d, name in enumerate(DEVS):
        if (raw := get(device_key(name))) is not None:
            dev = DeviceEntry.from_bytes(raw)
            v["dev"][d], v["dev_owner"][d], v["dev_rev"][d] = True, _idx(IDS, dev.institution), dev.revoked
    for j, rid in enumerate(RECS):
        if (raw := get(record_key(rid))) is not None:
            e = RecordEntry.from_bytes(raw)
            v["rec"][j], v["rec_owner"][j], v["rec_rev"][j] = True, _idx(IDS, e.owner), e.revoked
        v["shc_rev"][j] = get(record_revoked_key(rid)) is not None
    for h in range(cg.N_H):
        if (raw := get(anchor_key(h))) is not None:
            v["anc"][h], v["anc_hash"][h] = True, world().hash_id.get(AnchorEntry.from_bytes(raw).block_hash, 99)
    for i, name in enumerate(IDS):
        for j, n in enumerate(NONCES):
            v["nonce"][i * cg.N_NONCE + j] = get(nonce_key(name, n)) is not None
    for q, rq in enumerate(REQS):
        if (raw := get(request_key(rq))) is not None:
            req = RequestEntry.from_bytes(raw)
            v["req"][q], v["req_requester"][q], v["req_owner"][q] = True, _idx(IDS, req.requester), _idx(IDS, req.owner)
            v["req_record"][q], v["req_epoch"][q] = _idx(RECS, req.record_id), req.epoch
        v["granted"][q] = get(granted_key(rq)) is not None
    for g, gid in enumerate(GRANTS):
        if (raw := get(grant_key(gid))) is not None:
            grant = GrantEntry.from_bytes(raw)
            v["grant"][g], v["grant_grantor"][g] = True, _idx(IDS, grant.grantor)
            v["grant_req"][g], v["grant_record"][g] = _idx(REQS, grant.request_id), _idx(RECS, grant.record_id)
            v["grant_rev"][g] = grant.revoked
    return v, read


# ---- actions: (kind, builder) where the builder gives the transaction and the model's abstract inputs ---------

Action = tuple[Any, ...]


class Run:
    """One chain driven by the spec, with the model checked before and after every transaction."""

    def __init__(self, chain: str, invariants_every_step: bool = True) -> None:
        self.every_step = invariants_every_step
        self.w = world()
        self.chain = chain
        self.cfg = self.w.mdc if chain == MDC else self.w.shc
        self.state: State = genesis_state(self.cfg)
        self.at = 1
        self.current = dict(self.w.long)
        self.last: tuple[str, Transaction, dict[str, Any]] | None = None
        self.nonce = itertools.count()
        self.seen: dict[str, set[str]] = {}
        self.ghosts: dict[str, list[Any]] = {f: [0] * n for f, (_, n, ghost) in cg.FIELDS.items() if ghost}
        if self.every_step:
            self.check_invariants(self.state)  # genesis

    def check_invariants(self, state: State) -> None:
        """The model's state invariants hold on the state the spec reached (ghosts as the model counts them)."""
        values, _ = project(state)
        mdc = self.w.mdc_states[-1]
        entries = [RecordEntry.from_bytes(mdc[record_key(r)]) if record_key(r) in mdc else None for r in RECS]
        bad = cg.failing_invariants({**values, **self.ghosts}, {h: h for h in range(cg.N_H)},
                                    {j: _idx(IDS, e.owner) if e else 0 for j, e in enumerate(entries)},
                                    {j: bool(e and e.revoked) for j, e in enumerate(entries)})
        assert not bad, f"invariants broken on a reachable state: {bad}"

    def sign(self, kind: str, sender: str, forged: bool, **fields: Any) -> Transaction:
        tx = auth.sign_tx(self.w.dep.group, self.current[sender],
                          Transaction.make(self.chain, kind, sender, next(self.nonce), **fields))
        if forged:  # a signature of the same signer on other bytes
            other = auth.sign_tx(self.w.dep.group, self.current[sender],
                                 Transaction.make(self.chain, kind, sender, next(self.nonce), **fields))
            tx = tx.with_signature(other.signature)
        return tx

    def ref(self, h: int, rec: int, tamper: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        """A record reference to MDC height ``h`` (honest if the record is there and not tampered)."""
        mdc = self.w.mdc_states[h]
        key = record_key(RECS[rec])
        if key in mdc:
            entry, proof = mdc[key], prove_state(mdc, key).to_bytes()
            if tamper:
                entry = entry[:-1] + bytes([entry[-1] ^ 1])
        else:
            entry = RecordEntry("e1", "p", "x", b"\x00" * 32, b"", b"\x00" * 32, b"", tamper).to_bytes()
            proof = prove_state(mdc, HEIGHT_KEY).to_bytes()
        e = RecordEntry.from_bytes(entry)
        fields = {"mdc_height": h, "record_id": RECS[rec], "record_entry": entry, "proof": proof}
        model = {"mdc_height": h, "rec": rec, "ref_ok": key in mdc and not tamper,
                 "ref_owner": _idx(IDS, e.owner, 0), "ref_revoked": e.revoked}
        return fields, model

    def build(self, action: Action) -> tuple[str, Transaction, dict[str, Any]] | None:
        name, sender_i, forged = action[0], action[1], action[2]
        a = action[3:]
        sender = IDS[sender_i]
        m: dict[str, Any] = {"sender": sender_i, "sig_ok": not forged}
        if name == "register":
            ident, role = a
            m.update(ident=ident, role=_idx(cg.ROLES, ROLE_CHOICES[role], cg.UNKNOWN_ROLE))
            return "ENTITY_REGISTER", self.sign("ENTITY_REGISTER", sender, forged, identity=IDS[ident],
                                                role=ROLE_CHOICES[role]), m
        if name == "cert":
            ident, variant = a
            signer = (self.w.short if variant == "short" else self.w.long).get(IDS[ident], self.w.long[IDS[ident]])
            other = self.w.long[IDS[ident % 3 + 1]]
            start, end = (5, 5) if variant == "empty" else (signer.certificate.period.start,
                                                            signer.certificate.period.end)
            sigma = (other if variant == "badsigma" else signer).certificate.sigma.to_bytes()
            m.update(ident=ident, pstart=start, pend=end, sigma_ok=variant in ("long", "short"))
            tx = self.sign("CERT_ISSUE", sender, forged, identity=IDS[ident], public_key=signer.public_key(),
                           period_start=start, period_end=end, sigma=sigma)
            return "CERT_ISSUE", tx, {**m, "_signer": signer}
        if name == "cert_revoke":
            (ident,) = a
            m.update(ident=ident)
            return "CERT_REVOKE", self.sign("CERT_REVOKE", sender, forged, identity=IDS[ident]), m
        if name == "device":
            (d,) = a
            m.update(dev=d)
            return "DEVICE_REGISTER", self.sign("DEVICE_REGISTER", sender, forged, device=DEVS[d],
                                                ibe_identity=f"{DEVS[d]}@{sender}"), m
        if name == "device_revoke":
            (d,) = a
            m.update(dev=d)
            return "DEVICE_REVOKE", self.sign("DEVICE_REVOKE", sender, forged, device=DEVS[d]), m
        if name == "publish":
            (r,) = a
            m.update(rec=r)
            rid = RECS[r]
            return "RECORD_PUBLISH", self.sign("RECORD_PUBLISH", sender, forged, record_id=rid, patient="p",
                                               policy="cardiology", blob_hash=sha256(b"blob", rid), capsule=b"c",
                                               data_commitment=sha256(b"commit", rid), payload=b"sig"), m
        if name == "record_revoke":
            (r,) = a
            m.update(rec=r)
            return "RECORD_REVOKE", self.sign("RECORD_REVOKE", sender, forged, record_id=RECS[r]), m
        if name == "attr":
            ident, epoch = a
            m.update(ident=ident, epoch=epoch)
            return "ATTRIBUTE_COMMIT", self.sign("ATTRIBUTE_COMMIT", sender, forged, identity=IDS[ident],
                                                 epoch=epoch, commitment=sha256(b"attrs", bytes([epoch])),
                                                 payload=b""), m
        if name == "attr_revoke":
            ident, epoch = a
            m.update(ident=ident, epoch=epoch)
            return "ATTRIBUTE_EPOCH_REVOKE", self.sign("ATTRIBUTE_EPOCH_REVOKE", sender, forged,
                                                       identity=IDS[ident], epoch=epoch), m
        if name == "relay":
            h, bad = a
            block, cert = self.w.blocks[h - 1], self.w.certs[h - 1]
            if bad:
                cert = forge_certificate(cert, corrupt=True)
            m.update(mdc_height=h, relay_ok=not bad, hdr_hash=h, hdr_parent=h - 1)
            return "MDC_HEADER_RELAY", self.sign("MDC_HEADER_RELAY", sender, forged, header=block.header.to_bytes(),
                                                 certificate=cert.to_bytes()), m
        if name in ("request", "notice"):
            h, r, tamper = a[:3]
            fields, ref = self.ref(h, r, tamper)
            m.update(ref)
            if name == "notice":
                return "RECORD_REVOKE_NOTICE", self.sign("RECORD_REVOKE_NOTICE", sender, forged, **fields), m
            q, n = a[3:]
            m.update(req=q, nonce=n)
            return "ACCESS_REQUEST", self.sign("ACCESS_REQUEST", sender, forged, request_id=REQS[q],
                                               nonce=NONCES[n], payload=b"zk", **fields), m
        if name == "grant":
            g, q = a
            m.update(grant=g, req=q)
            return "GRANT", self.sign("GRANT", sender, forged, grant_id=GRANTS[g], request_id=REQS[q],
                                      payload=b"kfrags"), m
        if name in ("receipt", "grant_revoke"):
            (g,) = a
            m.update(grant=g)
            if name == "receipt":
                return "REENCRYPTION_RECEIPT", self.sign("REENCRYPTION_RECEIPT", sender, forged,
                                                         grant_id=GRANTS[g], payload=b"cfrag"), m
            return "GRANT_REVOKE", self.sign("GRANT_REVOKE", sender, forged, grant_id=GRANTS[g]), m
        raise AssertionError(name)

    def step(self, action: Action) -> None:
        if action[0] == "advance":
            self.at += action[1]
            return
        if action[0] == "replay":
            if self.last is None:
                return
            kind, tx, m = self.last
        else:
            built = self.build(action)
            assert built is not None
            kind, tx, m = built
        self.check(kind, tx, m)

    def check(self, kind: str, tx: Transaction, m: dict[str, Any]) -> None:
        pre = {**self.state, HEIGHT_KEY: u64(self.at)}
        values, _ = project(pre)
        values.update(self.ghosts)
        tx_values = {f: v for f, v in m.items() if not f.startswith("_")}
        tx_values["included"] = tx_key(tx.tx_hash()) in pre
        code, after = cg.evaluate(kind, cg.concrete_state(values), cg.concrete_tx(tx_values))
        try:
            post = apply_txs(self.cfg, self.state, self.at, (tx,))
            spec_code = None
        except MedshareError as e:
            spec_code, post = e.code, pre
        assert spec_code == code, f"{kind} {tx_values}: spec says {spec_code}, the model {code}"
        self.seen.setdefault(kind, set()).add(code or "accepted")
        if spec_code is not None:
            return
        projected, read = project(post)
        real = [f for f, (_, _, ghost) in cg.FIELDS.items() if not ghost]
        assert {f: projected[f] for f in real} == {f: after[f] for f in real}, f"{kind} {tx_values}: effects differ"
        changed = {key for key in post if post.get(key) != pre.get(key)}
        assert changed - read <= {tx_key(tx.tx_hash())}, f"{kind} writes outside the model: {changed - read}"
        self.state = post
        self.ghosts = {f: after[f] for f in self.ghosts}
        if self.every_step:
            self.check_invariants(post)
        self.last = (kind, tx, m)
        if kind == "CERT_ISSUE":
            self.current[IDS[m["ident"]]] = m["_signer"]


# ---- strategies -----------------------------------------------------------------------------------------------

who = st.integers(0, cg.N_ID - 1)
forged = st.sampled_from([False] * 9 + [True])
ent = st.integers(1, cg.N_ID - 1)
common = [
    st.tuples(st.just("register"), st.just(0) | who, forged, who, st.integers(0, len(ROLE_CHOICES) - 1)),
    st.tuples(st.just("cert"), st.just(0) | who, forged, ent, st.sampled_from(["long", "long", "short", "badsigma",
                                                                              "empty"])),
    st.tuples(st.just("cert_revoke"), st.just(0) | who, forged, who),
    st.tuples(st.just("advance"), st.integers(1, 3)),
    st.tuples(st.just("replay")),
]
mdc_actions = st.one_of(*common,
                        st.tuples(st.just("device"), who, forged, st.integers(0, cg.N_DEV - 1)),
                        st.tuples(st.just("device_revoke"), who, forged, st.integers(0, cg.N_DEV - 1)),
                        st.tuples(st.just("publish"), who, forged, st.integers(0, cg.N_REC - 1)),
                        st.tuples(st.just("record_revoke"), who, forged, st.integers(0, cg.N_REC - 1)))
height = st.integers(1, cg.N_H - 1)
ref_height = st.integers(0, cg.N_H - 1)
rec = st.integers(0, cg.N_REC - 1)
tamper = st.sampled_from([False] * 4 + [True])
shc_actions = st.one_of(*common,
                        st.tuples(st.just("attr"), st.just(0) | who, forged, who, st.integers(0, 3)),
                        st.tuples(st.just("attr_revoke"), st.just(0) | who, forged, who, st.integers(0, 3)),
                        st.tuples(st.just("relay"), who, forged, height, tamper),
                        st.tuples(st.just("request"), who, forged, ref_height, rec, tamper,
                                  st.integers(0, cg.N_REQ - 1), st.integers(0, cg.N_NONCE - 1)),
                        st.tuples(st.just("notice"), who, forged, ref_height, rec, tamper),
                        st.tuples(st.just("grant"), who, forged, st.integers(0, cg.N_GRANT - 1),
                                  st.integers(0, cg.N_REQ - 1)),
                        st.tuples(st.just("receipt"), who, forged, st.integers(0, cg.N_GRANT - 1)),
                        st.tuples(st.just("grant_revoke"), who, forged, st.integers(0, cg.N_GRANT - 1)))

#: a setup prefix that makes the later kinds reachable; a drawn length of it runs first (and is checked too)
MDC_SETUP: list[Action] = [("register", 0, False, 1, 1), ("cert", 0, False, 1, "long"), ("register", 0, False, 2, 1),
                           ("cert", 0, False, 2, "long"), ("publish", 1, False, 0)]
SHC_SETUP: list[Action] = [("register", 0, False, 1, 1), ("cert", 0, False, 1, "long"), ("register", 0, False, 2, 2),
                           ("cert", 0, False, 2, "long"), ("register", 0, False, 3, 3), ("cert", 0, False, 3, "long"),
                           ("attr", 0, False, 2, 1), ("relay", 1, False, 2, False), ("relay", 1, False, 3, False),
                           ("request", 2, False, 2, 1, False, 0, 0), ("grant", 2, False, 0, 0)]

COVERAGE: dict[str, dict[str, set[str]]] = {MDC: {}, SHC: {}}


@pytest.fixture(scope="module", autouse=True)
def _built_world() -> None:
    """Build the world (keys, certificates, the MDC ledger) once, outside Hypothesis's timing."""
    world()


def _drive(chain: str, setup: list[Action], n: int, actions: list[Action]) -> None:
    run = Run(chain, invariants_every_step=False)
    for a in setup[:n] + actions:
        run.step(a)
    run.check_invariants(run.state)  # the invariants hold on the reached state (each prefix is drawn too)
    for kind, codes in run.seen.items():
        COVERAGE[chain].setdefault(kind, set()).update(codes)


@settings(max_examples=30, deadline=None)
@given(st.just(len(MDC_SETUP)) | st.integers(0, len(MDC_SETUP)), st.lists(mdc_actions, max_size=12))
def test_model_agrees_with_spec_on_mdc(n: int, actions: list[Action]) -> None:
    _drive(MDC, MDC_SETUP, n, actions)


@settings(max_examples=40, deadline=None)
@given(st.just(len(SHC_SETUP)) | st.integers(0, len(SHC_SETUP)), st.lists(shc_actions, max_size=14))
def test_model_agrees_with_spec_on_shc(n: int, actions: list[Action]) -> None:
    _drive(SHC, SHC_SETUP, n, actions)


def _fixed(chain: str, actions: list[Action]) -> Run:
    run = Run(chain)
    for a in actions:
        run.step(a)
    return run


def test_model_agrees_on_a_full_sharing_round() -> None:
    """Every SHC kind accepted once and its main rejections, on one scripted run."""
    run = _fixed(SHC, SHC_SETUP + [
        ("receipt", 3, False, 0), ("receipt", 3, False, 0), ("receipt", 1, False, 0),
        ("request", 2, False, 2, 0, False, 1, 0), ("request", 2, False, 2, 0, False, 1, 1),
        ("request", 2, False, 3, 0, False, 1, 1), ("notice", 3, False, 3, 0, False), ("notice", 3, False, 2, 0, False),
        ("grant", 1, False, 1, 0), ("grant_revoke", 2, False, 0), ("grant_revoke", 1, False, 0),
        ("receipt", 3, False, 0), ("request", 2, False, 2, 1, False, 2, 2), ("attr_revoke", 0, False, 2, 1),
        ("attr", 0, False, 2, 1), ("attr", 0, False, 2, 3), ("grant", 2, False, 2, 2), ("attr_revoke", 0, False, 2, 0),
        ("relay", 1, False, 1, True), ("relay", 1, False, 2, False),
        ("cert_revoke", 0, False, 2), ("replay",), ("cert", 0, False, 2, "short"), ("advance", 9),
        ("grant", 1, True, 1, 1)])
    seen = run.seen
    for kind in cg.SHC_KINDS + cg.BOTH_KINDS:
        assert "accepted" in seen[kind], kind
    assert "ATTRIBUTE_REVOKED" in seen["GRANT"]  # request 2 was proven under epoch 1, revoked before epoch 3
    expected = {"RECEIPT_DUPLICATE", "NOT_AUTHORISED", "REPLAYED_NONCE", "GRANT_REVOKED", "ATTRIBUTE_INVALID",
                "ATTRIBUTE_REVOKED", "ANCHOR_FORGED", "TX_DUPLICATE", "TX_MALFORMED"}
    assert expected <= set().union(*seen.values())


def test_model_agrees_on_mdc_rules() -> None:
    run = _fixed(MDC, MDC_SETUP + [
        ("publish", 1, False, 0), ("publish", 3, False, 1), ("record_revoke", 2, False, 0),
        ("record_revoke", 1, False, 0), ("record_revoke", 1, False, 0), ("record_revoke", 1, False, 2),
        ("device", 1, False, 0), ("device", 2, False, 0), ("device", 0, False, 1),
        ("device_revoke", 2, False, 0), ("device_revoke", 1, False, 1), ("device_revoke", 1, False, 0),
        ("device_revoke", 1, False, 0), ("device", 1, False, 0), ("register", 0, False, 3, 4),
        ("register", 1, False, 3, 1), ("cert", 0, False, 3, "long"), ("cert", 0, False, 1, "badsigma"),
        ("cert", 0, False, 1, "empty"), ("cert", 0, False, 1, "short"), ("publish", 1, False, 1), ("advance", 2),
        ("publish", 1, False, 1), ("publish", 2, True, 2), ("advance", 5), ("device", 1, False, 1),
        ("cert_revoke", 0, False, 2), ("cert_revoke", 0, False, 2)])
    codes = set().union(*run.seen.values())
    assert {"RECORD_EXISTS", "NOT_AUTHORISED", "RECORD_REVOKED", "RECORD_UNKNOWN", "ENTITY_EXISTS", "TX_MALFORMED",
            "ENTITY_UNKNOWN", "CERT_INVALID", "CERT_NOT_YET_VALID", "CERT_EXPIRED", "TX_SIGNATURE_INVALID",
            "DEVICE_UNKNOWN", "DEVICE_REVOKED", "accepted"} <= codes
    for kind in cg.MDC_KINDS + cg.BOTH_KINDS:
        assert "accepted" in run.seen[kind], kind

