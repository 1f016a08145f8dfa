"""An in-process network simulator with a seeded scheduler, fault injection and Byzantine validators.

Everything random comes from one ``random.Random(seed)``, so a run is reproduced by its seed. The network
delays each message by a random number of ticks (which reorders them), drops, duplicates, and cuts
partitions for a while. Nodes crash at random points (between messages, inside the ledger transaction, or
after it before sending) and restart from their databases. Timers fire ``Timeout`` at replicas that have work
but make no progress; the timeout doubles with each view change (as in PBFT).

:meth:`Simulation.damage` takes an honest node down and damages its database while it is down; on restart the
node finds the damage (``LEDGER_CORRUPT``), keeps the verified blocks below it and catches up with its peers
by state transfer. The run then requires it to reach again the height it had, with the others' blocks.
"""

from __future__ import annotations

import heapq
import random
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from ...spec.chain.messages import ClientTx, Message, Timeout
from ...spec.chain.pbft import PbftConfig
from ...spec.chain.tx import Transaction
from ...spec.errors import MedshareError
from .byzantine import Coalition, make_byzantine
from .deploy import Deployment, validator_signers
from .ledger import LedgerReport
from .node import Crash, ValidatorNode


@attrs.define
class Faults:
    """Network and crash fault rates of one schedule."""

    loss: float = 0.0
    duplicate: float = 0.0
    max_delay: int = 3
    partition: float = 0.0       # chance per tick that a partition starts
    partition_len: int = 20
    crash: float = 0.0           # chance per delivered message that the receiver crashes
    down_ticks: int = 15

    @staticmethod
    def random(rng: random.Random, intensity: float = 1.0) -> Faults:
        return Faults(loss=rng.choice([0, 0, 0.05, 0.15]) * intensity, duplicate=rng.choice([0, 0.05, 0.2]),
                      max_delay=rng.choice([1, 3, 6]), partition=rng.choice([0, 0, 0.02]) * intensity,
                      partition_len=rng.choice([5, 20]), crash=rng.choice([0, 0, 0.01, 0.03]) * intensity,
                      down_ticks=rng.choice([5, 20]))


@attrs.define
class RunResult:
    seed: int
    heights: dict[int, int]
    violations: list[str]
    committed_txs: int
    messages: int
    ticks: int
    rejected: int
    crashes: int
    views: dict[int, int]

    @property
    def ok(self) -> bool:
        return not self.violations


