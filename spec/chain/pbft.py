"""PBFT (Castro and Liskov, "Practical Byzantine Fault Tolerance", OSDI 1999) as a pure state machine.

``step(replica, message) -> (replica', outgoing, committed)`` never mutates its argument. The sequence number
of a proposal is the block height; an honest replica accepts a pre-prepare only for ``head + 1`` (one block in
flight), validates it with ``apply_block`` and then runs the three phases: PRE-PREPARE, PREPARE (2f+1
matching votes, the pre-prepare counting as the primary's), COMMIT (2f+1 matching votes) -> execute. Every K
blocks replicas exchange CHECKPOINT votes; 2f+1 make a stable checkpoint, which sets the low water mark and
garbage-collects the log; sequence numbers above ``low + L`` are refused. On a timeout a replica moves to
view v+1 with a VIEW-CHANGE carrying its stable checkpoint and prepared proofs; the new primary's NEW-VIEW
carries 2f+1 view changes and re-proposes, for each sequence number above the highest stable checkpoint,
the block prepared in the highest view. Lagging replicas catch up with committed blocks and their commit
certificates (SYNC). Invalid messages raise a typed error and leave the replica as it was.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from math import isqrt
from typing import Any

import attrs

from ..errors import MedshareError, fail
from . import auth
from .anchor import quorum
from .block import Block, CommitCertificate, Header
from .codec import sha256
from .entries import k
from .messages import (
    BlockSync,
    ClientTx,
    Message,
    NewView,
    PreparedProof,
    PrePrepare,
    SyncRequest,
    Timeout,
    ViewChange,
    Vote,
)
from .snapshot import ConsensusState, SlotState, Votes
from .state import ChainConfig, State, apply_block, build_block, genesis_header, genesis_state, primary_of
from .tx import Transaction

#: an outgoing message: (destination validator index, or None for every other validator, message)
Outgoing = tuple[int | None, Message]
Committed = tuple[Block, CommitCertificate]


@attrs.frozen
class PbftConfig:
    chain: ChainConfig
    checkpoint_interval: int = 2
    window: int = 8
    max_batch: int = 512
    max_pool: int = 100_000
    sync_batch: int = 16

    @property
    def n(self) -> int:
        return len(self.chain.validators)

    @property
    def f(self) -> int:
        return (self.n - 1) // 3

    @property
    def q(self) -> int:
        return quorum(self.n)


class Slot:
    """Log entry for one (view, seq): the pre-prepare, votes by phase -> digest -> replica -> signature."""

    __slots__ = ("pp", "accepted", "after", "votes", "sent_commit", "done")

    def __init__(self) -> None:
        self.pp: PrePrepare | None = None
        self.accepted = False          # the pre-prepare's block validated against our head
        self.after: State | None = None  # the state after the block, once validated
        self.votes: dict[str, dict[bytes, dict[int, bytes]]] = {"PREPARE": {}, "COMMIT": {}}
        self.sent_commit = False
        self.done = False

    def clone(self) -> Slot:
        s = Slot()
        s.pp, s.accepted, s.after, s.sent_commit, s.done = self.pp, self.accepted, self.after, self.sent_commit, \
            self.done
        s.votes = {ph: {d: dict(m) for d, m in by.items()} for ph, by in self.votes.items()}
        return s


class TxPool:
    """The pending transactions by id, in arrival order (as a dict keeps them), with cheap copies.

    A copy shares a frozen base dict and copies only the changes made since (ids added, ids removed from the
    base); the changes are folded into a new base once they outnumber sqrt(base), so a copy costs O(sqrt n)
    instead of O(n) and a replica that copies its state on every step does not copy the whole pool."""

    __slots__ = ("_base", "_added", "_removed")

    def __init__(self) -> None:
        self._base: dict[bytes, Transaction] = {}
        self._added: dict[bytes, Transaction] = {}
        self._removed: set[bytes] = set()

    def copy(self) -> TxPool:
        p = TxPool.__new__(TxPool)
        p._base, p._added, p._removed = self._base, dict(self._added), set(self._removed)
        return p

    def __contains__(self, h: object) -> bool:
        return h in self._added or (h in self._base and h not in self._removed)

    def __len__(self) -> int:
        return len(self._base) - len(self._removed) + len(self._added)

    def __bool__(self) -> bool:
        return len(self) > 0

    def values(self) -> Iterator[Transaction]:
        """The transactions in arrival order (one removed and added again counts as arriving again)."""
        removed = self._removed
        yield from (tx for h, tx in self._base.items() if h not in removed)
        yield from self._added.values()

    def first(self, n: int) -> tuple[Transaction, ...]:
        out: list[Transaction] = []
        for tx in self.values():
            if len(out) >= n:
                break
            out.append(tx)
        return tuple(out)

    def add(self, h: bytes, tx: Transaction) -> None:
        """Add ``tx`` under its id ``h``; an id already in the pool keeps its transaction."""
        if h not in self:
            self._added[h] = tx
            self._fold()

    def pop(self, h: bytes) -> None:
        """Remove ``h`` if present."""
        if self._added.pop(h, None) is None and h in self._base and h not in self._removed:
            self._removed.add(h)
            self._fold()

    def _fold(self) -> None:
        if len(self._added) + len(self._removed) > max(32, isqrt(len(self._base))):
            base = self._base.copy()  # the old base may be shared with other copies: never changed in place
            for h in self._removed:
                del base[h]
            base.update(self._added)
            self._base, self._added, self._removed = base, {}, set()


class Replica:
    """One validator's PBFT state. Treat as immutable: :func:`step` returns a modified copy."""

    def __init__(self, cfg: PbftConfig, index: int, signer: auth.Signer | None) -> None:
        self.cfg = cfg
        self.index = index
        self.signer = signer
        self.view = 0
        self.in_view_change = False
        self.head: Header = genesis_header(cfg.chain)
        self.app: State = genesis_state(cfg.chain)
        self.chain: tuple[Committed, ...] = ()
        self.low = 0
        self.stable_digest = self.head.block_hash()
        self.stable_proof: tuple[tuple[int, bytes], ...] = ()
        self.log: dict[tuple[int, int], Slot] = {}
        self.checkpoints: dict[int, dict[bytes, dict[int, bytes]]] = {}
        self.view_changes: dict[int, dict[int, ViewChange]] = {}
        self.prepared: dict[int, PreparedProof] = {}
        self.pool = TxPool()
        self.new_view_sent = -1
        self.sync_asked = -1
        self.floor = 0  # no own proposal at or below this height (the new view's re-proposals)
        self.stalled = 0  # timeouts since the last progress (head or view change)
        self.last_new_view: NewView | None = None

    # -- copying -------------------------------------------------------------------------------------------
    def clone(self) -> Replica:
        r = object.__new__(type(self))
        r.__dict__.update(self.__dict__)
        r.log = {key: s.clone() for key, s in self.log.items()}
        r.checkpoints = {s: {d: dict(m) for d, m in by.items()} for s, by in self.checkpoints.items()}
        r.view_changes = {v: dict(m) for v, m in self.view_changes.items()}
        r.prepared = dict(self.prepared)
        r.pool = self.pool.copy()
        return r

    def consensus_snapshot(self) -> ConsensusState:
        """What survives a restart (spec/chain/snapshot.py): everything but the configuration, the signer, the
        committed chain, the application state, the transaction pool and the states after pending blocks (a
        pending slot forgets that it accepted its block, and re-validates it against the head)."""
        def votes(by: dict[bytes, dict[int, bytes]]) -> Votes:
            return tuple((d, tuple(sorted(m.items()))) for d, m in sorted(by.items()))

        log = tuple(SlotState(v, seq, s.pp, s.accepted and s.done, votes(s.votes["PREPARE"]),
                              votes(s.votes["COMMIT"]), s.sent_commit, s.done)
                    for (v, seq), s in sorted(self.log.items()))
        return ConsensusState(
            self.index, self.head, self.view, self.in_view_change, self.low, self.stable_digest, self.stable_proof,
            log, tuple((seq, votes(by)) for seq, by in sorted(self.checkpoints.items())),
            tuple((v, tuple(vc for _, vc in sorted(by.items()))) for v, by in sorted(self.view_changes.items())),
            tuple(p for _, p in sorted(self.prepared.items())), self.new_view_sent, self.sync_asked, self.floor,
            self.stalled, self.last_new_view)

    @staticmethod
    def restore(cfg: PbftConfig, index: int, signer: auth.Signer | None, chain: tuple[Committed, ...],
                app: State, snapshot: ConsensusState | None) -> Replica:
        """A replica with ``chain`` and ``app`` and, if given, the consensus state of ``snapshot``, which must
        be this replica's and written at the chain's head (``LEDGER_CORRUPT`` otherwise)."""
        r = Replica(cfg, index, signer)
        r.chain, r.app = chain, app
        if chain:
            r.head = chain[-1][0].header
        if snapshot is None:
            return r
        if snapshot.index != index:
            fail("LEDGER_CORRUPT", f"the consensus snapshot is replica {snapshot.index}'s, not {index}'s")
        if snapshot.head != r.head:
            fail("LEDGER_CORRUPT", f"the consensus snapshot was written at height {snapshot.head.height}, "
                                   f"the chain's head is {r.head.height}")
        sn = snapshot
        r.view, r.in_view_change, r.low = sn.view, sn.in_view_change, sn.low
        r.stable_digest, r.stable_proof = sn.stable_digest, sn.stable_proof
        for x in sn.log:
            slot = Slot()
            slot.pp, slot.accepted, slot.sent_commit, slot.done = x.pp, x.accepted, x.sent_commit, x.done
            slot.votes = {"PREPARE": {d: dict(m) for d, m in x.prepares},
                          "COMMIT": {d: dict(m) for d, m in x.commits}}
            r.log[(x.view, x.seq)] = slot
        r.checkpoints = {seq: {d: dict(m) for d, m in by} for seq, by in sn.checkpoints}
        r.view_changes = {v: {vc.replica: vc for vc in vcs} for v, vcs in sn.view_changes}
        r.prepared = {p.seq: p for p in sn.prepared}
        r.new_view_sent, r.sync_asked, r.floor, r.stalled = sn.new_view_sent, sn.sync_asked, sn.floor, sn.stalled
        r.last_new_view = sn.last_new_view
        return r

    def block_hash_at(self, height: int) -> bytes | None:
        if height == 0:
            return genesis_header(self.cfg.chain).block_hash()
        if 1 <= height <= len(self.chain):
            return self.chain[height - 1][0].block_hash()
        return None


