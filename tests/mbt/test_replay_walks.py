"""Random walks of the correct models (through their Python mirrors) replayed against the executable spec.

Each walk picks, at every step, an action the correct model enables (action names uniformly, revocations and
drops rarely), writes the model's state as an ITF trace and replays it against the spec. Sharing walks have no
exclusions: requests on revoked records are refused by both, and after a revocation of the requester's
certificate or attribute epoch both refuse to re-encrypt for its grants. The PBFT walks avoid the documented
differences between the model and the spec (models/bridge.md): a view change of a replica that the model counts
as prepared but that has not sent its commit (the spec's replica learns it is prepared and commits in one
step), and a new primary's proposal that only a quorum of view changes without its own justifies (the spec's
new view always holds the primary's own). Under those exclusions every projected variable must agree after
every step; the excluded steps themselves are asserted to diverge as documented."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from itertools import combinations
from typing import Any

import pytest
from medshare.models.replay import TRACES_DIR, load_trace, replay
from medshare.models.replay_base import Diverged
from medshare.models.replay_mirror_pbft import MirrorPBFTAdapter, PBFTState
from medshare.models.replay_mirror_sharing import MirrorSharingAdapter, SharingState
from medshare.models.tlavalues import Record, from_itf, to_itf

Filter = Callable[[Any, dict[str, Any]], bool]


def _sharing_actions(st: SharingState) -> list[dict[str, Any]]:
    k = st.k
    out: list[dict[str, Any]] = []
    for rec in sorted(k.records):
        out += [{"name": n, "rec": rec} for n in ("Publish", "CommitRecord", "DropRecord", "Anchor", "RevokeRecord")]
        out += [{"name": n, "ri": ri, "rec": rec, "nonce": no} for n in ("Request", "Forge", "CacheVerdict")
                for ri in sorted(k.ri) for no in sorted(k.nonces)]
    out += [{"name": n, "ri": ri} for n in ("RevokeCert", "ExpireCert", "RevokeAttributes", "RecommitAttributes")
            for ri in sorted(k.ri)]
    for i in range(1, k.max_req + 1):
        out += [{"name": n, "i": i} for n in ("Replay", "Grant", "CommitGrant", "DropGrant", "RevokeGrant")]
        out += [{"name": n, "g": i, "c": c} for n in ("Reencrypt", "Refuse", "ByzReencrypt", "ByzOpen")
                for c in sorted(k.cpc)]
        out += [{"name": "Decrypt", "ri": ri, "g": i} for ri in sorted(k.ri)]
    return out


def _pbft_actions(st: PBFTState) -> list[dict[str, Any]]:
    k = st.k
    out: list[dict[str, Any]] = [{"name": "Request", "val": v} for v in sorted(k.values)]
    for r in sorted(k.replicas):
        out += [{"name": n, "r": r, "s": s, "v": v, "val": val} for n in ("PrePrepare", "Prepare", "Commit", "Decide")
                for v in range(k.max_view + 1) for s in range(1, k.max_seq + 1) for val in sorted(k.values)]
        out += [{"name": "ViewChange", "r": r, "v": v} for v in range(1, k.max_view + 1)]
        out.append({"name": "CrashRestart", "r": r})
    return out


def sharing_difference(st: SharingState, a: dict[str, Any]) -> bool:
    """The Sharing steps where the spec is known to differ from the correct model: none."""
    return False


def _justified_with_own(st: PBFTState, p: str, v: int, s: int, val: str) -> bool:
    """PBFT.tla's Justified restricted to quorums that hold the new primary's own view change."""
    msgs = [m for m in st["vc"] if m["v"] == v]
    senders = sorted({m["r"] for m in msgs} - {p})
    for size in range(len(senders) + 1):
        for q in combinations(senders, size):
            chosen = {*q, p}
            if len(chosen | st.k.byz) < st.k.quorum:
                continue
            certs = [c for m in msgs if m["r"] in chosen for c in m["cert"] if c["s"] == s]
            if not certs or any(c["val"] == val and all(d["v"] <= c["v"] for d in certs) for c in certs):
                return True
    return False


def pbft_difference(st: PBFTState, a: dict[str, Any]) -> bool:
    """A view change carrying a certificate its replica has not committed (sent COMMIT) for, or a new primary's
    proposal that only a quorum without its own view change justifies."""
    if a["name"] == "PrePrepare" and a["v"] > 0:
        return not _justified_with_own(st, a["r"], a["v"], a["s"], a["val"])
    if a["name"] != "ViewChange":
        return False
    r = a["r"]
    sent = {(m["v"], m["s"], m["val"]) for m in st["cmt"] if m["r"] == r}
    return any((c["v"], c["s"], c["val"]) not in sent for c in MirrorPBFTAdapter().prepared_certs(st, r))


def walk(base: dict[str, Any], adapter: Any, actions: Callable[[Any], list[dict[str, Any]]], avoid: Filter,
         seed: int, length: int, prefix: tuple[dict[str, Any], ...] = ()
         ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A trace of the correct model under ``base``'s constants (its first actions ``prefix``), and the avoided
    steps that were enabled."""
    rnd = random.Random(seed)
    trace = copy.deepcopy(base)
    meta = trace["#meta"]
    st = adapter.initial({k: from_itf(v) for k, v in meta["constants"].items()}, meta["substitutions"])
    states = [{"#meta": {"index": 0}, "act": {"name": "Init"}, **{n: to_itf(v) for n, v in adapter.project(st).items()}}]
    avoided: list[dict[str, Any]] = []
    for i, a in enumerate(prefix, 1):
        st = adapter.step(st, Record(a))
        states.append({"#meta": {"index": i}, "act": a, **{n: to_itf(v) for n, v in adapter.project(st).items()}})
    for i in range(len(prefix) + 1, length + 1):
        options = []
        for a in actions(st):
            try:
                nxt = adapter.step(st, Record(a))
            except (Diverged, KeyError, IndexError):
                continue
            if avoid(st, a):
                avoided.append({"prefix": list(states), "act": a, "next": nxt})
            else:
                options.append((a, nxt))
        if not options:
            break
        names = sorted({a["name"] for a, _ in options})
        weights = [0.08 if n.startswith(("Revoke", "Drop", "CrashRestart", "Expire")) else 1.0 for n in names]
        pick = rnd.choices(names, weights)[0]
        a, st = rnd.choice([o for o in options if o[0]["name"] == pick])
        states.append({"#meta": {"index": i}, "act": a, **{n: to_itf(v) for n, v in adapter.project(st).items()}})
    trace["states"] = states
    return trace, avoided


