"""A validator's SQLite ledger: its layout, the check every open runs, and recovery from damage
(spec/chain/chain.md, "Reference nodes" and "Consensus snapshots and ledger checks").

The ledger has three tables — ``blocks`` (height, block hash, block, commit certificate), ``state`` (key,
value) and ``consensus`` (one row: the snapshot of ``spec/chain/snapshot.py``) — and ``PRAGMA user_version``
= :data:`FORMAT`. A database with no table and version 0 is a new, empty ledger.

:func:`verify` checks, in this order, and reports the first problem:

1. the format version and the three tables (a missing blocks table makes height 1 the first bad one);
2. the blocks: heights contiguous from 1; each block and certificate decodes and is in canonical form; the
   stored hash is the block's; the certificate holds 2f+1 valid COMMIT signatures on this block
   (``pbft.verify_committed``); the block extends the one before it, from the genesis header, and replaying
   it with ``apply_block`` (parent, transaction root, every transaction, state root) succeeds;
3. the consensus snapshot: it decodes strictly, belongs to this replica, its evidence verifies
   (``pbft.check_snapshot``), and it was written at the stored head (a snapshot above the last block means the
   blocks after it are missing; blocks above the snapshot's head were not written by this node);
4. the state rows equal the state replayed from genesis through every block.

A damaged block makes its height the first bad one; the blocks below it are good. Damage to the snapshot or
the state rows names the table. :func:`repair` keeps the good blocks, rewrites the state replayed through them
and a snapshot at their head, after which the node catches up with its peers by state transfer (SYNC).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import attrs

from ...spec.chain.block import Block, CommitCertificate
from ...spec.chain.merkle import state_root
from ...spec.chain.pbft import Committed, PbftConfig, Replica, check_snapshot, verify_committed
from ...spec.chain.snapshot import ConsensusState, decode, encode
from ...spec.chain.state import apply_block, genesis_header, genesis_state
from ...spec.codec import to_hex
from ...spec.errors import MedshareError, fail

#: the ``PRAGMA user_version`` of a ledger in this layout
FORMAT = 1
TABLES = ("blocks", "state", "consensus")
SCHEMA = (
    "CREATE TABLE blocks (height INTEGER PRIMARY KEY, hash BLOB NOT NULL, block BLOB NOT NULL, cert BLOB NOT NULL)",
    "CREATE TABLE state (key BLOB PRIMARY KEY, value BLOB NOT NULL)",
    "CREATE TABLE consensus (id INTEGER PRIMARY KEY CHECK (id = 0), snapshot BLOB NOT NULL)",
)


@attrs.frozen
class LedgerReport:
    """The outcome of a check. ``heights``: block rows stored; ``good_height``: blocks 1..good_height are
    verified; ``first_bad_height``: the first missing or damaged block (None when the damage is elsewhere);
    ``table``: where the damage is; ``state_root``: the root of the state replayed through ``good_height``."""

    ok: bool
    reason: str
    first_bad_height: int | None
    table: str | None
    heights: int
    good_height: int
    state_root: bytes

    def message(self) -> str:
        if self.ok:
            return f"ledger ok: {self.good_height} blocks, state root {to_hex(self.state_root)}"
        if self.first_bad_height is not None:
            return f"ledger corrupt at height {self.first_bad_height}: {self.reason}"
        if self.table is not None:
            return f"ledger corrupt in table {self.table}: {self.reason}"
        return f"ledger corrupt: {self.reason}"

    def raise_if_corrupt(self) -> None:
        if not self.ok:
            fail("LEDGER_CORRUPT", self.message())

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "reason": self.reason, "firstBadHeight": self.first_bad_height, "table": self.table,
                "heights": self.heights, "goodHeight": self.good_height, "stateRoot": to_hex(self.state_root)}


@attrs.frozen
class Verified:
    """What :func:`verify` established: the report, the verified blocks (1..good_height) with the state replayed
    through them, and the stored snapshot when it decodes, is this replica's and its evidence verifies (it may
    still disagree with the chain: the report says so)."""

    report: LedgerReport
    chain: tuple[Committed, ...]
    state: dict[bytes, bytes]
    snapshot: ConsensusState | None
    empty: bool = False


class _Bad(Exception):
    """One problem found; :func:`verify` turns it into the report."""

    def __init__(self, reason: str, table: str | None, first_bad_height: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.table, self.first_bad_height = reason, table, first_bad_height


def _select(db: sqlite3.Connection, sql: str, table: str) -> list[Any]:
    try:
        return db.execute(sql).fetchall()
    except sqlite3.DatabaseError as e:
        raise _Bad(f"table {table} cannot be read: {e}", table) from None


def _blobs(row: tuple[Any, ...], names: tuple[str, ...], table: str, height: int | None = None) -> None:
    for name, value in zip(names, row):
        if type(value) is not bytes:
            raise _Bad(f"column {name} holds {type(value).__name__}, not a blob", table, height)


class _Replay:
    """The blocks verified so far and the state after them."""

    def __init__(self, cfg: PbftConfig) -> None:
        self.chain: list[Committed] = []
        self.state = genesis_state(cfg.chain)


def _check_blocks(db: sqlite3.Connection, cfg: PbftConfig, done: _Replay) -> None:
    """Verify the blocks in height order, recording the good ones in ``done``; raise ``_Bad`` at the first bad
    height (``done`` then holds the blocks below it and the state after them)."""
    chain = cfg.chain
    rows = _select(db, "SELECT height, hash, block, cert FROM blocks ORDER BY height", "blocks")
    head = genesis_header(chain)
    for h, (height, digest, raw_block, raw_cert) in enumerate(rows, 1):
        if height != h:
            raise _Bad(f"block {h} is missing (the next stored height is {height})", "blocks", h)
        _blobs((digest, raw_block, raw_cert), ("hash", "block", "cert"), "blocks", h)
        try:
            block = Block.from_bytes(raw_block)
            cert = CommitCertificate.from_bytes(raw_cert)
        except MedshareError as e:
            raise _Bad(f"block {h}: {e.code}: {e.message}", "blocks", h) from None
        if block.to_bytes() != raw_block or cert.to_bytes() != raw_cert:
            raise _Bad(f"block {h}: the block or certificate is not in canonical form", "blocks", h)
        if block.height != h:
            raise _Bad(f"block {h}: the stored block has height {block.height}", "blocks", h)
        if digest != block.block_hash():
            raise _Bad(f"block {h}: the stored hash is not the block's", "blocks", h)
        try:
            verify_committed(cfg, block, cert)
            state = apply_block(chain, done.state, head, block)
        except MedshareError as e:
            raise _Bad(f"block {h}: {e.code}: {e.message}", "blocks", h) from None
        head = block.header
        done.chain.append((block, cert))
        done.state = state


def _load_snapshot(db: sqlite3.Connection, cfg: PbftConfig, index: int | None) -> ConsensusState | None:
    """The stored snapshot (None if there is none), checked on its own; raises ``_Bad``."""
    rows = _select(db, "SELECT id, snapshot FROM consensus", "consensus")
    if not rows:
        return None
    if len(rows) > 1 or rows[0][0] != 0:
        raise _Bad(f"{len(rows)} rows, expected one with id 0", "consensus")
    _blobs(rows[0][1:], ("snapshot",), "consensus")
    try:
        snap = decode(rows[0][1])
        check_snapshot(cfg, snap)
    except MedshareError as e:
        raise _Bad(f"snapshot: {e.code}: {e.message}", "consensus") from None
    if index is not None and snap.index != index:
        raise _Bad(f"the snapshot is replica {snap.index}'s, not {index}'s", "consensus")
    return snap


def _check_state(db: sqlite3.Connection, replayed: dict[bytes, bytes], height: int) -> None:
    rows = _select(db, "SELECT key, value FROM state", "state")
    for row in rows:
        _blobs(row, ("key", "value"), "state")
    stored = dict(rows)
    if stored != replayed:
        key = min(k for k in stored.keys() | replayed.keys() if stored.get(k) != replayed.get(k))
        what = "extra" if key not in replayed else "missing" if key not in stored else "different"
        raise _Bad(f"state row {to_hex(key)[:80]} is {what}: the stored state is not the state replayed through "
                   f"height {height}", "state")


def _replay(cfg: PbftConfig, chain: tuple[Committed, ...]) -> dict[bytes, bytes]:
    head, state = genesis_header(cfg.chain), genesis_state(cfg.chain)
    for block, _ in chain:
        state = apply_block(cfg.chain, state, head, block)
        head = block.header
    return state


def verify(db: sqlite3.Connection, cfg: PbftConfig, index: int | None = None) -> Verified:
    """Check the ledger behind ``db`` (read only). ``index``: the replica the snapshot must belong to."""
    done = _Replay(cfg)
    try:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = db.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as e:
        return _verified(f"the database cannot be read: {e}", None, None, 0, (), done.state, None)
    if not tables and version == 0:
        report = LedgerReport(True, "", None, None, 0, 0, state_root(done.state))
        return Verified(report, (), done.state, None, True)
    problems: list[_Bad] = []  # in the order of the check; the first is reported
    if version != FORMAT:
        problems.append(_Bad(f"format version {version}, expected {FORMAT}", None))
    rows = 0
    if "blocks" not in tables:
        problems.append(_Bad("table blocks is missing", "blocks", 1))
    else:
        try:
            rows = _select(db, "SELECT COUNT(*) FROM blocks", "blocks")[0][0]
            _check_blocks(db, cfg, done)
        except _Bad as b:
            problems.append(b)
    snap: ConsensusState | None = None
    if "consensus" not in tables:
        problems.append(_Bad("table consensus is missing", "consensus"))
    else:
        try:
            snap = _load_snapshot(db, cfg, index)
        except _Bad as b:
            problems.append(b)
    n = len(done.chain)
    if not problems:
        if snap is None and n > 0:
            problems.append(_Bad(f"no consensus snapshot beside {n} blocks", "consensus"))
        elif snap is not None and snap.head.height > n:
            problems.append(_Bad(f"block {n + 1} is missing: the consensus snapshot was written at height "
                                 f"{snap.head.height}", "blocks", n + 1))
        elif snap is not None and snap.head.height < n:
            problems.append(_Bad(f"blocks above height {snap.head.height}, where the consensus snapshot was "
                                 "written", "blocks", snap.head.height + 1))
        elif snap is not None and snap.head != (done.chain[-1][0].header if n else genesis_header(cfg.chain)):
            problems.append(_Bad("the snapshot's head is not the stored head block", "consensus"))
    if not problems:
        try:
            if "state" not in tables:
                raise _Bad("table state is missing", "state")
            _check_state(db, done.state, n)
        except _Bad as b:
            problems.append(b)
    if not problems:
        report = LedgerReport(True, "", None, None, rows, n, state_root(done.state))
        return Verified(report, tuple(done.chain), done.state, snap)
    first = problems[0]
    good, state = tuple(done.chain), done.state
    bad_heights = [b.first_bad_height for b in problems if b.first_bad_height is not None]
    if bad_heights and min(bad_heights) - 1 < n:
        good = good[: min(bad_heights) - 1]
        state = _replay(cfg, good)
    return _verified(first.reason, first.first_bad_height, first.table, rows, good, state, snap)


def _verified(reason: str, first_bad: int | None, table: str | None, rows: int,
              chain: tuple[Committed, ...], state: dict[bytes, bytes], snap: ConsensusState | None) -> Verified:
    report = LedgerReport(False, reason, first_bad, table, rows, len(chain), state_root(state))
    return Verified(report, chain, state, snap)


def check_ledger(path: Path | str, cfg: PbftConfig, index: int | None = None) -> LedgerReport:
    """Check the ledger file at ``path`` without changing it (``INVALID_ARGUMENT`` if there is none)."""
    p = Path(path)
    if not p.is_file():
        fail("INVALID_ARGUMENT", f"no ledger file at {p}")
    db = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return verify(db, cfg, index).report
    finally:
        db.close()


def create(db: sqlite3.Connection, cfg: PbftConfig) -> None:
    """Lay out a new ledger at genesis."""
    _rewrite(db, cfg, (), genesis_state(cfg.chain), None)


def repair(db: sqlite3.Connection, cfg: PbftConfig, index: int, found: Verified) -> None:
    """Rewrite a damaged ledger from what :func:`verify` found good: the verified blocks, the state replayed
    through them, and the stored snapshot if it was written at their head — otherwise a snapshot at that head
    that keeps only the view (of the stored snapshot when its evidence verifies, else of the last block's
    certificate). One transaction: a crash leaves the damaged ledger, and the next open repairs it again."""
    chain = found.chain
    head = chain[-1][0].header if chain else genesis_header(cfg.chain)
    snap = found.snapshot
    if snap is None or snap.head != head:
        view = snap.view if snap is not None else chain[-1][1].view if chain else 0
        snap = attrs.evolve(Replica.restore(cfg, index, None, chain, found.state, None).consensus_snapshot(),
                            view=view)
    _rewrite(db, cfg, chain, found.state, snap)


def _rewrite(db: sqlite3.Connection, cfg: PbftConfig, chain: tuple[Committed, ...], state: dict[bytes, bytes],
             snap: ConsensusState | None) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        for t in TABLES:
            db.execute(f"DROP TABLE IF EXISTS {t}")
        for statement in SCHEMA:
            db.execute(statement)
        db.executemany("INSERT INTO blocks VALUES (?, ?, ?, ?)",
                       [(b.height, b.block_hash(), b.to_bytes(), c.to_bytes()) for b, c in chain])
        db.executemany("INSERT INTO state VALUES (?, ?)", sorted(state.items()))
        if snap is not None:
            db.execute("INSERT INTO consensus VALUES (0, ?)", (encode(snap),))
        db.execute(f"PRAGMA user_version = {FORMAT}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


__all__ = ["FORMAT", "LedgerReport", "Verified", "check_ledger", "create", "repair", "verify"]
