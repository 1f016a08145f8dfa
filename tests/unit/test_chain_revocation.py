"""Chain rules that revocation, chain time and request scoping rest on (spec/chain/chain.md, "Rules" and
"Signatures"): a request is tied to the attribute epoch its proof was made under; signature verdicts may be
cached, certificate periods never; an MI revokes its devices; request nonces are scoped per requester."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import attrs
import pytest
from _chain_helpers import code_of, seal
from medshare.reference.testbed import Deployment, Ledger, Workload, certify, get_group, make_deployment
from medshare.spec.chain import auth
from medshare.spec.chain.block import vote_bytes
from medshare.spec.chain.codec import u64
from medshare.spec.chain.entries import DeviceEntry, RequestEntry, device_key, nonce_key, request_key
from medshare.spec.chain.state import HEIGHT_KEY, apply, apply_txs, check_grant_live, genesis_state
from medshare.spec.chain.tx import MDC, SCHEMAS, SHC, Transaction


@lru_cache(maxsize=1)
def deployment() -> Deployment:
    return make_deployment(get_group("native"), "chain-revocation-tests", cache={})


def fields(tx: Transaction) -> dict[str, Any]:
    return {n: tx.arg(n) for n, _ in SCHEMAS[tx.kind][2]}


@attrs.define
class Shc:
    w: Workload
    ledger: Ledger
    mdc: Ledger
    rid: bytes


def shc_world(seed: str) -> Shc:
    """SHC with mi-1, ri-1, ri-2 (attribute commitments at epoch 1), cpc-1 and a relayed MDC record of mi-1."""
    dep = deployment()
    w = Workload(dep, seed)
    mdc, shc = Ledger(dep.mdc.chain), Ledger(dep.shc.chain)
    seal(mdc, w.register(MDC, "mi-1", "MI"))
    pub = w.publish("mi-1", "rec")
    block = seal(mdc, [pub])
    seal(shc, w.register(SHC, "mi-1", "MI") + w.register(SHC, "ri-1", "RI") + w.register(SHC, "ri-2", "RI")
             + w.register(SHC, "cpc-1", "CPC") + [w.attribute_commit("ri-1", 1), w.attribute_commit("ri-2", 1)])
    seal(shc, [w.relay("mi-1", block, certify(dep, dep.mdc.chain, block))])
    return Shc(w, shc, mdc, pub.arg("record_id"))


# ---- a request is tied to the attribute epoch its proof was made under ----------------------------------------

@pytest.mark.parametrize("revoke_first", [True, False], ids=["revoked-then-recommitted", "superseded"])
def test_a_new_attribute_commitment_does_not_revive_old_requests_or_grants(revoke_first: bool) -> None:
    s = shc_world("epochs")
    w, cfg = s.w, s.ledger.cfg
    req, old = w.request("ri-1", s.mdc.state, 2, s.rid, "q1"), w.request("ri-1", s.mdc.state, 2, s.rid, "q2")
    seal(s.ledger, [req, old])
    grant = w.grant("mi-1", req.arg("request_id"), "g1")
    seal(s.ledger, [grant])
    gid = grant.arg("grant_id")
    changes = [w.tx(SHC, "ATTRIBUTE_EPOCH_REVOKE", "authority", identity="ri-1", epoch=1)] if revoke_first else []
    seal(s.ledger, changes + [w.attribute_commit("ri-1", 2)])
    state = s.ledger.state
    # the request and the grant made under epoch 1 stay dead: a fresh proof under epoch 2 is needed
    assert code_of(apply, cfg, state, w.grant("mi-1", old.arg("request_id"), "g2")) == "ATTRIBUTE_REVOKED"
    assert code_of(apply, cfg, state, w.receipt("cpc-1", gid)) == "ATTRIBUTE_REVOKED"
    assert code_of(check_grant_live, state, gid) == "ATTRIBUTE_REVOKED"
    fresh = w.request("ri-1", s.mdc.state, 2, s.rid, "q3")
    regrant = w.grant("mi-1", fresh.arg("request_id"), "g3")
    seal(s.ledger, [fresh, regrant])
    check_grant_live(s.ledger.state, regrant.arg("grant_id"))
    assert code_of(apply, cfg, s.ledger.state, w.receipt("cpc-1", regrant.arg("grant_id"))) == "ok"
    epochs = [RequestEntry.from_bytes(s.ledger.state[request_key(r.arg("request_id"))]).epoch for r in (req, fresh)]
    assert epochs == [1, 2]


def test_a_reissued_certificate_reinstates_the_requester_but_not_a_revoked_epoch() -> None:
    s = shc_world("reissue")
    w, cfg = s.w, s.ledger.cfg
    req = w.request("ri-1", s.mdc.state, 2, s.rid, "q1")
    seal(s.ledger, [req])
    seal(s.ledger, [w.tx(SHC, "CERT_REVOKE", "authority", identity="ri-1")])
    assert code_of(apply, cfg, s.ledger.state, w.grant("mi-1", req.arg("request_id"), "g")) == "CERT_REVOKED"
    seal(s.ledger, [w.register(SHC, "ri-1", "RI")[1]])  # CERT_ISSUE again: a re-issue by design
    assert code_of(apply, cfg, s.ledger.state, w.grant("mi-1", req.arg("request_id"), "g")) == "ok"
    seal(s.ledger, [w.tx(SHC, "ATTRIBUTE_EPOCH_REVOKE", "authority", identity="ri-1", epoch=1),
                   w.attribute_commit("ri-1", 2), w.register(SHC, "ri-1", "RI")[1]])
    assert code_of(apply, cfg, s.ledger.state, w.grant("mi-1", req.arg("request_id"), "g")) == "ATTRIBUTE_REVOKED"


# ---- signature verdicts may be cached, certificate periods never ----------------------------------------------

def test_validators_with_and_without_a_cache_agree_at_every_height() -> None:
    """The same transactions checked at successive chain times by a validator with a verification cache and
    one without: a signature seen while the certificate was not yet valid is accepted once it is, and one seen
    while it was valid is refused once the period is over."""
    dep = deployment()
    w = Workload(dep, "cache-heights")
    fresh = dep.mdc.chain.with_cache(None)
    cached = dep.mdc.chain.with_cache({})
    base = apply_txs(fresh, genesis_state(fresh), 1, tuple(w.register(MDC, "mi-late", "MI", period=(3, 6))))
    txs = [w.publish("mi-late", "early"), w.publish("mi-late", "late")]
    seen: list[tuple[int, str, str]] = []
    for height in range(0, 9):
        state = {**base, HEIGHT_KEY: u64(height)}
        for tx in txs:
            verdicts = (code_of(apply, fresh, state, tx), code_of(apply, cached, state, tx))
            assert verdicts[0] == verdicts[1], (height, tx.arg("patient"), verdicts)
            seen.append((height, tx.arg("patient"), verdicts[1]))
    assert {(h, c) for h, p, c in seen if p == "patient-early"} == (
        {(h, "CERT_NOT_YET_VALID") for h in range(3)} | {(h, "ok") for h in range(3, 6)}
        | {(h, "CERT_EXPIRED") for h in range(6, 9)})


def test_a_primed_block_cache_does_not_outlive_the_period() -> None:
    dep = deployment()
    w = Workload(dep, "cache-prime")
    cache: dict[Any, Any] = {}
    cfg = dep.mdc.chain.with_cache(cache)
    base = apply_txs(cfg, genesis_state(cfg), 1, tuple(w.register(MDC, "mi-short", "MI", period=(0, 4))))
    txs = (w.publish("mi-short", "a"), w.publish("mi-short", "b"))
    apply_txs(cfg, base, 3, txs)  # batch-verified at height 3 (a proposal that is not committed)
    assert code_of(apply_txs, cfg, base, 4, txs) == code_of(apply_txs, cfg.with_cache(None), base, 4, txs) \
        == "CERT_EXPIRED"


def test_cached_votes_and_commit_certificates_check_the_period() -> None:
    dep = deployment()
    g, apk = dep.group, dep.authority_keys.pk.to_bytes()
    w = Workload(dep, "cache-votes")
    signers = [dep.new_signer(f"v{i}", w.rng, (0, 5)) for i in range(3)]
    who = [auth.Identity(s.identity, s.public_key(), 0, 5) for s in signers]
    message = vote_bytes("COMMIT", "mdc-test", 0, 1, b"\x07" * 32)
    signed = [(i, message, auth.sign_vote(g, s, message)) for i, s in enumerate(signers)]
    for cache in (None, {}):
        auth.verify_vote(g, apk, who[0], message, signed[0][2], at=4, cache=cache)
        auth.verify_commit_certificate(g, apk, who, signed, 3, at=4, cache=cache)
        assert code_of(auth.verify_vote, g, apk, who[0], message, signed[0][2], at=5, cache=cache) == "CERT_EXPIRED"
        assert code_of(auth.verify_commit_certificate, g, apk, who, signed, 3, at=5, cache=cache) \
            == "COMMIT_CERT_INVALID"
        assert code_of(auth.verify_vote, g, apk, who[1], message, signed[0][2], at=4, cache=cache) \
            == "VOTE_SIGNATURE_INVALID"


# ---- an MI revokes its devices ------------------------------------------------------------------------------

def test_an_institution_revokes_its_own_devices_for_good() -> None:
    dep = deployment()
    cfg = dep.mdc.chain
    w = Workload(dep, "devices")
    state = apply_txs(cfg, genesis_state(cfg), 1, tuple(w.register(MDC, "mi-a", "MI") + w.register(MDC, "mi-b", "MI")))
    state = apply(cfg, state, w.tx(MDC, "DEVICE_REGISTER", "mi-a", device="ecg-1", ibe_identity="mi-a@1"))
    assert DeviceEntry.from_bytes(state[device_key("ecg-1")]) == DeviceEntry("mi-a", "mi-a@1", False)
    assert code_of(apply, cfg, state, w.tx(MDC, "DEVICE_REVOKE", "mi-b", device="ecg-1")) == "NOT_AUTHORISED"
    assert code_of(apply, cfg, state, w.tx(MDC, "DEVICE_REVOKE", "authority", device="ecg-1")) == "NOT_AUTHORISED"
    assert code_of(apply, cfg, state, w.tx(MDC, "DEVICE_REVOKE", "mi-a", device="ecg-2")) == "DEVICE_UNKNOWN"
    state = apply(cfg, state, w.tx(MDC, "DEVICE_REVOKE", "mi-a", device="ecg-1"))
    assert DeviceEntry.from_bytes(state[device_key("ecg-1")]) == DeviceEntry("mi-a", "mi-a@1", True)
    assert code_of(apply, cfg, state, w.tx(MDC, "DEVICE_REVOKE", "mi-a", device="ecg-1")) == "DEVICE_REVOKED"
    assert code_of(apply, cfg, state, w.tx(MDC, "DEVICE_REGISTER", "mi-a", device="ecg-1", ibe_identity="x")) \
        == "ENTITY_EXISTS"
    assert code_of(apply, dep.shc.chain, genesis_state(dep.shc.chain),
                   w.tx(SHC, "DEVICE_REVOKE", "authority", device="ecg-1")) == "TX_TYPE_NOT_ALLOWED"


# ---- request nonces are scoped per requester ------------------------------------------------------------------

def test_another_requester_cannot_spend_a_pending_requests_nonce() -> None:
    s = shc_world("nonces")
    w, cfg = s.w, s.ledger.cfg
    pending = w.request("ri-1", s.mdc.state, 2, s.rid, "q1")
    front = w.tx(SHC, "ACCESS_REQUEST", "ri-2", **{**fields(pending), "request_id": b"\x0f" * 32})
    seal(s.ledger, [front])
    assert code_of(apply, cfg, s.ledger.state, pending) == "ok"
    seal(s.ledger, [pending])
    again = w.tx(SHC, "ACCESS_REQUEST", "ri-1", **{**fields(pending), "request_id": b"\x0e" * 32})
    assert code_of(apply, cfg, s.ledger.state, again) == "REPLAYED_NONCE"
    assert {nonce_key(ri, pending.arg("nonce")) for ri in ("ri-1", "ri-2")} <= set(s.ledger.state)
