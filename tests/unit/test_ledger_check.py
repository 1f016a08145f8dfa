"""The ledger check every node runs on open (reference/chain/ledger.py), recovery from damage, and the
corruption campaign.

The campaign damages copies of one real ledger (four validators, a silent primary, so the snapshot holds a
view change, a new-view message, prepared proofs and log slots) in every way below and requires each copy to
be refused with ``LEDGER_CORRUPT`` — by ``check_ledger`` and by opening a node — naming the expected height or
table, and then to be repaired (``recover=True``) to a verified prefix of the original chain with the state
replayed through it. No damage lies in a place the node may ignore: every column of every table is either
verified or compared with what the blocks imply, so nothing is silently accepted. Sizes: 200 cases by default,
2,000 with HYPOTHESIS_PROFILE=thorough, or MEDSHARE_LEDGER_CAMPAIGN=N.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from medshare.reference.chain.ledger import FORMAT, check_ledger
from medshare.reference.chain.node import ValidatorNode
from medshare.reference.chain.sim import Faults, Simulation
from medshare.reference.testbed import Deployment, Workload, get_group, make_deployment
from medshare.spec.chain.block import Block
from medshare.spec.chain.tx import MDC, Transaction
from medshare.spec.errors import MedshareError

SIZES = {"thorough": 2000}
SHM = Path("/dev/shm") if Path("/dev/shm").is_dir() else None


@lru_cache(maxsize=1)
def deployment() -> Deployment:
    return make_deployment(get_group("native"), "ledger-check", cache={})


def _txs(tag: str, count: int) -> list[Transaction]:
    w = Workload(deployment(), tag)
    return [w.tx(MDC, "DEVICE_REGISTER", f"mdc-v{i % 4}", device=f"{tag}-{i}", ibe_identity=f"{tag}-{i}@x")
            for i in range(count)]


@lru_cache(maxsize=1)
def template() -> tuple[Path, dict[int, Block]]:
    """Node 1's ledger after a view change (node 0, the first primary, is silent) and a few blocks, with the
    blocks it holds. Kept for the whole session."""
    dep = deployment()
    work = Path(tempfile.mkdtemp(prefix="medshare-ledger-", dir=SHM))
    (work / "sim").mkdir()
    sim = Simulation(dep, dep.mdc, 11, byzantine=[0], behaviour="silent", faults=Faults(max_delay=2),
                     workdir=work / "sim")
    txs = _txs("tmpl", 8)
    for k, tx in enumerate(txs):
        sim.submit([tx], at=0 if k == 0 else 60 + k * 5)  # the first waits for the view change
    res = sim.run(max_ticks=600)
    assert res.ok and res.heights[1] >= 5 and res.views[1] >= 1, res
    blocks = {b.height: b for b, _ in sim.nodes[1].replica.chain}
    snap = sim.nodes[1].replica.consensus_snapshot()
    assert snap.last_new_view is not None and snap.log, "the template snapshot should hold a view change"
    sim.close()
    path = work / "template.sqlite"
    shutil.copy(work / "sim" / "node1.sqlite", path)
    return path, blocks


def _copy(tmp: Path) -> Path:
    src, _ = template()
    dst = tmp / "ledger.sqlite"
    shutil.copy(src, dst)
    return dst


def _sql(path: Path, *statements: tuple[str, tuple[Any, ...]]) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    try:
        for sql, args in statements:
            db.execute(sql, args)
    finally:
        db.close()


def _one(path: Path, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


def _open_fails(path: Path) -> str:
    dep = deployment()
    with pytest.raises(MedshareError) as e:
        ValidatorNode(path, dep.mdc, 1, None)
    assert e.value.code == "LEDGER_CORRUPT", e.value
    return e.value.message


# ---- the sound ledger ------------------------------------------------------------------------------------------

def test_a_sound_ledger_checks_and_the_check_changes_nothing(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    _, blocks = template()
    before = path.read_bytes()
    report = check_ledger(path, deployment().mdc, 1)
    assert report.ok and report.first_bad_height is None and report.table is None, report
    assert report.heights == report.good_height == max(blocks)
    assert report.state_root == blocks[max(blocks)].header.state_root
    assert report.to_json()["ok"] is True and "ledger ok" in report.message()
    assert path.read_bytes() == before
    node = ValidatorNode(path, deployment().mdc, 1, None)
    assert node.height() == max(blocks) and node.recovered is None
    node.close()


def test_empty_missing_and_foreign_files(tmp_path: Path) -> None:
    cfg = deployment().mdc
    with pytest.raises(MedshareError) as e:
        check_ledger(tmp_path / "nothing.sqlite", cfg)
    assert e.value.code == "INVALID_ARGUMENT"
    sqlite3.connect(tmp_path / "empty.sqlite").close()
    (tmp_path / "empty.sqlite").touch()
    report = check_ledger(tmp_path / "empty.sqlite", cfg)
    assert report.ok and report.heights == 0  # a new ledger: the node lays it out at genesis
    (tmp_path / "junk.sqlite").write_bytes(b"not a database" * 100)
    report = check_ledger(tmp_path / "junk.sqlite", cfg)
    assert not report.ok and "cannot be read" in report.reason
    assert "cannot be read" in _open_fails(tmp_path / "junk.sqlite")
    other = tmp_path / "other.sqlite"  # someone else's SQLite file
    _sql(other, ("CREATE TABLE t (x)", ()))
    assert check_ledger(other, cfg).reason == f"format version 0, expected {FORMAT}"


def test_a_snapshot_of_another_replica_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    report = check_ledger(path, deployment().mdc, 2)
    assert not report.ok and report.table == "consensus" and "replica 1's, not 2's" in report.reason


def test_a_pickled_snapshot_is_refused_and_runs_nothing(tmp_path: Path) -> None:
    """A snapshot column holding a pickle stream that would run a shell command when unpickled: the node
    refuses the ledger and the command never runs."""
    path = _copy(tmp_path)
    marker = tmp_path / "ran"
    payload = b"cposix\nsystem\n(V" + f"touch {marker}".encode() + b"\ntR."
    _sql(path, ("UPDATE consensus SET snapshot = ?", (payload,)))
    report = check_ledger(path, deployment().mdc)
    assert not report.ok and report.table == "consensus" and "MALFORMED_ENCODING" in report.reason
    _open_fails(path)
    node = ValidatorNode(path, deployment().mdc, 1, None, recover=True)
    node.close()
    assert not marker.exists()


# ---- recovery in the simulator ----------------------------------------------------------------------------------

def _drop_block(h: int) -> Callable[[Path], None]:
    return lambda p: _sql(p, ("DELETE FROM blocks WHERE height = ?", (h,)))


def _set_state_row(p: Path) -> None:
    key = _one(p, "SELECT key FROM state ORDER BY key LIMIT 1")[0][0]
    _sql(p, ("UPDATE state SET value = ? WHERE key = ?", (b"forged", key)))


def _garble_snapshot(p: Path) -> None:
    _sql(p, ("UPDATE consensus SET snapshot = substr(snapshot, 1, 40)", ()))


@pytest.mark.parametrize("damage, first_bad", [(_drop_block(2), 2), (_set_state_row, None),
                                               (_garble_snapshot, None), (_drop_block(-1), "head")])
def test_a_damaged_node_recovers_in_the_simulator(tmp_path: Path, damage: Callable[[Path], None],
                                                  first_bad: int | str | None) -> None:
    """A node's database is damaged while it is down: on restart it finds the damage, keeps the good blocks,
    catches up by state transfer and ends with the others' chain and state root."""
    dep = deployment()
    sim = Simulation(dep, dep.mdc, 5, faults=Faults(max_delay=2), workdir=tmp_path)
    txs = _txs(f"rec-{first_bad}", 24)
    for k, tx in enumerate(txs[:20]):
        sim.submit([tx], at=k * 3)
    sim.run(max_ticks=300)
    height = sim.nodes[2].height()
    assert height >= 12
    if first_bad == "head":
        damage, first_bad = _drop_block(height), height
    sim.damage(2, damage)
    sim.submit(txs[20:], at=sim.now + 20)
    res = sim.run(max_ticks=sim.now + 600)
    assert res.ok, res.violations
    [(node, report)] = sim.recoveries
    assert node == 2 and not report.ok and report.first_bad_height == first_bad, report
    assert len({n.replica.head for n in sim.nodes.values()}) == 1 and sim.nodes[2].height() > height
    assert len({n.state_root() for n in sim.nodes.values()}) == 1
    sim.close()
    reports = [check_ledger(sim.path(i), dep.mdc, i) for i in range(4)]
    assert all(r.ok for r in reports) and len({(r.good_height, r.state_root) for r in reports}) == 1