# ---- helpers -------------------------------------------------------------------------------------------------

def _cid(r: Replica) -> str:
    return r.cfg.chain.chain_id


def _sign(r: Replica, message: bytes) -> bytes:
    if r.signer is None:
        fail("NOT_A_VALIDATOR", "this replica has no signing key")
    return auth.sign_vote(r.cfg.chain.group, r.signer, message, cache=r.cfg.chain.cache)


def _check_validator(r: Replica, i: int) -> auth.Identity:
    if not isinstance(i, int) or not 0 <= i < r.cfg.n:
        fail("NOT_A_VALIDATOR", f"no validator {i}")
    return r.cfg.chain.validators[i]


def _verify(r: Replica, i: int, message: bytes, sig: bytes, at: int) -> None:
    who = _check_validator(r, i)
    auth.verify_vote(r.cfg.chain.group, r.cfg.chain.authority_pk, who, message, sig, at=at,
                     cache=r.cfg.chain.cache)


def _verify_quorum(r: Replica, phase: str, view: int, seq: int, digest: bytes, sigs: Sequence[tuple[int, bytes]],
                   code: str) -> None:
    _quorum(r.cfg, phase, view, seq, digest, sigs, code)


def _quorum(cfg: PbftConfig, phase: str, view: int, seq: int, digest: bytes, sigs: Sequence[tuple[int, bytes]],
            code: str) -> None:
    from .block import vote_bytes
    msg = vote_bytes(phase, cfg.chain.chain_id, view, seq, digest)
    try:
        auth.verify_commit_certificate(cfg.chain.group, cfg.chain.authority_pk, cfg.chain.validators,
                                       [(i, msg, s) for i, s in sigs], cfg.q, at=seq, cache=cfg.chain.cache)
    except MedshareError as e:
        fail(code, e.message)


