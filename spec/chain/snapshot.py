"""The consensus snapshot: what a PBFT replica keeps across a restart, as canonical bytes
(spec/chain/chain.md, "Consensus snapshots and ledger checks").

A :class:`ConsensusState` is everything of a replica except its configuration, its signing key, the
committed chain, the application state, the pending transactions and the states after pending blocks (which
are recomputed). ``encode`` writes it as a tag, a format version, the fields in a fixed order and a SHA-256 of
all that; ``decode`` is strict: a wrong tag or version, a truncated or over-long field, a flag other than 0 or
1, a collection out of its canonical (strictly increasing) order, an entry whose key disagrees with its
content, a digest that does not match, trailing bytes, or any input whose re-encoding differs, fail with
``MALFORMED_ENCODING``. So ``encode(decode(x)) == x`` for every ``x`` that decodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import attrs

from ..errors import MedshareError, fail
from .block import MAX_VALIDATORS, Block, Header
from .codec import Reader, blob, sha256, u8, u32, u64
from .messages import NewView, PreparedProof, PrePrepare, ViewChange, Vote, decode_message
from .tx import SIGNATURE_BYTES

SNAPSHOT_TAG = 0x53  # "S"
SNAPSHOT_VERSION = 1
DIGEST_BYTES = 32
#: bound on the number of entries of one collection (the bytes bound it long before)
MAX_ENTRIES = 1 << 20

T = TypeVar("T")

#: (validator index, signature), indices strictly increasing
Sigs = tuple[tuple[int, bytes], ...]
#: (digest, signatures), digests strictly increasing: the votes of one phase in one slot, or one checkpoint
Votes = tuple[tuple[bytes, Sigs], ...]


@attrs.frozen
class SlotState:
    """One log entry (view, seq): the pre-prepare, the PREPARE and COMMIT votes by digest, and the flags.
    ``accepted`` is kept only for a slot that is done (a pending slot re-validates its block after a restart)."""

    view: int
    seq: int
    pp: PrePrepare | None
    accepted: bool
    prepares: Votes
    commits: Votes
    sent_commit: bool
    done: bool


@attrs.frozen
class ConsensusState:
    """A replica's consensus state. ``new_view_sent`` and ``sync_asked`` are -1 when nothing was sent yet."""

    index: int
    head: Header
    view: int
    in_view_change: bool
    low: int
    stable_digest: bytes
    stable_proof: Sigs
    log: tuple[SlotState, ...]
    checkpoints: tuple[tuple[int, Votes], ...]
    view_changes: tuple[tuple[int, tuple[ViewChange, ...]], ...]
    prepared: tuple[PreparedProof, ...]
    new_view_sent: int
    sync_asked: int
    floor: int
    stalled: int
    last_new_view: NewView | None


# ---- encoding ------------------------------------------------------------------------------------------------

def _flag(b: bool) -> bytes:
    return u8(1 if b else 0)


def _sigs(sigs: Sigs) -> bytes:
    return u32(len(sigs)) + b"".join(u32(i) + s for i, s in sigs)


def _votes(votes: Votes) -> bytes:
    return u32(len(votes)) + b"".join(d + _sigs(s) for d, s in votes)


def _proof(p: PreparedProof) -> bytes:
    return (u8(Vote.PHASES.index(p.phase)) + u64(p.view) + u64(p.seq) + blob(p.block.to_bytes())
            + _sigs(p.sigs))


def _optional(pp: PrePrepare | None) -> bytes:
    return u8(0) if pp is None else u8(1) + blob(pp.to_bytes())


def _new_view(nv: NewView | None) -> bytes:
    """A new-view message field by field, its view changes and pre-prepares as their message bytes."""
    if nv is None:
        return u8(0)
    return (u8(1) + u64(nv.view) + u32(len(nv.view_changes)) + b"".join(blob(vc.to_bytes()) for vc in nv.view_changes)
            + u32(len(nv.pre_prepares)) + b"".join(blob(pp.to_bytes()) for pp in nv.pre_prepares) + u32(nv.replica)
            + nv.sig)


def _slot(s: SlotState) -> bytes:
    return (u64(s.view) + u64(s.seq) + _optional(s.pp) + _flag(s.accepted) + _votes(s.prepares)
            + _votes(s.commits) + _flag(s.sent_commit) + _flag(s.done))


def encode(state: ConsensusState) -> bytes:
    """The canonical bytes of ``state``, ending with SHA-256 of everything before."""
    s = state
    body = b"".join([
        u8(SNAPSHOT_TAG), u8(SNAPSHOT_VERSION), u32(s.index), blob(s.head.to_bytes()), u64(s.view),
        _flag(s.in_view_change), u64(s.low), s.stable_digest, _sigs(s.stable_proof),
        u32(len(s.log)), *(_slot(x) for x in s.log),
        u32(len(s.checkpoints)), *(u64(seq) + _votes(v) for seq, v in s.checkpoints),
        u32(len(s.view_changes)),
        *(u64(v) + u32(len(vcs)) + b"".join(blob(vc.to_bytes()) for vc in vcs) for v, vcs in s.view_changes),
        u32(len(s.prepared)), *(blob(_proof(p)) for p in s.prepared),
        u64(s.new_view_sent + 1), u64(s.sync_asked + 1), u64(s.floor), u64(s.stalled),
        _new_view(s.last_new_view),
    ])
    return body + sha256(body)


# ---- decoding ------------------------------------------------------------------------------------------------

def _read_flag(r: Reader) -> bool:
    b = r.u8()
    if b > 1:
        fail("MALFORMED_ENCODING", f"flag {b}, expected 0 or 1")
    return b == 1


