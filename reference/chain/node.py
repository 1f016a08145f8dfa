"""A validator node: the spec's PBFT replica with its ledger persisted in SQLite.

One database per node, in WAL mode. The effects of a step that commits or sends — newly committed blocks with
their commit certificates, the state changes they cause, and the replica's consensus snapshot — are written in
one SQLite transaction before any outgoing message is released, so a crash at any point loses nothing
committed (and no vote is sent that a restarted node could contradict); a step that only received a message
may be lost like a dropped message. Restart reloads the chain, the state and the snapshot.
Invalid input raises a typed ``MedshareError`` and changes nothing, in memory or on disk.
"""

from __future__ import annotations

import copyreg
import pickle
import sqlite3
from pathlib import Path
from typing import Any

from ...spec.chain import auth
from ...spec.chain.block import Block, CommitCertificate
from ...spec.chain.merkle import state_root
from ...spec.chain.messages import Message, Timeout, decode_message
from ...spec.chain.pbft import Committed, Outgoing, PbftConfig, Replica, TxPool, new_replica, step
from ...spec.chain.state import genesis_state
from ...spec.chain.tx import Transaction
from ...spec.errors import MedshareError, fail

SCHEMA = """
CREATE TABLE IF NOT EXISTS blocks (height INTEGER PRIMARY KEY, hash BLOB NOT NULL, block BLOB NOT NULL,
                                   cert BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS state (key BLOB PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS consensus (id INTEGER PRIMARY KEY CHECK (id = 0), snapshot BLOB NOT NULL);
"""


class Crash(Exception):
    """Raised by an injected crash point; the node object must be discarded and restarted from its database."""


class ValidatorNode:
    """Replica ``index`` of a chain, persisting to ``path``."""

    def __init__(self, path: Path | str, cfg: PbftConfig, index: int, signer: auth.Signer | None,
                 *, synchronous: str = "NORMAL") -> None:
        self.path = Path(path)
        self.cfg, self.index, self.signer = cfg, index, signer
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"PRAGMA synchronous={synchronous}")
        self.db.executescript(SCHEMA)
        self.replica = self._load()

    # -- persistence ---------------------------------------------------------------------------------------
    def _load(self) -> Replica:
        rows = self.db.execute("SELECT block, cert FROM blocks ORDER BY height").fetchall()
        if not rows:
            if self.db.execute("SELECT COUNT(*) FROM state").fetchone()[0] == 0:
                self.db.execute("BEGIN")
                self.db.executemany("INSERT INTO state VALUES (?, ?)", sorted(genesis_state(self.cfg.chain).items()))
                self.db.execute("COMMIT")
        chain = tuple((Block.from_bytes(b), CommitCertificate.from_bytes(c)) for b, c in rows)
        app = dict(self.db.execute("SELECT key, value FROM state").fetchall())
        row = self.db.execute("SELECT snapshot FROM consensus WHERE id = 0").fetchone()
        snap = _thaw(pickle.loads(row[0])) if row else None
        if not chain and snap is None:
            return new_replica(self.cfg, self.index, self.signer)
        return Replica.restore(self.cfg, self.index, self.signer, chain, app, snap)

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
            self.db.execute("INSERT OR REPLACE INTO consensus VALUES (0, ?)", (pickle.dumps(_freeze(new)),))
            if crash == "before_commit":
                raise Crash("crash inside the transaction")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # -- input -----------------------------------------------------------------------------------------------
    def handle(self, message: Message | Timeout, *, crash: str | None = None) -> list[Outgoing]:
        """Step the replica; persist; return what to send. ``crash`` injects a crash "before_commit" (the
        transaction rolls back) or "after_commit" (the outgoing messages are lost)."""
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


def _pickle_tx(tx: Transaction) -> tuple[Any, tuple[bytes]]:
    return Transaction.from_bytes, (tx.to_bytes(),)


def _pickle_block(block: Block) -> tuple[Any, tuple[bytes]]:
    return Block.from_bytes, (block.to_bytes(),)


copyreg.pickle(Transaction, _pickle_tx)  # snapshots hold transactions and blocks in their canonical bytes
copyreg.pickle(Block, _pickle_block)


def _freeze(r: Replica) -> dict[str, Any]:
    """The consensus snapshot without derived data (states after pending blocks) and the transaction pool."""
    snap = r.consensus_snapshot()
    snap["pool"] = TxPool()
    snap["log"] = {key: _strip(s) for key, s in r.log.items()}
    return snap


def _strip(slot: Any) -> Any:
    s = slot.clone()
    if s.after is not None and not s.done:
        s.accepted, s.after = False, None
    elif s.done:
        s.after = None
    return s


def _thaw(snap: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(snap.get("pool"), TxPool):  # a snapshot written when the pool was a dict
        snap["pool"] = TxPool()
    return snap


def open_node(path: Path | str, cfg: PbftConfig, index: int, signer: auth.Signer | None) -> ValidatorNode:
    try:
        return ValidatorNode(path, cfg, index, signer)
    except sqlite3.DatabaseError as e:
        fail("INVALID_ARGUMENT", f"cannot open ledger {path}: {e}")


__all__ = ["Crash", "MedshareError", "ValidatorNode", "open_node"]