def verify_committed(cfg: PbftConfig, block: Block, cert: CommitCertificate) -> None:
    """Raise ``COMMIT_CERT_INVALID`` unless ``cert`` holds 2f+1 validators' valid COMMIT votes on ``block`` of
    this chain (what a replica checks of a block it receives by state transfer, and of its own stored blocks)."""
    if (cert.chain_id, cert.height, cert.block_hash) != (cfg.chain.chain_id, block.height, block.block_hash()):
        fail("COMMIT_CERT_INVALID", "the certificate is for another block")
    _quorum(cfg, "COMMIT", cert.view, cert.height, cert.block_hash, cert.signatures, "COMMIT_CERT_INVALID")


def _in_window(r: Replica, seq: int) -> None:
    if not r.low < seq <= r.low + r.cfg.window:
        fail("SEQUENCE_OUT_OF_WINDOW", f"seq {seq} outside ({r.low}, {r.low + r.cfg.window}]")


def _slot(r: Replica, view: int, seq: int) -> Slot:
    key = (view, seq)
    if key not in r.log:
        r.log[key] = Slot()
    return r.log[key]


def _vote(r: Replica, phase: str, view: int, seq: int, digest: bytes) -> Vote:
    from .block import vote_bytes
    return Vote(phase, view, seq, digest, r.index, _sign(r, vote_bytes(phase, _cid(r), view, seq, digest)))


def _record(slot: Slot, v: Vote) -> None:
    slot.votes[v.phase].setdefault(v.digest, {})[v.replica] = v.sig


# ---- the normal case ----------------------------------------------------------------------------------------