def _increasing(keys: Sequence[Any], what: str) -> None:
    if any(not a < b for a, b in zip(keys, keys[1:])):
        fail("MALFORMED_ENCODING", f"{what} not in strictly increasing order")


def _read_sigs(r: Reader) -> Sigs:
    sigs = tuple((r.u32(), r.fixed(SIGNATURE_BYTES)) for _ in range(r.count(MAX_VALIDATORS)))
    _increasing([i for i, _ in sigs], "signatures")
    return sigs


def _read_votes(r: Reader) -> Votes:
    votes = tuple((r.fixed(DIGEST_BYTES), _read_sigs(r)) for _ in range(r.count(MAX_ENTRIES)))
    _increasing([d for d, _ in votes], "vote digests")
    return votes


def _message(data: bytes, kind: type[T]) -> T:
    m = decode_message(data)
    if not isinstance(m, kind):
        fail("MALFORMED_ENCODING", f"expected {kind.__name__}, found {type(m).__name__}")
    return m


def _read_slot(r: Reader) -> SlotState:
    view, seq = r.u64(), r.u64()
    pp = _message(r.blob(), PrePrepare) if _read_flag(r) else None
    if pp is not None and (pp.view, pp.seq) != (view, seq):
        fail("MALFORMED_ENCODING", f"slot ({view}, {seq}) holds a pre-prepare for ({pp.view}, {pp.seq})")
    s = SlotState(view, seq, pp, _read_flag(r), _read_votes(r), _read_votes(r), _read_flag(r), _read_flag(r))
    if s.accepted and not s.done:
        fail("MALFORMED_ENCODING", f"slot ({view}, {seq}) is accepted but not done")
    return s


def _read_new_view(r: Reader) -> NewView | None:
    if not _read_flag(r):
        return None
    view = r.u64()
    vcs = tuple(_message(r.blob(), ViewChange) for _ in range(r.count(MAX_VALIDATORS)))
    pps = tuple(_message(r.blob(), PrePrepare) for _ in range(r.count(MAX_ENTRIES)))
    return NewView(view, vcs, pps, r.u32(), r.fixed(SIGNATURE_BYTES))


def _read_proof(data: bytes) -> PreparedProof:
    r = Reader(data)
    phase = r.u8()
    if phase > 1:
        fail("MALFORMED_ENCODING", f"prepared-proof phase {phase}")
    p = PreparedProof(Vote.PHASES[phase], r.u64(), r.u64(), Block.from_bytes(r.blob()), _read_sigs(r))
    r.end()
    return p


def _read_view_changes(r: Reader) -> tuple[int, tuple[ViewChange, ...]]:
    view = r.u64()
    vcs = []
    for _ in range(r.count(MAX_VALIDATORS)):
        vc = _message(r.blob(), ViewChange)
        if vc.new_view != view:
            fail("MALFORMED_ENCODING", f"a view change to {vc.new_view} filed under view {view}")
        vcs.append(vc)
    _increasing([vc.replica for vc in vcs], "view changes")
    return view, tuple(vcs)


def _read(data: bytes) -> ConsensusState:
    if len(data) < 2 + DIGEST_BYTES:
        fail("MALFORMED_ENCODING", f"a snapshot of {len(data)} bytes is too short")
    body, digest = data[:-DIGEST_BYTES], data[-DIGEST_BYTES:]
    r = Reader(body)
    r.tag(SNAPSHOT_TAG)
    version = r.u8()
    if version != SNAPSHOT_VERSION:
        fail("MALFORMED_ENCODING", f"snapshot format version {version}, expected {SNAPSHOT_VERSION}")
    if sha256(body) != digest:
        fail("MALFORMED_ENCODING", "the snapshot digest does not match its contents")
    index, head = r.u32(), Header.from_bytes(r.blob())
    view, in_view_change, low = r.u64(), _read_flag(r), r.u64()
    stable_digest, stable_proof = r.fixed(DIGEST_BYTES), _read_sigs(r)
    log = tuple(_read_slot(r) for _ in range(r.count(MAX_ENTRIES)))
    _increasing([(s.view, s.seq) for s in log], "log slots")
    checkpoints = tuple((r.u64(), _read_votes(r)) for _ in range(r.count(MAX_ENTRIES)))
    _increasing([seq for seq, _ in checkpoints], "checkpoints")
    view_changes = tuple(_read_view_changes(r) for _ in range(r.count(MAX_ENTRIES)))
    _increasing([v for v, _ in view_changes], "view-change views")
    prepared = tuple(_read_proof(r.blob()) for _ in range(r.count(MAX_ENTRIES)))
    _increasing([p.seq for p in prepared], "prepared proofs")
    new_view_sent, sync_asked, floor, stalled = r.u64() - 1, r.u64() - 1, r.u64(), r.u64()
    nv = _read_new_view(r)
    r.end()
    return ConsensusState(index, head, view, in_view_change, low, stable_digest, stable_proof, log, checkpoints,
                          view_changes, prepared, new_view_sent, sync_asked, floor, stalled, nv)


def decode(data: bytes) -> ConsensusState:
    """Strictly decode a snapshot (``MALFORMED_ENCODING`` on anything off); ``encode`` gives ``data`` back."""
    if not isinstance(data, bytes):
        fail("MALFORMED_ENCODING", "a snapshot is bytes")
    try:
        state = _read(data)
    except MedshareError as e:
        if e.code == "MALFORMED_ENCODING":
            raise
        fail("MALFORMED_ENCODING", f"snapshot: {e.code}: {e.message}")
    if encode(state) != data:
        fail("MALFORMED_ENCODING", "the snapshot is not in canonical form")
    return state


__all__ = ["ConsensusState", "SlotState", "decode", "encode"]
