"""PBFT as a state machine and the SQLite validator nodes: normal case, view change, checkpoints, crash and
restart, and bad input that must leave the ledger unchanged."""

from __future__ import annotations

import tempfile
from collections import deque
from functools import lru_cache
from pathlib import Path

import attrs
import pytest
from medshare.reference.chain.deploy import validator_signers
from medshare.reference.chain.node import Crash, ValidatorNode
from medshare.reference.testbed import Deployment, Workload, get_group, make_deployment
from medshare.spec.chain.messages import ClientTx, NewView, PrePrepare, Timeout, ViewChange, Vote, decode_message
from medshare.spec.chain.pbft import Replica, new_replica, step
from medshare.spec.chain.tx import MDC
from medshare.spec.errors import MedshareError


@lru_cache(maxsize=1)
def deployment() -> Deployment:
    return make_deployment(get_group("native"), "pbft-tests", cache={})


def _txs(n: int, tag: str) -> list:  # type: ignore[type-arg]
    w = Workload(deployment(), tag)
    return [w.tx(MDC, "DEVICE_REGISTER", f"mdc-v{i % 4}", device=f"{tag}-{i}", ibe_identity=f"{tag}-{i}@x")
            for i in range(n)]


def _run(replicas: list[Replica], inbox: deque, drop=lambda dst, m: False) -> list[list]:  # type: ignore[no-untyped-def,type-arg]
    """Deliver messages in FIFO order until quiet; returns the committed blocks per replica."""
    committed: list[list] = [[] for _ in replicas]  # type: ignore[type-arg]
    while inbox:
        dst, msg = inbox.popleft()
        if drop(dst, msg):
            continue
        try:
            replicas[dst], out, done = step(replicas[dst], msg)
        except MedshareError:
            continue
        committed[dst] += done
        for d, m in out:
            for t in ([d] if d is not None else [i for i in range(len(replicas)) if i != dst]):
                inbox.append((t, m))
    return committed


def test_normal_case_commits_identical_blocks_and_checkpoints_collect_garbage() -> None:
    dep = deployment()
    cfg = dep.mdc
    reps = [new_replica(cfg, i, s) for i, s in enumerate(validator_signers(dep, cfg))]
    inbox: deque = deque()  # type: ignore[type-arg]
    for batch in range(3):
        for tx in _txs(2, f"n{batch}"):
            inbox.extend((i, ClientTx(tx)) for i in range(4))
        _run(reps, inbox)
    heights = {r.head.height for r in reps}
    assert heights == {6}  # the primary proposes as soon as it holds a transaction: one per block here
    assert len({r.head.block_hash() for r in reps}) == 1
    assert all(r.low == 6 for r in reps)  # checkpoint interval 2: height 6 is stable
    assert all(not r.log and not r.prepared for r in reps)  # the log below the low water mark is gone
    for b, cert in reps[0].chain:
        assert len(cert.signatures) == 3 and cert.block_hash == b.block_hash()


def test_step_is_pure_and_rejects_bad_messages_with_codes() -> None:
    dep = deployment()
    cfg = dep.mdc
    reps = [new_replica(cfg, i, s) for i, s in enumerate(validator_signers(dep, cfg))]
    tx = _txs(1, "pure")[0]
    r0, out, _ = step(reps[0], ClientTx(tx))
    pp = next(m for _, m in out if isinstance(m, PrePrepare))
    before = reps[1].consensus_snapshot()
    r1, out1, _ = step(reps[1], pp)
    assert reps[1].consensus_snapshot() == before and r1.log != reps[1].log
    prepare = next(m for _, m in out1 if isinstance(m, Vote))
    bad = {
        "VOTE_SIGNATURE_INVALID": attrs.evolve(prepare, sig=bytes(48)),
        "NOT_A_VALIDATOR": attrs.evolve(prepare, replica=9),
        "SEQUENCE_OUT_OF_WINDOW": attrs.evolve(prepare, seq=99),
    }
    for code, m in bad.items():
        with pytest.raises(MedshareError) as e:
            step(r1, m)
        assert e.value.code == code
    # a second, different proposal for the same (view, seq) is equivocation
    tx2 = _txs(2, "pure2")[1]
    r0b, out_b, _ = step(new_replica(cfg, 0, validator_signers(dep, cfg)[0]), ClientTx(tx2))
    pp2 = next(m for _, m in out_b if isinstance(m, PrePrepare))
    with pytest.raises(MedshareError) as e:
        step(r1, pp2)
    assert e.value.code == "EQUIVOCATION"
    # a stale view
    r1_vc, _, _ = step(r1, Timeout(0))
    r1_vc, _, _ = step(r1_vc, Timeout(0))
    assert r1_vc.view == 1 and r1_vc.in_view_change
    with pytest.raises(MedshareError) as e:
        step(r1_vc, prepare)
    assert e.value.code == "STALE_VIEW"
    del r0, r0b