def _maybe_propose(r: Replica, out: list[Outgoing]) -> None:
    seq = r.head.height + 1
    if (primary_of(r.cfg.chain, r.view) != r.index or r.in_view_change or not r.pool or seq <= r.floor
            or seq > r.low + r.cfg.window or ((r.view, seq) in r.log and r.log[(r.view, seq)].pp is not None)):
        return
    candidates = r.pool.first(r.cfg.max_batch)
    block, after, rejected = build_block(r.cfg.chain, r.app, r.head, candidates, r.view)
    for tx in rejected:
        r.pool.pop(tx.tx_hash())
    if block is None:
        return
    from .block import vote_bytes
    pp = PrePrepare(r.view, seq, block, r.index, _sign(r, vote_bytes("PREPARE", _cid(r), r.view, seq,
                                                                     block.block_hash())))
    slot = _slot(r, r.view, seq)
    slot.pp, slot.accepted, slot.after = pp, True, after
    slot.votes["PREPARE"].setdefault(pp.digest(), {})[r.index] = pp.sig
    out.append((None, pp))
    _progress(r, r.view, seq, out, [])


def _accept_pp(r: Replica, slot: Slot, out: list[Outgoing]) -> None:
    """Validate the slot's pre-prepare against the head (it is for head + 1) and vote PREPARE."""
    pp = slot.pp
    assert pp is not None
    if slot.accepted:
        return
    if pp.block.block_hash() == r.block_hash_at(pp.seq):
        slot.after = r.app  # re-proposal of a block we have committed
    else:
        slot.after = apply_block(r.cfg.chain, r.app, r.head, pp.block)
    slot.accepted = True
    _record(slot, pre_prepare_as_prepare(pp))
    if pp.replica != r.index:
        v = _vote(r, "PREPARE", pp.view, pp.seq, pp.digest())
        _record(slot, v)
        out.append((None, v))


def pre_prepare_as_prepare(pp: PrePrepare) -> Vote:
    """The primary's PREPARE vote carried by a pre-prepare."""
    return Vote("PREPARE", pp.view, pp.seq, pp.digest(), pp.replica, pp.sig)


def _progress(r: Replica, view: int, seq: int, out: list[Outgoing], committed: list[Committed]) -> None:
    """Advance the slot (view, seq): accept its pre-prepare, become prepared, commit and execute."""
    slot = r.log.get((view, seq))
    if slot is None or slot.pp is None or slot.done or view != r.view or r.in_view_change:
        return
    if seq == r.head.height + 1 and not slot.accepted:
        try:
            _accept_pp(r, slot, out)
        except MedshareError:
            return  # the buffered proposal is invalid: ignore it (the view will time out)
    if not slot.accepted:
        return
    d = slot.pp.digest()
    prepares = slot.votes["PREPARE"].get(d, {})
    if len(prepares) >= r.cfg.q and not slot.sent_commit:
        slot.sent_commit = True
        proof = PreparedProof("PREPARE", view, seq, slot.pp.block, tuple(sorted(prepares.items())[: r.cfg.q]))
        if seq not in r.prepared or r.prepared[seq].view <= view:
            r.prepared[seq] = proof
        v = _vote(r, "COMMIT", view, seq, d)
        _record(slot, v)
        out.append((None, v))
    commits = slot.votes["COMMIT"].get(d, {})
    if slot.sent_commit and len(commits) >= r.cfg.q and seq == r.head.height + 1:
        slot.done = True
        cert = CommitCertificate(_cid(r), view, seq, d, tuple(sorted(commits.items())[: r.cfg.q]))
        assert slot.after is not None
        r.prepared[seq] = PreparedProof("COMMIT", view, seq, slot.pp.block, cert.signatures)
        _execute(r, slot.pp.block, cert, slot.after, out, committed)
    elif slot.sent_commit and len(commits) >= r.cfg.q and seq <= r.head.height:
        slot.done = True


def _execute(r: Replica, block: Block, cert: CommitCertificate, after: State, out: list[Outgoing],
             committed: list[Committed]) -> None:
    r.app, r.head, r.stalled = after, block.header, 0
    r.chain = r.chain + ((block, cert),)
    committed.append((block, cert))
    for tx in block.txs:
        r.pool.pop(tx.tx_hash())
    h = block.height
    if h % r.cfg.checkpoint_interval == 0:
        v = _vote(r, "CHECKPOINT", 0, h, block.block_hash())
        r.checkpoints.setdefault(h, {}).setdefault(v.digest, {})[r.index] = v.sig
        out.append((None, v))
        _try_stable(r, h)
    # the next proposal may already be buffered
    _progress(r, r.view, h + 1, out, committed)
    _maybe_propose(r, out)


def _try_stable(r: Replica, seq: int) -> None:
    mine = r.block_hash_at(seq)
    if seq <= r.low or mine is None:
        return
    sigs = r.checkpoints.get(seq, {}).get(mine, {})
    if len(sigs) >= r.cfg.q:
        r.low, r.stable_digest = seq, mine
        r.stable_proof = tuple(sorted(sigs.items())[: r.cfg.q])
        r.log = {key: s for key, s in r.log.items() if key[1] > seq}
        r.checkpoints = {s: m for s, m in r.checkpoints.items() if s > seq}
        r.prepared = {s: p for s, p in r.prepared.items() if s > seq}


