"""PBFT messages with canonical bytes (spec/chain/chain.md, "PBFT messages").

Every network message encodes as a one-byte tag and its fields; ``decode_message`` is strict and refuses
messages larger than ``MAX_MESSAGE_BYTES`` (``MESSAGE_TOO_LARGE``). Votes are signed over
:func:`block.vote_bytes`; view-change and new-view messages over ``vote_bytes`` of SHA-256 of their body.
"""

from __future__ import annotations

import attrs

from ..errors import MedshareError, fail
from .block import MAX_BLOCK_BYTES, MAX_VALIDATORS, Block, CommitCertificate, vote_bytes
from .codec import Reader, blob, sha256, u8, u32, u64
from .tx import SIGNATURE_BYTES, Transaction

MAX_MESSAGE_BYTES = 2 * MAX_BLOCK_BYTES
MAX_PROOFS = 64
Sigs = tuple[tuple[int, bytes], ...]


def _sigs(sigs: Sigs) -> bytes:
    return u32(len(sigs)) + b"".join(u32(i) + s for i, s in sigs)


def _read_sigs(r: Reader) -> Sigs:
    n = r.count(MAX_VALIDATORS)
    return tuple((r.u32(), r.fixed(SIGNATURE_BYTES)) for _ in range(n))


@attrs.frozen
class ClientTx:
    tx: Transaction
    TAG = 0x10

    def to_bytes(self) -> bytes:
        return u8(self.TAG) + blob(self.tx.to_bytes())


@attrs.frozen
class PrePrepare:
    """The primary's proposal of ``block`` at sequence ``seq`` in ``view``; ``sig`` is its PREPARE vote."""

    view: int
    seq: int
    block: Block
    replica: int
    sig: bytes
    TAG = 0x11

    def digest(self) -> bytes:
        return self.block.block_hash()

    def signed_bytes(self, chain_id: str) -> bytes:
        return vote_bytes("PREPARE", chain_id, self.view, self.seq, self.digest())

    def to_bytes(self) -> bytes:
        return (u8(self.TAG) + u64(self.view) + u64(self.seq) + blob(self.block.to_bytes()) + u32(self.replica)
                + self.sig)


@attrs.frozen
class Vote:
    """A PREPARE, COMMIT or CHECKPOINT vote on (view, seq, digest); checkpoints use view 0."""

    phase: str
    view: int
    seq: int
    digest: bytes
    replica: int
    sig: bytes
    TAG = 0x12
    PHASES = ("PREPARE", "COMMIT", "CHECKPOINT")

    def signed_bytes(self, chain_id: str) -> bytes:
        return vote_bytes(self.phase, chain_id, self.view, self.seq, self.digest)

    def to_bytes(self) -> bytes:
        return (u8(self.TAG) + u8(self.PHASES.index(self.phase)) + u64(self.view) + u64(self.seq) + self.digest
                + u32(self.replica) + self.sig)


@attrs.frozen
class PreparedProof:
    """Evidence that ``block`` was prepared (phase PREPARE) or committed (phase COMMIT) at (view, seq):
    2f+1 validators' votes of that phase on its hash."""

    phase: str
    view: int
    seq: int
    block: Block
    sigs: Sigs

    def to_bytes(self) -> bytes:
        return (u8(Vote.PHASES.index(self.phase)) + u64(self.view) + u64(self.seq) + blob(self.block.to_bytes())
                + _sigs(self.sigs))


@attrs.frozen
class ViewChange:
    new_view: int
    stable_seq: int
    stable_digest: bytes
    stable_proof: Sigs
    prepared: tuple[PreparedProof, ...]
    replica: int
    sig: bytes
    TAG = 0x13

    def body(self) -> bytes:
        return (u64(self.new_view) + u64(self.stable_seq) + self.stable_digest + _sigs(self.stable_proof)
                + u32(len(self.prepared)) + b"".join(blob(p.to_bytes()) for p in self.prepared) + u32(self.replica))

    def signed_bytes(self, chain_id: str) -> bytes:
        return vote_bytes("VIEW-CHANGE", chain_id, self.new_view, self.replica, sha256(self.body()))

    def to_bytes(self) -> bytes:
        return u8(self.TAG) + self.body() + self.sig


@attrs.frozen
class NewView:
    view: int
    view_changes: tuple[ViewChange, ...]
    pre_prepares: tuple[PrePrepare, ...]
    replica: int
    sig: bytes
    TAG = 0x14

    def body(self) -> bytes:
        return (u64(self.view) + u32(len(self.view_changes))
                + b"".join(blob(v.to_bytes()) for v in self.view_changes) + u32(len(self.pre_prepares))
                + b"".join(blob(p.to_bytes()) for p in self.pre_prepares) + u32(self.replica))

    def signed_bytes(self, chain_id: str) -> bytes:
        return vote_bytes("NEW-VIEW", chain_id, self.view, self.replica, sha256(self.body()))

    def to_bytes(self) -> bytes:
        return u8(self.TAG) + self.body() + self.sig