def test_view_change_after_silent_primary_keeps_prepared_block() -> None:
    dep = deployment()
    cfg = dep.mdc
    reps = [new_replica(cfg, i, s) for i, s in enumerate(validator_signers(dep, cfg))]
    inbox: deque = deque()  # type: ignore[type-arg]
    txs = _txs(2, "vc")
    inbox.extend((i, ClientTx(txs[0])) for i in range(4))
    # commits never arrive: the block prepares but does not commit
    _run(reps, inbox, drop=lambda d, m: isinstance(m, Vote) and m.phase == "COMMIT")
    prepared = {r.prepared[1].block.block_hash() for r in reps if 1 in r.prepared}
    assert len(prepared) == 1 and all(r.head.height == 0 for r in reps)
    # the primary goes silent; the others time out twice (retransmit, then view change)
    for _ in range(2):
        inbox.extend((i, Timeout(0)) for i in (1, 2, 3))
        _run(reps, inbox, drop=lambda d, m: d == 0 or (isinstance(m, Vote) and m.phase == "COMMIT" and m.view == 0))
    assert {r.view for r in reps[1:]} == {1} and not any(r.in_view_change for r in reps[1:])
    assert all(r.head.height == 1 and r.head.block_hash() in prepared for r in reps[1:])
    # the new primary (1) proposes the next transaction in view 1
    inbox.extend((i, ClientTx(txs[1])) for i in (1, 2, 3))
    _run(reps, inbox, drop=lambda d, m: d == 0)
    assert {r.head.height for r in reps[1:]} == {2}
    assert reps[1].chain[-1][0].header.view == 1
    # replica 0 catches up by state transfer once it can hear again
    inbox.extend([(0, Timeout(0)), (0, Timeout(0))])
    _run(reps, inbox)
    assert reps[0].head == reps[1].head


def test_new_view_must_be_justified() -> None:
    dep = deployment()
    cfg = dep.mdc
    reps = [new_replica(cfg, i, s) for i, s in enumerate(validator_signers(dep, cfg))]
    vcs = []
    for i in (0, 2, 3):
        for _ in range(2):
            reps[i], out, _ = step(reps[i], Timeout(reps[i].view))
        vcs += [m for _, m in out if isinstance(m, ViewChange)]
    r1 = reps[1]
    for vc in vcs:
        r1, out, _ = step(r1, vc)
    nv = next(m for _, m in out if isinstance(m, NewView))
    from medshare.spec.chain import auth
    short = attrs.evolve(nv, view_changes=nv.view_changes[:2])
    short = attrs.evolve(short, sig=auth.sign_vote(dep.group, validator_signers(dep, cfg)[1],
                                                   short.signed_bytes(cfg.chain.chain_id)))
    for bad, code in [(short, "VIEW_CHANGE_INVALID"),
                      (attrs.evolve(nv, sig=bytes(48)), "VOTE_SIGNATURE_INVALID")]:
        with pytest.raises(MedshareError) as e:
            step(reps[0], bad)
        assert e.value.code == code
    ok, _, _ = step(reps[0], nv)
    assert ok.view == 1 and not ok.in_view_change
    # on the wire: a real NEW-VIEW (and each view change it carries) decodes to itself
    assert decode_message(nv.to_bytes()) == nv
    assert all(decode_message(vc.to_bytes()) == vc for vc in nv.view_changes)


# -- SQLite nodes --------------------------------------------------------------------------------------------

def _nodes(tmp: Path) -> list[ValidatorNode]:
    dep = deployment()
    return [ValidatorNode(tmp / f"n{i}.sqlite", dep.mdc, i, s) for i, s in enumerate(validator_signers(dep, dep.mdc))]