# ---- the corruption campaign ------------------------------------------------------------------------------------

Expected = tuple[int | None, str]  # (first bad height, table) the report must name


def _heights(p: Path) -> list[int]:
    return [h for (h,) in _one(p, "SELECT height FROM blocks ORDER BY height")]


def _changed(rng: random.Random, data: bytes) -> bytes:
    """``data`` with 1 to 3 random bits flipped (at least one byte differs)."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out) if bytes(out) != data else bytes([data[0] ^ 1]) + data[1:]


def _state_update(p: Path, rng: random.Random) -> Expected:
    key, value = rng.choice(_one(p, "SELECT key, value FROM state ORDER BY key"))
    new = _changed(rng, value) if value and rng.random() < 0.5 else value + rng.randbytes(rng.randint(1, 8))
    _sql(p, ("UPDATE state SET value = ? WHERE key = ?", (new, key)))
    return None, "state"


def _state_delete(p: Path, rng: random.Random) -> Expected:
    (key,) = rng.choice(_one(p, "SELECT key FROM state ORDER BY key"))
    _sql(p, ("DELETE FROM state WHERE key = ?", (key,)))
    return None, "state"


def _state_insert(p: Path, rng: random.Random) -> Expected:
    (key,) = rng.choice(_one(p, "SELECT key FROM state ORDER BY key"))
    new = key + b"/" + rng.randbytes(rng.randint(1, 16))  # a plausible key beside an existing one
    _sql(p, ("INSERT INTO state VALUES (?, ?)", (new, rng.randbytes(rng.randint(0, 64)))))
    return None, "state"


def _delete_head(p: Path, rng: random.Random) -> Expected:
    h = _heights(p)[-1]
    _sql(p, ("DELETE FROM blocks WHERE height = ?", (h,)))
    return h, "blocks"


def _delete_middle(p: Path, rng: random.Random) -> Expected:
    h = rng.choice(_heights(p)[:-1])
    _sql(p, ("DELETE FROM blocks WHERE height = ?", (h,)))
    return h, "blocks"


def _overwrite_block(p: Path, rng: random.Random) -> Expected:
    h, other = rng.sample(_heights(p), 2)
    columns = rng.choice([("block",), ("block", "hash"), ("block", "hash", "cert")])
    src = _one(p, f"SELECT {', '.join(columns)} FROM blocks WHERE height = ?", (other,))[0]
    sets = ", ".join(f"{c} = ?" for c in columns)
    _sql(p, (f"UPDATE blocks SET {sets} WHERE height = ?", (*src, h)))
    return h, "blocks"


def _swap_certs(p: Path, rng: random.Random) -> Expected:
    a, b = sorted(rng.sample(_heights(p), 2))
    ca = _one(p, "SELECT cert FROM blocks WHERE height = ?", (a,))[0][0]
    cb = _one(p, "SELECT cert FROM blocks WHERE height = ?", (b,))[0][0]
    _sql(p, ("UPDATE blocks SET cert = ? WHERE height = ?", (cb, a)), ("UPDATE blocks SET cert = ? WHERE height = ?",
                                                                       (ca, b)))
    return a, "blocks"


def _drop_table(p: Path, rng: random.Random) -> Expected:
    table = rng.choice(["blocks", "state", "consensus"])
    _sql(p, (f"DROP TABLE {table}", ()))
    return (1, "blocks") if table == "blocks" else (None, table)


def _snapshot_truncate(p: Path, rng: random.Random) -> Expected:
    (snap,) = _one(p, "SELECT snapshot FROM consensus")[0]
    _sql(p, ("UPDATE consensus SET snapshot = ?", (snap[: rng.randrange(len(snap))],)))
    return None, "consensus"


def _snapshot_garble(p: Path, rng: random.Random) -> Expected:
    (snap,) = _one(p, "SELECT snapshot FROM consensus")[0]
    i = rng.randrange(len(snap))
    j = min(len(snap), i + rng.randint(1, 64))
    new = snap[:i] + rng.randbytes(rng.randint(0, 64)) + snap[j:]
    _sql(p, ("UPDATE consensus SET snapshot = ?", (new if new != snap else _changed(rng, snap),)))
    return None, "consensus"


def _blob_flip(p: Path, rng: random.Random) -> Expected:
    cells = ([("blocks", c, "height", h) for h in _heights(p) for c in ("hash", "block", "cert")]
             + [("state", c, "key", k) for (k,) in _one(p, "SELECT key FROM state") for c in ("key", "value")]
             + [("consensus", "snapshot", "id", 0)])
    while True:
        table, column, pk, at = rng.choice(cells)
        (value,) = _one(p, f"SELECT {column} FROM {table} WHERE {pk} = ?", (at,))[0]
        if not value:
            continue
        try:
            _sql(p, (f"UPDATE {table} SET {column} = ? WHERE {pk} = ?", (_changed(rng, value), at)))
        except sqlite3.IntegrityError:  # a flipped state key that another row has
            continue
        return (at, "blocks") if table == "blocks" else (None, table)


def _pickle_payload(p: Path, rng: random.Random) -> Expected:
    marker = p.parent / "ran"
    command = rng.choice([f"touch {marker}", f"echo x > {marker}"]).encode()
    payload = rng.choice([b"cposix\nsystem\n(V" + command + b"\ntR.",
                          b"\x80\x04cos\nsystem\n(V" + command + b"\ntR."])
    _sql(p, ("UPDATE consensus SET snapshot = ?", (payload,)))
    return None, "consensus"


DAMAGES: dict[str, Callable[[Path, random.Random], Expected]] = {
    "update a state row": _state_update, "delete a state row": _state_delete, "insert a state row": _state_insert,
    "delete the head block": _delete_head, "delete a middle block": _delete_middle,
    "overwrite a block with another's": _overwrite_block, "swap two certificates": _swap_certs,
    "drop a table": _drop_table, "truncate the snapshot": _snapshot_truncate,
    "garble the snapshot": _snapshot_garble, "flip bits in a blob": _blob_flip,
    "a pickle stream as the snapshot": _pickle_payload,
}


def _case(seed: int, tmp: Path) -> tuple[str, str]:
    """Damage a copy of the template; returns (class, outcome): "recovered" when the damage was refused with
    the expected height or table and then repaired, else what went wrong."""
    rng = random.Random(seed)
    name = list(DAMAGES)[seed % len(DAMAGES)]
    work = tmp / str(seed)
    work.mkdir()
    path = _copy(work)
    _, blocks = template()
    cfg = deployment().mdc
    expected = DAMAGES[name](path, rng)
    report = check_ledger(path, cfg, 1)
    if report.ok:
        return name, "silently accepted"
    if (report.first_bad_height, report.table) != expected:
        return name, f"misattributed: {report.message()} (expected {expected})"
    try:
        ValidatorNode(path, cfg, 1, None)
        return name, "opened"
    except MedshareError as e:
        if e.code != "LEDGER_CORRUPT" or e.message != report.message():
            return name, f"open raised {e}"
    node = ValidatorNode(path, cfg, 1, None, recover=True)
    g = node.height()
    kept = [b.block_hash() for b, _ in node.replica.chain]
    root = node.state_root()
    node.close()
    if node.recovered != report or g != report.good_height:
        return name, f"recovery found {node.recovered} instead of {report}"
    if kept != [blocks[h].block_hash() for h in range(1, g + 1)] or (g and root != blocks[g].header.state_root):
        return name, "recovered to something other than a prefix of the chain"
    after = check_ledger(path, cfg, 1)
    if not after.ok or after.good_height != g:
        return name, f"still corrupt after recovery: {after.message()}"
    if (work / "ran").exists():
        return name, "code ran"
    return name, "recovered"


def _campaign_size() -> int:
    if "MEDSHARE_LEDGER_CAMPAIGN" in os.environ:
        return int(os.environ["MEDSHARE_LEDGER_CAMPAIGN"])
    return SIZES.get(os.environ.get("HYPOTHESIS_PROFILE", ""), 200)


def test_corruption_campaign(tmp_path: Path) -> None:
    n = _campaign_size()
    outcomes: dict[str, Counter[str]] = {name: Counter() for name in DAMAGES}
    failures = []
    for seed in range(n):
        try:
            name, outcome = _case(seed, tmp_path)
        except Exception as e:  # a traceback is a failure of the check, reported with its seed
            name, outcome = list(DAMAGES)[seed % len(DAMAGES)], f"traceback: {type(e).__name__}: {e}"
        outcomes[name][outcome] += 1
        if outcome != "recovered":
            failures.append((seed, name, outcome))
    for name, counts in outcomes.items():
        print(f"{name}: {sum(counts.values())} cases, {counts['recovered']} refused and recovered")
    assert not failures, f"{len(failures)} of {n} cases: {failures[:5]}"
    assert all(sum(c.values()) >= n // len(DAMAGES) for c in outcomes.values())