class Simulation:
    """n validators of one chain (``cfg``), ``byzantine`` of them controlled by a coalition."""

    def __init__(self, dep: Deployment, cfg: PbftConfig, seed: int, *, byzantine: Sequence[int] = (),
                 behaviour: str = "equivocate", faults: Faults | None = None, workdir: Path | None = None,
                 timeout: int = 12, isolated_caches: bool = False) -> None:
        self.dep, self.cfg, self.seed = dep, cfg, seed
        self.isolated_caches = isolated_caches
        self.rng = random.Random(seed)
        self.faults = faults or Faults()
        self._tmp = None if workdir is not None else tempfile.TemporaryDirectory(prefix="medshare-sim-")
        self.workdir = Path(workdir) if workdir is not None else Path(self._tmp.name)  # type: ignore[union-attr]
        self.signers = validator_signers(dep, cfg)
        self.n = cfg.n
        self.byzantine = set(byzantine)
        self.honest = [i for i in range(self.n) if i not in self.byzantine]
        self.coalition = Coalition(dep, cfg, self.byzantine, self.honest, self.rng) if self.byzantine else None
        self.nodes: dict[int, Any] = {}
        for i in range(self.n):
            self.nodes[i] = self._open(i, behaviour)
        self.behaviour = behaviour
        self.down: dict[int, int] = {}            # node -> restart tick
        self.partition: tuple[set[int], int] | None = None
        self.queue: list[tuple[int, int, int, Any]] = []
        self.counter = 0
        self.now = 0
        self.timeout = timeout
        self.timers: dict[int, tuple[int, int, int]] = {}  # node -> (view, height, deadline)
        self.messages = 0
        self.rejected = 0
        self.crashes = 0
        self.commits: dict[int, dict[int, bytes]] = {i: {} for i in range(self.n)}  # node -> height -> hash
        self.committed_txs: dict[int, set[bytes]] = {i: set() for i in range(self.n)}
        self.violations: list[str] = []
        self.awaited: set[bytes] = set()
        self.commit_tick: dict[int, int] = {}  # height -> tick at which the first honest node committed it
        self.submit_tick: dict[bytes, int] = {}
        self.damages: dict[int, Callable[[Path], None]] = {}  # node -> damage done to its database while down
        self.recoveries: list[tuple[int, LedgerReport]] = []  # (node, the damage it found and repaired)
        self.must_reach: dict[int, int] = {}  # recovered node -> the height it had before the damage

    def path(self, i: int) -> Path:
        return self.workdir / f"node{i}.sqlite"

    def _open(self, i: int, behaviour: str) -> Any:
        cfg = self.cfg
        if self.isolated_caches:  # this validator verifies every signature itself; its cache dies with it
            cfg = attrs.evolve(cfg, chain=cfg.chain.with_cache({}))
        node = ValidatorNode(self.path(i), cfg, i, self.signers[i], recover=True)
        if i in self.byzantine:
            assert self.coalition is not None
            return make_byzantine(behaviour, node, self.coalition)
        return node

    # -- scheduling --------------------------------------------------------------------------------------------
    def _push(self, at: int, dst: int, msg: Any) -> None:
        self.counter += 1
        heapq.heappush(self.queue, (at, self.counter, dst, msg))

    def _cut(self, src: int, dst: int) -> bool:
        if self.partition is None:
            return False
        side, _ = self.partition
        return (src in side) != (dst in side)

    def send(self, src: int, dst: int | None, msg: Message) -> None:
        targets = [d for d in range(self.n) if d != src] if dst is None else [dst]
        for d in targets:
            self.messages += 1
            if self._cut(src, d) or self.rng.random() < self.faults.loss:
                continue
            copies = 2 if self.rng.random() < self.faults.duplicate else 1
            for _ in range(copies):
                self._push(self.now + 1 + self.rng.randrange(self.faults.max_delay), d, msg)

    def submit(self, txs: Sequence[Transaction], at: int = 0) -> None:
        """Clients hand each transaction to every validator."""
        for tx in txs:
            self.awaited.add(tx.tx_hash())
            self.submit_tick.setdefault(tx.tx_hash(), at)
            for d in range(self.n):
                self._push(at, d, ClientTx(tx))

    def _deliver(self, dst: int, msg: Any) -> None:
        if dst in self.down:
            return
        node = self.nodes[dst]
        crash = None
        if dst in self.honest and self.rng.random() < self.faults.crash:
            crash = self.rng.choice(["before_step", "before_commit", "after_commit"])
        if crash == "before_step":
            self._crash(dst)
            return
        try:
            out = node.handle(msg, crash=crash)
        except Crash:
            if crash == "after_commit":
                self._record_commits(dst, node.last_committed)
            self._crash(dst)
            return
        except MedshareError:
            self.rejected += 1
            return
        self._record_commits(dst, getattr(node, "last_committed", []))
        for d, m in out:
            self.send(dst, d, m)

    def _record_commits(self, i: int, committed: Sequence[Any]) -> None:
        for block, _ in committed:
            self.commits[i][block.height] = block.block_hash()
            if i in self.honest:
                self.commit_tick.setdefault(block.height, self.now)
            for tx in block.txs:
                self.committed_txs[i].add(tx.tx_hash())
            if i in self.honest:
                for j in self.honest:
                    other = self.commits[j].get(block.height)
                    if other is not None and other != block.block_hash():
                        self.violations.append(f"seed {self.seed}: honest {i} and {j} committed different blocks "
                                               f"at height {block.height}")

    def _crash(self, i: int) -> None:
        self.crashes += 1
        self.nodes[i].close()
        self.down[i] = self.now + 1 + self.rng.randrange(self.faults.down_ticks)

    def damage(self, i: int, damage: Callable[[Path], None], down_ticks: int = 5) -> None:
        """Take honest node ``i`` down now and apply ``damage`` to its database file; it restarts (and must
        recover) ``down_ticks`` later."""
        if i not in self.honest or i in self.down:
            raise ValueError(f"node {i} is not an honest node that is up")
        self.nodes[i].close()
        self.down[i] = self.now + down_ticks
        self.damages[i] = damage
        damage(self.path(i))

    def _restart(self, i: int) -> None:
        del self.down[i]
        self.nodes[i] = self._open(i, self.behaviour)
        self.timers.pop(i, None)
        node = self.nodes[i]
        if i in self.damages:
            del self.damages[i]
            if node.recovered is None:
                self.violations.append(f"seed {self.seed}: node {i} opened a damaged ledger without finding it")
                return
            self.recoveries.append((i, node.recovered))
            # the blocks above the good height are gone until the peers send them again
            self.must_reach[i] = max(self.must_reach.get(i, 0), max(self.commits[i], default=0))
            self.commits[i] = dict(node.db_chain())
            self.committed_txs[i] = {tx.tx_hash() for b, _ in node.replica.chain for tx in b.txs}
            for d, m in node.catch_up():
                self.send(i, d, m)
            return
        if node.recovered is not None:
            self.violations.append(f"seed {self.seed}: node {i} found its undamaged ledger corrupt: "
                                   f"{node.recovered.message()}")
        if node.height() < self.must_reach.get(i, 0):  # restarted while still catching up
            for d, m in node.catch_up():
                self.send(i, d, m)
        # nothing committed may be lost
        have = dict(node.db_chain())
        for h, d in self.commits[i].items():
            if have.get(h) != d:
                self.violations.append(f"seed {self.seed}: node {i} lost committed block {h} in a crash")

    def _timers(self) -> None:
        for i in range(self.n):
            if i in self.down:
                continue
            rep = self.nodes[i].replica
            busy = bool(rep.pool) or rep.in_view_change
            key = (rep.view, rep.head.height)
            t = self.timers.get(i)
            if not busy:
                self.timers.pop(i, None)
                continue
            if t is None or (t[0], t[1]) != key:
                wait = self.timeout * (2 if rep.in_view_change else 1)
                self.timers[i] = (key[0], key[1], self.now + wait)
            elif self.now >= t[2]:
                self.timers.pop(i, None)
                self._deliver(i, Timeout(rep.view))

    # -- running -----------------------------------------------------------------------------------------------
    def run(self, max_ticks: int = 400) -> RunResult:
        while self.now < max_ticks:
            for i, t in list(self.down.items()):
                if self.now >= t:
                    self._restart(i)
            if self.partition is not None and self.now >= self.partition[1]:
                self.partition = None
            elif self.partition is None and self.rng.random() < self.faults.partition:
                side = set(self.rng.sample(range(self.n), self.rng.randrange(1, self.n)))
                self.partition = (side, self.now + self.faults.partition_len)
            while self.queue and self.queue[0][0] <= self.now:
                _, _, dst, msg = heapq.heappop(self.queue)
                self._deliver(dst, msg)
            self._timers()
            self.now += 1
            if self.awaited and not self.down and all(self.awaited <= self.committed_txs[i] for i in self.honest):
                break
            if not self.queue and not self.timers and not self.down and self.partition is None:
                break
        return self.finish()

    def finish(self) -> RunResult:
        for i in list(self.down):
            self._restart(i)
        for i in self.honest:
            chain = dict(self.nodes[i].db_chain())
            for h, d in self.commits[i].items():
                if chain.get(h) != d:
                    self.violations.append(f"seed {self.seed}: node {i} lost committed block {h}")
            if self.nodes[i].height() < self.must_reach.get(i, 0):
                self.violations.append(f"seed {self.seed}: node {i} recovered but is at height "
                                       f"{self.nodes[i].height()} < {self.must_reach[i]}")
        # every committed transaction is in the honest ledgers that reached its block
        result = RunResult(self.seed, {i: self.nodes[i].height() for i in range(self.n)},
                           sorted(set(self.violations)),
                           len(set().union(*(self.committed_txs[i] for i in self.honest))) if self.honest else 0,
                           self.messages, self.now, self.rejected, self.crashes,
                           {i: self.nodes[i].replica.view for i in range(self.n)})
        return result

    def close(self) -> None:
        for node in self.nodes.values():
            node.close()
        if self._tmp is not None:
            self._tmp.cleanup()