def _pump(nodes: list[ValidatorNode], inbox: deque, crash_at: int | None = None) -> None:  # type: ignore[type-arg]
    k = 0
    while inbox:
        dst, msg = inbox.popleft()
        k += 1
        try:
            out = nodes[dst].handle(msg, crash="before_commit" if k == crash_at else None)
        except Crash:
            nodes[dst].close()
            dep = deployment()
            nodes[dst] = ValidatorNode(nodes[dst].path, dep.mdc, dst, validator_signers(dep, dep.mdc)[dst])
            continue
        except MedshareError:
            continue
        for d, m in out:
            inbox.extend((t, m) for t in ([d] if d is not None else [i for i in range(4) if i != dst]))


def test_nodes_persist_and_resume_after_crashes() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        nodes = _nodes(Path(tmp))
        inbox: deque = deque()  # type: ignore[type-arg]
        for tx in _txs(3, "persist"):
            inbox.extend((i, ClientTx(tx)) for i in range(4))
        _pump(nodes, inbox, crash_at=7)
        for n in nodes:
            assert n.db_chain() == [(h, b.block_hash()) for h, (b, _) in enumerate(n.replica.chain, 1)]
            assert n.state_root() == n.replica.head.state_root
        # restart every node from disk: same chain, same state, and they go on committing
        heads = [n.replica.head for n in nodes]
        for n in nodes:
            n.close()
        nodes = _nodes(Path(tmp))
        assert [n.replica.head for n in nodes] == heads
        for tx in _txs(2, "after"):
            inbox.extend((i, ClientTx(tx)) for i in range(4))
        _pump(nodes, inbox)
        assert len({n.replica.head.block_hash() for n in nodes}) == 1
        assert all(n.height() > heads[0].height for n in nodes)
        for n in nodes:
            n.close()


def test_bad_input_to_nodes_leaves_the_ledger_unchanged() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        nodes = _nodes(Path(tmp))
        inbox: deque = deque()  # type: ignore[type-arg]
        for tx in _txs(2, "bad"):
            inbox.extend((i, ClientTx(tx)) for i in range(4))
        _pump(nodes, inbox)
        node = nodes[1]
        block, cert = node.replica.chain[-1]
        before = node.db_fingerprint()
        good_vote = Vote("PREPARE", 0, 3, block.block_hash(), 0, cert.signatures[0][1])
        tampered_tx = attrs.evolve(block.txs[0], signature=bytes(48))
        cases = [
            (b"\x11" + b"\x00" * 10, "MALFORMED_ENCODING"),
            (b"\x99", "MALFORMED_ENCODING"),
            (b"\x12" + b"\x00" * (2 * 8 * 1024 * 1024 + 1), "MESSAGE_TOO_LARGE"),
            (good_vote.to_bytes(), "VOTE_SIGNATURE_INVALID"),
            (attrs.evolve(good_vote, view=0, seq=40).to_bytes(), "SEQUENCE_OUT_OF_WINDOW"),
            (PrePrepare(0, 3, attrs.evolve(block, txs=(tampered_tx,)), 0, bytes(48)).to_bytes(),
             "BLOCK_HEIGHT_INVALID"),
            (b"\x10" + len(b"junk").to_bytes(4, "big") + b"junk", "TX_MALFORMED"),
        ]
        for data, code in cases:
            with pytest.raises(MedshareError) as e:
                node.handle_bytes(data)
            assert e.value.code == code, (code, e.value)
            assert node.db_fingerprint() == before
        # a block with a forged transaction signature, properly proposed, is refused as invalid
        from medshare.spec.chain.block import Block, tx_root
        bad_block = Block(attrs.evolve(block.header, height=3, parent=block.block_hash()), (tampered_tx,))
        sig = nodes[0].replica  # the primary's signer signs a well-formed pre-prepare for it
        from medshare.spec.chain import auth
        from medshare.spec.chain.block import vote_bytes
        dep = deployment()
        s = auth.sign_vote(dep.group, validator_signers(dep, dep.mdc)[0],
                           vote_bytes("PREPARE", dep.mdc.chain.chain_id, 0, 3, bad_block.block_hash()))
        with pytest.raises(MedshareError) as e:
            node.handle(PrePrepare(0, 3, bad_block, 0, s))
        assert e.value.code == "BLOCK_MALFORMED"  # its transaction root is another block's
        fresh = attrs.evolve(_txs(1, "fresh")[0], signature=bytes(48))
        bad_block = Block(attrs.evolve(bad_block.header, tx_root=tx_root((fresh,))), (fresh,))
        s = auth.sign_vote(dep.group, validator_signers(dep, dep.mdc)[0],
                           vote_bytes("PREPARE", dep.mdc.chain.chain_id, 0, 3, bad_block.block_hash()))
        with pytest.raises(MedshareError) as e:
            node.handle(PrePrepare(0, 3, bad_block, 0, s))
        assert e.value.code == "TX_SIGNATURE_INVALID"
        assert node.db_fingerprint() == before
        # stale view
        node.handle(Timeout(0)); node.handle(Timeout(0))  # noqa: E702
        fp = node.db_fingerprint()
        with pytest.raises(MedshareError) as e:
            node.handle(Vote("COMMIT", 0, 3, block.block_hash(), 2, cert.signatures[1][1]))
        assert e.value.code == "STALE_VIEW" and node.db_fingerprint() == fp
        assert decode_message(good_vote.to_bytes()) == good_vote
        del sig
        for n in nodes:
            n.close()


