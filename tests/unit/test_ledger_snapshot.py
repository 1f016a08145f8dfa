"""The consensus snapshot's byte encoding (spec/chain/snapshot.py) and the check of its evidence
(``pbft.check_snapshot``): replicas in every phase round-trip exactly, decoding is strict, and a snapshot
whose digest was recomputed after tampering is still refused when its content is not a replica's."""

from __future__ import annotations

import random
from collections import deque
from functools import lru_cache

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from medshare.reference.chain.deploy import validator_signers
from medshare.reference.testbed import Deployment, Workload, get_group, make_deployment
from medshare.spec.chain.codec import sha256
from medshare.spec.chain.messages import ClientTx, Timeout, Vote
from medshare.spec.chain.pbft import Replica, check_snapshot, new_replica, step
from medshare.spec.chain.snapshot import SNAPSHOT_VERSION, ConsensusState, decode, encode
from medshare.spec.chain.tx import MDC
from medshare.spec.errors import MedshareError


@lru_cache(maxsize=1)
def deployment() -> Deployment:
    return make_deployment(get_group("native"), "ledger-snapshot", cache={})


def _run(reps: list[Replica], inbox: deque, seen: list[ConsensusState],  # type: ignore[type-arg]
         drop=lambda dst, m: False) -> None:  # type: ignore[no-untyped-def]
    """Deliver messages in FIFO order until quiet, keeping the snapshot after every step in ``seen``."""
    while inbox:
        dst, msg = inbox.popleft()
        if drop(dst, msg):
            continue
        try:
            reps[dst], out, _ = step(reps[dst], msg)
        except MedshareError:
            continue
        seen.append(reps[dst].consensus_snapshot())
        for d, m in out:
            inbox.extend((t, m) for t in ([d] if d is not None else [i for i in range(4) if i != dst]))


@lru_cache(maxsize=1)
def states() -> tuple[ConsensusState, ...]:
    """Every snapshot of four replicas through blocks, checkpoints, a view change and a new view."""
    dep = deployment()
    cfg = dep.mdc
    w = Workload(dep, "snap")
    txs = [w.tx(MDC, "DEVICE_REGISTER", f"mdc-v{i % 4}", device=f"s-{i}", ibe_identity=f"s-{i}@x") for i in range(6)]
    reps = [new_replica(cfg, i, s) for i, s in enumerate(validator_signers(dep, cfg))]
    seen = [r.consensus_snapshot() for r in reps]
    inbox: deque = deque()  # type: ignore[type-arg]
    for tx in txs[:3]:
        inbox.extend((i, ClientTx(tx)) for i in range(4))
    _run(reps, inbox, seen)
    # a block prepares but does not commit; the primary goes silent; the others change view
    no_commit = lambda d, m: isinstance(m, Vote) and m.phase == "COMMIT" and m.view == 0  # noqa: E731
    inbox.extend((i, ClientTx(txs[3])) for i in range(4))
    _run(reps, inbox, seen, drop=no_commit)
    for _ in range(2):
        inbox.extend((i, Timeout(0)) for i in (1, 2, 3))
        _run(reps, inbox, seen, drop=lambda d, m: d == 0 or no_commit(d, m))
    for tx in txs[4:]:
        inbox.extend((i, ClientTx(tx)) for i in (1, 2, 3))
    _run(reps, inbox, seen, drop=lambda d, m: d == 0)
    assert {r.view for r in reps[1:]} == {1} and {r.head.height for r in reps[1:]} == {5}
    return tuple({encode(x): x for x in seen}.values())


def _resealed(data: bytes) -> bytes:
    """``data`` with its trailing digest recomputed (as whoever can write the ledger can do)."""
    return data[:-32] + sha256(data[:-32])


def test_snapshots_cover_every_part_and_round_trip() -> None:
    snaps = states()
    assert any(s.last_new_view is not None for s in snaps) and any(s.view_changes for s in snaps)
    assert any(s.prepared for s in snaps) and any(s.checkpoints for s in snaps) and any(s.low > 0 for s in snaps)
    assert any(s.log and any(x.prepares for x in s.log) for s in snaps)
    for s in snaps:
        data = encode(s)
        assert decode(data) == s and encode(decode(data)) == data
        check_snapshot(deployment().mdc, s)


def test_restore_keeps_what_the_snapshot_holds() -> None:
    dep = deployment()
    cfg = dep.mdc
    w = Workload(dep, "restore")
    txs = [w.tx(MDC, "DEVICE_REGISTER", f"mdc-v{i % 4}", device=f"r-{i}", ibe_identity=f"r-{i}@x") for i in range(3)]
    reps = [new_replica(cfg, i, s) for i, s in enumerate(validator_signers(dep, cfg))]
    inbox: deque = deque()  # type: ignore[type-arg]
    for tx in txs:
        inbox.extend((i, ClientTx(tx)) for i in range(4))
    _run(reps, inbox, [], drop=lambda d, m: isinstance(m, Vote) and m.phase == "COMMIT" and m.seq == 2)
    r = reps[1]
    assert r.head.height == 1 and any(s.accepted for s in r.log.values() if not s.done)
    snap = decode(encode(r.consensus_snapshot()))
    back = Replica.restore(cfg, 1, r.signer, r.chain, r.app, snap)
    assert back.consensus_snapshot() == snap and back.head == r.head and back.view == r.view
    pending = [s for s in back.log.values() if not s.done]
    assert pending and not any(s.accepted for s in pending)  # a pending slot re-validates its block
    for index, chain in ((2, r.chain), (1, r.chain[:-1])):
        with pytest.raises(MedshareError) as e:
            Replica.restore(cfg, index, None, chain, r.app, snap)
        assert e.value.code == "LEDGER_CORRUPT"


