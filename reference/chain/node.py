"""A validator node: the spec's PBFT replica with its ledger persisted in SQLite.

One database per node, in WAL mode, laid out and checked by ``ledger.py``. The effects of a step that commits
or sends — newly committed blocks with their commit certificates, the state changes they cause, and the
replica's consensus snapshot (``spec/chain/snapshot.py``) — are written in one SQLite transaction before any
outgoing message is released, so a crash at any point loses nothing committed (and no vote is sent that a
restarted node could contradict); a step that only received a message may be lost like a dropped message.
Opening a node verifies its whole ledger (``ledger.verify``) and refuses a damaged one with ``LEDGER_CORRUPT``;
with ``recover=True`` it keeps the verified blocks below the damage, rewrites the rest and then catches up
with its peers by state transfer (:meth:`ValidatorNode.catch_up`).
Invalid input raises a typed ``MedshareError`` and changes nothing, in memory or on disk.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from ...spec.chain import auth
from ...spec.chain.merkle import state_root
from ...spec.chain.messages import BlockSync, Message, SyncRequest, Timeout, decode_message
from ...spec.chain.pbft import Committed, Outgoing, PbftConfig, Replica, new_replica, step
from ...spec.chain.snapshot import encode
from ...spec.errors import MedshareError
from . import ledger
from .ledger import LedgerReport


class Crash(Exception):
    """Raised by an injected crash point; the node object must be discarded and restarted from its database."""


class ValidatorNode:
    """Replica ``index`` of a chain, persisting to ``path``. ``recovered`` is the damage found and repaired on
    open (None if the ledger was sound)."""

    def __init__(self, path: Path | str, cfg: PbftConfig, index: int, signer: auth.Signer | None,
                 *, synchronous: str = "NORMAL", recover: bool = False) -> None:
        self.path = Path(path)
        self.cfg, self.index, self.signer = cfg, index, signer
        self.recovered: LedgerReport | None = None
        self.sync_from: int | None = None  # while catching up (see catch_up): the height last asked from
        self.early: dict[int, list[BlockSync]] = {}  # while catching up: blocks that came ahead of the head
        self.last_committed: list[Committed] = []
        self.db = sqlite3.connect(self.path, isolation_level=None)
        try:
            self.replica = self._load(recover)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(f"PRAGMA synchronous={synchronous}")
        except BaseException:
            self.db.close()
            raise

    # -- persistence ---------------------------------------------------------------------------------------
    def _load(self, recover: bool) -> Replica:
        found = ledger.verify(self.db, self.cfg, self.index)
        if found.empty:
            ledger.create(self.db, self.cfg)
            return new_replica(self.cfg, self.index, self.signer)
        if not found.report.ok:
            if not recover:
                found.report.raise_if_corrupt()
            ledger.repair(self.db, self.cfg, self.index, found)
            self.recovered = found.report
            found = ledger.verify(self.db, self.cfg, self.index)
            found.report.raise_if_corrupt()
        if not found.chain and found.snapshot is None:
            return new_replica(self.cfg, self.index, self.signer)
        return Replica.restore(self.cfg, self.index, self.signer, found.chain, found.state, found.snapshot)

    def _persist(self, new: Replica, committed: list[Committed], crash: str | None) -> None:
        old_app = self.replica.app
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for block, cert in committed:
                self.db.execute("INSERT INTO blocks VALUES (?, ?, ?, ?)",
                                (block.height, block.block_hash(), block.to_bytes(), cert.to_bytes()))
            if committed:
                changed = [(k, v) for k, v in new.app.items() if old_app.get(k) != v]
                self.db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)", changed)
                gone = [(k,) for k in old_app if k not in new.app]
                self.db.executemany("DELETE FROM state WHERE key = ?", gone)
            self.db.execute("INSERT OR REPLACE INTO consensus VALUES (0, ?)", (encode(new.consensus_snapshot()),))
            if crash == "before_commit":
                raise Crash("crash inside the transaction")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def catch_up(self) -> list[Outgoing]:
        """Ask every peer for the blocks above the head (SYNC), as a node does after a recovery. Until the node
        commits a block by consensus again, :meth:`handle` keeps blocks that arrive ahead of the head (the
        network reorders) and applies them in order, and asks for the next batch when a whole one came."""
        self.sync_from = self.height() + 1
        self.early = {}
        return [(None, SyncRequest(self.sync_from, self.index))]

    # -- input -----------------------------------------------------------------------------------------------
    def handle(self, message: Message | Timeout, *, crash: str | None = None) -> list[Outgoing]:
        """Step the replica; persist; return what to send. ``crash`` injects a crash "before_commit" (the
        transaction rolls back) or "after_commit" (the outgoing messages are lost)."""
        if (self.sync_from is not None and isinstance(message, BlockSync)
                and self.height() + 1 < message.block.height < self.sync_from + self.cfg.sync_batch):
            kept = self.early.setdefault(message.block.height, [])
            if message not in kept and len(kept) < self.cfg.n:
                kept.append(message)  # checked when the blocks below it are in
            self.last_committed = []
            return []
        out = self._step(message, crash)
        if self.sync_from is None:
            return out
        if self.last_committed and not isinstance(message, BlockSync):
            self.sync_from, self.early = None, {}  # committing by consensus again: caught up
            return out
        committed = list(self.last_committed)
        while self.height() + 1 in self.early:
            for m in self.early.pop(self.height() + 1):
                try:
                    out += self._step(m, None)
                except MedshareError:
                    continue  # a bad copy: another peer's may be good
                committed += self.last_committed
                break
        self.last_committed = committed
        if committed and self.height() >= self.sync_from + self.cfg.sync_batch - 1:
            self.sync_from, self.early = self.height() + 1, {}  # a whole batch came: there may be more
            out.append((None, SyncRequest(self.sync_from, self.index)))
        return out

    def _step(self, message: Message | Timeout, crash: str | None) -> list[Outgoing]:
        new, out, committed = step(self.replica, message)
        if committed or out:
            # what the replica sends (its votes) and commits must survive a crash; what it only received may
            # be lost like a dropped message
            self._persist(new, committed, crash)
        elif crash == "before_commit":
            raise Crash("crash before anything was written")
        self.replica = new
        self.last_committed = committed
        if crash == "after_commit":
            raise Crash("crash after the commit")
        return out

    def handle_bytes(self, data: bytes) -> list[Outgoing]:
        """Decode a network message strictly, then :meth:`handle` it."""
        return self.handle(decode_message(data))

    # -- inspection ------------------------------------------------------------------------------------------
    def height(self) -> int:
        return self.replica.head.height

    def db_chain(self) -> list[tuple[int, bytes]]:
        return [(h, bytes(d)) for h, d in self.db.execute("SELECT height, hash FROM blocks ORDER BY height")]

    def db_state(self) -> dict[bytes, bytes]:
        return {bytes(k): bytes(v) for k, v in self.db.execute("SELECT key, value FROM state")}

    def db_fingerprint(self) -> tuple[Any, ...]:
        """Everything in the ledger tables (blocks and state), to show that bad input changes nothing."""
        return (tuple(self.db.execute("SELECT * FROM blocks ORDER BY height")),
                tuple(self.db.execute("SELECT * FROM state ORDER BY key")))

    def state_root(self) -> bytes:
        return state_root(self.db_state())

    def close(self) -> None:
        self.db.close()


__all__ = ["Crash", "ValidatorNode"]
