"""Replay of PBFT.tla traces against the spec's PBFT state machines (spec/chain/pbft.py) with signed messages.

One ``pbft.Replica`` per honest model replica, validator index = position in the model's ``Order`` (so the
primary of view v is the same replica in both). A model value is a client transaction (the authority
registering an entity named after the value) and a block "carries" the value whose transaction it holds.
Each model action delivers to one replica the messages that action consumes and checks that the replica sends
what the model says it sends (models/bridge.md, "Replay against the spec"):

(the table of actions, the messages delivered and what the replica must send is in models/bridge.md).

Byzantine replicas are not replicas here: their messages are made when an action needs them and signed with
their real keys. A message the replica refuses raises its code; a replica that does not send what the model
says is a divergence with the reason.
"""

from __future__ import annotations

import functools
from itertools import combinations
from typing import Any

import attrs

from ..reference.testbed import Workload, get_group, make_deployment
from ..spec.chain import auth, pbft
from ..spec.chain.block import Block, vote_bytes
from ..spec.chain.messages import ClientTx, Message, NewView, PrePrepare, Timeout, ViewChange, Vote
from ..spec.chain.state import apply, build_block
from ..spec.chain.tx import MDC, Transaction
from .replay_base import Diverged, require
from .replay_mirror_pbft import PBFTConstants, pbft_constants
from .tlavalues import Function, Record

SEED = "replay-pbft"


@functools.lru_cache(maxsize=4)
def _deployment(n: int) -> Any:
    return make_deployment(get_group("native"), SEED, n_mdc=n, cache={})


@functools.lru_cache(maxsize=16)
def client_tx(n: int, values: tuple[str, ...], val: str) -> Transaction:
    """The client's signed transaction for a model value."""
    wl = Workload(_deployment(n), SEED)
    txs = {v: wl.tx(MDC, "ENTITY_REGISTER", "authority", identity=f"value-{v}", role="MI") for v in values}
    return txs[val]


@attrs.define
class PBFTWorld:
    k: PBFTConstants
    cfg: pbft.PbftConfig
    index: dict[str, int]
    signers: dict[str, auth.Signer]
    replicas: dict[str, pbft.Replica]
    requested: set[str] = attrs.field(factory=set)
    sent: list[tuple[str, Message]] = attrs.field(factory=list)  # every message an honest replica sent
    log: dict[str, list[Message]] = attrs.field(factory=dict)  # what each honest replica sent since its restart
    blocks: dict[bytes, Block] = attrs.field(factory=dict)  # every proposed block by hash (Byzantine ones too)

    @property
    def cid(self) -> str:
        return self.cfg.chain.chain_id

    def name(self, i: int) -> str:
        return self.k.order[i]

    def tx(self, val: str) -> Transaction:
        return client_tx(self.cfg.n, tuple(sorted(self.k.values)), val)

    def value_of(self, block: Block) -> str | None:
        for v in self.k.values:
            if block.txs == (self.tx(v),):
                return v
        return None

    def deliver(self, r: str, msg: Message | Timeout) -> list[Message]:
        if isinstance(msg, PrePrepare):
            self.blocks[msg.digest()] = msg.block
        rep, out, _ = pbft.step(self.replicas[r], msg)
        self.replicas[r] = rep
        msgs = [m for _, m in out]
        self.sent += [(r, m) for m in msgs]
        for m in msgs:
            for pp in [m] if isinstance(m, PrePrepare) else m.pre_prepares if isinstance(m, NewView) else ():
                self.blocks[pp.digest()] = pp.block
        self.log.setdefault(r, []).extend(msgs)
        return msgs

    def sign(self, who: str, message: bytes) -> bytes:
        return auth.sign_vote(self.cfg.chain.group, self.signers[who], message, cache=self.cfg.chain.cache)

    def byz_vote(self, who: str, phase: str, v: int, s: int, digest: bytes) -> Vote:
        return Vote(phase, v, s, digest, self.index[who], self.sign(who, vote_bytes(phase, self.cid, v, s, digest)))

    def byz_view_change(self, who: str, v: int) -> ViewChange:
        genesis = pbft.genesis_header(self.cfg.chain).block_hash()
        vc = ViewChange(v, 0, genesis, (), (), self.index[who], b"")
        return attrs.evolve(vc, sig=self.sign(who, vc.signed_bytes(self.cid)))

    def pre_prepares(self) -> list[tuple[str, PrePrepare]]:
        """Every pre-prepare an honest replica sent, alone or in a new view."""
        out: list[tuple[str, PrePrepare]] = []
        for r, m in self.sent:
            if isinstance(m, PrePrepare):
                out.append((r, m))
            elif isinstance(m, NewView):
                out += [(r, pp) for pp in m.pre_prepares]
        return out