def _ask_sync(r: Replica, out: list[Outgoing], force: bool = False) -> None:
    if force or r.sync_asked < r.head.height:
        r.sync_asked = r.head.height
        out.append((None, SyncRequest(r.head.height + 1, r.index)))


# ---- handlers -------------------------------------------------------------------------------------------------

def _on_client(r: Replica, m: ClientTx, out: list[Outgoing], committed: list[Committed]) -> None:
    h = m.tx.tx_hash()
    if h in r.pool or k("tx", h) in r.app:
        return
    if m.tx.chain != r.cfg.chain.chain:
        fail("TX_TYPE_NOT_ALLOWED", "transaction for the other chain")
    if len(r.pool) >= r.cfg.max_pool:
        fail("MESSAGE_TOO_LARGE", "transaction pool full")
    r.pool.add(h, m.tx)
    _maybe_propose(r, out)


def _on_pre_prepare(r: Replica, m: PrePrepare, out: list[Outgoing], committed: list[Committed]) -> None:
    if m.view < r.view:
        fail("STALE_VIEW", f"pre-prepare for view {m.view} < {r.view}")
    if m.replica != primary_of(r.cfg.chain, m.view):
        fail("NOT_A_VALIDATOR", f"replica {m.replica} is not the primary of view {m.view}")
    if m.block.height != m.seq:
        fail("BLOCK_HEIGHT_INVALID", "the block height differs from the sequence number")
    _in_window(r, m.seq)
    _verify(r, m.replica, m.signed_bytes(_cid(r)), m.sig, m.seq)
    if m.view > r.view or r.in_view_change:
        return  # not our view yet: a new-view message will carry it if it matters
    slot = _slot(r, m.view, m.seq)
    if slot.pp is not None:
        if slot.pp.digest() != m.digest():
            fail("EQUIVOCATION", f"two pre-prepares for view {m.view}, seq {m.seq}")
        return
    if m.seq <= r.head.height and m.digest() != r.block_hash_at(m.seq):
        fail("BLOCK_PARENT_MISMATCH", "proposal conflicts with a committed block")
    slot.pp = m
    if m.seq == r.head.height + 1:
        _accept_pp(r, slot, out)  # an invalid block raises here, and the step has no effect
    if m.seq <= r.head.height:
        slot.accepted, slot.after = True, r.app
        _record(slot, pre_prepare_as_prepare(m))
        v = _vote(r, "PREPARE", m.view, m.seq, m.digest())
        _record(slot, v)
        out.append((None, v))
    _progress(r, m.view, m.seq, out, committed)


def _on_vote(r: Replica, m: Vote, out: list[Outgoing], committed: list[Committed]) -> None:
    if m.phase == "CHECKPOINT":
        _check_validator(r, m.replica)
        if m.seq <= r.low:
            return
        _verify(r, m.replica, m.signed_bytes(_cid(r)), m.sig, m.seq)
        by = r.checkpoints.setdefault(m.seq, {})
        if any(m.replica in sig for d, sig in by.items() if d != m.digest):
            fail("EQUIVOCATION", "conflicting checkpoints")
        by.setdefault(m.digest, {})[m.replica] = m.sig
        if m.seq > r.head.height and len(by[m.digest]) >= r.cfg.f + 1:
            _ask_sync(r, out)
        _try_stable(r, m.seq)
        return
    if m.view < r.view:
        fail("STALE_VIEW", f"{m.phase} for view {m.view} < {r.view}")
    _in_window(r, m.seq)
    _check_validator(r, m.replica)
    _verify(r, m.replica, m.signed_bytes(_cid(r)), m.sig, m.seq)
    slot = _slot(r, m.view, m.seq)
    mine = slot.votes[m.phase]
    if any(m.replica in sig for d, sig in mine.items() if d != m.digest):
        fail("EQUIVOCATION", f"replica {m.replica} voted twice in view {m.view}, seq {m.seq}")
    _record(slot, m)
    if m.phase == "COMMIT" and m.seq > r.head.height + 1:
        if len(slot.votes["COMMIT"].get(m.digest, {})) >= r.cfg.f + 1:
            _ask_sync(r, out)
    _progress(r, m.view, m.seq, out, committed)


def _view_change(r: Replica, new_view: int, out: list[Outgoing], committed: list[Committed]) -> None:
    r.view, r.in_view_change, r.stalled = new_view, True, 0
    prepared = tuple(p for s, p in sorted(r.prepared.items()) if s > r.low)
    vc = ViewChange(new_view, r.low, r.stable_digest, r.stable_proof, prepared, r.index, b"")
    vc = attrs.evolve(vc, sig=_sign(r, vc.signed_bytes(_cid(r))))
    r.view_changes.setdefault(new_view, {})[r.index] = vc
    out.append((None, vc))
    _maybe_new_view(r, out, committed)