@attrs.frozen
class SyncRequest:
    """Ask peers for committed blocks from ``from_height`` on (answered with :class:`BlockSync`)."""

    from_height: int
    replica: int
    TAG = 0x15

    def to_bytes(self) -> bytes:
        return u8(self.TAG) + u64(self.from_height) + u32(self.replica)


@attrs.frozen
class BlockSync:
    """A committed block with its commit certificate (state transfer)."""

    block: Block
    cert: CommitCertificate
    TAG = 0x16

    def to_bytes(self) -> bytes:
        return u8(self.TAG) + blob(self.block.to_bytes()) + blob(self.cert.to_bytes())


@attrs.frozen
class Timeout:
    """A local timer event (never sent on the network): no progress in ``view``."""

    view: int


Message = ClientTx | PrePrepare | Vote | ViewChange | NewView | SyncRequest | BlockSync


def _read_pp(r: Reader) -> PrePrepare:
    return PrePrepare(r.u64(), r.u64(), Block.from_bytes(r.blob()), r.u32(), r.fixed(SIGNATURE_BYTES))


def _read_proof(data: bytes) -> PreparedProof:
    r = Reader(data)
    ph = r.u8()
    if ph > 1:
        fail("MALFORMED_ENCODING", "bad proof phase")
    p = PreparedProof(Vote.PHASES[ph], r.u64(), r.u64(), Block.from_bytes(r.blob()), _read_sigs(r))
    r.end()
    return p


def _read_vc(r: Reader) -> ViewChange:
    nv, ss, sd, sp = r.u64(), r.u64(), r.fixed(32), _read_sigs(r)
    prepared = tuple(_read_proof(r.blob()) for _ in range(r.count(MAX_PROOFS)))
    return ViewChange(nv, ss, sd, sp, prepared, r.u32(), r.fixed(SIGNATURE_BYTES))


def decode_message(data: bytes) -> Message:
    """Strictly decode a network message; MESSAGE_TOO_LARGE, or MALFORMED_ENCODING/BLOCK_MALFORMED/TX_MALFORMED."""
    if not isinstance(data, (bytes, bytearray)):
        fail("MALFORMED_ENCODING", "expected bytes")
    if len(data) > MAX_MESSAGE_BYTES:
        fail("MESSAGE_TOO_LARGE", f"message of {len(data)} bytes exceeds {MAX_MESSAGE_BYTES}")
    r = Reader(data)
    tag = r.u8()
    msg: Message
    if tag == ClientTx.TAG:
        msg = ClientTx(Transaction.from_bytes(r.blob()))
    elif tag == PrePrepare.TAG:
        msg = _read_pp(r)
    elif tag == Vote.TAG:
        ph = r.u8()
        if ph >= len(Vote.PHASES):
            fail("MALFORMED_ENCODING", "bad vote phase")
        msg = Vote(Vote.PHASES[ph], r.u64(), r.u64(), r.fixed(32), r.u32(), r.fixed(SIGNATURE_BYTES))
    elif tag == ViewChange.TAG:
        msg = _read_vc(r)
    elif tag == NewView.TAG:
        nv = r.u64()
        vcs = []
        for _ in range(r.count(MAX_VALIDATORS)):  # each carried message is its own encoding, tag included
            rr = Reader(r.blob())
            rr.tag(ViewChange.TAG)
            vcs.append(_read_vc(rr))
            rr.end()
        pps = []
        for _ in range(r.count(MAX_PROOFS)):
            rr = Reader(r.blob())
            rr.tag(PrePrepare.TAG)
            pps.append(_read_pp(rr))
            rr.end()
        msg = NewView(nv, tuple(vcs), tuple(pps), r.u32(), r.fixed(SIGNATURE_BYTES))
    elif tag == SyncRequest.TAG:
        msg = SyncRequest(r.u64(), r.u32())
    elif tag == BlockSync.TAG:
        block = Block.from_bytes(r.blob())
        try:
            cert = CommitCertificate.from_bytes(r.blob())
        except MedshareError as e:
            fail("MALFORMED_ENCODING", e.message)
        msg = BlockSync(block, cert)
    else:
        fail("MALFORMED_ENCODING", f"unknown message tag 0x{tag:02x}")
    r.end()
    return msg