def test_shc_nodes_commit_genuine_anchors_and_drop_forged_ones() -> None:
    """A Byzantine relayer submits forged MDC headers to the SHC validators; only the genuine relay is
    committed, and a request referring to the anchored record goes through."""
    from medshare.reference.chain.sim import Simulation
    from medshare.reference.testbed import Ledger, certify, forge_certificate
    from medshare.spec.chain.anchor import anchor_key
    from medshare.spec.chain.entries import AnchorEntry

    dep = deployment()
    w = Workload(dep, "shc-nodes")
    mdc = Ledger(dep.mdc.chain)
    b1, _ = mdc.seal([w.publish("mdc-v0", "anchored")])
    cert = certify(dep, dep.mdc.chain, b1)
    forged = [w.relay("shc-v0", b1, forge_certificate(cert, corrupt=True)),
              w.relay("shc-v1", b1, forge_certificate(cert, drop=1)),
              w.relay("shc-v2", b1, forge_certificate(cert, digest=bytes(32)))]
    genuine = w.relay("shc-v3", b1, cert)
    with tempfile.TemporaryDirectory() as tmp:
        sim = Simulation(dep, dep.shc, 5, workdir=Path(tmp))
        sim.submit(forged)
        sim.submit([genuine], at=3)
        sim.awaited = {genuine.tx_hash()}
        res = sim.run(max_ticks=200)
        assert res.ok
        for i in range(4):
            node = sim.nodes[i]
            included = {tx.tx_hash() for b, _ in node.replica.chain for tx in b.txs}
            assert genuine.tx_hash() in included and not included & {tx.tx_hash() for tx in forged}
            entry = AnchorEntry.from_bytes(node.db_state()[anchor_key(1)])
            assert entry.block_hash == b1.block_hash()
        sim.close()


def test_isolated_caches_make_every_validator_verify_every_signature(tmp_path: Path) -> None:
    """With ``isolated_caches`` each node holds its own verification cache, so each one records the outcome of
    every transaction signature itself (the bench's one-core consortium figure rests on this)."""
    from medshare.reference.chain.sim import Faults, Simulation
    dep = make_deployment(get_group("native"), "pbft-isolated", cache={})
    w = Workload(dep, "iso")
    txs = [w.tx(MDC, "DEVICE_REGISTER", f"mdc-v{i % 4}", device=f"iso-{i}", ibe_identity=f"iso-{i}@x") for i in range(5)]
    sim = Simulation(dep, dep.mdc, 3, faults=Faults(max_delay=1), workdir=tmp_path, isolated_caches=True)
    sim.submit(txs)
    res = sim.run(max_ticks=2000)
    caches = [node.cfg.chain.cache for node in sim.nodes.values()]
    sim.close()
    assert res.ok and res.committed_txs == 5, res
    assert len({id(c) for c in caches}) == 4 and all(c is not dep.mdc.chain.cache for c in caches)
    for cache in caches:
        verified = {key[6] for key, v in cache.items() if isinstance(key, tuple) and key[0] == "pairing" and v is True}
        assert {tx.signature for tx in txs} <= verified