def _retransmit(r: Replica, out: list[Outgoing]) -> None:
    """Re-send this replica's own messages for the slot in progress (messages may have been lost)."""
    slot = r.log.get((r.view, r.head.height + 1))
    if slot is not None:
        if slot.pp is not None and slot.pp.replica == r.index:
            out.append((None, slot.pp))
        for phase, by in slot.votes.items():
            for d, sigs in by.items():
                if r.index in sigs and (slot.pp is None or slot.pp.replica != r.index or phase != "PREPARE"):
                    out.append((None, Vote(phase, r.view, r.head.height + 1, d, r.index, sigs[r.index])))
    if r.last_new_view is not None and r.last_new_view.view == r.view:
        out.append((None, r.last_new_view))


def _on_timeout(r: Replica, m: Timeout, out: list[Outgoing], committed: list[Committed]) -> None:
    """A first timeout in a view retransmits; the next one starts a view change (to view + 1). In a view
    change, a timeout moves on to the next view only once 2f+1 replicas asked for the current one."""
    if m.view != r.view:
        return
    _ask_sync(r, out, force=True)
    if not r.in_view_change and r.stalled == 0:
        r.stalled = 1
        _retransmit(r, out)
        return
    if r.in_view_change and len(r.view_changes.get(r.view, {})) < r.cfg.q:
        # Castro-Liskov: the view-change timer runs only once 2f+1 replicas want this view; until then,
        # re-send our view change
        mine = r.view_changes.get(r.view, {}).get(r.index)
        if mine is not None:
            out.append((None, mine))
        return
    _view_change(r, r.view + 1, out, committed)


def _check_view_change(r: Replica, vc: ViewChange) -> None:
    _check_validator(r, vc.replica)
    _verify(r, vc.replica, vc.signed_bytes(_cid(r)), vc.sig, vc.new_view)
    if vc.stable_seq > 0:
        _verify_quorum(r, "CHECKPOINT", 0, vc.stable_seq, vc.stable_digest, vc.stable_proof, "CHECKPOINT_INVALID")
    seen: set[int] = set()
    for p in vc.prepared:
        if p.seq <= vc.stable_seq or p.view >= vc.new_view or p.seq in seen or p.block.height != p.seq:
            fail("VIEW_CHANGE_INVALID", "a prepared proof is out of range or repeated")
        seen.add(p.seq)
        _verify_quorum(r, p.phase, p.view, p.seq, p.block.block_hash(), p.sigs, "VIEW_CHANGE_INVALID")


def _on_view_change(r: Replica, m: ViewChange, out: list[Outgoing], committed: list[Committed]) -> None:
    if m.new_view < r.view or (m.new_view == r.view and not r.in_view_change):
        if m.new_view < r.view:
            fail("STALE_VIEW", f"view change to {m.new_view} <= {r.view}")
        if r.last_new_view is not None and r.last_new_view.view == m.new_view and m.replica != r.index:
            out.append((m.replica, r.last_new_view))  # the sender missed our new-view message
        return
    if m.replica in r.view_changes.get(m.new_view, {}):
        return
    _check_view_change(r, m)
    r.view_changes.setdefault(m.new_view, {})[m.replica] = m
    # join (Castro-Liskov 4.5.2): f+1 replicas ask for views above ours -> move to the smallest of them
    higher: dict[int, int] = {}
    for v, by in r.view_changes.items():
        if v > r.view:
            for i in by:
                higher[i] = min(v, higher.get(i, v))
    if len(higher) >= r.cfg.f + 1:
        _view_change(r, min(higher.values()), out, committed)
        return
    _maybe_new_view(r, out, committed)


def compute_new_view(vcs: Sequence[ViewChange]) -> tuple[int, list[PreparedProof]]:
    """The new primary's choice: min-s (highest stable checkpoint) and, for each seq above it up to the first
    gap, the proof with the highest view (a COMMIT proof outranks a PREPARE proof of the same view)."""
    min_s = max(vc.stable_seq for vc in vcs)
    best: dict[int, PreparedProof] = {}
    for vc in vcs:
        for p in vc.prepared:
            if p.seq <= min_s:
                continue
            cur = best.get(p.seq)
            if cur is None or (p.view, p.phase == "COMMIT") > (cur.view, cur.phase == "COMMIT"):
                best[p.seq] = p
    chosen = []
    s = min_s + 1
    while s in best:
        chosen.append(best[s])
        s += 1
    return min_s, chosen


