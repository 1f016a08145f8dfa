"""Byzantine validators for the simulator: equivocation, silence, bad signatures, replays, forged anchors.

A Byzantine node runs an honest replica underneath (to know the chain) and rewrites what it sends. The
members of a :class:`Coalition` coordinate: an equivocating primary proposes block A to one half of the honest
validators and a conflicting block B to the other half, and every member votes PREPARE and COMMIT for A
towards the first half and for B towards the second. With at most f members the honest replicas stay safe;
with f + 1 the two halves each see a quorum and commit different blocks at one height.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import attrs

from ...spec.chain import auth
from ...spec.chain.block import CommitCertificate, Header, vote_bytes
from ...spec.chain.messages import ClientTx, Message, PrePrepare, Timeout, Vote
from ...spec.chain.pbft import Outgoing, PbftConfig
from ...spec.chain.state import build_block
from ...spec.chain.tx import MDC, Transaction
from ...spec.errors import MedshareError
from .deploy import Deployment, validator_signers


class Coalition:
    """Shared knowledge of the Byzantine validators: the split of the honest ones and the conflicting blocks."""

    def __init__(self, dep: Deployment, cfg: PbftConfig, members: set[int], honest: Sequence[int],
                 rng: random.Random) -> None:
        self.dep, self.cfg, self.members, self.rng = dep, cfg, members, rng
        self.side_a = [h for k, h in enumerate(honest) if k % 2 == 0]
        self.side_b = [h for k, h in enumerate(honest) if k % 2 == 1]
        self.sides: dict[bytes, list[int]] = {}  # block digest -> honest validators it is shown to
        self.signers = validator_signers(dep, cfg)

    def sign_vote(self, i: int, phase: str, view: int, seq: int, digest: bytes) -> Vote:
        msg = vote_bytes(phase, self.cfg.chain.chain_id, view, seq, digest)
        return Vote(phase, view, seq, digest, i, auth.sign_vote(self.cfg.chain.group, self.signers[i], msg,
                                                                cache=self.cfg.chain.cache))

    def equivocate(self, i: int, replica: Any, pp: PrePrepare) -> list[Outgoing]:
        """Primary ``i`` shows block A to side A and a conflicting block B to side B."""
        chain = self.cfg.chain
        if chain.chain != MDC or not self.side_b:
            return [(None, pp)]
        filler = Transaction.make(MDC, "DEVICE_REGISTER", self.signers[i].identity, pp.view * 1_000_003 + pp.seq,
                                  device=f"byz-{pp.view}-{pp.seq}", ibe_identity="byz")
        filler = auth.sign_tx(chain.group, self.signers[i], filler)
        head: Header = replica.head
        block_b, _, _ = build_block(chain, replica.app, head, (filler,) + pp.block.txs, pp.view)
        if block_b is None or block_b.block_hash() == pp.digest():
            return [(None, pp)]
        pp_b = PrePrepare(pp.view, pp.seq, block_b, i, self.sign_vote(i, "PREPARE", pp.view, pp.seq,
                                                                       block_b.block_hash()).sig)
        self.sides[pp.digest()] = self.side_a
        self.sides[block_b.block_hash()] = self.side_b
        out: list[Outgoing] = [(d, pp) for d in self.side_a] + [(d, pp_b) for d in self.side_b]
        out += [(m, p) for m in self.members if m != i for p in (pp, pp_b)]
        out += [(d, self.sign_vote(i, "COMMIT", pp.view, pp.seq, pp.digest())) for d in self.side_a]
        out += [(d, self.sign_vote(i, "COMMIT", pp.view, pp.seq, block_b.block_hash())) for d in self.side_b]
        return out

    def collude(self, i: int, pp: PrePrepare) -> list[Outgoing]:
        """Member ``i`` votes for a coalition proposal towards the side it was shown to."""
        side = self.sides.get(pp.digest())
        if side is None:
            return []
        return [(d, self.sign_vote(i, ph, pp.view, pp.seq, pp.digest())) for d in side
                for ph in ("PREPARE", "COMMIT")]


class _Wrapper:
    def __init__(self, node: Any, coalition: Coalition) -> None:
        self.node, self.coalition = node, coalition
        self.index = node.index
        self.last_committed: list[Any] = []

    @property
    def replica(self) -> Any:
        return self.node.replica

    def height(self) -> int:
        return int(self.node.height())

    def db_chain(self) -> list[tuple[int, bytes]]:
        return list(self.node.db_chain())

    def close(self) -> None:
        self.node.close()

    def _honest(self, msg: Message | Timeout) -> list[Outgoing]:
        try:
            out: list[Outgoing] = self.node.handle(msg)
            self.last_committed = self.node.last_committed
            return out
        except MedshareError:
            self.last_committed = []
            return []

    def handle(self, msg: Message | Timeout, *, crash: str | None = None) -> list[Outgoing]:
        raise NotImplementedError


class Equivocator(_Wrapper):
    def handle(self, msg: Message | Timeout, *, crash: str | None = None) -> list[Outgoing]:
        out = self._honest(msg)
        result: list[Outgoing] = []
        for dst, m in out:
            if isinstance(m, PrePrepare) and m.replica == self.index and dst is None:
                result += self.coalition.equivocate(self.index, self.node.replica, m)
            else:
                result.append((dst, m))
        if isinstance(msg, PrePrepare):
            result += self.coalition.collude(self.index, msg)
        return result


class Silent(_Wrapper):
    def handle(self, msg: Message | Timeout, *, crash: str | None = None) -> list[Outgoing]:
        self._honest(msg)
        return []


class BadSignatures(_Wrapper):
    """Sends its messages with corrupted signatures."""

    def handle(self, msg: Message | Timeout, *, crash: str | None = None) -> list[Outgoing]:
        out = []
        for dst, m in self._honest(msg):
            if hasattr(m, "sig"):
                sig = bytearray(m.sig)
                sig[-1 - self.coalition.rng.randrange(8)] ^= 1 << self.coalition.rng.randrange(8)
                m = attrs.evolve(m, sig=bytes(sig))
            out.append((dst, m))
        return out


class Replayer(_Wrapper):
    """Behaves honestly, and re-sends old messages (its own and others') at random later times."""

    def __init__(self, node: Any, coalition: Coalition) -> None:
        super().__init__(node, coalition)
        self.seen: list[Message] = []

    def handle(self, msg: Message | Timeout, *, crash: str | None = None) -> list[Outgoing]:
        out = self._honest(msg)
        if not isinstance(msg, (Timeout, ClientTx)):
            self.seen.append(msg)
        self.seen.extend(m for _, m in out)
        self.seen = self.seen[-200:]
        rng = self.coalition.rng
        if self.seen and rng.random() < 0.5:
            out = out + [(None, rng.choice(self.seen)) for _ in range(rng.randrange(1, 4))]
        return out


BEHAVIOURS = {"equivocate": Equivocator, "silent": Silent, "badsig": BadSignatures, "replay": Replayer}


def make_byzantine(behaviour: str, node: Any, coalition: Coalition) -> _Wrapper:
    if behaviour == "mixed":
        behaviour = coalition.rng.choice(sorted(BEHAVIOURS))
    return BEHAVIOURS[behaviour](node, coalition)


def forge_certificate(cert: CommitCertificate, *, digest: bytes | None = None, drop: int = 0,
                      corrupt: bool = False) -> CommitCertificate:
    """A forged commit certificate for anchoring tests: re-pointed to another block, with signatures dropped
    (then it lacks a quorum), or with one signature corrupted."""
    sigs = list(cert.signatures[drop:])
    if corrupt and sigs:
        i, s = sigs[0]
        sigs[0] = (i, s[:-1] + bytes([s[-1] ^ 1]))
    return attrs.evolve(cert, block_hash=digest or cert.block_hash, signatures=tuple(sigs))