def _with_step(base: dict[str, Any], adapter: Any, avoided: dict[str, Any]) -> dict[str, Any]:
    trace = copy.deepcopy(base)
    k = len(avoided["prefix"])
    last = {"#meta": {"index": k}, "act": avoided["act"],
            **{n: to_itf(v) for n, v in adapter.project(avoided["next"]).items()}}
    trace["states"] = [*avoided["prefix"], last]
    return trace


def _sharing_base() -> dict[str, Any]:
    base = load_trace(TRACES_DIR / "sharing_request_grant_reencrypt_decrypt.itf.json")
    base["#meta"]["constants"]["MaxReq"] = 2
    return base


@pytest.mark.parametrize("seed", range(12))
def test_sharing_walks_agree_with_the_spec(seed: int) -> None:
    base = _sharing_base()
    trace, avoided = walk(base, MirrorSharingAdapter(), _sharing_actions, sharing_difference, seed, 22)
    assert avoided == []
    report = replay(trace)
    assert report.ok, report.summary()


GRANTED = ({"name": "Publish", "rec": "rec1"}, {"name": "CommitRecord", "rec": "rec1"},
           {"name": "Anchor", "rec": "rec1"}, {"name": "Request", "ri": "ri1", "rec": "rec1", "nonce": "n1"},
           {"name": "Grant", "i": 1}, {"name": "CommitGrant", "i": 1})


@pytest.mark.parametrize("revoke", ["RevokeCert", "RevokeAttributes", "RevokeRecord"])
@pytest.mark.parametrize("seed", range(2))
def test_sharing_walks_after_a_revocation_under_a_grant(seed: int, revoke: str) -> None:
    """Walks that revoke the grant holder's certificate or attribute epoch, or the record, right after its grant
    commits (once the documented differences): honest nodes refuse, requests on the record are refused."""
    base = _sharing_base()
    arg = {"rec": "rec1"} if revoke == "RevokeRecord" else {"ri": "ri1"}
    trace, avoided = walk(base, MirrorSharingAdapter(), _sharing_actions, sharing_difference, 300 + seed, 16,
                          (*GRANTED, {"name": revoke, **arg}))
    assert avoided == [] and len(trace["states"]) > len(GRANTED) + 2
    report = replay(trace)
    assert report.ok, report.summary()


@pytest.mark.parametrize("seed", range(4))
def test_sharing_walks_with_two_records_and_three_nodes(seed: int) -> None:
    base = _sharing_base()
    base["#meta"]["constants"]["Record"] = {"#set": ["rec1", "rec2"]}
    base["#meta"]["constants"]["CPC"] = {"#set": ["c1", "c2", "c3"]}
    trace, _ = walk(base, MirrorSharingAdapter(), _sharing_actions, sharing_difference, 200 + seed, 26)
    report = replay(trace)
    assert report.ok, report.summary()


@pytest.mark.parametrize("byz", ["r4", "r1"])  # a Byzantine backup; the Byzantine primary of view 0
@pytest.mark.parametrize("seed", range(8))
def test_pbft_walks_agree_with_the_spec(seed: int, byz: str) -> None:
    base = load_trace(TRACES_DIR / "pbft_decide_in_later_view.itf.json")
    base["#meta"]["constants"]["Byz"] = {"#set": [byz]}
    trace, avoided = walk(base, MirrorPBFTAdapter(), _pbft_actions, pbft_difference, seed, 16)
    report = replay(trace)
    assert report.ok, report.summary()
    if avoided:
        bad = replay(_with_step(base, MirrorPBFTAdapter(), avoided[-1]))
        assert not bad.ok and bad.step == len(avoided[-1]["prefix"]), bad.summary()
        assert (bad.reason or "").startswith("vc:") or "proposes" in (bad.reason or ""), bad.summary()