def _maybe_new_view(r: Replica, out: list[Outgoing], committed: list[Committed]) -> None:
    v = r.view
    if not r.in_view_change or primary_of(r.cfg.chain, v) != r.index or r.new_view_sent >= v:
        return
    vcs = r.view_changes.get(v, {})
    if len(vcs) < r.cfg.q:
        return
    chosen_vcs = tuple(vc for _, vc in sorted(vcs.items())[: r.cfg.q])
    _, chosen = compute_new_view(chosen_vcs)
    from .block import vote_bytes
    pps = tuple(PrePrepare(v, p.seq, p.block, r.index,
                           _sign(r, vote_bytes("PREPARE", _cid(r), v, p.seq, p.block.block_hash())))
                for p in chosen)
    nv = NewView(v, chosen_vcs, pps, r.index, b"")
    nv = attrs.evolve(nv, sig=_sign(r, nv.signed_bytes(_cid(r))))
    r.new_view_sent = v
    r.last_new_view = nv
    out.append((None, nv))
    _enter_view(r, nv, out, committed)


def _enter_view(r: Replica, nv: NewView, out: list[Outgoing], committed: list[Committed]) -> None:
    r.view, r.in_view_change, r.stalled = nv.view, False, 0
    r.view_changes = {v: by for v, by in r.view_changes.items() if v > nv.view}
    r.log = {key: s for key, s in r.log.items() if key[0] >= nv.view}
    min_s = max(vc.stable_seq for vc in nv.view_changes)
    r.floor = max([min_s] + [pp.seq for pp in nv.pre_prepares])
    if min_s > r.head.height:
        _ask_sync(r, out, force=True)
    for pp in nv.pre_prepares:
        if pp.seq <= r.low:
            continue
        slot = _slot(r, pp.view, pp.seq)
        slot.pp = pp
        if pp.seq <= r.head.height:
            if pp.digest() == r.block_hash_at(pp.seq):
                slot.accepted, slot.after = True, r.app
                _record(slot, pre_prepare_as_prepare(pp))
                if pp.replica != r.index:
                    v = _vote(r, "PREPARE", pp.view, pp.seq, pp.digest())
                    _record(slot, v)
                    out.append((None, v))
        elif pp.replica == r.index:
            slot.accepted = pp.seq == r.head.height + 1
            if slot.accepted:
                slot.after = apply_block(r.cfg.chain, r.app, r.head, pp.block)
            _record(slot, pre_prepare_as_prepare(pp))
    for pp in nv.pre_prepares:
        _progress(r, pp.view, pp.seq, out, committed)
    _maybe_propose(r, out)


def _on_new_view(r: Replica, m: NewView, out: list[Outgoing], committed: list[Committed]) -> None:
    if m.view < r.view:
        fail("STALE_VIEW", f"new view {m.view} < {r.view}")
    if m.view == r.view and not r.in_view_change:
        return
    _check_new_view(r, m)
    _enter_view(r, m, out, committed)


def _check_new_view(r: Replica, m: NewView) -> None:
    if m.replica != primary_of(r.cfg.chain, m.view):
        fail("VIEW_CHANGE_INVALID", f"replica {m.replica} is not the primary of view {m.view}")
    _verify(r, m.replica, m.signed_bytes(_cid(r)), m.sig, m.view)
    if len({vc.replica for vc in m.view_changes}) != len(m.view_changes) or len(m.view_changes) < r.cfg.q:
        fail("VIEW_CHANGE_INVALID", "a new view needs 2f+1 distinct view changes")
    for vc in m.view_changes:
        if vc.new_view != m.view:
            fail("VIEW_CHANGE_INVALID", "a view change for another view")
        _check_view_change(r, vc)
    _, chosen = compute_new_view(m.view_changes)
    if [(p.seq, p.block.block_hash()) for p in chosen] != [(pp.seq, pp.digest()) for pp in m.pre_prepares]:
        fail("VIEW_CHANGE_INVALID", "the new view's pre-prepares differ from those the view changes justify")
    for pp in m.pre_prepares:
        if pp.view != m.view or pp.replica != m.replica:
            fail("VIEW_CHANGE_INVALID", "a pre-prepare of the new view has the wrong view or replica")
        _verify(r, pp.replica, pp.signed_bytes(_cid(r)), pp.sig, pp.seq)


def _on_sync_request(r: Replica, m: SyncRequest, out: list[Outgoing], committed: list[Committed]) -> None:
    _check_validator(r, m.replica)
    if m.replica == r.index:
        return
    for h in range(max(1, m.from_height), min(r.head.height, m.from_height + r.cfg.sync_batch - 1) + 1):
        block, cert = r.chain[h - 1]
        out.append((m.replica, BlockSync(block, cert)))


def _on_block_sync(r: Replica, m: BlockSync, out: list[Outgoing], committed: list[Committed]) -> None:
    if m.block.height != r.head.height + 1:
        return
    c = m.cert
    verify_committed(r.cfg, m.block, c)
    after = apply_block(r.cfg.chain, r.app, r.head, m.block)
    r.prepared[m.block.height] = PreparedProof("COMMIT", c.view, c.height, m.block, c.signatures)
    _execute(r, m.block, c, after, out, committed)