def test_decoding_is_strict() -> None:
    data = encode(states()[-1])
    bad = {
        "tag": b"\x54" + data[1:],
        "version": data[:1] + bytes([SNAPSHOT_VERSION + 1]) + data[2:],
        "digest": data[:-1] + bytes([data[-1] ^ 1]),
        "trailing": _resealed(data[:-32] + b"\x00" + data[-32:]),
        "empty": b"",
    }
    for what, x in bad.items():
        with pytest.raises(MedshareError) as e:
            decode(x)
        assert e.value.code == "MALFORMED_ENCODING", what
    for n in range(0, len(data), 7):  # every truncation, resealed or not
        for x in (data[:n], _resealed(data[:n]) if n > 34 else data[:n]):
            with pytest.raises(MedshareError) as e:
                decode(x)
            assert e.value.code == "MALFORMED_ENCODING"
    with pytest.raises(MedshareError):
        decode(bytearray(data))  # type: ignore[arg-type]


def test_non_canonical_content_is_refused() -> None:
    s = next(x for x in states() if x.log and len(x.log) >= 2)
    swapped = attrs.evolve(s, log=tuple(reversed(s.log)))
    flag = attrs.evolve(s, log=(attrs.evolve(s.log[0], accepted=True, done=False),) + s.log[1:])
    sigs = next(x for x in states() if x.stable_proof)
    unsorted = attrs.evolve(sigs, stable_proof=tuple(reversed(sigs.stable_proof)))
    for x in (swapped, flag, unsorted):
        with pytest.raises(MedshareError) as e:
            decode(encode(x))
        assert e.value.code == "MALFORMED_ENCODING"
    raw = bytearray(encode(s))
    pos = 2 + 4 + 4 + len(s.head.to_bytes()) + 8  # the in-view-change flag
    raw[pos] = 2
    with pytest.raises(MedshareError) as e:
        decode(_resealed(bytes(raw)))
    assert e.value.code == "MALFORMED_ENCODING" and "flag" in e.value.message


def test_tampered_content_with_a_fresh_digest_is_refused() -> None:
    cfg = deployment().mdc
    s = next(x for x in states() if x.prepared and x.checkpoints and x.low > 0
             and any(len(sigs) >= 2 for slot in x.log for _, sigs in slot.prepares))
    k, slot = next((k, slot) for k, slot in enumerate(s.log) if any(len(sigs) >= 2 for _, sigs in slot.prepares))
    (digest, sigs), *rest = slot.prepares
    forged = attrs.evolve(slot, prepares=((digest, ((sigs[0][0], sigs[1][1]),) + sigs[1:]), *rest))
    cases = {
        "a vote carrying another validator's signature": attrs.evolve(s, log=s.log[:k] + (forged,) + s.log[k + 1:]),
        "a foreign validator": attrs.evolve(s, index=9),
        "a low mark above the head": attrs.evolve(s, low=s.head.height + 1),
        "a stable checkpoint on another digest": attrs.evolve(s, stable_digest=bytes(32)),
        "a prepared proof short of a quorum": attrs.evolve(s, prepared=(attrs.evolve(s.prepared[0],
                                                                                  sigs=s.prepared[0].sigs[:1]),)),
        "a slot below the low mark": attrs.evolve(s, log=(attrs.evolve(slot, seq=s.low, pp=None),)),
        "checkpoint votes credited to other validators": attrs.evolve(s, checkpoints=tuple(
            (seq, tuple((d, tuple(sorted(((i + 1) % 4, sig) for i, sig in by))) for d, by in v))
            for seq, v in s.checkpoints)),
        "a new view sent above the view": attrs.evolve(s, new_view_sent=s.view + 1),
    }
    for what, x in cases.items():
        assert decode(encode(x)) == x, what  # the bytes are well formed: only the evidence check finds it
        with pytest.raises(MedshareError) as e:
            check_snapshot(cfg, x)
        assert e.value.code == "LEDGER_CORRUPT", (what, e.value)
    nv_snap = next(x for x in states() if x.last_new_view is not None)
    nv = nv_snap.last_new_view
    assert nv is not None
    with pytest.raises(MedshareError) as e:
        check_snapshot(cfg, attrs.evolve(nv_snap, last_new_view=attrs.evolve(nv, view_changes=nv.view_changes[:2])))
    assert e.value.code == "LEDGER_CORRUPT"


@given(st.data())
def test_random_damage_never_decodes_to_something_else(data: st.DataObject) -> None:
    """Flipped bits, cut or spliced bytes: decoding refuses with MALFORMED_ENCODING and raises nothing else."""
    snaps = states()
    raw = encode(snaps[data.draw(st.integers(0, len(snaps) - 1))])
    rng = random.Random(data.draw(st.integers(0, 2**32)))
    kind = data.draw(st.sampled_from(["flip", "cut", "splice"]))
    if kind == "flip":
        out = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        damaged = bytes(out)
    elif kind == "cut":
        i = rng.randrange(len(raw))
        damaged = raw[:i] + raw[i + rng.randint(1, 40):]
    else:
        i = rng.randrange(len(raw))
        damaged = raw[:i] + rng.randbytes(rng.randint(1, 40)) + raw[i:]
    if damaged == raw:
        return
    for x in (damaged, _resealed(damaged) if len(damaged) > 34 else damaged):
        try:
            got = decode(x)
        except MedshareError as e:
            assert e.code == "MALFORMED_ENCODING"
            continue
        assert x is not damaged and encode(got) == x  # only a resealed one may decode, and then canonically