class SpecPBFTAdapter:
    """PBFT.tla's actions performed by spec/chain/pbft.py replicas."""

    def initial(self, constants: dict[str, Any], substitutions: dict[str, str]) -> PBFTWorld:
        k = pbft_constants(constants, substitutions)
        dep = _deployment(len(k.order))
        cfg = dep.mdc
        index = {r: i for i, r in enumerate(k.order)}
        signers = {r: dep.signers[cfg.chain.validators[i].identity] for r, i in index.items()}
        replicas = {r: pbft.new_replica(cfg, index[r], signers[r]) for r in k.honest}
        return PBFTWorld(k, cfg, index, signers, replicas)

    # ---- projection ----
    def project(self, w: PBFTWorld) -> dict[str, Any]:
        def rec(**f: Any) -> Record:
            return Record(f)

        pp: set[Record] = set()
        prep: set[Record] = set()
        cmt: set[Record] = set()
        vc: set[Record] = set()
        for r, p in w.pre_prepares():
            val = w.value_of(p.block)
            pp.add(rec(v=p.view, s=p.seq, val=val))
            prep.add(rec(r=r, v=p.view, s=p.seq, val=val))
        blocks = w.blocks
        for r, m in w.sent:
            if isinstance(m, Vote) and m.phase in ("PREPARE", "COMMIT") and m.digest in blocks:
                (prep if m.phase == "PREPARE" else cmt).add(
                    rec(r=r, v=m.view, s=m.seq, val=w.value_of(blocks[m.digest])))
            elif isinstance(m, ViewChange):
                vc.add(rec(r=r, v=m.new_view, cert=frozenset(rec(v=p.view, s=p.seq, val=w.value_of(p.block))
                                                              for p in m.prepared)))

        def decided(r: str) -> tuple[str, ...]:
            chain = w.replicas[r].chain
            return tuple((w.value_of(chain[s - 1][0]) or "?") if s <= len(chain) else w.k.nil
                         for s in range(1, w.k.max_seq + 1))

        def log(r: str) -> frozenset[Record]:
            out: set[Record] = set()
            for m in w.log.get(r, []):
                pps = [m] if isinstance(m, PrePrepare) else list(m.pre_prepares) if isinstance(m, NewView) else []
                for p in pps:
                    out |= {rec(k="pp", v=p.view, s=p.seq), rec(k="prep", v=p.view, s=p.seq)}
                if isinstance(m, Vote) and m.phase in ("PREPARE", "COMMIT"):
                    out.add(rec(k="prep" if m.phase == "PREPARE" else "cmt", v=m.view, s=m.seq))
            return frozenset(out)

        honest = sorted(w.k.honest)
        return {"view": Function({r: w.replicas[r].view for r in honest}), "requested": frozenset(w.requested),
                "pp": frozenset(pp), "prep": frozenset(prep), "cmt": frozenset(cmt), "vc": frozenset(vc),
                "decided": Function({r: decided(r) for r in honest}), "log": Function({r: log(r) for r in honest})}

    # ---- actions ----
    def step(self, w: PBFTWorld, act: Record) -> PBFTWorld:
        handler = getattr(self, f"do_{act['name']}", None)
        if handler is None:
            raise Diverged(f"the spec adapter has no PBFT action {act['name']}")
        handler(w, act)
        return w

    def _honest(self, w: PBFTWorld, r: str) -> None:
        require(r in w.k.honest, f"{r} is not an honest replica")

    def do_Request(self, w: PBFTWorld, a: Record) -> None:
        require(a["val"] in w.k.values and a["val"] not in w.requested, f"{a['val']} cannot be requested")
        w.requested.add(a["val"])

    def _client(self, w: PBFTWorld, val: str) -> Transaction:
        """The requested value's signed transaction; an unrequested one has no client signature, and the spec
        refuses it with its code."""
        tx = w.tx(val)
        if val not in w.requested:
            tx = tx.with_signature(bytes(48))
            apply(w.cfg.chain, pbft.genesis_state(w.cfg.chain), tx)
        return tx

    def _enter_new_view(self, w: PBFTWorld, p: str, v: int, s: int, val: str) -> None:
        """The new primary p receives view changes for v until it has 2f+1: its own, those of the Byzantine
        replicas (made now) and honest ones sent. The network chooses which honest ones arrive (the model's
        primary may use any quorum): the first set, smallest first, whose new view re-proposes val at s or
        nothing there."""
        rep = w.replicas[p]
        if rep.view != v or not rep.in_view_change:
            return
        own = rep.view_changes.get(v, {}).get(rep.index)
        honest = [m for r, m in w.sent if isinstance(m, ViewChange) and m.new_view == v and r != p]
        byz = [w.byz_view_change(b, v) for b in sorted(w.k.byz)]
        base = ([own] if own is not None else []) + byz
        need = max(0, w.cfg.q - len(base))

        def fits(vcs: list[ViewChange]) -> bool:
            _, chosen = pbft.compute_new_view(vcs)
            at = [c for c in chosen if c.seq == s]
            return not at or w.value_of(at[0].block) == val

        pick = honest
        for size in range(need, len(honest) + 1):
            found = [list(c) for c in combinations(honest, size) if fits(base + list(c))]
            if found:
                pick = found[0]
                break
        for m in byz + pick:
            if w.replicas[p].in_view_change:
                w.deliver(p, m)

    def do_PrePrepare(self, w: PBFTWorld, a: Record) -> None:
        p, s, v, val = a["r"], a["s"], a["v"], a["val"]
        self._honest(w, p)
        require(w.replicas[p].view == v, f"{p} is in view {w.replicas[p].view}, not {v}")
        before = len(w.pre_prepares())
        self._enter_new_view(w, p, v, s, val)
        if not any(pp.view == v and pp.seq == s for r, pp in w.pre_prepares()[before:] if r == p):
            w.deliver(p, ClientTx(self._client(w, val)))
        made = [pp for r, pp in w.pre_prepares()[before:] if r == p and pp.view == v and pp.seq == s]
        require(bool(made), f"the spec's replica {p} does not propose at view {v}, sequence {s}")
        require(w.value_of(made[-1].block) == val,
                 f"{p} proposes {w.value_of(made[-1].block)} at view {v}, sequence {s}, not {val}")

    def _proposal(self, w: PBFTWorld, r: str, s: int, v: int, val: str) -> PrePrepare:
        primary = w.k.primary(v)
        if primary in w.k.byz:
            rep = w.replicas[r]
            require(rep.head.height + 1 == s, f"{r} is at height {rep.head.height}, the proposal is for {s}")
            block, _, rejected = build_block(w.cfg.chain, rep.app, rep.head, (self._client(w, val),), v)
            require(block is not None, f"{val} is not a valid block for {r}")
            assert block is not None
            return PrePrepare(v, s, block, w.index[primary],
                              w.sign(primary, vote_bytes("PREPARE", w.cid, v, s, block.block_hash())))
        for q, pp in w.pre_prepares():
            if q == primary and (pp.view, pp.seq) == (v, s) and w.value_of(pp.block) == val:
                return pp
        raise Diverged(f"no pre-prepare of {val} at view {v}, sequence {s}")

    def do_Prepare(self, w: PBFTWorld, a: Record) -> None:
        r, s, v, val = a["r"], a["s"], a["v"], a["val"]
        self._honest(w, r)
        require(w.replicas[r].view == v, f"{r} is in view {w.replicas[r].view}, not {v}")
        if w.replicas[r].in_view_change:
            nvs = [m for q, m in w.sent if isinstance(m, NewView) and m.view == v]
            require(bool(nvs), f"{r} waits for the new view {v}")
            w.deliver(r, nvs[-1])
        pp = self._proposal(w, r, s, v, val)
        out = w.deliver(r, pp)
        mine = w.replicas[r].log.get((v, s))
        require(mine is not None and w.index[r] in mine.votes["PREPARE"].get(pp.digest(), {}),
                 f"{r} does not prepare {val} at view {v}, sequence {s}")
        del out

    def _slot_digest(self, w: PBFTWorld, r: str, s: int, v: int, val: str) -> bytes:
        slot = w.replicas[r].log.get((v, s))
        require(slot is not None and slot.pp is not None, f"{r} has no proposal at view {v}, sequence {s}")
        assert slot is not None and slot.pp is not None
        require(w.value_of(slot.pp.block) == val, f"{r}'s proposal at view {v}, sequence {s} is not {val}")
        return slot.pp.digest()

    def _votes(self, w: PBFTWorld, r: str, phase: str, s: int, v: int, digest: bytes) -> None:
        for q, m in list(w.sent):
            if q != r and isinstance(m, Vote) and (m.phase, m.view, m.seq, m.digest) == (phase, v, s, digest):
                slot = w.replicas[r].log.get((v, s))
                if slot is None or m.replica not in slot.votes[phase].get(digest, {}):
                    w.deliver(r, m)
        for b in sorted(w.k.byz):
            slot = w.replicas[r].log.get((v, s))
            if slot is None or w.index[b] not in slot.votes[phase].get(digest, {}):
                w.deliver(r, w.byz_vote(b, phase, v, s, digest))

    def do_Commit(self, w: PBFTWorld, a: Record) -> None:
        r, s, v, val = a["r"], a["s"], a["v"], a["val"]
        self._honest(w, r)
        d = self._slot_digest(w, r, s, v, val)
        self._votes(w, r, "PREPARE", s, v, d)
        slot = w.replicas[r].log.get((v, s))
        require(slot is not None and w.index[r] in slot.votes["COMMIT"].get(d, {}),
                 f"{r} has not prepared {val} at view {v}, sequence {s} (the spec's quorum is {w.cfg.q})")

    def do_Decide(self, w: PBFTWorld, a: Record) -> None:
        r, s, v, val = a["r"], a["s"], a["v"], a["val"]
        self._honest(w, r)
        require(len(w.replicas[r].chain) < s, f"{r} already decided at sequence {s}")
        d = self._slot_digest(w, r, s, v, val)
        self._votes(w, r, "COMMIT", s, v, d)
        chain = w.replicas[r].chain
        require(len(chain) >= s and chain[s - 1][0].block_hash() == d,
                 f"{r} does not commit {val} at sequence {s} (the spec's quorum is {w.cfg.q})")

    def do_ViewChange(self, w: PBFTWorld, a: Record) -> None:
        r, v = a["r"], a["v"]
        self._honest(w, r)
        for _ in range(2):
            if w.replicas[r].view < v:
                w.deliver(r, Timeout(w.replicas[r].view))
        require(any(q == r and isinstance(m, ViewChange) and m.new_view == v for q, m in w.sent),
                 f"{r} does not move to view {v}")

    def do_CrashRestart(self, w: PBFTWorld, a: Record) -> None:
        r = a["r"]
        self._honest(w, r)
        require(not w.k.persist_log, f"{r} restarts from its persisted chain and consensus snapshot: nothing "
                                      "changes")
        require(bool(w.log.get(r)), f"{r} has nothing to forget")
        rep = w.replicas[r]
        w.replicas[r] = pbft.Replica.restore(w.cfg, rep.index, rep.signer, (), pbft.genesis_state(w.cfg.chain), None)
        w.log[r] = []