_HANDLERS: dict[type, Any] = {ClientTx: _on_client, PrePrepare: _on_pre_prepare, Vote: _on_vote,
                              Timeout: _on_timeout, ViewChange: _on_view_change, NewView: _on_new_view,
                              SyncRequest: _on_sync_request, BlockSync: _on_block_sync}


def step(replica: Replica, message: Message | Timeout) -> tuple[Replica, list[Outgoing], list[Committed]]:
    """One transition. Returns the next replica state, messages to send and blocks committed by this step;
    an invalid message raises a typed error and the argument is unchanged."""
    handler = _HANDLERS.get(type(message))
    if handler is None:
        fail("MALFORMED_ENCODING", f"not a PBFT message: {type(message).__name__}")
    r = replica.clone()
    out: list[Outgoing] = []
    committed: list[Committed] = []
    handler(r, message, out, committed)
    return r, out, committed


def check_snapshot(cfg: PbftConfig, snap: ConsensusState) -> None:
    """Raise ``LEDGER_CORRUPT`` unless ``snap`` could be a replica's of this chain: its bounds hold (validator
    index, chain id, low <= head, sent new view <= view, asked sync <= head; the log, checkpoints and prepared
    proofs above the low water mark) and its evidence verifies as it did when the replica accepted it — every
    pre-prepare and vote in the log, every checkpoint vote, the stable checkpoint's proof, every view change,
    every prepared proof and the last new-view message."""
    try:
        _check_snapshot(cfg, snap)
    except MedshareError as e:
        if e.code == "LEDGER_CORRUPT":
            raise
        fail("LEDGER_CORRUPT", f"consensus snapshot: {e.code}: {e.message}")


def _check_snapshot(cfg: PbftConfig, snap: ConsensusState) -> None:
    from .block import vote_bytes

    def bad(why: str) -> None:
        fail("LEDGER_CORRUPT", f"consensus snapshot: {why}")

    if not 0 <= snap.index < cfg.n:
        bad(f"replica {snap.index} is not a validator")
    if snap.head.chain_id != cfg.chain.chain_id:
        bad(f"head of chain {snap.head.chain_id!r}")
    if not (snap.low <= snap.head.height and snap.new_view_sent <= snap.view and snap.sync_asked <= snap.head.height):
        bad("low water mark, sent new view or asked sync beyond the head or view")
    r = Replica(cfg, snap.index, None)
    cid = cfg.chain.chain_id
    if snap.low == 0:
        if (snap.stable_digest, snap.stable_proof) != (r.stable_digest, ()):
            bad("a stable checkpoint at height 0 other than genesis")
    else:
        _verify_quorum(r, "CHECKPOINT", 0, snap.low, snap.stable_digest, snap.stable_proof, "CHECKPOINT_INVALID")
    for slot in snap.log:
        if slot.seq <= snap.low:
            bad(f"a log slot at {slot.seq}, at or below the low water mark {snap.low}")
        if slot.pp is not None:
            pp = slot.pp
            if pp.replica != primary_of(cfg.chain, pp.view) or pp.block.height != pp.seq:
                bad(f"a pre-prepare at ({pp.view}, {pp.seq}) from a non-primary or for another height")
            _verify(r, pp.replica, pp.signed_bytes(cid), pp.sig, pp.seq)
        for phase, votes in (("PREPARE", slot.prepares), ("COMMIT", slot.commits)):
            for digest, sigs in votes:
                for i, sig in sigs:
                    _verify(r, i, vote_bytes(phase, cid, slot.view, slot.seq, digest), sig, slot.seq)
    for seq, votes in snap.checkpoints:
        if seq <= snap.low:
            bad(f"checkpoint votes at {seq}, at or below the low water mark {snap.low}")
        for digest, sigs in votes:
            for i, sig in sigs:
                _verify(r, i, vote_bytes("CHECKPOINT", cid, 0, seq, digest), sig, seq)
    for _, vcs in snap.view_changes:
        for vc in vcs:
            _check_view_change(r, vc)
    for p in snap.prepared:
        if p.seq <= snap.low or p.block.height != p.seq:
            bad(f"a prepared proof at {p.seq}, at or below the low water mark or for another height")
        _verify_quorum(r, p.phase, p.view, p.seq, p.block.block_hash(), p.sigs, "VIEW_CHANGE_INVALID")
    if snap.last_new_view is not None:
        _check_new_view(r, snap.last_new_view)


def new_replica(cfg: PbftConfig, index: int, signer: auth.Signer | None) -> Replica:
    """A replica at genesis."""
    return Replica(cfg, index, signer)


def chain_digest(chain: Sequence[Committed]) -> bytes:
    return sha256(*(b.block_hash() for b, _ in chain))
